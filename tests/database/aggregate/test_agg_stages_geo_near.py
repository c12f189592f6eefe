"""$geoNear: nearest first, distances in metres, the query option, and its placement rule."""

from __future__ import annotations

import pytest
from agg_helpers import fails, run

SHOPS = [
    {"_id": "far", "loc": {"type": "Point", "coordinates": [113.5, 23.0]}, "open": True},
    {"_id": "near", "loc": {"type": "Point", "coordinates": [113.001, 23.0]}, "open": True},
    {"_id": "closed", "loc": {"type": "Point", "coordinates": [113.002, 23.0]}, "open": False},
    {"_id": "nowhere", "open": True},
]
HERE = {"type": "Point", "coordinates": [113.0, 23.0]}


def test_nearest_first_with_distance_in_metres() -> None:
    out = run([{"$geoNear": {"near": HERE, "distanceField": "d", "spherical": True}}], SHOPS)
    assert [d["_id"] for d in out] == ["near", "closed", "far"]  # no location: not in the index
    assert out[0]["d"] == pytest.approx(102.4, abs=0.5)  # 0.001° of longitude at 23°N
    assert out[2]["d"] == pytest.approx(51_230, rel=0.01)


def test_query_max_distance_multiplier_and_include_locs() -> None:
    stage = {
        "$geoNear": {
            "near": HERE,
            "distanceField": "dist.km",
            "maxDistance": 1000,
            "query": {"open": True},
            "distanceMultiplier": 0.001,
            "includeLocs": "where",
        }
    }
    out = run([stage], SHOPS)
    assert [d["_id"] for d in out] == ["near"]
    assert out[0]["dist"]["km"] == pytest.approx(0.1024, abs=0.001)
    assert out[0]["where"] == SHOPS[1]["loc"]


def test_min_distance_and_explicit_key() -> None:
    docs = [dict(s, home=s.get("loc")) for s in SHOPS]  # two geometry fields: key decides
    fails(
        lambda: run([{"$geoNear": {"near": HERE, "distanceField": "d"}}], docs),
        "more than one 2dsphere index",
    )
    out = run(
        [{"$geoNear": {"near": HERE, "distanceField": "d", "key": "home", "minDistance": 150}}],
        docs,
    )
    assert [d["_id"] for d in out] == ["closed", "far"]


def test_geo_near_must_be_first_and_needs_distance_field() -> None:
    fails(
        lambda: run([{"$match": {}}, {"$geoNear": {"near": HERE, "distanceField": "d"}}], SHOPS),
        "only valid as the first stage",
    )
    fails(lambda: run([{"$geoNear": {"near": HERE}}], SHOPS), "requires a 'distanceField'")
    fails(
        lambda: run([{"$geoNear": {"near": [113, 23], "distanceField": "d"}}], SHOPS),
        "GeoJSON point",
    )
    fails(
        lambda: run([{"$geoNear": {"near": HERE, "distanceField": "d"}}], [{"_id": 1}]),
        "requires a 2d or 2dsphere index",
    )
