"""Evaluating a compiled rule expression, concretely or against one query branch.

``doc`` is a view: for a create (or fetch-mode doc-ID operation) it is the concrete document; for
a query it is a :class:`QueryDoc` over one branch of :mod:`.subset`, whose fields are either the
single value the query pins them to or a symbolic :class:`Field` that comparisons answer in three
values. ``&&``, ``||`` and ``!`` follow Kleene logic with JavaScript's left-to-right short-circuit,
and a rule grants access only when the whole expression is boolean ``true``.

Anything that goes wrong while evaluating (a member of ``null``, mixed kinds, ``get()`` limits)
is a :class:`RuleEvaluationError`: the caller denies and reports it, nothing else escapes.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any, Protocol

from ..database.values import MISSING
from .rules_ast import (
    ArrayLiteral,
    Call,
    Compare,
    Concat,
    Index,
    Literal,
    Logic,
    Member,
    Name,
    Node,
    Not,
    RegexLiteral,
    Template,
)
from .rules_compile import CompiledExpression
from .subset import ANYTHING, UNKNOWN, Branch, Constraint
from .values import RuleTypeError, compare, describe, js_string

#: distinct documents ``get()`` may read for one request (CB-FN)
MAX_GET_DOCUMENTS = 10
_FLIPPED = {
    "<": ">",
    "<=": ">=",
    ">": "<",
    ">=": "<=",
    "==": "==",
    "!=": "!=",
    "===": "===",
    "!==": "!==",
}
_REGEX_FLAGS = {"i": re.IGNORECASE, "m": re.MULTILINE, "s": re.DOTALL}


class RuleEvaluationError(Exception):
    """Evaluation failed; the request is denied with this message as the reason."""


@dataclass(frozen=True, slots=True)
class Field:
    """``doc.<path>`` when the query does not pin it to one value."""

    path: str
    constraint: Constraint


class DocView(Protocol):
    def resolve(self, path: tuple[str, ...]) -> Any: ...


@dataclass(frozen=True, slots=True)
class ConcreteDoc:
    """``doc`` bound to real data (a create's data, or a stored document in fetch mode)."""

    data: Mapping[str, Any]

    def resolve(self, path: tuple[str, ...]) -> Any:
        value: Any = self.data
        for part in path:
            if isinstance(value, Mapping):
                value = value.get(part, MISSING)
            elif isinstance(value, list) and part.isdigit():
                value = value[int(part)] if int(part) < len(value) else MISSING
            elif value is None or value is MISSING:
                raise RuleTypeError(f"cannot read {part!r} of {describe(value)}")
            else:
                value = MISSING
        return value


@dataclass(frozen=True, slots=True)
class QueryDoc:
    """``doc`` bound to one branch of a query: the values every matching document holds."""

    branch: Branch

    def resolve(self, path: tuple[str, ...]) -> Any:
        key = ".".join(path)
        own = self.branch.get(key)
        if own is not None and own.exact:
            assert own.values is not None
            return own.values[0]
        for cut in range(len(path) - 1, 0, -1):
            prefix = self.branch.get(".".join(path[:cut]))
            if prefix is not None and prefix.exact:
                assert prefix.values is not None
                return ConcreteDoc({"_": prefix.values[0]}).resolve(("_", *path[cut:]))
        return Field(key, own if own is not None else ANYTHING)


class UnavailableDoc:
    """``doc`` under ``create_doc_binding="request_only"``: any use of it fails."""

    def resolve(self, path: tuple[str, ...]) -> Any:
        raise RuleTypeError(
            "doc is not available to create rules in this mode (create_doc_binding="
            "'request_only'); use request.data"
        )


@dataclass
class Bindings:
    """The variables of one evaluation."""

    auth: Mapping[str, Any] | None
    doc: DocView | None = None
    request_data: Any = MISSING
    now_ms: float = 0.0
    resource: Mapping[str, Any] | None = None
    #: admin read for ``get('database.<collection>.<id>')``: the document or None
    read: Callable[[str, str], Mapping[str, Any] | None] | None = None
    #: paths ``get()`` read, shared by all branches of one request
    reads: dict[str, Any] = field(default_factory=dict)


@dataclass
class Outcome:
    """The value of the whole expression plus each atom's value, for logs and coverage."""

    value: Any
    error: str | None
    atoms: dict[int, Any]


def evaluate(expression: CompiledExpression, bindings: Bindings) -> Outcome:
    evaluator = _Evaluator(expression, bindings)
    try:
        value = _truth(evaluator.node_value(expression.tree), expression, expression.tree)
    except (RuleTypeError, RuleEvaluationError) as exc:
        return Outcome("error", str(exc), evaluator.atoms)
    return Outcome(value, None, evaluator.atoms)


def _truth(value: Any, expression: CompiledExpression, node: Node) -> Any:
    if value is True or value is False or value is UNKNOWN:
        return value
    if isinstance(value, Field):
        return UNKNOWN
    raise RuleTypeError(
        f"{expression.text(node)!r} is {describe(value)}, not a boolean: a rule grants only on "
        "boolean true, so compare explicitly (… == true)"
    )


class _Evaluator:
    def __init__(self, expression: CompiledExpression, bindings: Bindings) -> None:
        self.expression = expression
        self.bindings = bindings
        self.atom_ids = {id(atom) for atom in expression.atoms}
        self.atoms: dict[int, Any] = {}

    def node_value(self, node: Node) -> Any:
        if id(node) not in self.atom_ids:
            return self._eval(node)
        try:
            value = self._eval(node)
        except (RuleTypeError, RuleEvaluationError):
            self.atoms[id(node)] = "error"
            raise
        self.atoms[id(node)] = UNKNOWN if isinstance(value, Field) else value
        return value

    def _eval(self, node: Node) -> Any:
        if isinstance(node, Literal):
            return node.value
        if isinstance(node, Logic):
            return self._logic(node)
        if isinstance(node, Not):
            inner = _truth(self.node_value(node.operand), self.expression, node.operand)
            return UNKNOWN if inner is UNKNOWN else not inner
        if isinstance(node, Compare):
            return self._compare(node)
        if isinstance(node, Name):
            return self._name(node.name)
        if isinstance(node, Member):
            return self._member(self.node_value(node.obj), node.name, node)
        if isinstance(node, Index):
            key = self._concrete(self.node_value(node.index), node.index)
            if isinstance(key, (int, float)) and not isinstance(key, bool):
                key = js_string(key)
            if not isinstance(key, str):
                raise RuleTypeError(f"cannot index with {describe(key)}")
            return self._member(self.node_value(node.obj), key, node)
        if isinstance(node, ArrayLiteral):
            return [self._concrete(self.node_value(item), item) for item in node.items]
        if isinstance(node, Template):
            return "".join(
                part
                if isinstance(part, str)
                else js_string(self._concrete(self.node_value(part), part))
                for part in node.parts
            )
        if isinstance(node, Concat):
            left = self._concrete(self.node_value(node.left), node.left)
            right = self._concrete(self.node_value(node.right), node.right)
            if isinstance(left, str) or isinstance(right, str):
                return js_string(left) + js_string(right)
            if _is_number(left) and _is_number(right):
                return left + right
            raise RuleTypeError(f"cannot add {describe(left)} and {describe(right)}")
        if isinstance(node, Call):
            return self._call(node)
        if isinstance(node, RegexLiteral):
            raise RuleTypeError("a regular expression is only usable as /regex/.test(value)")
        raise RuleEvaluationError(f"cannot evaluate {type(node).__name__}")  # pragma: no cover

    def _logic(self, node: Logic) -> Any:
        left = _truth(self.node_value(node.left), self.expression, node.left)
        if node.op == "&&" and left is False:
            return False
        if node.op == "||" and left is True:
            return True
        right = _truth(self.node_value(node.right), self.expression, node.right)
        if node.op == "&&":
            if right is False:
                return False
            return True if left is True and right is True else UNKNOWN
        if right is True:
            return True
        return False if left is False and right is False else UNKNOWN

    def _compare(self, node: Compare) -> Any:
        left, right = self.node_value(node.left), self.node_value(node.right)
        if left is UNKNOWN or right is UNKNOWN:
            return UNKNOWN
        if isinstance(left, Field) and isinstance(right, Field):
            return UNKNOWN
        if isinstance(left, Field):
            if node.op == "in":
                if not isinstance(right, list):
                    raise RuleTypeError(f"'in' needs an array on its right, got {describe(right)}")
                return left.constraint.within(right)
            return left.constraint.compare(node.op, right)
        if isinstance(right, Field):
            if node.op == "in":
                return UNKNOWN
            return right.constraint.compare(_FLIPPED[node.op], left)
        return compare(node.op, left, right)

    def _name(self, name: str) -> Any:
        bindings = self.bindings
        if name == "auth":
            return None if bindings.auth is None else dict(bindings.auth)
        if name == "doc":
            if bindings.doc is None:
                raise RuleTypeError("doc is not bound for this operation")
            return bindings.doc.resolve(())
        if name == "now":
            return bindings.now_ms
        if name == "request":
            return {"data": bindings.request_data}
        if name == "resource":
            if bindings.resource is None:
                raise RuleTypeError("resource is only bound in storage rules")
            return dict(bindings.resource)
        raise RuleEvaluationError(f"unknown variable {name!r}")

    def _member(self, obj: Any, name: str, node: Node) -> Any:
        if isinstance(obj, Field):
            assert self.bindings.doc is not None
            path = (*obj.path.split("."), name) if obj.path else (name,)
            return self.bindings.doc.resolve(path)
        if isinstance(obj, Mapping):
            return obj.get(name, MISSING)
        if isinstance(obj, list) and name.isdigit():
            index = int(name)
            return obj[index] if index < len(obj) else MISSING
        if obj is None or obj is MISSING:
            what = self.expression.text(node)
            hint = " (the caller is not logged in)" if what.startswith("auth") else ""
            raise RuleTypeError(f"{what!r}: cannot read {name!r} of {describe(obj)}{hint}")
        return MISSING

    def _concrete(self, value: Any, node: Node) -> Any:
        if isinstance(value, Field):
            field_name = value.path or "doc"
            raise RuleEvaluationError(
                f"{self.expression.text(node)!r} needs one value of doc.{field_name}: the query "
                f"must constrain {field_name!r} with == (or an in of one element)"
            )
        if value is UNKNOWN:
            raise RuleEvaluationError(f"{self.expression.text(node)!r} is not decided by the query")
        return value

    def _call(self, node: Call) -> Any:
        callee = node.callee
        if isinstance(callee, Member) and isinstance(callee.obj, RegexLiteral):
            regex = callee.obj
            subject = self._concrete(self.node_value(node.args[0]), node.args[0])
            if not isinstance(subject, str):
                return False
            flags = 0
            for flag in regex.flags:
                flags |= _REGEX_FLAGS.get(flag, 0)
            return re.search(regex.pattern, subject, flags) is not None
        path = self._concrete(self.node_value(node.args[0]), node.args[0])
        return self._get(path)

    def _get(self, path: Any) -> Any:
        bindings = self.bindings
        if not isinstance(path, str):
            raise RuleTypeError(f"get() takes a path string, got {describe(path)}")
        parts = path.split(".", 2)
        if len(parts) != 3 or parts[0] != "database" or not parts[1] or not parts[2]:
            raise RuleEvaluationError(
                f"get({path!r}): the path must read 'database.<collection>.<document id>'"
            )
        if path in bindings.reads:
            return bindings.reads[path]
        if len(bindings.reads) >= MAX_GET_DOCUMENTS:
            raise RuleEvaluationError(
                f"get({path!r}) would read an {MAX_GET_DOCUMENTS + 1}th document; production "
                f"reads at most {MAX_GET_DOCUMENTS} distinct documents per request"
            )
        if bindings.read is None:
            raise RuleEvaluationError("get() is not available here")
        found = bindings.read(parts[1], parts[2])
        value = None if found is None else dict(found)
        bindings.reads[path] = value
        return value


def _is_number(value: Any) -> bool:
    return isinstance(value, (int, float)) and not isinstance(value, bool)


__all__ = [
    "MAX_GET_DOCUMENTS",
    "Bindings",
    "ConcreteDoc",
    "Field",
    "Outcome",
    "QueryDoc",
    "RuleEvaluationError",
    "UnavailableDoc",
    "evaluate",
]
