"""``$geoNear``: documents nearest a GeoJSON point first, each with its distance in metres.

Production needs a 2dsphere index and uses its field; the emulator has no indexes, so the field
is ``key`` when given, otherwise the one top-level field whose values are geometry (ambiguity is
an error asking for ``key``, as MongoDB does with several 2dsphere indexes).
"""

from __future__ import annotations

import math
from typing import Any

from .. import geo
from ..matching import compile_filter
from ..paths import split_path, values_along
from .fields import split_field, with_field
from .support import RunContext, StageFn, as_int, fail, is_number, show

Doc = dict[str, Any]
_ALLOWED = (
    "near", "distanceField", "spherical", "maxDistance", "minDistance", "query",
    "distanceMultiplier", "includeLocs", "key", "limit", "num", "uniqueDocs",
)  # fmt: skip


def compile_geo_near(spec: Any, position: int) -> StageFn:
    if position != 0:
        raise fail("$geoNear is only valid as the first stage in a pipeline.")
    if spec.__class__ is not dict:
        raise fail(f"$geoNear must be an object, got {show(spec)}")
    for key in spec:
        if key not in _ALLOWED:
            raise fail(f"unknown argument to $geoNear: {key}; accepted: {', '.join(_ALLOWED)}")
    if "near" not in spec:
        raise fail("$geoNear requires a 'near' option as an Array or an Object (a db.Geo.Point)")
    near = spec["near"]
    if near.__class__ is not dict:
        raise fail(
            f"$geoNear 'near' must be a GeoJSON point (db.Geo.Point(lng, lat)), got {show(near)}; "
            "legacy coordinate pairs are not supported by the emulator"
        )
    distance_field = spec.get("distanceField")
    if distance_field.__class__ is not str:
        raise fail("$geoNear requires a 'distanceField' option as a String")
    distance_parts = split_field(distance_field, "$geoNear 'distanceField'")
    locs_parts = (
        split_field(spec["includeLocs"], "$geoNear 'includeLocs'")
        if "includeLocs" in spec
        else None
    )
    operand: dict[str, Any] = {"$geometry": near}
    for option in ("maxDistance", "minDistance"):
        if option in spec:
            operand["$" + option] = spec[option]
    near_spec = geo.parse_near("$geoNear", operand)
    multiplier = spec.get("distanceMultiplier", 1)
    if not is_number(multiplier) or multiplier < 0:
        raise fail(f"distanceMultiplier must be a non-negative number, got {show(multiplier)}")
    query = spec.get("query", {})
    if query.__class__ is not dict:
        raise fail(f"$geoNear 'query' must be an object, got {show(query)}")
    keep = compile_filter(query)
    key = (
        split_path(".".join(split_field(spec["key"], "$geoNear 'key'"))) if "key" in spec else None
    )
    limit = _limit(spec)

    def geo_near(docs: list[Doc], ctx: RunContext) -> list[Doc]:
        candidates = keep(docs)
        parts = key if key is not None else _located_field(candidates)
        ranked: list[tuple[float, int, Doc, Any]] = []
        for position, doc in enumerate(candidates):
            best, where = math.inf, None
            for value in values_along(doc, parts):
                d = near_spec.distance(value)
                if d < best:
                    best, where = d, value
            if best != math.inf and near_spec.min_distance <= best <= near_spec.max_distance:
                ranked.append((best, position, doc, where))
        ranked.sort(key=lambda row: (row[0], row[1]))
        if limit is not None:
            ranked = ranked[:limit]
        out = []
        for distance, _, doc, where in ranked:
            result = with_field(doc, distance_parts, distance * multiplier)
            if locs_parts is not None:
                result = with_field(result, locs_parts, where)
            out.append(result)
        return out

    return geo_near


def _limit(spec: dict[str, Any]) -> int | None:
    for option in ("limit", "num"):
        if option in spec:
            value = as_int(spec[option]) if is_number(spec[option]) else None
            if value is None or value <= 0:
                raise fail(
                    f"$geoNear '{option}' must be a positive integer, got {show(spec[option])}"
                )
            return value
    return None


def _located_field(docs: list[Doc]) -> tuple[str, ...]:
    fields: list[str] = []
    for doc in docs:
        for name, value in doc.items():
            if name not in fields and geo.stored_shapes(value):
                fields.append(name)
    if not fields:
        raise fail(
            "$geoNear requires a 2d or 2dsphere index, but none were found (no document holds a geometry)"
        )
    if len(fields) > 1:
        raise fail(
            f"There is more than one 2dsphere index candidate ({', '.join(fields)}); "
            "unsure which to use for $geoNear: pass key='<field>'"
        )
    return (fields[0],)
