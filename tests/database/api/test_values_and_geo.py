"""Special values (sdk.md §3.9): Geo types, RegExp, and the isolation of stored data."""

from __future__ import annotations

import threading
from decimal import Decimal

import pytest

from pytest_wxcloud import CloudSDKError
from pytest_wxcloud.database.values import Point


def ids(result):  # type: ignore[no-untyped-def]
    return sorted(d["_id"] for d in result["data"])


@pytest.fixture
def places(cloud, db):  # type: ignore[no-untyped-def]
    Geo = db.Geo
    cloud.seed(
        {
            "places": [
                {"_id": "canton_tower", "loc": Geo.Point(113.3245, 23.1064)},
                {"_id": "baiyun_airport", "loc": Geo.Point(113.2988, 23.3924)},
                {"_id": "shenzhen", "loc": Geo.Point(114.0579, 22.5431)},
            ]
        }
    )
    return db.collection("places")


def test_points_read_back_as_point_objects(places):
    loc = places.doc("canton_tower").get()["data"]["loc"]
    assert isinstance(loc, Point)
    assert loc == Point(113.3245, 23.1064)
    assert loc.to_geojson() == {"type": "Point", "coordinates": [113.3245, 23.1064]}


def test_geo_near_filters_by_spherical_distance_and_sorts_nearest_first(db, places):
    _ = db.command
    near = places.where(
        {"loc": _.geo_near(geometry=db.Geo.Point(113.33, 23.11), max_distance=40_000)}
    ).get()
    assert [d["_id"] for d in near["data"]] == ["canton_tower", "baiyun_airport"]
    far_only = places.where(
        {"loc": _.geo_near(geometry=db.Geo.Point(113.33, 23.11), min_distance=50_000)}
    ).get()
    assert ids(far_only) == ["shenzhen"]


def test_geo_within_polygon_and_center_sphere(db, places):
    _ = db.command
    Geo = db.Geo
    guangzhou = Geo.Polygon(
        [
            Geo.LineString(
                [
                    Geo.Point(113.0, 23.0),
                    Geo.Point(113.6, 23.0),
                    Geo.Point(113.6, 23.5),
                    Geo.Point(113.0, 23.5),
                    Geo.Point(113.0, 23.0),
                ]
            )
        ]
    )
    assert ids(places.where({"loc": _.geo_within(geometry=guangzhou)}).get()) == [
        "baiyun_airport",
        "canton_tower",
    ]
    radius = 10_000 / 6378100  # 10 km in radians
    assert ids(
        places.where({"loc": _.geo_within(center_sphere=[Geo.Point(113.32, 23.10), radius])}).get()
    ) == ["canton_tower"]


def test_geo_intersects(db, places):
    _ = db.command
    Geo = db.Geo
    box = Geo.Polygon(
        [
            Geo.LineString(
                [
                    Geo.Point(114, 22),
                    Geo.Point(115, 22),
                    Geo.Point(115, 23),
                    Geo.Point(114, 23),
                    Geo.Point(114, 22),
                ]
            )
        ]
    )
    assert ids(places.where({"loc": _.geo_intersects(geometry=box)}).get()) == ["shenzhen"]


def test_geo_constructors_validate_like_the_sdk(db):
    with pytest.raises(TypeError, match="longitude should be a number ranges from -180 to 180"):
        db.Geo.Point(200, 10)
    with pytest.raises(TypeError, match="latitude should be a number ranges from -90 to 90"):
        db.Geo.Point(10, 100)
    with pytest.raises(TypeError, match='"geometry" must be of type Point'):
        db.command.geo_near(geometry={"type": "Point", "coordinates": [1, 2]})  # type: ignore[arg-type]


def test_stored_data_is_isolated_from_callers(cloud, db):
    cloud.seed({"c": []})
    data = {"tags": ["a"], "meta": {"n": 1}}
    doc_id = db.collection("c").add(data=data)["_id"]
    data["tags"].append("mutated")
    data["meta"]["n"] = 99
    got = db.collection("c").doc(doc_id).get()["data"]
    assert got == {"_id": doc_id, "tags": ["a"], "meta": {"n": 1}}
    got["tags"].append("mutated-again")
    got["meta"]["n"] = 100
    assert db.collection("c").doc(doc_id).get()["data"] == {
        "_id": doc_id,
        "tags": ["a"],
        "meta": {"n": 1},
    }
    dumped = cloud.dump("c")
    dumped[0]["tags"].clear()
    assert cloud.dump("c")[0]["tags"] == ["a"]


@pytest.mark.parametrize(
    ("bad", "named"),
    [
        ({"$set": 1}, "$set"),
        ({"a.b": 1}, "a.b"),
        ({"ok": {"$bad": 1}}, "$bad"),
        ({"x": {1, 2}}, "set"),
        ({"x": Decimal("1.5")}, "Decimal"),
        ({"x": 2**70}, "64 bits"),
        ({"x": b"bytes"}, "bytes"),
    ],
)
def test_unstorable_documents_are_rejected_naming_the_value(cloud, db, bad, named):
    cloud.seed({"c": [{"_id": "keep", "v": 1}]})
    with pytest.raises(CloudSDKError) as info:
        db.collection("c").add(data=bad)
    assert info.value.err_code == -501007
    assert named in info.value.err_msg
    assert cloud.dump("c") == [{"_id": "keep", "v": 1}]


def test_documents_over_16mb_are_rejected(cloud, db):
    cloud.seed({"c": []})
    with pytest.raises(CloudSDKError, match="16 MB"):
        db.collection("c").add(data={"blob": "x" * (16 * 1024 * 1024 + 1)})
    assert cloud.dump("c") == []


def test_concurrent_increments_from_threads_are_not_lost(cloud, db):
    _ = db.command
    cloud.seed({"counter": [{"_id": "c", "n": 0}]})

    def bump() -> None:
        for _i in range(200):
            cloud.database().collection("counter").doc("c").update(data={"n": _.inc(1)})

    threads = [threading.Thread(target=bump) for _t in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert db.collection("counter").doc("c").get()["data"]["n"] == 800
