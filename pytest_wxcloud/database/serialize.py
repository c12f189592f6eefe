"""SDK-shaped conditions → the MongoDB form the backend receives, quirks included.

This mirrors ``@cloudbase/database``'s ``QuerySerializer``/``UpdateSerializer`` (reference sdk.md
§3.5–§3.7, §4.2): nested plain objects flatten to dot paths, empty nested objects vanish, field-level
logic commands are hoisted to the top level, and two hoisted ``$or`` lists are concatenated into one
(the SDK's own "bug" comment; we reproduce it and warn). The output holds stored-form values
(UTC datetimes, :class:`RegExp`, GeoJSON dicts, resolved server dates).
"""

from __future__ import annotations

import re
import warnings
from collections.abc import Callable, Mapping
from datetime import datetime
from typing import Any

from ..errors import SDKUsageError, api_error, assertion_error
from .commands import (
    ExprCommand,
    LogicCommand,
    ProjectionCommand,
    QueryCommand,
    UpdateCommand,
)
from .values import MISSING, Geometry, RegExp, ServerDate, to_stored

Now = Callable[[], datetime]


class OrMergeWarning(UserWarning):
    """Two field-level OR chains in one ``where`` were merged into one flat ``$or`` (SDK bug)."""


class ProjectionCommandWarning(UserWarning):
    """A command inside ``_.project.elem_match`` went out as a plain object (SDK quirk)."""


_PRESERVED = (
    QueryCommand,
    LogicCommand,
    UpdateCommand,
    ExprCommand,
    Geometry,
    RegExp,
    ServerDate,
    re.Pattern,
    datetime,
)


def _is_plain_object(value: Any) -> bool:
    return isinstance(value, Mapping) and not isinstance(value, _PRESERVED)


def flatten(obj: Mapping[str, Any]) -> dict[str, Any]:
    """``flattenQueryObject``: nested plain objects become dot paths; ``$`` keys stay in place."""
    out: dict[str, Any] = dict(obj)
    for key, value in obj.items():
        if not isinstance(key, str):
            raise SDKUsageError(f"field names must be strings, got {key!r} ({type(key).__name__})")
        if key.startswith("$") or not _is_plain_object(value):
            continue
        child = flatten(value)
        kept: dict[str, Any] = {}
        del out[key]
        for child_key, child_value in child.items():
            if child_key.startswith("$"):
                kept[child_key] = child_value
            else:
                out[f"{key}.{child_key}"] = child_value
        if kept:
            out[key] = kept
    return out


def value(item: Any, now: Now, path: str = "") -> Any:
    """A literal inside a condition, in stored form (dates normalised, geometry as GeoJSON)."""
    cls = item.__class__
    if cls is str or cls is int or cls is float or cls is bool or item is None:
        return item
    if isinstance(item, (QueryCommand, LogicCommand, UpdateCommand, ExprCommand)):
        raise SDKUsageError(
            f"a command ({item!r}) cannot be used as a literal value at {path or 'top level'}"
        )
    return to_stored(item, now, path, check_names=False)


# --------------------------------------------------------------------------- where


def serialize_where(condition: Any, now: Now) -> dict[str, Any]:
    """A ``where()`` argument (plain object, logic command or ``_.expr``) → MongoDB filter."""
    if isinstance(condition, LogicCommand):
        return _encode_logic(condition, None, now)
    if isinstance(condition, ExprCommand):
        return {"$expr": _expression(condition.expression, now)}
    if isinstance(condition, QueryCommand):
        raise SDKUsageError(
            f"{condition!r} needs a field name: write where({{'field': {condition!r}}})"
        )
    if not isinstance(condition, Mapping):
        raise SDKUsageError("查询参数必须为对象")
    present = {k: v for k, v in condition.items() if v is not MISSING}
    return _encode_object(present, now)


def _encode_object(condition: Mapping[str, Any], now: Now) -> dict[str, Any]:
    flat = flatten(condition)
    query: dict[str, Any] = {}
    for key, item in flat.items():
        if item is MISSING:
            continue
        if key.startswith("$"):
            query[key] = _raw_operator(key, item, now)
        elif isinstance(item, LogicCommand):
            _merge(query, _encode_logic(item, key, now), key)
        elif isinstance(item, QueryCommand):
            query[key] = _encode_command(item, now)
        elif isinstance(item, ExprCommand):
            raise SDKUsageError(
                f"_.expr(...) is a top-level condition; it cannot be the value of field {key!r}"
            )
        elif isinstance(item, UpdateCommand):
            raise SDKUsageError(
                f"update command {item!r} cannot be used in a query (field {key!r})"
            )
        elif isinstance(item, dict) and any(k.startswith("$") for k in item):
            query[key] = {k: _raw_operand(k, v, now) for k, v in item.items()}
        else:
            query[key] = value(item, now, key)
    return query


def _merge(query: dict[str, Any], condition: dict[str, Any], key: str) -> None:
    """``mergeConditionAfterEncode``: arrays under the same operator are concatenated (the bug)."""
    for op, item in condition.items():
        existing = query.get(op)
        if isinstance(existing, list) and isinstance(item, list):
            if op == "$or":
                warnings.warn(
                    "two field-level .or_() conditions in one where() were merged into a single "
                    "$or over all branches, exactly as wx-server-sdk does (sdk.md §3.5); wrap them "
                    "in _.and_([...]) to AND the two ORs",
                    OrMergeWarning,
                    stacklevel=5,
                )
            query[op] = existing + item
        else:
            query[op] = item


def _raw_operator(key: str, item: Any, now: Now) -> Any:
    if key in ("$and", "$or", "$nor"):
        if not isinstance(item, list):
            return item
        return [
            serialize_where(sub, now)
            if isinstance(sub, (Mapping, LogicCommand, ExprCommand))
            else sub
            for sub in item
        ]
    if key == "$expr":
        return _expression(item, now)
    return _raw_operand(key, item, now)


def _raw_operand(key: str, item: Any, now: Now) -> Any:
    if isinstance(item, (QueryCommand, LogicCommand)):
        return _encode_command_or_logic(item, now)
    if isinstance(item, Mapping) and not isinstance(item, _PRESERVED):
        return {k: _raw_operand(k, v, now) for k, v in item.items()}
    if isinstance(item, list):
        return [_raw_operand(key, v, now) for v in item]
    return value(item, now, key)


def _encode_command_or_logic(item: QueryCommand | LogicCommand, now: Now) -> Any:
    if isinstance(item, QueryCommand):
        return _encode_command(item, now)
    return _encode_logic(item, None, now)


def _encode_logic(command: LogicCommand, field: str | None, now: Now) -> dict[str, Any]:
    op = command.operator
    if op == "not":
        if field is None:
            raise SDKUsageError(
                "_.not_(...) is field-level only: write where({'field': _.not_(...)})"
            )
        operand = command.operands[0]
        if isinstance(operand, (RegExp, re.Pattern)):
            return {field: {"$not": value(operand, now, field)}}
        if isinstance(operand, QueryCommand):
            return {field: {"$not": _encode_command(operand, now)}}
        if isinstance(operand, LogicCommand):
            raise SDKUsageError(
                "_.not_ takes one command or regular expression, not a logic command"
            )
        raise SDKUsageError(f"_.not_ takes a command or a regular expression, got {operand!r}")
    subqueries: list[Any] = []
    for operand in command.operands:
        if field is not None:
            subqueries.append(serialize_where({field: operand}, now))
        else:
            subqueries.append(serialize_where(operand, now))
    return {f"${op}": subqueries}


_COMPARISON = {"eq": "$eq", "neq": "$ne", "lt": "$lt", "lte": "$lte", "gt": "$gt", "gte": "$gte"}


def _encode_command(command: QueryCommand, now: Now) -> dict[str, Any]:
    """A query command's operator document, e.g. ``{"$gt": 5}`` (without the field name)."""
    op, operands = command.operator, command.operands
    if op in _COMPARISON:
        return {_COMPARISON[op]: value(operands[0], now)}
    if op in ("in", "nin", "all"):
        items = operands[0]
        if not isinstance(items, (list, tuple)):
            raise SDKUsageError(f"_.{op}{'_' if op == 'in' else ''} needs a list, got {items!r}")
        encoded = [
            {"$elemMatch": _elem_match(i.operands[0], now)}
            if isinstance(i, QueryCommand) and i.operator == "elemMatch"
            else value(i, now)
            for i in items
        ]
        return {f"${op}": encoded}
    if op == "elemMatch":
        return {"$elemMatch": _elem_match(operands[0], now)}
    if op == "exists":
        return {"$exists": value(operands[0], now)}
    if op == "size":
        return {"$size": value(operands[0], now)}
    if op == "mod":
        return {"$mod": [value(o, now) for o in operands]}
    if op == "geoNear":
        options = operands[0]
        near: dict[str, Any] = {"$geometry": options["geometry"].to_geojson()}
        if "maxDistance" in options:
            near["$maxDistance"] = options["maxDistance"]
        if "minDistance" in options:
            near["$minDistance"] = options["minDistance"]
        return {"$nearSphere": near}
    if op == "geoWithin":
        options = operands[0]
        if "centerSphere" in options:
            center, radius = options["centerSphere"]
            if isinstance(center, Geometry):
                center = center.to_geojson()["coordinates"]
            return {"$geoWithin": {"$centerSphere": [list(center), radius]}}
        return {"$geoWithin": {"$geometry": options["geometry"].to_geojson()}}
    if op == "geoIntersects":
        return {"$geoIntersects": {"$geometry": operands[0]["geometry"].to_geojson()}}
    raise SDKUsageError(f"unknown query command {op!r}")


def _elem_match(condition: Any, now: Now) -> Any:
    if isinstance(condition, QueryCommand):
        return _encode_command(condition, now)
    if (
        isinstance(condition, LogicCommand)
        and condition.operator == "and"
        and all(isinstance(o, QueryCommand) for o in condition.operands)
    ):
        # elemMatch(_.gt(2).and_(_.lt(4))) on scalars: one operator document {$gt: 2, $lt: 4}
        merged: dict[str, Any] = {}
        for operand in condition.operands:
            merged.update(_encode_command(operand, now))
        return merged
    if isinstance(condition, (Mapping, LogicCommand)):
        return serialize_where(condition, now)
    raise SDKUsageError(f"_.elem_match takes a condition object or a command, got {condition!r}")


def _expression(expression: Any, now: Now) -> Any:
    """Aggregation expressions are plain dicts already; only literals need converting."""
    if isinstance(expression, Mapping):
        return {k: _expression(v, now) for k, v in expression.items()}
    if isinstance(expression, (list, tuple)):
        return [_expression(v, now) for v in expression]
    return value(expression, now)


# --------------------------------------------------------------------------- update

_UPDATE_OPERATOR = {
    "set": "$set",
    "remove": "$unset",
    "inc": "$inc",
    "mul": "$mul",
    "min": "$min",
    "max": "$max",
    "rename": "$rename",
    "bit": "$bit",
    "push": "$push",
    "pop": "$pop",
    "addToSet": "$addToSet",
    "pull": "$pull",
    "pullAll": "$pullAll",
}


def check_update_data(api: str, options_data: Any) -> Mapping[str, Any]:
    """The SDK's checks on ``update({data})`` / ``set({data})``, made before anything is sent
    (sdk.md §3.4): parameter assertions first, then the ``_id`` rule."""
    if options_data is MISSING or options_data is None:
        raise assertion_error("parameter.data should be object instead of undefined;")
    if not isinstance(options_data, Mapping):
        kind = "array" if isinstance(options_data, (list, tuple)) else type(options_data).__name__
        raise assertion_error(f"parameter.data should be object instead of {kind};")
    if not options_data:
        raise assertion_error("options.data must not be empty")
    if "_id" in options_data:  # top level only: a nested ``sub._id`` is an ordinary field
        raise api_error(api, -501007, "不能更新_id的值")
    return options_data


def serialize_update(data: Mapping[str, Any], now: Now) -> dict[str, dict[str, Any]]:
    """Update data → ``{"$set": {...}, "$inc": {...}}``; plain nested objects merge field by field."""
    flat = flatten(data)
    ops: dict[str, dict[str, Any]] = {}
    for key, item in flat.items():
        if item is MISSING:
            continue
        if key.startswith("$"):
            if not isinstance(item, Mapping):
                raise SDKUsageError(f"raw update operator {key} needs an object, got {item!r}")
            ops.setdefault(key, {}).update({k: _update_operand(v, now, k) for k, v in item.items()})
            continue
        if isinstance(item, UpdateCommand):
            operator = _UPDATE_OPERATOR[item.operator]
            ops.setdefault(operator, {})[key] = _update_command_value(item, now, key)
        elif isinstance(item, (QueryCommand, LogicCommand, ExprCommand)):
            raise SDKUsageError(
                f"query command {item!r} cannot be used as an update value (field {key!r})"
            )
        elif isinstance(item, ProjectionCommand):
            raise SDKUsageError(
                f"projection command cannot be used as an update value (field {key!r})"
            )
        else:
            ops.setdefault("$set", {})[key] = _update_operand(item, now, key)
    return ops


def _update_command_value(command: UpdateCommand, now: Now, path: str) -> Any:
    if command.operator == "pull":
        condition = command.value
        if isinstance(condition, QueryCommand):
            return _encode_command(condition, now)
        if isinstance(condition, LogicCommand) or (
            isinstance(condition, Mapping) and contains_command(condition)
        ):
            return serialize_where(condition, now)
        return _update_operand(condition, now, path)
    if command.operator == "set" and contains_command(command.value):
        raise SDKUsageError(f"_.set(...) value for {path!r} must not contain commands")
    return _update_operand(command.value, now, path)


def _update_operand(item: Any, now: Now, path: str) -> Any:
    if isinstance(item, Mapping) and any(isinstance(k, str) and k.startswith("$") for k in item):
        return {k: _update_operand(v, now, path) for k, v in item.items()}
    if isinstance(item, list):
        return [_update_operand(v, now, path) for v in item]
    if isinstance(item, (QueryCommand, LogicCommand, UpdateCommand)):
        raise SDKUsageError(f"command {item!r} is not allowed inside a value at {path!r}")
    return value(item, now, path)


def contains_command(item: Any) -> bool:
    """Whether a value holds a command anywhere; ``set`` data with one is rejected (-502001)."""
    if isinstance(item, (QueryCommand, LogicCommand, UpdateCommand, ExprCommand)):
        return True
    if isinstance(item, Mapping):
        return any(contains_command(v) for v in item.values())
    if isinstance(item, (list, tuple)):
        return any(contains_command(v) for v in item)
    return False


# --------------------------------------------------------------------------- field / orderBy


def serialize_projection(projection: Mapping[str, Any], now: Now) -> dict[str, Any]:
    """``field({...})``: truthy → 1, falsy → 0, projection commands → operators (sdk.md §3.5)."""
    out: dict[str, Any] = {}
    for key, item in projection.items():
        if isinstance(item, ProjectionCommand):
            if item.operator == "slice":
                out[key] = {"$slice": item.value}
            else:
                out[key] = {"$elemMatch": _projection_elem_match(key, item.value, now)}
        elif isinstance(item, bool):
            out[key] = 1 if item else 0
        elif isinstance(item, (int, float)):
            out[key] = 1 if item > 0 else 0
        elif isinstance(item, str):
            warnings.warn(
                f"field(): the string value {item!r} for {key!r} is dropped, as the SDK drops it; "
                "use True/False or 1/0",
                UserWarning,
                stacklevel=4,
            )
        elif isinstance(item, Mapping):
            out[key] = dict(item)
        else:
            raise SDKUsageError(
                f"field(): unsupported value {item!r} for {key!r}; use True/False, 1/0 or _.project.*"
            )
    return out


def _projection_elem_match(key: str, condition: Any, now: Now) -> Any:
    """``_.project.elem_match(cond)`` as @cloudbase/database 1.4.3 sends it: ``field()`` does not
    encode commands, so ``{"qty": _.gte(3)}`` leaves as ``{"qty": {"operator": "gte", "operands":
    [3], "fieldName": {}}}`` — a literal no array element equals, and production omits the
    field. Sent the same way here, with a warning, as the OR merge is."""
    found: list[Any] = []
    sent = _as_builder_sends(condition, now, found)
    if found:
        warnings.warn(
            f"field(): {found[0]!r} inside _.project.elem_match for {key!r} is sent as a plain "
            "object, exactly as wx-server-sdk sends it, so no element matches and production "
            "omits the field; write plain values ({'qty': 3}) or filter the array in code",
            ProjectionCommandWarning,
            stacklevel=5,
        )
    return sent


def _as_builder_sends(item: Any, now: Now, found: list[Any]) -> Any:
    if isinstance(item, (QueryCommand, LogicCommand)):
        found.append(item)
        operands = item.operands
        if item.operator in ("in", "nin", "all") and isinstance(operands[0], (list, tuple)):
            operands = list(operands[0])  # the SDK keeps the list itself as the operands
        return {
            "operator": item.operator,
            "operands": [_as_builder_sends(o, now, found) for o in operands],
            "fieldName": {},
        }
    if isinstance(item, Mapping) and not isinstance(item, _PRESERVED):
        return {k: _as_builder_sends(v, now, found) for k, v in item.items()}
    if isinstance(item, (list, tuple)):
        return [_as_builder_sends(v, now, found) for v in item]
    return value(item, now)


__all__ = [
    "OrMergeWarning",
    "ProjectionCommandWarning",
    "check_update_data",
    "contains_command",
    "flatten",
    "serialize_projection",
    "serialize_update",
    "serialize_where",
]
