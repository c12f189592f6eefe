"""Aggregation expressions compiled once into closures, then run per document.

An expression is what ``db.command.aggregate`` builds: plain dicts/lists/values such as
``{"$add": ["$price", {"$multiply": ["$tax", 2]}]}``. :func:`compile_expression` walks it once and
returns an :data:`Evaluator` ``(current_document, variables) -> value``; per-document work is then
plain Python calls with no dict parsing. The forms understood here:

* ``"$a.b"`` — a field path; through arrays it yields the list of the elements' values (MongoDB's
  ``evaluatePath``: non-document elements and missing values are skipped).
* ``"$$name.path"`` — a variable: ``ROOT``, ``CURRENT``, ``REMOVE`` or one bound by ``$let``,
  ``$map``, ``$filter``, ``$reduce`` or ``$lookup``'s ``let``.
* ``{"$op": operand}`` — an operator from :data:`registry.OPERATORS`.
* any other dict — an object expression (missing values drop out), any list — an array
  expression (missing values become null), anything else — a constant.

The result ``MISSING`` means "no value" (``$$REMOVE``, an absent field); stages drop such fields.
"""

from __future__ import annotations

import difflib
from collections.abc import Iterable, Mapping
from typing import Any

from ...errors import UnknownOperatorError
from ..values import MISSING
from . import (  # noqa: F401 - imported for their registrations
    accumulators,
    ops_arithmetic,
    ops_array,
    ops_date,
    ops_logic,
    ops_object_set,
    ops_string,
)
from .registry import OPERATORS, ExpressionCompiler, operator
from .support import NO_VARIABLES, Evaluator, check_variable_name, fail, show

SYSTEM_VARIABLES = frozenset({"ROOT", "CURRENT", "REMOVE"})

#: Operators that only exist as ``$group`` accumulators in the MongoDB version behind the cloud.
GROUP_ONLY = frozenset({"$push", "$addToSet", "$first", "$last"})


def compile_expression(expr: Any, variables: Iterable[str] = ()) -> Evaluator:
    """Compile ``expr`` once; ``variables`` names the user variables in scope (``$lookup`` let)."""
    return Compiler(frozenset(variables)).compile(expr)


def evaluate(expr: Any, doc: Mapping[str, Any], variables: Mapping[str, Any] = NO_VARIABLES) -> Any:
    """One-off evaluation (tests, ``_.expr`` in where); pipelines compile once instead."""
    return compile_expression(expr, variables.keys())(doc, variables)


class Compiler:
    """Turns expressions into evaluators; knows which user variables are in scope."""

    __slots__ = ("variables",)

    def __init__(self, variables: frozenset[str] = frozenset()) -> None:
        self.variables = variables

    def with_variables(self, names: Iterable[str]) -> ExpressionCompiler:
        return Compiler(self.variables | frozenset(names))

    def compile(self, expr: Any) -> Evaluator:
        cls = expr.__class__
        if cls is str:
            if expr.startswith("$$"):
                return self._variable(expr)
            if expr.startswith("$"):
                return field_path(expr)
            return _constant(expr)
        if cls is dict:
            return self._object(expr)
        if cls is list:
            return self._array(expr)
        if cls is tuple:
            return self._array(list(expr))
        return _constant(expr)

    # ------------------------------------------------------------------ forms

    def _variable(self, expr: str) -> Evaluator:
        name, _, rest = expr[2:].partition(".")
        parts = tuple(rest.split(".")) if rest else ()
        _check_path_parts(expr, parts)
        if name == "REMOVE":
            return _constant(MISSING)
        if name == "CURRENT":
            return _at_path_of_current(parts)
        if name == "ROOT":
            return _at_path_of_root(parts)
        if name not in self.variables:
            known = sorted(self.variables | SYSTEM_VARIABLES)
            raise fail(f"Use of undefined variable: {name} (defined here: {', '.join(known)})")
        return _at_path_of_variable(name, parts)

    def _object(self, expr: dict[str, Any]) -> Evaluator:
        operators = [k for k in expr if isinstance(k, str) and k.startswith("$")]
        if operators:
            if len(expr) != 1:
                raise fail(
                    "an expression specification must contain exactly one field, the name of the "
                    f"expression. Found {len(expr)} fields in {show(expr)}"
                )
            name = operators[0]
            compiler = OPERATORS.get(name)
            if compiler is None:
                raise unknown_operator(name)
            return compiler(expr[name], self)
        fields: list[tuple[str, Evaluator]] = []
        for key, value in expr.items():
            if not isinstance(key, str) or not key:
                raise fail(
                    f"field names in an object expression must be non-empty strings, got {key!r}"
                )
            if "." in key:
                raise fail(
                    f"FieldPath field names may not contain '.'. Found {key!r} in {show(expr)}"
                )
            fields.append((key, self.compile(value)))

        def build(doc: Any, variables: Mapping[str, Any]) -> Any:
            out: dict[str, Any] = {}
            for key, fn in fields:
                value = fn(doc, variables)
                if value is not MISSING:
                    out[key] = value
            return out

        return build

    def _array(self, expr: list[Any]) -> Evaluator:
        items = [self.compile(e) for e in expr]

        def build(doc: Any, variables: Mapping[str, Any]) -> Any:
            out = []
            for fn in items:
                value = fn(doc, variables)
                out.append(None if value is MISSING else value)
            return out

        return build


def unknown_operator(name: str) -> UnknownOperatorError:
    if name in GROUP_ONLY:
        hint = f" ({name} is only valid as a $group accumulator)"
    else:
        close = difflib.get_close_matches(name, OPERATORS, n=3)
        hint = f" (did you mean {', '.join(close)}?)" if close else ""
    return UnknownOperatorError(
        name, f"aggregation expression{hint}; see docs/aggregation.md for the operators supported"
    )


def _constant(value: Any) -> Evaluator:
    def constant(doc: Any, variables: Mapping[str, Any]) -> Any:
        return value

    return constant


def _check_path_parts(expr: str, parts: tuple[str, ...]) -> None:
    for part in parts:
        if not part:
            raise fail(f"FieldPath field names may not be empty strings (in {expr!r}).")
        if part.startswith("$"):
            raise fail(f"FieldPath field names may not start with '$' (in {expr!r}).")


def field_path(expr: str) -> Evaluator:
    """``"$a.b"`` → an evaluator reading that path from the current document."""
    if expr == "$":
        raise fail("'$' by itself is not a valid FieldPath")
    parts = tuple(expr[1:].split("."))
    _check_path_parts(expr, parts)
    return _at_path_of_current(parts)


def top_level_field(expr: Any) -> str | None:
    """The field name of a ``"$name"`` expression (one segment), for loops that read it inline."""
    if expr.__class__ is str and expr.startswith("$") and not expr.startswith("$$"):
        name: str = expr[1:]
        if name and "." not in name:
            return name
    return None


def _at_path_of_current(parts: tuple[str, ...]) -> Evaluator:
    if not parts:
        return lambda doc, variables: doc
    if len(parts) == 1:
        key = parts[0]

        def top(doc: Any, variables: Mapping[str, Any]) -> Any:
            if doc.__class__ is dict:
                return doc.get(key, MISSING)
            return MISSING

        return top
    return lambda doc, variables: resolve_path(doc, parts)


def _at_path_of_root(parts: tuple[str, ...]) -> Evaluator:
    def root(doc: Any, variables: Mapping[str, Any]) -> Any:
        base = variables.get("ROOT", doc) if variables else doc
        return resolve_path(base, parts) if parts else base

    return root


def _at_path_of_variable(name: str, parts: tuple[str, ...]) -> Evaluator:
    if not parts:
        return lambda doc, variables: variables[name]
    return lambda doc, variables: resolve_path(variables[name], parts)


def resolve_path(value: Any, parts: tuple[str, ...], start: int = 0) -> Any:
    """MongoDB's ``ExpressionFieldPath::evaluatePath``: arrays map over their document elements."""
    last = len(parts) - 1
    i = start
    while True:
        if value.__class__ is not dict:
            return MISSING
        value = value.get(parts[i], MISSING)
        if i == last:
            return value
        i += 1
        if value.__class__ is list:
            out = []
            for element in value:
                if element.__class__ is dict:
                    nested = resolve_path(element, parts, i)
                    if nested is not MISSING:
                        out.append(nested)
            return out


# --------------------------------------------------------------------------- variables, literal, meta


@operator("$literal")
def _literal(param: Any, compiler: ExpressionCompiler) -> Evaluator:
    return _constant(param)


@operator("$let")
def _let(param: Any, compiler: ExpressionCompiler) -> Evaluator:
    if param.__class__ is not dict:
        raise fail(f"$let only supports an object as its argument, got {show(param)}")
    for key in param:
        if key not in ("vars", "in"):
            raise fail(f"Unrecognized parameter to $let: {key}")
    if "vars" not in param:
        raise fail("Missing 'vars' parameter to $let")
    if "in" not in param:
        raise fail("Missing 'in' parameter to $let")
    definitions = param["vars"]
    if definitions.__class__ is not dict:
        raise fail(f"invalid parameter: expected an object (vars), got {show(definitions)}")
    bindings = []
    for name, expr in definitions.items():
        if name != "CURRENT":
            check_variable_name(name)
        bindings.append((name, compiler.compile(expr)))
    body = compiler.with_variables(n for n, _ in bindings).compile(param["in"])

    def let(doc: Any, variables: Mapping[str, Any]) -> Any:
        scope = dict(variables)
        current = doc
        for name, fn in bindings:
            value = fn(doc, variables)
            if name == "CURRENT":
                scope.setdefault("ROOT", doc)
                current = value
            else:
                scope[name] = value
        return body(current, scope)

    return let


@operator("$meta")
def _meta(param: Any, compiler: ExpressionCompiler) -> Evaluator:
    if param not in ("textScore", "indexKey", "searchScore", "searchHighlights"):
        raise fail(f"Unsupported argument to $meta: {show(param)}")
    raise fail(
        f'$meta "{param}" needs query metadata the cloud database only has with a text index '
        "and a $text query, which the server SDK cannot express (_.text serializes to {}): "
        "query requires text score metadata, but it is not available"
    )
