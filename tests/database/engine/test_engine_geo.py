"""Geo queries on GeoJSON: geoNear ($nearSphere), geoWithin, geoIntersects (sdk.md §3.7)."""

from __future__ import annotations

import math
from typing import Any

import pytest

from pytest_wxcloud.database.geo import distance_m
from pytest_wxcloud.database.matching import compile_query, near_sort_key
from pytest_wxcloud.errors import DatabaseError, UnknownOperatorError

METRES_PER_DEGREE = 6378100 * math.pi / 180  # MongoDB's Earth radius


def point(lng: float, lat: float) -> dict[str, Any]:
    return {"type": "Point", "coordinates": [lng, lat]}


def square(lng: float, lat: float, size: float) -> dict[str, Any]:
    ring = [[lng, lat], [lng + size, lat], [lng + size, lat + size], [lng, lat + size], [lng, lat]]
    return {"type": "Polygon", "coordinates": [ring]}


# shops along the equator-ish grid near Guangzhou; 0.001° of latitude ≈ 111 m
SHOPS: list[dict[str, Any]] = [
    {"_id": "here", "location": point(113.3, 23.1)},
    {"_id": "100m", "location": point(113.3, 23.1 + 100 / METRES_PER_DEGREE)},
    {"_id": "1km", "location": point(113.3, 23.1 + 1000 / METRES_PER_DEGREE)},
    {"_id": "legacy", "location": [113.3, 23.1 + 5000 / METRES_PER_DEGREE]},
    {"_id": "no-location"},
    {"_id": "not-geo", "location": "Tianhe"},
]


def ids(query: dict[str, Any], docs: Any = SHOPS) -> list[Any]:
    predicate = compile_query(query)
    return [d["_id"] for d in docs if predicate(d)]


def test_distance_uses_mongodb_earth_radius() -> None:
    assert distance_m((113.0, 23.0), (113.0, 24.0)) == pytest.approx(METRES_PER_DEGREE)
    assert distance_m((0.0, 0.0), (180.0, 0.0)) == pytest.approx(math.pi * 6378100)


def test_near_sphere_filters_by_max_and_min_distance_in_metres() -> None:
    near = {"$geometry": point(113.3, 23.1), "$maxDistance": 1500}
    assert ids({"location": {"$nearSphere": near}}) == ["here", "100m", "1km"]
    near = {"$geometry": point(113.3, 23.1), "$maxDistance": 1500, "$minDistance": 50}
    assert ids({"location": {"$nearSphere": near}}) == ["100m", "1km"]
    assert ids({"location": {"$nearSphere": {"$geometry": point(113.3, 23.1)}}}) == [
        "here", "100m", "1km", "legacy",
    ]  # fmt: skip


def test_near_sort_key_orders_nearest_first() -> None:
    query = {
        "location": {"$nearSphere": {"$geometry": point(113.3, 23.1 + 6000 / METRES_PER_DEGREE)}}
    }
    key = near_sort_key(query)
    assert key is not None
    matches = [d for d in SHOPS if compile_query(query)(d)]
    assert [d["_id"] for d in sorted(matches, key=key)] == ["legacy", "1km", "100m", "here"]
    assert key(SHOPS[2]) == pytest.approx(5000, abs=0.01)


def test_near_sort_key_is_found_inside_and_and_absent_otherwise() -> None:
    near = {"location": {"$near": {"$geometry": point(113.3, 23.1 + 6000 / METRES_PER_DEGREE)}}}
    key = near_sort_key({"$and": [{"open": True}, near]})
    assert key is not None
    assert [d["_id"] for d in sorted(SHOPS[:4], key=key)] == ["legacy", "1km", "100m", "here"]
    assert (
        near_sort_key({"location": {"$geoWithin": {"$centerSphere": [[113.3, 23.1], 0.1]}}}) is None
    )


def test_near_is_refused_inside_or() -> None:
    with pytest.raises(DatabaseError, match="not allowed inside"):
        compile_query({"$or": [{"location": {"$nearSphere": {"$geometry": point(1, 1)}}}]})


def test_geo_within_polygon() -> None:
    area = square(113.299, 23.099, 0.002)  # about 220 m wide around "here" and "100m"
    assert ids({"location": {"$geoWithin": {"$geometry": area}}}) == ["here", "100m"]


def test_geo_within_multipolygon_and_polygon_with_hole() -> None:
    far = square(114.0, 22.0, 0.01)
    multi = {
        "type": "MultiPolygon",
        "coordinates": [square(113.299, 23.099, 0.0025)["coordinates"], far["coordinates"]],
    }
    assert ids({"location": {"$geoWithin": {"$geometry": multi}}}) == ["here", "100m"]
    outer = square(113.29, 23.09, 0.1)["coordinates"][0]
    hole = square(113.2995, 23.0995, 0.002)["coordinates"][0]
    donut = {"type": "Polygon", "coordinates": [outer, hole]}
    assert ids({"location": {"$geoWithin": {"$geometry": donut}}}) == ["1km", "legacy"]


def test_geo_within_center_sphere_radius_in_radians() -> None:
    radians = 1200 / 6378100
    query = {"location": {"$geoWithin": {"$centerSphere": [[113.3, 23.1], radians]}}}
    assert ids(query) == ["here", "100m", "1km"]


def test_geo_within_needs_whole_shape_inside() -> None:
    road = {"type": "LineString", "coordinates": [[113.3, 23.1], [113.4, 23.1]]}
    docs = [{"_id": "road", "location": road}]
    assert ids({"location": {"$geoWithin": {"$geometry": square(113.29, 23.09, 0.05)}}}, docs) == []
    assert ids({"location": {"$geoWithin": {"$geometry": square(113.29, 23.09, 0.2)}}}, docs) == [
        "road"
    ]


def test_geo_intersects_point_line_polygon() -> None:
    road = {"type": "LineString", "coordinates": [[113.0, 23.0], [114.0, 24.0]]}
    park = square(113.4, 23.0, 0.2)
    lake = square(113.45, 23.05, 0.05)
    docs = [
        {"_id": "on-road", "location": point(113.5, 23.5)},
        {"_id": "off-road", "location": point(113.5, 23.6)},
        {"_id": "park", "location": park},
        {"_id": "lake", "location": lake},
        {
            "_id": "crossing",
            "location": {"type": "LineString", "coordinates": [[113.0, 24.0], [114.0, 23.0]]},
        },
    ]
    assert ids({"location": {"$geoIntersects": {"$geometry": road}}}, docs) == [
        "on-road",
        "crossing",
    ]
    # the lake lies inside the park: polygons intersect even with no crossing edges
    assert ids({"location": {"$geoIntersects": {"$geometry": park}}}, docs) == ["park", "lake"]
    assert ids({"location": {"$geoIntersects": {"$geometry": point(113.5, 23.5)}}}, docs) == [
        "on-road", "crossing",
    ]  # fmt: skip
    multipoint = {"type": "MultiPoint", "coordinates": [[113.46, 23.06], [0, 0]]}
    assert ids({"location": {"$geoIntersects": {"$geometry": multipoint}}}, docs) == [
        "park",
        "lake",
    ]


@pytest.mark.parametrize(
    ("geometry", "message"),
    [
        ({"type": "Point", "coordinates": [200, 0]}, "longitude/latitude is out of bounds"),
        ({"type": "Point", "coordinates": ["a", 0]}, "Point must only contain numeric elements"),
        ({"type": "Polygon", "coordinates": [[[0, 0], [1, 0], [1, 1], [0, 1]]]}, "Loop is not closed"),
        ({"type": "Polygon", "coordinates": [[[0, 0], [1, 0], [0, 0]]]}, "Loop must have at least 3 different vertices"),
        ({"type": "LineString", "coordinates": [[0, 0]]}, "LineString must have at least 2 vertices"),
        ({"type": "Circle", "coordinates": [0, 0]}, "unknown GeoJSON type"),
    ],
)  # fmt: skip
def test_malformed_geometry_is_rejected(geometry: dict[str, Any], message: str) -> None:
    with pytest.raises(DatabaseError) as caught:
        compile_query({"location": {"$geoIntersects": {"$geometry": geometry}}})
    assert caught.value.err_code == -502001
    assert message in caught.value.detail


def test_operator_operand_errors() -> None:
    with pytest.raises(DatabaseError, match="requires a point"):
        compile_query({"l": {"$nearSphere": {"$geometry": square(0, 0, 1)}}})
    with pytest.raises(DatabaseError, match="\\$maxDistance must be non-negative"):
        compile_query({"l": {"$nearSphere": {"$geometry": point(0, 0), "$maxDistance": -1}}})
    with pytest.raises(DatabaseError, match="\\$geoWithin not supported with provided geometry"):
        compile_query({"l": {"$geoWithin": {"$geometry": point(0, 0)}}})
    with pytest.raises(UnknownOperatorError) as caught:
        compile_query({"l": {"$geoWithin": {"$box": [[0, 0], [1, 1]]}}})
    assert caught.value.operator == "$box"
