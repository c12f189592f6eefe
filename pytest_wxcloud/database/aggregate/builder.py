"""The SDK-shaped face of aggregation: ``db.command.aggregate`` (usually bound to ``$``) and the
immutable ``collection.aggregate()`` builder.

``$`` only *builds* expressions — plain dicts such as ``{"$sum": "$price"}``, exactly what the
JavaScript SDK sends — one method per runtime operator of wx-server-sdk 4.0.2, snake_cased with a
trailing underscore for Python keywords (``$.concat_arrays``, ``$.and_``, ``$.in_``). The builder
records stages in MongoDB form and ``end()`` hands them to the database.

What production lacks, we lack too: the operators only declared in the SDK typings (``$.to_int``,
``$.trim`` …) and the stages ``facet/out/graph_lookup/index_stats/coll_stats/redact`` raise the
``TypeError`` production raises.
"""

from __future__ import annotations

import difflib
import re
from collections.abc import Callable, Mapping, Sequence
from datetime import datetime
from typing import Any, TypeVar

from ...errors import SDKTypeError, SDKUsageError, api_error
from ..commands import COMMAND_TYPES
from ..guard import InputShapeError, check_input
from ..serialize import serialize_where
from ..values import Geometry, to_stored

Now = Callable[[], datetime]
Stage = dict[str, Any]

#: ``db.command.aggregate``'s run-time operators in wx-server-sdk 4.0.2 (sdk.md §3.8), by group.
_JS_OPERATORS_BY_GROUP: dict[str, tuple[str, ...]] = {
    "arithmetic": ("abs", "add", "ceil", "divide", "exp", "floor", "ln", "log", "log10", "mod",
                   "multiply", "pow", "sqrt", "subtract", "trunc"),
    "array": ("arrayElemAt", "arrayToObject", "concatArrays", "filter", "in", "indexOfArray",
              "isArray", "map", "range", "reduce", "reverseArray", "size", "slice", "zip"),
    "boolean": ("and", "not", "or"),
    "comparison": ("cmp", "eq", "gt", "gte", "lt", "lte", "neq"),
    "conditional": ("cond", "ifNull", "switch"),
    "date": ("dateFromParts", "dateFromString", "dayOfMonth", "dayOfWeek", "dayOfYear",
             "isoDayOfWeek", "isoWeek", "isoWeekYear", "millisecond", "minute", "month", "second",
             "hour", "week", "year"),
    "literal": ("literal",),
    "object": ("mergeObjects", "objectToArray"),
    "set": ("allElementsTrue", "anyElementTrue", "setDifference", "setEquals", "setIntersection",
            "setIsSubset", "setUnion"),
    "string": ("concat", "dateToString", "indexOfBytes", "indexOfCP", "split", "strLenBytes",
               "strLenCP", "strcasecmp", "substr", "substrBytes", "substrCP", "toLower", "toUpper"),
    "text": ("meta",),
    "accumulator": ("addToSet", "avg", "first", "last", "max", "min", "push", "stdDevPop",
                    "stdDevSamp", "sum"),
    "variable": ("let",),
}  # fmt: skip

#: Declared in the SDK's ``index.d.ts`` but absent at run time (sdk.md §3.8).
_JS_DECLARED_MISSING = (
    "convert", "dateToParts", "ltrim", "rtrim", "toBool", "toDate", "toDecimal", "toDouble",
    "toInt", "toLong", "toObjectId", "trim", "type",
)  # fmt: skip

_PYTHON_KEYWORDS = {"and", "not", "or", "in"}


def python_name(js_name: str) -> str:
    """``concatArrays`` → ``concat_arrays``, ``indexOfCP`` → ``index_of_cp``, ``in`` → ``in_``."""
    snake = re.sub(r"(?<=[a-z0-9])([A-Z]+)", lambda m: "_" + m.group(1).lower(), js_name)
    return snake + "_" if js_name in _PYTHON_KEYWORDS else snake


#: Python method name -> the ``$``-operator it produces (``neq`` produces ``$ne``).
OPERATORS: dict[str, str] = {
    python_name(n): "$" + ("ne" if n == "neq" else n)
    for group in _JS_OPERATORS_BY_GROUP.values()
    for n in group
}
_MISSING_AT_RUNTIME: dict[str, str] = {python_name(n): n for n in _JS_DECLARED_MISSING}


class NotAFunctionError(SDKTypeError, AttributeError):
    """What production throws for a name that is only declared in the typings: the attribute is
    ``undefined`` in JavaScript and calling it is ``TypeError: … is not a function``."""


def _operator_function(py_name: str, key: str) -> Callable[[Any], dict[str, Any]]:
    def build(param: Any) -> dict[str, Any]:
        return {key: param}

    build.__name__ = py_name
    build.__qualname__ = f"AggregateCommands.{py_name}"
    build.__doc__ = f"``{{{key!r}: param}}`` — one argument, shaped as MongoDB's {key} wants it."
    return build


class AggregateCommands:
    """``db.command.aggregate``: builders of aggregation expressions (they evaluate nothing)."""

    __slots__ = ("_now",)

    def __init__(self, now: Now | None = None) -> None:
        self._now = now

    def __getattr__(self, name: str) -> Callable[[Any], dict[str, Any]]:
        key = OPERATORS.get(name)
        if key is not None:
            return _operator_function(name, key)
        if name in _MISSING_AT_RUNTIME:
            raise NotAFunctionError(
                f"db.command.aggregate.{_MISSING_AT_RUNTIME[name]} is not a function "
                "(declared in wx-server-sdk's typings but missing at run time; write the MongoDB "
                "operator as a plain dict if the database supports it)"
            )
        if name.startswith("__"):
            raise AttributeError(name)
        close = difflib.get_close_matches(python_name(name), [*OPERATORS, "pipeline"], n=3)
        hint = f"; did you mean {', '.join(close)}?" if close else ""
        raise AttributeError(f"db.command.aggregate has no operator {name!r}{hint}")

    def __dir__(self) -> list[str]:
        return sorted([*OPERATORS, "pipeline", "to_string"])

    def to_string(self, *args: Any) -> str:
        """``$.toString`` is ``Object.prototype.toString`` in production: it ignores its argument."""
        return "[object Object]"

    def pipeline(self) -> PipelineBuilder:
        """A ``$lookup`` sub-pipeline: ``$.pipeline().match({...}).project({...}).done()``."""
        return PipelineBuilder(self._now or _no_clock)


def _no_clock() -> datetime:
    raise SDKUsageError(
        "db.server_date() inside $.pipeline() needs the cloud's clock, and this db.command.aggregate "
        "was created without one (AggregateCommands(now=...))"
    )


# --------------------------------------------------------------------------- stages

_B = TypeVar("_B", bound="_StageBuilder")

_KEYWORD_SPELLINGS = {"from_": "from", "as_": "as", "let_": "let"}


def _camel(name: str) -> str:
    name = _KEYWORD_SPELLINGS.get(name, name)
    head, *rest = name.split("_")
    return head + "".join(part[:1].upper() + part[1:] for part in rest)


def _object_param(stage: str, param: Any, options: Mapping[str, Any]) -> Any:
    """The SDK's single object argument, given as a dict or as Python keyword arguments."""
    if options:
        if param is not None:
            raise SDKTypeError(
                f"{stage}() takes either one object argument or keyword arguments, not both"
            )
        return {_camel(k): v for k, v in options.items()}
    if param is None:
        raise SDKTypeError(f"{stage}() needs an argument")
    return param


def _reject_commands(value: Any, stage: str) -> None:
    if isinstance(value, COMMAND_TYPES):
        raise SDKUsageError(
            f"{value!r} is a query/update command; in the {stage} stage use aggregation "
            "expressions from db.command.aggregate (e.g. $.gt(['$price', 10])), or use match()"
        )
    if isinstance(value, Mapping):
        for item in value.values():
            _reject_commands(item, stage)
    elif isinstance(value, (list, tuple)):
        for item in value:
            _reject_commands(item, stage)


def _guarded(stage: str, value: Any) -> None:
    """The shared input guard, before the recursive checks and serializers below see ``value``."""
    try:
        check_input(value, stage)
    except InputShapeError as exc:
        raise api_error("collection.aggregate", -501007, str(exc)) from None


class _StageBuilder:
    """Shared stage methods of ``collection.aggregate()`` and ``$.pipeline()``; immutable."""

    __slots__ = ("_now", "_stages")

    def __init__(self, now: Now, stages: tuple[Stage, ...] = ()) -> None:
        self._now = now
        self._stages = stages

    def _with(self: _B, name: str, value: Any) -> _B:
        clone = object.__new__(type(self))
        for slot in _all_slots(type(self)):
            object.__setattr__(clone, slot, getattr(self, slot))
        clone._stages = (*self._stages, {name: value})
        return clone

    def _value(self, stage: str, param: Any) -> Any:
        _guarded(stage, param)
        _reject_commands(param, stage)
        return to_stored(param, self._now, check_names=False)

    # --- the stages production runs -----------------------------------------------------

    def add_fields(self: _B, param: Mapping[str, Any]) -> _B:
        return self._with("$addFields", self._value("addFields", param))

    def bucket(self: _B, param: Mapping[str, Any] | None = None, **options: Any) -> _B:
        """``bucket({"groupBy": "$price", "boundaries": [0, 10], "default": "other", "output": {...}})``
        or ``bucket(group_by=..., boundaries=..., default=..., output=...)``."""
        return self._with("$bucket", self._value("bucket", _object_param("bucket", param, options)))

    def bucket_auto(self: _B, param: Mapping[str, Any] | None = None, **options: Any) -> _B:
        return self._with(
            "$bucketAuto", self._value("bucketAuto", _object_param("bucket_auto", param, options))
        )

    def count(self: _B, field_name: str) -> _B:
        return self._with("$count", self._value("count", field_name))

    def geo_near(self: _B, param: Mapping[str, Any] | None = None, **options: Any) -> _B:
        """``geo_near(near=db.Geo.Point(113.3, 23.1), distance_field="distance", max_distance=1000,
        query={"open": True})`` — ``near`` a Geo Point, ``query`` in the where language."""
        spec = dict(_object_param("geo_near", param, options))
        near = spec.get("near")
        if isinstance(near, Geometry):
            spec["near"] = near.to_geojson()
        query = spec.pop("query", None)
        value = self._value("geoNear", spec)
        if query is not None:
            _guarded("geoNear.query", query)
            value["query"] = serialize_where(query, self._now)
        return self._with("$geoNear", value)

    def group(self: _B, param: Mapping[str, Any]) -> _B:
        return self._with("$group", self._value("group", param))

    def limit(self: _B, value: int) -> _B:
        return self._with("$limit", self._value("limit", value))

    def lookup(self: _B, param: Mapping[str, Any] | None = None, **options: Any) -> _B:
        """``lookup(from_="products", local_field="productId", foreign_field="_id", as_="product")``,
        or with ``let=`` and ``pipeline=$.pipeline()...done()``; the SDK's dict form is accepted too."""
        spec = dict(_object_param("lookup", param, options))
        pipeline = spec.pop("pipeline", None)
        value = self._value("lookup", spec)
        if isinstance(pipeline, PipelineBuilder):
            value["pipeline"] = pipeline.done()
        elif pipeline is not None:
            value["pipeline"] = self._value("lookup", pipeline)
        return self._with("$lookup", value)

    def match(self: _B, condition: Any) -> _B:
        """The where language: nested objects flatten to dot paths, ``_`` commands allowed."""
        _guarded("match", condition)
        return self._with("$match", serialize_where(condition, self._now))

    def project(self: _B, param: Mapping[str, Any]) -> _B:
        return self._with("$project", self._value("project", param))

    def replace_root(self: _B, param: Mapping[str, Any] | None = None, **options: Any) -> _B:
        """``replace_root({"newRoot": "$item"})`` or ``replace_root(new_root="$item")``."""
        return self._with(
            "$replaceRoot",
            self._value("replaceRoot", _object_param("replace_root", param, options)),
        )

    def sample(self: _B, param: Mapping[str, Any] | None = None, **options: Any) -> _B:
        """``sample({"size": 3})`` or ``sample(size=3)``; deterministic from the cloud's seed."""
        return self._with("$sample", self._value("sample", _object_param("sample", param, options)))

    def skip(self: _B, value: int) -> _B:
        return self._with("$skip", self._value("skip", value))

    def sort(self: _B, param: Mapping[str, Any]) -> _B:
        return self._with("$sort", self._value("sort", param))

    def sort_by_count(self: _B, param: Any) -> _B:
        return self._with("$sortByCount", self._value("sortByCount", param))

    def unwind(self: _B, param: Any = None, **options: Any) -> _B:
        """``unwind("$tags")`` or ``unwind(path="$tags", include_array_index="i",
        preserve_null_and_empty_arrays=True)``."""
        return self._with("$unwind", self._value("unwind", _object_param("unwind", param, options)))

    # --- declared in the typings, missing at run time -------------------------------------

    def _missing_stage(self, *args: Any, **kwargs: Any) -> Any:
        raise SDKTypeError("this._aggregate[stage] is not a function")

    facet = out = graph_lookup = index_stats = coll_stats = redact = _missing_stage

    def __getattr__(self, name: str) -> Any:
        stages = [n for n in dir(type(self)) if not n.startswith("_")]
        close = difflib.get_close_matches(name, stages, n=3)
        hint = f"; did you mean {', '.join(close)}?" if close else ""
        raise AttributeError(f"{type(self).__name__} has no stage {name!r}{hint}")

    @property
    def stages(self) -> list[Stage]:
        """The stages so far, in MongoDB form (what ``end()`` runs)."""
        return [dict(s) for s in self._stages]


def _all_slots(cls: type) -> list[str]:
    return [slot for klass in cls.__mro__ for slot in getattr(klass, "__slots__", ())]


class PipelineBuilder(_StageBuilder):
    """``$.pipeline()``: a sub-pipeline for ``lookup(let=..., pipeline=...)``; ``done()`` ends it."""

    __slots__ = ()

    def done(self) -> list[Stage]:
        return self.stages


class Aggregate(_StageBuilder):
    """``db.collection(name).aggregate()``; ``end()`` runs the pipeline."""

    __slots__ = ("_collection", "_database")

    def __init__(self, database: Any, collection_name: str, stages: Sequence[Stage] = ()) -> None:
        super().__init__(database._now, tuple(stages))
        self._database = database
        self._collection = collection_name

    def end(self) -> dict[str, Any]:
        """``{"list": [...], "errMsg": "collection.aggregate:ok"}`` (20 documents without $limit)."""
        result: dict[str, Any] = self._database._execute_aggregate(self._collection, self.stages)
        return result

    def __repr__(self) -> str:
        return f"<Aggregate {self._collection!r} {self.stages!r}>"
