"""Geospatial queries on GeoJSON: ``$nearSphere``/``$near``, ``$geoWithin``, ``$geoIntersects``.

Distances are great-circle metres on a sphere of radius 6378100 m (the radius MongoDB's 2dsphere
index uses). Containment and crossing tests treat edges as straight lines in longitude/latitude:
at the city scale tests work at this is indistinguishable from MongoDB's great-circle edges, and
it keeps the arithmetic exact and predictable. Shapes crossing the antimeridian or enclosing a
pole are not supported.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from ..errors import DatabaseError, UnknownOperatorError
from .paths import bson_repr

EARTH_RADIUS_M = 6378100.0

Pt = tuple[float, float]
Ring = tuple[Pt, ...]


@dataclass(frozen=True)
class Shape:
    """Any GeoJSON geometry, broken into the three kinds of parts the tests need."""

    points: tuple[Pt, ...] = ()
    lines: tuple[tuple[Pt, ...], ...] = ()
    polygons: tuple[tuple[Ring, ...], ...] = ()

    def __add__(self, other: Shape) -> Shape:
        return Shape(
            self.points + other.points, self.lines + other.lines, self.polygons + other.polygons
        )


class GeometryError(ValueError):
    """Malformed GeoJSON; the message is MongoDB's wording."""


# --------------------------------------------------------------------------- parsing


def _is_number(value: Any) -> bool:
    return value.__class__ is int or value.__class__ is float


def _position(value: Any) -> Pt:
    if not isinstance(value, list):
        raise GeometryError(f"Point must be an array or object, got {bson_repr(value)}")
    if len(value) != 2:
        raise GeometryError(f"Point must only contain numeric elements: {bson_repr(value)}")
    lng, lat = value
    if not (_is_number(lng) and _is_number(lat)):
        raise GeometryError(f"Point must only contain numeric elements: {bson_repr(value)}")
    if not (-180 <= lng <= 180 and -90 <= lat <= 90):
        raise GeometryError(f"longitude/latitude is out of bounds, lng: {lng} lat: {lat}")
    return (float(lng), float(lat))


def _positions(value: Any, what: str) -> tuple[Pt, ...]:
    if not isinstance(value, list):
        raise GeometryError(f"{what} coordinates must be an array: {bson_repr(value)}")
    return tuple(_position(p) for p in value)


def _line(value: Any) -> tuple[Pt, ...]:
    points = _positions(value, "LineString")
    if len(points) < 2:
        raise GeometryError(f"GeoJSON LineString must have at least 2 vertices: {bson_repr(value)}")
    return points


def _ring(value: Any) -> Ring:
    points = _positions(value, "Polygon")
    if len(points) < 4:
        raise GeometryError(f"Loop must have at least 3 different vertices: {bson_repr(value)}")
    if points[0] != points[-1]:
        raise GeometryError(
            f"Loop is not closed, first vertex does not equal last vertex: {bson_repr(value)}"
        )
    if len(set(points)) < 3:
        raise GeometryError(f"Loop must have at least 3 different vertices: {bson_repr(value)}")
    return points


def _polygon(value: Any) -> tuple[Ring, ...]:
    if not isinstance(value, list) or not value:
        raise GeometryError(f"Polygon coordinates must be an array of loops: {bson_repr(value)}")
    return tuple(_ring(r) for r in value)


def _list_of(value: Any, what: str) -> list[Any]:
    if not isinstance(value, list) or not value:
        raise GeometryError(f"{what} coordinates must be a non-empty array: {bson_repr(value)}")
    return value


def parse_geojson(value: Any) -> Shape:
    """The shape of a GeoJSON object; GeometryError (MongoDB's wording) when malformed."""
    if not isinstance(value, Mapping):
        raise GeometryError(f"geometry must be a GeoJSON object, got {bson_repr(value)}")
    kind = value.get("type")
    if kind == "GeometryCollection":
        geometries = value.get("geometries")
        if not isinstance(geometries, list):
            raise GeometryError("GeometryCollection geometries must be an array")
        total = Shape()
        for geometry in geometries:
            total = total + parse_geojson(geometry)
        return total
    if "coordinates" not in value:
        raise GeometryError(f"unknown GeoJSON type: {bson_repr(dict(value))}")
    coordinates = value["coordinates"]
    if kind == "Point":
        return Shape(points=(_position(coordinates),))
    if kind == "MultiPoint":
        return Shape(points=_positions(_list_of(coordinates, "MultiPoint"), "MultiPoint"))
    if kind == "LineString":
        return Shape(lines=(_line(coordinates),))
    if kind == "MultiLineString":
        return Shape(lines=tuple(_line(c) for c in _list_of(coordinates, "MultiLineString")))
    if kind == "Polygon":
        return Shape(polygons=(_polygon(coordinates),))
    if kind == "MultiPolygon":
        return Shape(polygons=tuple(_polygon(c) for c in _list_of(coordinates, "MultiPolygon")))
    raise GeometryError(f"unknown GeoJSON type: {bson_repr(dict(value))}")


def stored_shapes(value: Any) -> list[Shape]:
    """Shapes a stored field holds: GeoJSON, a legacy ``[lng, lat]`` pair, or an array of them.

    Values that are not geometry are simply not located anywhere (they never match), as in a
    collection whose geo index skips them.
    """
    if value.__class__ is dict:
        try:
            return [parse_geojson(value)]
        except GeometryError:
            return []
    if value.__class__ is list:
        pair = _pair_shape(value)
        if pair:
            return pair
        shapes: list[Shape] = []
        for element in value:
            if element.__class__ is dict:
                shapes.extend(stored_shapes(element))
            elif element.__class__ is list:
                shapes.extend(_pair_shape(element))
        return shapes
    return []


def _pair_shape(value: list[Any]) -> list[Shape]:
    if len(value) == 2 and _is_number(value[0]) and _is_number(value[1]):
        try:
            return [Shape(points=(_position(value),))]
        except GeometryError:
            return []
    return []


# --------------------------------------------------------------------------- measuring


def distance_m(a: Pt, b: Pt) -> float:
    """Great-circle distance in metres (haversine)."""
    lng1, lat1 = math.radians(a[0]), math.radians(a[1])
    lng2, lat2 = math.radians(b[0]), math.radians(b[1])
    h = (
        math.sin((lat2 - lat1) / 2) ** 2
        + math.cos(lat1) * math.cos(lat2) * math.sin((lng2 - lng1) / 2) ** 2
    )
    return 2 * EARTH_RADIUS_M * math.asin(min(1.0, math.sqrt(h)))


def _closest_on_segment(p: Pt, a: Pt, b: Pt) -> Pt:
    """Closest point of segment ab to p, in a local plane scaled so degrees east ≈ degrees north."""
    scale = math.cos(math.radians(p[1]))
    ax, ay = (a[0] - p[0]) * scale, a[1] - p[1]
    bx, by = (b[0] - p[0]) * scale, b[1] - p[1]
    dx, dy = bx - ax, by - ay
    length2 = dx * dx + dy * dy
    t = 0.0 if length2 == 0 else max(0.0, min(1.0, -(ax * dx + ay * dy) / length2))
    return (a[0] + (b[0] - a[0]) * t, a[1] + (b[1] - a[1]) * t)


def _edges(ring: Sequence[Pt]) -> list[tuple[Pt, Pt]]:
    return [(ring[i], ring[i + 1]) for i in range(len(ring) - 1)]


def distance_to_shape(p: Pt, shape: Shape) -> float:
    """Metres from ``p`` to the nearest part of ``shape`` (0 inside a polygon)."""
    best = math.inf
    for q in shape.points:
        best = min(best, distance_m(p, q))
    for line in shape.lines:
        for a, b in _edges(line):
            best = min(best, distance_m(p, _closest_on_segment(p, a, b)))
    for polygon in shape.polygons:
        if point_in_polygon(p, polygon):
            return 0.0
        for ring in polygon:
            for a, b in _edges(ring):
                best = min(best, distance_m(p, _closest_on_segment(p, a, b)))
    return best


# --------------------------------------------------------------------------- planar predicates


def _orientation(a: Pt, b: Pt, c: Pt) -> float:
    return (b[0] - a[0]) * (c[1] - a[1]) - (b[1] - a[1]) * (c[0] - a[0])


def _sign(x: float) -> int:
    return (x > 0) - (x < 0)


def on_segment(p: Pt, a: Pt, b: Pt) -> bool:
    return (
        _orientation(a, b, p) == 0
        and min(a[0], b[0]) <= p[0] <= max(a[0], b[0])
        and min(a[1], b[1]) <= p[1] <= max(a[1], b[1])
    )


def segments_intersect(a: Pt, b: Pt, c: Pt, d: Pt) -> bool:
    """Whether segments ab and cd share at least one point (touching counts)."""
    o1, o2 = _sign(_orientation(a, b, c)), _sign(_orientation(a, b, d))
    o3, o4 = _sign(_orientation(c, d, a)), _sign(_orientation(c, d, b))
    if o1 != o2 and o3 != o4 and o1 * o2 <= 0 and o3 * o4 <= 0:
        return True
    return on_segment(c, a, b) or on_segment(d, a, b) or on_segment(a, c, d) or on_segment(b, c, d)


def _segments_cross(a: Pt, b: Pt, c: Pt, d: Pt) -> bool:
    """Proper crossing: each segment has the other's endpoints strictly on opposite sides."""
    o1, o2 = _sign(_orientation(a, b, c)), _sign(_orientation(a, b, d))
    o3, o4 = _sign(_orientation(c, d, a)), _sign(_orientation(c, d, b))
    return o1 * o2 < 0 and o3 * o4 < 0


def _in_ring(p: Pt, ring: Ring) -> int:
    """1 inside, 0 on the boundary, -1 outside (ray casting)."""
    inside = False
    x, y = p
    for a, b in _edges(ring):
        if on_segment(p, a, b):
            return 0
        if (a[1] > y) != (b[1] > y):
            x_cross = a[0] + (y - a[1]) * (b[0] - a[0]) / (b[1] - a[1])
            if x < x_cross:
                inside = not inside
    return 1 if inside else -1


def point_in_polygon(p: Pt, polygon: Sequence[Ring]) -> bool:
    """Inside the outer loop (boundary included) and not strictly inside a hole."""
    if _in_ring(p, polygon[0]) < 0:
        return False
    return all(_in_ring(p, hole) <= 0 for hole in polygon[1:])


def _polygon_edges(polygon: Sequence[Ring]) -> list[tuple[Pt, Pt]]:
    return [edge for ring in polygon for edge in _edges(ring)]


def _line_meets_polygon(line: Sequence[Pt], polygon: Sequence[Ring]) -> bool:
    if any(point_in_polygon(p, polygon) for p in line):
        return True
    edges = _polygon_edges(polygon)
    return any(segments_intersect(a, b, c, d) for a, b in _edges(line) for c, d in edges)


def _polygons_meet(p: Sequence[Ring], q: Sequence[Ring]) -> bool:
    if point_in_polygon(p[0][0], q) or point_in_polygon(q[0][0], p):
        return True
    q_edges = _polygon_edges(q)
    return any(segments_intersect(a, b, c, d) for a, b in _polygon_edges(p) for c, d in q_edges)


def intersects(s: Shape, t: Shape) -> bool:
    """Whether two shapes share at least one point (``$geoIntersects``)."""
    for p in s.points:
        if (
            p in t.points
            or any(on_segment(p, a, b) for line in t.lines for a, b in _edges(line))
            or any(point_in_polygon(p, poly) for poly in t.polygons)
        ):
            return True
    for line in s.lines:
        if any(on_segment(q, a, b) for q in t.points for a, b in _edges(line)):
            return True
        if any(
            segments_intersect(a, b, c, d)
            for other in t.lines
            for a, b in _edges(line)
            for c, d in _edges(other)
        ):
            return True
        if any(_line_meets_polygon(line, poly) for poly in t.polygons):
            return True
    for polygon in s.polygons:
        if any(point_in_polygon(q, polygon) for q in t.points):
            return True
        if any(_line_meets_polygon(other, polygon) for other in t.lines):
            return True
        if any(_polygons_meet(polygon, other) for other in t.polygons):
            return True
    return False


def _path_within_polygon(path: Sequence[Pt], polygon: Sequence[Ring]) -> bool:
    if not all(point_in_polygon(p, polygon) for p in path):
        return False
    edges = _polygon_edges(polygon)
    return not any(_segments_cross(a, b, c, d) for a, b in _edges(path) for c, d in edges)


def within_polygons(shape: Shape, region: Sequence[Sequence[Ring]]) -> bool:
    """Every part of ``shape`` lies inside one polygon of ``region`` (``$geoWithin``)."""
    paths: list[Sequence[Pt]] = [(p,) for p in shape.points]
    paths.extend(shape.lines)
    paths.extend(polygon[0] for polygon in shape.polygons)
    return bool(paths) and all(
        any(_path_within_polygon(path, polygon) for polygon in region) for path in paths
    )


def within_cap(shape: Shape, center: Pt, radius_m: float) -> bool:
    """Every vertex within ``radius_m`` of ``center`` (``$centerSphere``; caps are convex)."""
    vertices = list(shape.points)
    for line in shape.lines:
        vertices.extend(line)
    for polygon in shape.polygons:
        vertices.extend(polygon[0])
    return bool(vertices) and all(distance_m(center, v) <= radius_m for v in vertices)


# --------------------------------------------------------------------------- query operators

GEO_QUERY_OPERATORS = ("$geoIntersects", "$geoWithin", "$near", "$nearSphere")


def _invalid(message: str) -> DatabaseError:
    return DatabaseError(-502001, message)


def _query_geometry(operand: Any, operator: str) -> Shape:
    try:
        return parse_geojson(operand)
    except GeometryError as exc:
        raise _invalid(f"{operator}: invalid $geometry: {exc}") from None


def _operand_document(operand: Any, operator: str, accepted: Sequence[str]) -> Mapping[str, Any]:
    if not isinstance(operand, Mapping) or not operand:
        raise _invalid(
            f"{operator} needs an object such as {{$geometry: <GeoJSON>}}, got {bson_repr(operand)}"
        )
    for key in operand:
        if key not in accepted:
            raise UnknownOperatorError(key, operator, accepted)
    return operand


def _non_negative(value: Any, name: str) -> float:
    if not _is_number(value):
        raise _invalid(f"{name} must be a number, got {bson_repr(value)}")
    if value < 0 or value != value:
        raise _invalid(f"{name} must be non-negative")
    return float(value)


@dataclass(frozen=True)
class NearSpec:
    center: Pt
    min_distance: float
    max_distance: float

    def distance(self, value: Any) -> float:
        """Metres from the centre to the nearest shape stored in ``value`` (inf if none)."""
        return min(
            (distance_to_shape(self.center, s) for s in stored_shapes(value)), default=math.inf
        )

    def accepts(self, value: Any) -> bool:
        d = self.distance(value)
        return d != math.inf and self.min_distance <= d <= self.max_distance


def parse_near(operator: str, operand: Any) -> NearSpec:
    spec = _operand_document(operand, operator, ("$geometry", "$maxDistance", "$minDistance"))
    if "$geometry" not in spec:
        raise _invalid(
            f'{operator} needs {{$geometry: {{type: "Point", coordinates: [lng, lat]}}}}; '
            "legacy coordinate pairs are not supported"
        )
    geometry = spec["$geometry"]
    shape = _query_geometry(geometry, operator)
    if len(shape.points) != 1 or shape.lines or shape.polygons or geometry.get("type") != "Point":
        raise _invalid(f"{operator} requires a point, given {bson_repr(geometry)}")
    low = _non_negative(spec["$minDistance"], "$minDistance") if "$minDistance" in spec else 0.0
    high = (
        _non_negative(spec["$maxDistance"], "$maxDistance") if "$maxDistance" in spec else math.inf
    )
    return NearSpec(shape.points[0], low, high)


def compile_geo_test(operator: str, operand: Any) -> Callable[[Any], bool]:
    """A test on one stored field value for a geo query operator."""
    if operator in ("$nearSphere", "$near"):
        return parse_near(operator, operand).accepts
    if operator == "$geoIntersects":
        spec = _operand_document(operand, operator, ("$geometry",))
        query_shape = _query_geometry(spec["$geometry"], operator)
        return lambda value: any(intersects(s, query_shape) for s in stored_shapes(value))
    spec = _operand_document(operand, operator, ("$centerSphere", "$geometry"))
    if len(spec) != 1:
        raise _invalid(
            f"$geoWithin takes exactly one of $geometry or $centerSphere, got {bson_repr(dict(spec))}"
        )
    if "$centerSphere" in spec:
        return _center_sphere_test(spec["$centerSphere"])
    geometry = spec["$geometry"]
    region = _query_geometry(geometry, operator)
    if region.points or region.lines or not region.polygons:
        raise _invalid(f"$geoWithin not supported with provided geometry: {bson_repr(geometry)}")
    polygons = region.polygons
    return lambda value: any(within_polygons(s, polygons) for s in stored_shapes(value))


def _center_sphere_test(operand: Any) -> Callable[[Any], bool]:
    if not isinstance(operand, list) or len(operand) != 2:
        raise _invalid(
            f"$centerSphere needs [[lng, lat], radiusInRadians], got {bson_repr(operand)}"
        )
    try:
        center = _position(operand[0])
    except GeometryError as exc:
        raise _invalid(f"$centerSphere: invalid center: {exc}") from None
    radius_m = _non_negative(operand[1], "$centerSphere radius") * EARTH_RADIUS_M
    return lambda value: any(within_cap(s, center, radius_m) for s in stored_shapes(value))


__all__ = [
    "EARTH_RADIUS_M",
    "GEO_QUERY_OPERATORS",
    "GeometryError",
    "NearSpec",
    "Shape",
    "compile_geo_test",
    "distance_m",
    "distance_to_shape",
    "intersects",
    "on_segment",
    "parse_geojson",
    "parse_near",
    "point_in_polygon",
    "segments_intersect",
    "stored_shapes",
    "within_cap",
    "within_polygons",
]
