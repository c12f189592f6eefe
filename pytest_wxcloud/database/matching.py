"""Query documents (MongoDB form) compiled once into plain predicates over stored documents.

A query is parsed a single time into nested closures (TinyDB style); running it over a
collection never looks at the query again. The common shape — a top-level field compared with a
string or a number — compiles to a closure costing one ``dict.get`` and one comparison, with the
array and type-bracketing rules only consulted when the stored value is an array.

Semantics are MongoDB's (see docs/engine-semantics.md): a path yields a set of values (arrays are
traversed one level per segment), positive operators match when *any* value satisfies them and
arrays also offer their elements, negative operators (``$ne``, ``$nin``, ``$not``) are the
negation of the positive test over the whole set, comparisons only match values of the same type
bracket, and null matches null or missing.
"""

from __future__ import annotations

import math
import operator
from collections.abc import Callable, Iterable, Mapping, Sequence
from datetime import datetime
from typing import Any

from ..errors import DatabaseError, SDKUsageError, UnknownOperatorError
from . import geo
from .compare import RANK_NULL, sort_key, type_rank, values_equal
from .paths import bson_repr, compile_getter, split_path, values_along
from .regex_limit import MAX_NESTED_QUANTIFIER_SUBJECT, has_nested_quantifier, match_limit_error
from .values import MISSING, RegExp

Document = dict[str, Any]
Predicate = Callable[[Document], bool]
ValueTest = Callable[[Any], bool]
ExpressionEvaluator = Callable[[Any, Document], Any]

FIELD_OPERATORS = (
    "$all", "$elemMatch", "$eq", "$exists", "$geoIntersects", "$geoWithin", "$gt", "$gte",
    "$in", "$lt", "$lte", "$mod", "$ne", "$near", "$nearSphere", "$nin", "$not", "$options",
    "$regex", "$size",
)  # fmt: skip
TOP_LEVEL_OPERATORS = ("$and", "$expr", "$nor", "$or")
_PATHLESS = ("$and", "$or", "$nor", "$expr", "$where", "$text", "$jsonSchema", "$comment")
_NEAR = ("$near", "$nearSphere")

_expression_evaluator: ExpressionEvaluator | None = None


def set_expression_evaluator(evaluator: ExpressionEvaluator | None) -> None:
    """Install the aggregation-expression evaluator ``$expr`` delegates to (``fn(expr, doc)``)."""
    global _expression_evaluator
    _expression_evaluator = evaluator


def _bad(message: str) -> DatabaseError:
    return DatabaseError(-502001, message)


def truthy(value: Any) -> bool:
    """MongoDB truthiness: false, 0, null and missing are false; everything else is true."""
    if value is None or value is MISSING or value is False:
        return False
    if value.__class__ is int or value.__class__ is float:
        return bool(value != 0)
    return True


# --------------------------------------------------------------------------- conditions


class Condition:
    """One operator applied to one field: ``test`` is its meaning for a single value.

    On a document, the path's values are tested and the condition holds when any passes; with
    ``expand`` (comparisons, equality, regex …) arrays at the end of the path also offer their
    elements. ``single()`` is the meaning used on array elements by ``$elemMatch``'s value form.
    ``fast`` marks shapes with a specialised closure for top-level fields.
    """

    __slots__ = ("expand", "fast", "test")

    def __init__(
        self, test: ValueTest, *, expand: bool = True, fast: tuple[str, Any] | None = None
    ) -> None:
        self.test = test
        self.expand = expand
        self.fast = fast

    def single(self) -> ValueTest:
        return self.test

    def parts(self) -> list[Condition]:
        """The conjuncts of this condition (compile_filter runs each as its own stage)."""
        return [self]

    def predicate(self, path: str) -> Predicate:
        test = self.test
        if "." not in path:
            fast = _fast_top_level(path, self)
            if fast is not None:
                return fast
            return _top_level(path, test, self.expand)
        getter = compile_getter(path, expand=self.expand)

        return lambda doc: any(test(value) for value in getter(doc))


class _Exists(Condition):
    """``$exists``: whether the path yields any value at all (arrays count as values)."""

    __slots__ = ("wanted",)

    def __init__(self, wanted: bool) -> None:
        super().__init__(lambda value: (value is not MISSING) == wanted, expand=False)
        self.wanted = wanted

    def predicate(self, path: str) -> Predicate:
        wanted = self.wanted
        if "." not in path:
            return lambda doc: (path in doc) == wanted
        getter = compile_getter(path, expand=False)
        return lambda doc: any(v is not MISSING for v in getter(doc)) == wanted


class _AllOf(Condition):
    """Several operators on one field (``{$gt: 1, $lt: 5}``): each holds on its own, so on an
    array different elements may satisfy different operators, as in MongoDB."""

    __slots__ = ("conditions",)

    def __init__(self, conditions: Sequence[Condition]) -> None:
        singles = [c.single() for c in conditions]
        super().__init__(lambda value: all(t(value) for t in singles), expand=False)
        self.conditions = list(conditions)

    def parts(self) -> list[Condition]:
        return [part for c in self.conditions for part in c.parts()]

    def predicate(self, path: str) -> Predicate:
        return _conjunction([c.predicate(path) for c in self.conditions])


class _Not(Condition):
    """``$ne``, ``$nin``, ``$not``: the negation of the positive condition on the whole field, so
    ``{tags: {$ne: "a"}}`` rejects any array containing ``"a"`` and matches a missing field."""

    __slots__ = ("inner",)

    def __init__(self, inner: Condition) -> None:
        positive = inner.single()
        super().__init__(lambda value: not positive(value), expand=False)
        self.inner = inner

    def predicate(self, path: str) -> Predicate:
        positive = self.inner.predicate(path)
        return lambda doc: not positive(doc)


def _all_of(conditions: Sequence[Condition]) -> Condition:
    return conditions[0] if len(conditions) == 1 else _AllOf(conditions)


# --------------------------------------------------------------------------- value tests


def _regex_test(regex: RegExp) -> ValueTest:
    try:
        search = regex.compiled.search
    except SDKUsageError as exc:
        raise _bad(f"Regular expression is invalid: {exc}") from None

    if has_nested_quantifier(regex.pattern):

        def bounded_test(value: Any) -> bool:
            if value.__class__ is str:
                if len(value) > MAX_NESTED_QUANTIFIER_SUBJECT:
                    raise match_limit_error(regex.pattern, len(value))
                return search(value) is not None
            return bool(value == regex)

        return bounded_test

    def test(value: Any) -> bool:
        if value.__class__ is str:
            return search(value) is not None
        return bool(value == regex)

    return test


def _check_operand(value: Any, where: str) -> int:
    try:
        return type_rank(value)
    except TypeError:
        raise DatabaseError(
            -501007,
            f"{where}: cannot compare with {value!r} ({type(value).__name__}); accepted values are "
            "None, bool, int, float, str, datetime, RegExp, list and dict",
        ) from None


def _equality_test(operand: Any, where: str, *, regex_matches: bool) -> ValueTest:
    """``{f: operand}`` on one value; a RegExp operand matches strings when ``regex_matches``."""
    cls = operand.__class__
    if cls is str:
        return lambda value: value == operand
    if cls is int or cls is float:
        if operand != operand:
            return lambda value: value.__class__ is float and value != value
        return lambda value: value == operand and value.__class__ is not bool
    if operand is None:
        return lambda value: value is None or value is MISSING
    if cls is bool:
        return lambda value: value is operand
    if isinstance(operand, RegExp):
        if regex_matches:
            return _regex_test(operand)
        return lambda value: value == operand
    if isinstance(operand, datetime):
        return lambda value: isinstance(value, datetime) and value == operand
    _check_operand(operand, where)
    return lambda value: values_equal(value, operand)


def _fast_equality(operand: Any) -> tuple[str, Any] | None:
    cls = operand.__class__
    if cls is str or ((cls is int or cls is float) and operand == operand):
        return ("eq", operand)
    return None


_COMPARATORS: dict[str, Callable[[Any, Any], bool]] = {
    "$gt": operator.gt,
    "$gte": operator.ge,
    "$lt": operator.lt,
    "$lte": operator.le,
}


def _comparison(op: str, operand: Any, where: str) -> Condition:
    compare = _COMPARATORS[op]
    rank = _check_operand(operand, where)
    cls = operand.__class__
    inclusive = op in ("$gte", "$lte")
    if cls is int or cls is float:
        if operand != operand:  # NaN equals only NaN and orders with nothing
            if inclusive:
                return Condition(lambda v: v.__class__ is float and v != v)
            return Condition(lambda v: False)
        return Condition(
            lambda v: (v.__class__ is int or v.__class__ is float) and compare(v, operand),
            fast=(op, operand),
        )
    if cls is str:
        return Condition(lambda v: v.__class__ is str and compare(v, operand), fast=(op, operand))
    if rank == RANK_NULL:
        if inclusive:
            return Condition(lambda v: v is None or v is MISSING)
        return Condition(lambda v: False)
    if cls is bool:
        return Condition(lambda v: v.__class__ is bool and compare(v, operand))
    if isinstance(operand, datetime):
        return Condition(lambda v: isinstance(v, datetime) and compare(v, operand))
    key = sort_key(operand)
    return Condition(lambda v: type_rank(v) == rank and compare(sort_key(v), key))


def _in_test(operand: Any, op: str, where: str) -> ValueTest:
    if not isinstance(operand, list):
        raise _bad(f"{op} needs an array")
    scalars: set[Any] = set()
    booleans: set[bool] = set()
    has_null = False
    others: list[ValueTest] = []
    for item in operand:
        cls = item.__class__
        if cls is dict and item and next(iter(item)).startswith("$"):
            raise _bad(f"cannot nest $ under {op}")
        if cls is str or ((cls is int or cls is float) and item == item):
            scalars.add(item)
        elif cls is bool:
            booleans.add(item)
        elif item is None:
            has_null = True
        else:
            others.append(_equality_test(item, where, regex_matches=True))

    def test(value: Any) -> bool:
        cls = value.__class__
        if cls is str or cls is int or cls is float:
            if value in scalars:
                return True
        elif cls is bool:
            return value in booleans
        elif value is None or value is MISSING:
            return has_null
        return any(t(value) for t in others)

    return test


def _fast_in(operand: list[Any]) -> tuple[str, Any] | None:
    if all(
        x.__class__ is str or ((x.__class__ is int or x.__class__ is float) and x == x)
        for x in operand
    ):
        return ("$in", frozenset(operand))
    return None


def _size(operand: Any) -> Condition:
    if operand.__class__ is bool or not (operand.__class__ is int or operand.__class__ is float):
        raise _bad("$size needs a number")
    if not math.isfinite(operand) or operand != int(operand):
        raise _bad("$size must be a whole number")
    if operand < 0:
        raise _bad("$size may not be negative")
    size = int(operand)
    return Condition(lambda v: v.__class__ is list and len(v) == size, expand=False)


def _truncate(value: Any) -> int | None:
    if value.__class__ is int:
        return int(value)
    if value.__class__ is float and math.isfinite(value):
        return int(value)
    return None


def _mod(operand: Any) -> Condition:
    if not isinstance(operand, list):
        raise _bad("malformed mod, needs to be an array")
    if len(operand) < 2:
        raise _bad("malformed mod, not enough elements")
    if len(operand) > 2:
        raise _bad("malformed mod, too many elements")
    divisor_value, remainder_value = operand
    divisor = _truncate(divisor_value) if divisor_value.__class__ is not bool else None
    if divisor is None:
        raise _bad("malformed mod, divisor not a number")
    remainder = _truncate(remainder_value) if remainder_value.__class__ is not bool else None
    if remainder is None:
        raise _bad("malformed mod, remainder not a number")
    if divisor == 0:
        raise _bad("divisor cannot be 0")
    absolute = abs(divisor)

    def test(value: Any) -> bool:
        number = _truncate(value) if value.__class__ is not bool else None
        if number is None:
            return False
        rest = abs(number) % absolute  # C semantics: the sign follows the dividend
        return (-rest if number < 0 else rest) == remainder

    return Condition(test)


def _regex_operator(pattern: Any, options: Any, has_options: bool) -> Condition:
    if has_options and not isinstance(options, str):
        raise _bad("$options has to be a string")
    if isinstance(pattern, RegExp):
        if has_options and options and pattern.options:
            raise _bad("options set in both $regex and $options")
        regex = RegExp(pattern.pattern, options) if has_options and options else pattern
    elif isinstance(pattern, str):
        try:
            regex = RegExp(pattern, options if has_options else "")
        except SDKUsageError as exc:
            raise _bad(str(exc)) from None
    else:
        raise _bad("$regex has to be a string")
    return Condition(_regex_test(regex))


def _exists(operand: Any) -> Condition:
    return _Exists(truthy(operand))


def _is_operator_document(value: Any) -> bool:
    return isinstance(value, Mapping) and bool(value) and str(next(iter(value))).startswith("$")


def _elem_match(operand: Any, where: str) -> Condition:
    if not isinstance(operand, Mapping):
        raise _bad("$elemMatch needs an Object")
    if _is_operator_document(operand) and next(iter(operand)) not in _PATHLESS:
        element_test = _operator_document(operand, where, in_elem_match=True).single()

        def value_form(v: Any) -> bool:
            return v.__class__ is list and any(element_test(e) for e in v)

        return Condition(value_form, expand=False)
    sub = _compile_document(operand, allow_near=False)

    def object_form(v: Any) -> bool:
        return v.__class__ is list and any(e.__class__ is dict and sub(e) for e in v)

    return Condition(object_form, expand=False)


def _all(operand: Any, where: str) -> Condition:
    if not isinstance(operand, list):
        raise _bad("$all needs an array")
    if not operand:
        return Condition(lambda v: False, expand=False)
    elem_matches = [_is_operator_document(x) and next(iter(x)) == "$elemMatch" for x in operand]
    if any(elem_matches):
        if not all(elem_matches):
            raise _bad("$all/$elemMatch has to be consistent")
        return _all_of([_elem_match(x["$elemMatch"], where) for x in operand])
    for x in operand:
        if _is_operator_document(x):
            raise _bad(f"no $ expressions in $all: {bson_repr(dict(x))}")
    return _all_of([Condition(_equality_test(x, where, regex_matches=True)) for x in operand])


def _not(operand: Any, where: str) -> Condition:
    if isinstance(operand, RegExp):
        return _Not(Condition(_regex_test(operand)))
    if not isinstance(operand, Mapping):
        raise _bad("$not needs a regex or a document")
    if not operand:
        raise _bad("$not cannot be empty")
    if not _is_operator_document(operand):
        raise _bad(f"$not needs a regex or an operator document, got {bson_repr(dict(operand))}")
    return _Not(_operator_document(operand, where, in_elem_match=False))


def _geo(op: str, operand: Any, allow_near: bool) -> Condition:
    if op in _NEAR and not allow_near:
        raise _bad(f"{op} is not allowed inside $or, $nor, $not or $elemMatch")
    return Condition(geo.compile_geo_test(op, operand), expand=False)


def _operator_document(
    operators: Mapping[str, Any], where: str, *, in_elem_match: bool, allow_near: bool = False
) -> Condition:
    conditions: list[Condition] = []
    if "$options" in operators and "$regex" not in operators:
        raise _bad("$options needs a $regex")
    for op, operand in operators.items():
        if op in ("$eq", "$ne"):
            test = _equality_test(operand, where, regex_matches=False)
            if op == "$ne":
                conditions.append(_Not(Condition(test)))
            else:
                conditions.append(Condition(test, fast=_fast_equality(operand)))
        elif op in _COMPARATORS:
            conditions.append(_comparison(op, operand, where))
        elif op in ("$in", "$nin"):
            test = _in_test(operand, op, where)
            fast = _fast_in(operand) if op == "$in" else None
            positive = Condition(test, fast=fast)
            conditions.append(positive if op == "$in" else _Not(positive))
        elif op == "$exists":
            conditions.append(_exists(operand))
        elif op == "$size":
            conditions.append(_size(operand))
        elif op == "$mod":
            conditions.append(_mod(operand))
        elif op == "$regex":
            has_options = "$options" in operators
            conditions.append(_regex_operator(operand, operators.get("$options"), has_options))
        elif op == "$options":
            continue
        elif op == "$all":
            conditions.append(_all(operand, where))
        elif op == "$elemMatch":
            conditions.append(_elem_match(operand, where))
        elif op == "$not":
            conditions.append(_not(operand, where))
        elif op in geo.GEO_QUERY_OPERATORS:
            conditions.append(_geo(op, operand, allow_near and not in_elem_match))
        else:
            raise UnknownOperatorError(op, where, FIELD_OPERATORS)
    return _all_of(conditions)


def _field_condition(path: str, value: Any, allow_near: bool) -> Condition:
    where = f"the condition on field '{path}'"
    if _is_operator_document(value):
        return _operator_document(value, where, in_elem_match=False, allow_near=allow_near)
    if isinstance(value, Mapping) and value.__class__ is not dict:
        value = dict(value)
    return Condition(_equality_test(value, where, regex_matches=True), fast=_fast_equality(value))


# --------------------------------------------------------------------------- field predicates


def _fast_top_level(key: str, condition: Condition) -> Predicate | None:
    """Closures for ``{key: scalar}``, ``{key: {$gt: number}}`` … where the value is no array.

    Written out per operator on purpose: a generic closure would add a call per document.
    """
    if condition.fast is None:
        return None
    kind, x = condition.fast
    test = condition.test

    def on_array(values: Any) -> bool:
        return test(values) or any(test(e) for e in values)

    if kind == "eq":
        if x.__class__ is str:

            def eq_str(doc: Document) -> bool:
                v = doc.get(key)
                return v == x or (v.__class__ is list and on_array(v))

            return eq_str

        def eq_number(doc: Document) -> bool:
            v = doc.get(key)
            if v == x:
                return v.__class__ is not bool
            return v.__class__ is list and on_array(v)

        return eq_number
    if kind == "$in":

        def in_set(doc: Document) -> bool:
            v = doc.get(key)
            cls = v.__class__
            if cls is str or cls is int or cls is float:
                return v in x
            return cls is list and on_array(v)

        return in_set
    if x.__class__ is str:
        return None
    if kind == "$gt":

        def gt(doc: Document) -> bool:
            v = doc.get(key)
            cls = v.__class__
            if cls is int or cls is float:
                return v > x  # type: ignore[no-any-return]
            return cls is list and on_array(v)

        return gt
    if kind == "$gte":

        def gte(doc: Document) -> bool:
            v = doc.get(key)
            cls = v.__class__
            if cls is int or cls is float:
                return v >= x  # type: ignore[no-any-return]
            return cls is list and on_array(v)

        return gte
    if kind == "$lt":

        def lt(doc: Document) -> bool:
            v = doc.get(key)
            cls = v.__class__
            if cls is int or cls is float:
                return v < x  # type: ignore[no-any-return]
            return cls is list and on_array(v)

        return lt

    def lte(doc: Document) -> bool:
        v = doc.get(key)
        cls = v.__class__
        if cls is int or cls is float:
            return v <= x  # type: ignore[no-any-return]
        return cls is list and on_array(v)

    return lte


def _top_level(key: str, test: ValueTest, expand: bool) -> Predicate:
    """A single-key path: the value is tested where it lies, no candidate list."""
    if expand:

        def expanding(doc: Document) -> bool:
            v = doc.get(key, MISSING)
            if test(v):
                return True
            return v.__class__ is list and any(test(e) for e in v)

        return expanding
    return lambda doc: test(doc.get(key, MISSING))


# --------------------------------------------------------------------------- documents


def _conjunction(predicates: list[Predicate]) -> Predicate:
    if not predicates:
        return lambda doc: True
    if len(predicates) == 1:
        return predicates[0]
    if len(predicates) == 2:
        first, second = predicates
        return lambda doc: first(doc) and second(doc)
    if len(predicates) == 3:
        first, second, third = predicates
        return lambda doc: first(doc) and second(doc) and third(doc)
    return lambda doc: all(p(doc) for p in predicates)


def _clauses(operand: Any, op: str, allow_near: bool) -> list[Predicate]:
    if not isinstance(operand, list):
        raise _bad(f"{op} must be an array")
    if not operand:
        raise _bad("$and/$or/$nor must be a nonempty array")
    for clause in operand:
        if not isinstance(clause, Mapping):
            raise _bad("$or/$and/$nor entries need to be full objects")
    return [_compile_document(clause, allow_near=allow_near) for clause in operand]


def _expr(operand: Any) -> Predicate:
    evaluator = _expression_evaluator
    if evaluator is None:
        raise UnknownOperatorError(
            "$expr", "this query: $expr needs aggregation expression support, which is not loaded"
        )
    return lambda doc: truthy(evaluator(operand, doc))


def _top_level_operator(op: str, operand: Any, allow_near: bool) -> Predicate:
    if op == "$and":
        return _conjunction(_clauses(operand, op, allow_near))
    if op == "$or":
        branches = _clauses(operand, op, allow_near=False)
        return lambda doc: any(p(doc) for p in branches)
    if op == "$nor":
        branches = _clauses(operand, op, allow_near=False)
        return lambda doc: not any(p(doc) for p in branches)
    if op == "$expr":
        return _expr(operand)
    if op == "$where":
        raise UnknownOperatorError(
            op,
            "this query: $where runs JavaScript, which the emulator never does; use $expr",
            TOP_LEVEL_OPERATORS,
        )
    if op == "$text":
        raise UnknownOperatorError(
            op,
            "this query: $text needs a full-text index, which the emulator does not have",
            TOP_LEVEL_OPERATORS,
        )
    raise UnknownOperatorError(op, "the top level of a query", TOP_LEVEL_OPERATORS)


def _parse_document(
    query: Mapping[str, Any], allow_near: bool
) -> tuple[list[tuple[str, Condition]], list[Predicate]]:
    """Field conditions (path, condition) and top-level operator predicates of a query."""
    fields: list[tuple[str, Condition]] = []
    operators: list[Predicate] = []
    for key, value in query.items():
        if not isinstance(key, str):
            raise DatabaseError(-501007, f"query field names must be strings, got {key!r}")
        if key.startswith("$"):
            operators.append(_top_level_operator(key, value, allow_near))
        else:
            fields.append((key, _field_condition(key, value, allow_near)))
    return fields, operators


def _compile_document(query: Mapping[str, Any], *, allow_near: bool) -> Predicate:
    fields, operators = _parse_document(query, allow_near)
    return _conjunction([c.predicate(k) for k, c in fields] + operators)


def compile_query(query: Mapping[str, Any]) -> Predicate:
    """A predicate over stored documents for a MongoDB query document.

    Raises DatabaseError (-502001, MongoDB's wording) for malformed operands and
    UnknownOperatorError for operators the engine does not know — always at compile time.
    """
    if not isinstance(query, Mapping):
        raise DatabaseError(-501007, f"a query must be an object, got {bson_repr(query)}")
    return _compile_document(query, allow_near=True)


# --------------------------------------------------------------------------- whole collections

Filter = Callable[[Iterable[Document]], list[Document]]


def _fast_stage(key: str, condition: Condition) -> Filter | None:
    """One comprehension over the documents for a fast-shaped condition: no call per document.

    The checks are the ones of :func:`_fast_top_level`, written inline in the comprehension.
    """
    if condition.fast is None:
        return None
    kind, x = condition.fast
    test = condition.test

    def on_array(values: Any) -> bool:
        return test(values) or any(test(e) for e in values)

    if kind == "eq":
        if x.__class__ is str:
            return lambda docs: [
                d for d in docs if (v := d.get(key)) == x or (v.__class__ is list and on_array(v))
            ]
        return lambda docs: [
            d
            for d in docs
            if ((v := d.get(key)) == x and v.__class__ is not bool)
            or (v.__class__ is list and on_array(v))
        ]
    if kind == "$in":
        return lambda docs: [
            d
            for d in docs
            if (((c := (v := d.get(key)).__class__) is str or c is int or c is float) and v in x)
            or (c is list and on_array(v))
        ]
    if x.__class__ is str:
        return None
    compare = _COMPARATORS[kind]
    if kind == "$gt":
        return lambda docs: [
            d
            for d in docs
            if (((c := (v := d.get(key)).__class__) is int or c is float) and v > x)
            or (c is list and on_array(v))
        ]
    if kind == "$lt":
        return lambda docs: [
            d
            for d in docs
            if (((c := (v := d.get(key)).__class__) is int or c is float) and v < x)
            or (c is list and on_array(v))
        ]
    return lambda docs: [
        d
        for d in docs
        if (((c := (v := d.get(key)).__class__) is int or c is float) and compare(v, x))
        or (c is list and on_array(v))
    ]


def compile_filter(query: Mapping[str, Any]) -> Filter:
    """The documents of an iterable that match ``query``, in order (same semantics as
    :func:`compile_query`).

    For full scans: fast-shaped top-level conditions each run as one list comprehension over the
    survivors of the previous one, so the per-document cost is that of a hand-written loop; the
    rest of the query runs as a predicate on what remains.
    """
    if not isinstance(query, Mapping):
        raise DatabaseError(-501007, f"a query must be an object, got {bson_repr(query)}")
    fields, operators = _parse_document(query, allow_near=True)
    stages: list[Filter] = []
    rest: list[Predicate] = []
    for key, condition in fields:
        for part in condition.parts():
            stage = _fast_stage(key, part) if "." not in key else None
            if stage is None:
                rest.append(part.predicate(key))
            else:
                stages.append(stage)
    remaining = _conjunction(rest + operators) if rest or operators else None

    def run(docs: Iterable[Document]) -> list[Document]:
        selected = list(docs) if not stages else stages[0](docs)
        for stage in stages[1:]:
            selected = stage(selected)
        if remaining is not None:
            return [d for d in selected if remaining(d)]
        return selected

    return run


# --------------------------------------------------------------------------- nearest first


def _find_near(query: Mapping[str, Any]) -> tuple[str, geo.NearSpec] | None:
    for key, value in query.items():
        if key == "$and" and isinstance(value, list):
            for clause in value:
                if isinstance(clause, Mapping):
                    found = _find_near(clause)
                    if found is not None:
                        return found
        elif not key.startswith("$") and _is_operator_document(value):
            for op in _NEAR:
                if op in value:
                    return key, geo.parse_near(op, value[op])
    return None


def near_sort_key(query: Mapping[str, Any]) -> Callable[[Document], float] | None:
    """Distance in metres from the first ``$nearSphere``/``$near`` point, for ordering results
    nearest first as MongoDB does; None when the query has no such condition."""
    found = _find_near(query)
    if found is None:
        return None
    path, spec = found
    parts = split_path(path)

    def distance(doc: Document) -> float:
        return min(spec.distance(v) for v in values_along(doc, parts))

    return distance


__all__ = [
    "FIELD_OPERATORS",
    "TOP_LEVEL_OPERATORS",
    "ExpressionEvaluator",
    "Filter",
    "Predicate",
    "compile_filter",
    "compile_query",
    "near_sort_key",
    "set_expression_evaluator",
    "truthy",
]
