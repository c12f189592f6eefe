"""Replays a parsed ``query`` string as calls on the Python database API.

The HTTP API's ``query`` is JavaScript written against the wx-server-sdk database API
(http-api.md §4). :mod:`.jsparse` turns it into an AST; this module walks that AST and makes the
same calls on the Python API that the JavaScript would make on the SDK:

* names map mechanically: camelCase becomes snake_case and a Python keyword gains a trailing
  underscore (``orderBy`` → ``order_by``, ``elemMatch`` → ``elem_match``, ``in`` → ``in_``);
  capitalised names (``Geo``, ``Point``, ``RegExp``) are kept;
* methods that take one options object in JavaScript take keyword arguments in Python:
  ``update({data: X, multi: false})`` → ``update(data=X, multi=False)``,
  ``geoNear({geometry, maxDistance})`` → ``geo_near(geometry=..., max_distance=...)``.

Only what :data:`ROLES` lists can be reached: every value the program holds is either plain data
or a handle tagged with its role (``db``, a query, ``db.command`` …), and a role names exactly the
properties and methods JavaScript code may use on it. Nothing else of a Python object — no
``__class__``, no private attribute, no method of a string — is ever looked up.

Parsed programs are cached by their text, so a service that repeats the same query pays for
parsing once.
"""

from __future__ import annotations

import functools
import inspect
import keyword
import math
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import datetime, timedelta, timezone
from typing import Any, NoReturn

from ..database.values import MISSING, RegExp
from ..errors import ERR_CODE_TEXT, SDKTypeError
from .jsparse import (
    ArrayLiteral,
    Call,
    Expr,
    Literal,
    Member,
    Name,
    New,
    ObjectLiteral,
    Program,
    QueryLanguageError,
    QuerySyntaxError,
    RegexLiteral,
    Unary,
    js_number,
    parse,
)

#: The errcode for a query the service cannot run. http-api.md §3.14 ("unparsable query →
#: -502002 (or -501007)") and §4.4; the real text is unconfirmed, so errmsg follows the other
#: cloud errors: "<errcode text>. <what is wrong, with line and column>".
QUERY_ERRCODE = -502002

#: Queries longer than this are parsed every time instead of being kept in the cache.
CACHE_MAX_QUERY_LENGTH = 64 * 1024
CACHE_SIZE = 512


class QueryEvaluationError(QueryLanguageError):
    """Valid JavaScript the emulator will not run: an unknown name or method, a misuse."""


def error_response(error: QueryLanguageError) -> tuple[int, str]:
    """``(errcode, errmsg)`` for a query-language error; the HTTP layer appends `` rid: …``."""
    return QUERY_ERRCODE, f"{ERR_CODE_TEXT[QUERY_ERRCODE]}. {error}"


# --------------------------------------------------------------------------- name mapping

_CAMEL_HUMP = re.compile(r"(?<=[a-z0-9])([A-Z])")


@functools.cache
def python_name(js_name: str) -> str:
    """The Python spelling of a JavaScript method, property or option name (DESIGN.md)."""
    if js_name[:1].isupper():
        return js_name
    snake = _CAMEL_HUMP.sub(r"_\1", js_name).lower()
    return snake + "_" if keyword.iskeyword(snake) else snake


# --------------------------------------------------------------------------- the whitelist

VALUE = "value"  #: a method whose result is plain data (a command, a Date, a Geo point …)
OPERATION = "operation"  #: a method that runs the database operation: last call of the query


@dataclass(frozen=True, slots=True)
class Method:
    """What calling one JavaScript method gives, and how its arguments reach Python.

    ``options`` lists the keys of the single options object the method takes in JavaScript; the
    object becomes keyword arguments. ``None`` means arguments pass through positionally.
    With ``options_if``, only a single object having that key is an options object (``push``:
    ``push({each: [...]})`` is the modifier form, ``push({x: 1})`` pushes the object).
    """

    result: str
    options: tuple[str, ...] | None = None
    constructor: bool = False
    options_if: str | None = None


@dataclass(frozen=True, slots=True)
class Role:
    """A kind of API object as the JavaScript program sees it."""

    label: str
    properties: Mapping[str, str] = field(default_factory=dict)
    methods: Mapping[str, Method] = field(default_factory=dict)
    #: the value may be used as data (an argument, an object value), not just as a receiver
    passable: bool = False


def _methods(names: str, method: Method) -> dict[str, Method]:
    return dict.fromkeys(names.split(), method)


_QUERY_BUILDERS = _methods("where orderBy skip limit field", Method("query"))
_QUERY_OPERATIONS = {
    "get": Method(OPERATION),
    "count": Method(OPERATION),
    "update": Method(OPERATION, options=("data", "multi")),
    "remove": Method(OPERATION, options=("multi",)),
}
_STAGES = (
    "addFields bucket bucketAuto count geoNear group limit lookup match project replaceRoot "
    "sample skip sort sortByCount unwind"
)
_AGGREGATE_OPERATORS = (
    "abs add ceil divide exp floor ln log log10 mod multiply pow sqrt subtract trunc "
    "arrayElemAt arrayToObject concatArrays filter in indexOfArray isArray map range reduce "
    "reverseArray size slice zip and not or cmp eq gt gte lt lte neq cond ifNull switch "
    "dateFromParts dateFromString dateToString dayOfMonth dayOfWeek dayOfYear isoDayOfWeek "
    "isoWeek isoWeekYear millisecond minute month second hour week year literal mergeObjects "
    "objectToArray allElementsTrue anyElementTrue setDifference setEquals setIntersection "
    "setIsSubset setUnion concat indexOfBytes indexOfCP split strLenBytes strLenCP strcasecmp "
    "substr substrBytes substrCP toLower toUpper meta addToSet avg first last max min push "
    "stdDevPop stdDevSamp sum let"
)

#: Every role, by name. The single source of what a query may touch (sdk.md §3.1, §3.7, §3.8).
ROLES: dict[str, Role] = {
    "db": Role(
        "db",
        properties={"command": "command", "Geo": "geo"},
        methods={
            "collection": Method("collection"),
            "serverDate": Method(VALUE, options=("offset",), constructor=True),
            "RegExp": Method(VALUE, options=("regexp", "options"), constructor=True),
        },
    ),
    "collection": Role(
        "db.collection(...)",
        methods={
            **_QUERY_BUILDERS,
            **_QUERY_OPERATIONS,
            "doc": Method("document"),
            "aggregate": Method("aggregate"),
            "add": Method(OPERATION, options=("data",)),
        },
    ),
    "query": Role("a query", methods={**_QUERY_BUILDERS, **_QUERY_OPERATIONS}),
    "document": Role(
        "db.collection(...).doc(...)",
        methods={
            "field": Method("document"),
            "get": Method(OPERATION),
            "set": Method(OPERATION, options=("data",)),
            "update": Method(OPERATION, options=("data",)),
            "remove": Method(OPERATION, options=()),
        },
    ),
    "aggregate": Role(
        "an aggregation",
        methods={**_methods(_STAGES, Method("aggregate")), "end": Method(OPERATION)},
    ),
    "command": Role(
        "db.command",
        properties={"aggregate": "aggregate_operators", "project": "project"},
        methods={
            **_methods(
                "eq neq lt lte gt gte in nin all elemMatch exists size mod and or nor not",
                Method("query_command"),
            ),
            "geoNear": Method("query_command", options=("geometry", "maxDistance", "minDistance")),
            "geoWithin": Method("query_command", options=("geometry", "centerSphere")),
            "geoIntersects": Method("query_command", options=("geometry",)),
            **_methods(
                "expr set remove inc mul min max rename bit pop shift unshift addToSet pull pullAll",
                Method(VALUE),
            ),
            "push": Method(VALUE, options=("each", "position", "sort", "slice"), options_if="each"),
        },
    ),
    "query_command": Role(
        "a query command",
        methods=_methods("and or", Method("query_command")),
        passable=True,
    ),
    "project": Role("db.command.project", methods=_methods("slice elemMatch", Method(VALUE))),
    "aggregate_operators": Role(
        "db.command.aggregate",
        methods={**_methods(_AGGREGATE_OPERATORS, Method(VALUE)), "pipeline": Method("pipeline")},
    ),
    "pipeline": Role(
        "a pipeline",
        methods={**_methods(_STAGES, Method("pipeline")), "done": Method(VALUE)},
    ),
    "geo": Role(
        "db.Geo",
        methods=_methods(
            "Point LineString Polygon MultiPoint MultiLineString MultiPolygon",
            Method(VALUE, constructor=True),
        ),
    ),
}

#: Names a query can use without declaring them (http-api.md §4.2).
PREDEFINED = ("db", "_", "$", "Date", "Infinity", "NaN")


# --------------------------------------------------------------------------- runtime values


class Handle:
    """An API object and the role that says what the program may do with it."""

    __slots__ = ("role", "target")

    def __init__(self, role: Role, target: Any) -> None:
        self.role = role
        self.target = target


class BoundMethod:
    """``db.Geo.Point`` read without calling it, e.g. ``const Point = db.Geo.Point;``."""

    __slots__ = ("method", "name", "receiver")

    def __init__(self, receiver: Handle, name: str, method: Method) -> None:
        self.receiver = receiver
        self.name = name
        self.method = method


class _DateConstructor:
    """The global ``Date``: usable only as ``new Date(...)``."""


DATE = _DateConstructor()


# --------------------------------------------------------------------------- entry points


def parse_query(query: str) -> Program:
    """The parsed program for ``query``; repeated queries come from a cache."""
    if len(query) > CACHE_MAX_QUERY_LENGTH:
        return parse(query)
    return _parse_cached(query)


@functools.lru_cache(maxsize=CACHE_SIZE)
def _parse_cached(query: str) -> Program:
    return parse(query)


def run(query: str | Program, db: Any, *, now: Callable[[], datetime] | None = None) -> Any:
    """Run ``query`` against ``db`` (``cloud.database()`` or a stand-in) and return its result.

    ``now`` is the cloud's clock, used by ``new Date()`` without arguments. Raises
    :class:`QuerySyntaxError` / :class:`QueryEvaluationError` for queries the emulator cannot
    run; errors raised by the database API itself propagate unchanged. The database operation
    (``get``, ``update`` …) is the last call made, so a query rejected for any reason has written
    nothing.
    """
    program = query if isinstance(query, Program) else parse_query(query)
    return _Interpreter(program, db, now).run()


# --------------------------------------------------------------------------- interpreter


class _Interpreter:
    def __init__(self, program: Program, db: Any, now: Callable[[], datetime] | None) -> None:
        self.program = program
        self.db = db
        self.now = now
        self.names: dict[str, Any] = {}

    def fail(self, detail: str, offset: int) -> NoReturn:
        raise QueryEvaluationError(detail, self.program.source, offset)

    def run(self) -> Any:
        for binding in self.program.bindings:
            self.names[binding.name] = self.evaluate(binding.value)
        body = self.program.body
        if isinstance(body, Call):
            return self.call(body, final=True)
        value = self.evaluate(body)
        self.fail(
            f"the query must end with a database operation such as .get() or .update(...); "
            f"it ends with {_describe(value)}",
            _offset(body),
        )

    # ---- expressions

    def evaluate(self, node: Expr) -> Any:
        return _DISPATCH[node.__class__](self, node)

    def value(self, node: Expr) -> Any:
        """``node`` evaluated where JavaScript needs data: an argument, an item, a property."""
        result = _DISPATCH[node.__class__](self, node)
        if result.__class__ is Handle:
            if result.role.passable:
                return result.target
            self.fail(f"{result.role.label} cannot be used as a value", _offset(node))
        if result.__class__ is BoundMethod or result is DATE:
            self.fail(
                f"{_describe(result)} cannot be used as a value (missing call?)", _offset(node)
            )
        return result

    def literal(self, node: Literal) -> Any:
        return node.value

    def regex(self, node: RegexLiteral) -> RegExp:
        return node.value

    def array(self, node: ArrayLiteral) -> list[Any]:
        return [self.value(item) for item in node.items]

    def object(self, node: ObjectLiteral) -> dict[str, Any]:
        return {key: self.value(item) for key, item in node.entries}

    def name(self, node: Name) -> Any:
        names = self.names
        if node.name in names:
            return names[node.name]
        if node.name not in PREDEFINED:
            self.fail(
                f"'{node.name}' is not defined; predefined names are {', '.join(PREDEFINED)}",
                node.offset,
            )
        value = self._predefined(node.name, node.offset)
        names[node.name] = value
        return value

    def _predefined(self, name: str, offset: int) -> Any:
        if name == "db":
            return Handle(ROLES["db"], self.db)
        if name == "_":
            return self.property(self.name(Name("db", offset)), "command", offset)
        if name == "$":
            command = self.property(self.name(Name("db", offset)), "command", offset)
            return self.property(command, "aggregate", offset)
        if name == "Date":
            return DATE
        return math.inf if name == "Infinity" else math.nan

    def member(self, node: Member) -> Any:
        receiver = self.evaluate(node.target)
        return self.property(receiver, node.name, node.offset)

    def property(self, receiver: Any, name: str, offset: int) -> Any:
        if receiver.__class__ is not Handle:
            self._not_an_api_object(receiver, name, offset)
        role = receiver.role
        role_name = role.properties.get(name)
        if role_name is not None:
            return Handle(ROLES[role_name], self._attribute(receiver, name, offset))
        method = role.methods.get(name)
        if method is not None:
            return BoundMethod(receiver, name, method)
        self._unknown_member(role, name, offset)

    def unary(self, node: Unary) -> int | float:
        operand = self.value(node.operand)
        if operand.__class__ not in (int, float):
            self.fail(
                f"unary {node.operator} needs a number, got {_describe(operand)}", node.offset
            )
        if node.operator == "+":
            return operand  # type: ignore[no-any-return]
        return js_number(-float(operand))

    # ---- calls

    def call(self, node: Call, final: bool = False) -> Any:
        callee = node.callee
        if callee.__class__ is Member:
            assert isinstance(callee, Member)
            target = self.property(self.evaluate(callee.target), callee.name, callee.offset)
        else:
            target = self.evaluate(callee)
        if target.__class__ is not BoundMethod:
            if target is DATE:
                self.fail("Date() without new returns a string; write new Date(...)", node.offset)
            self.fail(f"{_describe(target)} is not a function", node.offset)
        return self.invoke(target, node.args, node.offset, final)

    def new(self, node: New) -> Any:
        target = self.evaluate(node.callee)
        if target is DATE:
            return self.date([self.value(arg) for arg in node.args], node.offset)
        if target.__class__ is not BoundMethod or not target.method.constructor:
            self.fail(f"{_describe(target)} is not a constructor", node.offset)
        return self.invoke(target, node.args, node.offset, final=False)

    def invoke(
        self, bound: BoundMethod, arg_nodes: tuple[Expr, ...], offset: int, final: bool
    ) -> Any:
        method = bound.method
        if (method.result == OPERATION) != final:
            if final:
                self.fail(
                    f"the query must end with a database operation such as .get() or "
                    f".update(...); it ends with .{bound.name}(...)",
                    offset,
                )
            self.fail(
                f".{bound.name}() runs the database operation, so it must be the last call of "
                "the query",
                offset,
            )
        args = [self.value(arg) for arg in arg_nodes]
        kwargs: dict[str, Any] = {}
        if method.options is not None and _takes_options(method, args):
            kwargs = self.options(bound, method.options, args, offset)
            args = []
        function = self._attribute(bound.receiver, bound.name, offset)
        try:
            result = function(*args, **kwargs)
        except TypeError as exc:
            if isinstance(exc, SDKTypeError) or _signature_accepts(function, args, kwargs):
                raise
            self.fail(f"wrong arguments for {_call_label(bound)}: {exc}", offset)
        if method.result == VALUE or method.result == OPERATION:
            return result
        return Handle(ROLES[method.result], result)

    def options(
        self, bound: BoundMethod, accepted: tuple[str, ...], args: list[Any], offset: int
    ) -> dict[str, Any]:
        if not args:
            return {}
        shape = "{" + ", ".join(accepted) + "}"
        if len(args) > 1 or args[0].__class__ is not dict:
            got = ", ".join(_describe(arg) for arg in args)
            self.fail(f"{_call_label(bound)} takes one options object {shape}; got {got}", offset)
        kwargs: dict[str, Any] = {}
        for key, value in args[0].items():
            if key not in accepted:
                expected = f"accepted: {', '.join(accepted)}" if accepted else "it takes none"
                self.fail(f"unknown option {key!r} in {_call_label(bound)}; {expected}", offset)
            if value is not MISSING:
                kwargs[python_name(key)] = value
        return kwargs

    def _attribute(self, receiver: Handle, name: str, offset: int) -> Any:
        try:
            return getattr(receiver.target, python_name(name))
        except AttributeError:
            self.fail(f"{receiver.role.label}.{name} is not supported by this emulator", offset)

    # ---- dates

    def date(self, args: list[Any], offset: int) -> datetime:
        """``new Date(...)`` in a cloud function, whose process runs in UTC (sdk.md §3.9)."""
        if not args:
            if self.now is None:
                self.fail(
                    "new Date() needs the cloud's clock, which this caller did not pass", offset
                )
            return self.now()
        if len(args) == 1:
            (arg,) = args
            if isinstance(arg, datetime):
                return arg
            if arg.__class__ is str:
                return self._date_from_string(arg, offset)
            return self._date_from_ms(self._date_number(arg, offset), offset)
        parts = [self._date_number(arg, offset) for arg in args[:7]]
        return self._date_from_ms(_utc_ms(parts), offset)

    def _date_number(self, value: Any, offset: int) -> float:
        if value is None or value.__class__ is bool:
            return float(bool(value))
        if value.__class__ in (int, float):
            return float(value)
        self.fail(f"new Date() cannot take {_describe(value)}", offset)

    def _date_from_ms(self, ms: float, offset: int) -> datetime:
        if not math.isfinite(ms) or abs(ms) > 8.64e15:
            self.fail("new Date(...) gives an Invalid Date", offset)
        try:
            return _EPOCH + timedelta(milliseconds=math.trunc(ms))
        except OverflowError:
            self.fail(
                "new Date(...) is outside the years 1 to 9999 that the emulator can store", offset
            )

    def _date_from_string(self, text: str, offset: int) -> datetime:
        match = _DATE_STRING.fullmatch(text.strip())
        if match is None:
            self.fail(
                f"new Date({text!r}): unsupported date string; accepted: ISO 8601 such as "
                "'2019-09-09', '2019-09-09T10:00:00.000Z', '2019-09-09T18:00:00+08:00', and "
                "'2019-09-09 10:00:00' or '2019/09/09' (read as UTC, the functions' time zone)",
                offset,
            )
        year, month, day, hour, minute, second = (
            int(match.group(name) or default)
            for name, default in (("y", 0), ("mo", 1), ("d", 1), ("h", 0), ("mi", 0), ("s", 0))
        )
        millis = int((match.group("ms") or "0")[:3].ljust(3, "0"))
        try:
            moment = datetime(year, month, day, hour, minute, second, millis * 1000, _UTC)
        except ValueError as exc:
            self.fail(f"new Date({text!r}) gives an Invalid Date ({exc})", offset)
        zone = match.group("tz")
        if zone and zone != "Z":
            sign = 1 if zone[0] == "+" else -1
            digits = zone[1:].replace(":", "")
            moment -= sign * timedelta(hours=int(digits[:2]), minutes=int(digits[2:]))
        return moment

    # ---- error helpers

    def _not_an_api_object(self, receiver: Any, name: str, offset: int) -> NoReturn:
        if receiver is DATE:
            self.fail(
                f"Date.{name} is not supported; new Date() gives the cloud's current time", offset
            )
        self.fail(f"cannot read property '{name}' of {_describe(receiver)}", offset)

    def _unknown_member(self, role: Role, name: str, offset: int) -> NoReturn:
        accepted = sorted([*role.properties, *role.methods])
        self.fail(
            f"'{name}' is not a property or method of {role.label}; accepted: {', '.join(accepted)}",
            offset,
        )


_DISPATCH: dict[type, Callable[[_Interpreter, Any], Any]] = {
    Literal: _Interpreter.literal,
    RegexLiteral: _Interpreter.regex,
    ArrayLiteral: _Interpreter.array,
    ObjectLiteral: _Interpreter.object,
    Name: _Interpreter.name,
    Member: _Interpreter.member,
    Call: _Interpreter.call,
    New: _Interpreter.new,
    Unary: _Interpreter.unary,
}

_UTC = timezone.utc
_EPOCH = datetime(1970, 1, 1, tzinfo=_UTC)
_DATE_STRING = re.compile(
    r"(?P<y>\d{4})(?:[-/](?P<mo>\d{1,2})(?:[-/](?P<d>\d{1,2}))?)?"
    r"(?:[T ](?P<h>\d{1,2}):(?P<mi>\d{2})(?::(?P<s>\d{2})(?:\.(?P<ms>\d{1,9}))?)?)?"
    r" ?(?P<tz>Z|[+-]\d{2}:?\d{2})?",
    re.ASCII,
)


def _utc_ms(parts: list[float]) -> float:
    """``Date.UTC(year, month, day?, h?, m?, s?, ms?)``: months from 0, overflow carries over."""
    if not all(math.isfinite(part) for part in parts):
        return math.nan
    whole = [math.trunc(part) for part in parts]
    year, month, day, hour, minute, second, millis = whole + [1, 0, 0, 0, 0][len(whole) - 2 :]
    if 0 <= year <= 99:
        year += 1900
    year += month // 12
    days = _days_from_civil(year, month % 12 + 1, 1) + day - 1
    return float(days * 86_400_000 + hour * 3_600_000 + minute * 60_000 + second * 1000 + millis)


def _days_from_civil(year: int, month: int, day: int) -> int:
    """Days from 1970-01-01 to a proleptic Gregorian date, for any year (H. Hinnant's method)."""
    year -= month <= 2
    era = year // 400
    year_of_era = year - era * 400
    day_of_year = (153 * (month + (-3 if month > 2 else 9)) + 2) // 5 + day - 1
    day_of_era = year_of_era * 365 + year_of_era // 4 - year_of_era // 100 + day_of_year
    return era * 146_097 + day_of_era - 719_468


def _takes_options(method: Method, args: list[Any]) -> bool:
    key = method.options_if
    return key is None or (len(args) == 1 and args[0].__class__ is dict and key in args[0])


def _signature_accepts(
    function: Callable[..., Any], args: list[Any], kwargs: dict[str, Any]
) -> bool:
    """Whether a TypeError came from inside the call rather than from its signature."""
    try:
        inspect.signature(function).bind(*args, **kwargs)
    except TypeError:
        return False
    except ValueError:  # no signature available: cannot tell, report as the API's own error
        return True
    return True


def _call_label(bound: BoundMethod) -> str:
    return f"{bound.receiver.role.label}.{bound.name}()"


def _offset(node: Expr) -> int:
    return node.offset


def _describe(value: Any) -> str:
    if value.__class__ is Handle:
        return str(value.role.label)
    if value.__class__ is BoundMethod:
        return f"{value.receiver.role.label}.{value.name}"
    if value is DATE:
        return "Date"
    if value is MISSING:
        return "undefined"
    if value is None:
        return "null"
    if value.__class__ is bool:
        return "a boolean"
    if value.__class__ in (int, float):
        return "a number"
    if value.__class__ is str:
        return "a string"
    if value.__class__ is list:
        return "an array"
    if value.__class__ is dict:
        return "an object"
    if isinstance(value, datetime):
        return "a Date"
    if isinstance(value, RegExp):
        return "a regular expression"
    return f"a {type(value).__name__}"


__all__ = [
    "CACHE_MAX_QUERY_LENGTH",
    "PREDEFINED",
    "QUERY_ERRCODE",
    "ROLES",
    "QueryEvaluationError",
    "QueryLanguageError",
    "QuerySyntaxError",
    "error_response",
    "parse_query",
    "python_name",
    "run",
]
