"""db.command.aggregate ($) and the immutable collection.aggregate() builder (SDK shapes)."""

from __future__ import annotations

from datetime import datetime, timezone
from typing import Any

import pytest

from pytest_wxcloud import WxCloud
from pytest_wxcloud.database.aggregate import Aggregate, AggregateCommands
from pytest_wxcloud.database.aggregate.builder import OPERATORS
from pytest_wxcloud.database.values import Point
from pytest_wxcloud.errors import SDKTypeError

UTC = timezone.utc
NOW = datetime(2024, 5, 1, tzinfo=UTC)

S = AggregateCommands()


class RecordingDatabase:
    """Stands in for the database: records what end() would run."""

    def __init__(self) -> None:
        self.calls: list[tuple[str, list[dict[str, Any]]]] = []

    def _now(self) -> datetime:
        return NOW

    def _execute_aggregate(self, collection: str, stages: list[dict[str, Any]]) -> dict[str, Any]:
        self.calls.append((collection, stages))
        return {"list": [], "errMsg": "collection.aggregate:ok"}


def test_operators_build_plain_dicts_like_the_sdk() -> None:
    assert S.sum("$price") == {"$sum": "$price"}
    assert S.neq(["$a", 1]) == {"$ne": ["$a", 1]}
    assert S.and_([{"$gt": ["$a", 1]}]) == {"$and": [{"$gt": ["$a", 1]}]}
    assert S.in_(["$a", [1, 2]]) == {"$in": ["$a", [1, 2]]}
    assert S.concat_arrays(["$a", "$b"]) == {"$concatArrays": ["$a", "$b"]}
    assert S.date_to_string({"date": "$d"}) == {"$dateToString": {"date": "$d"}}
    assert S.index_of_cp(["$s", "x"]) == {"$indexOfCP": ["$s", "x"]}
    assert S.std_dev_pop("$v") == {"$stdDevPop": "$v"}
    assert S.let({"vars": {}, "in": 1}) == {"$let": {"vars": {}, "in": 1}}


def test_every_runtime_operator_of_the_reference_is_there_and_evaluable() -> None:
    from pytest_wxcloud.database.aggregate.accumulators import ACCUMULATORS
    from pytest_wxcloud.database.aggregate.registry import OPERATORS as ENGINE

    assert len(OPERATORS) == 92
    for py_name, key in OPERATORS.items():
        assert getattr(S, py_name)(1) == {key: 1}
        assert key in ENGINE or key in ACCUMULATORS, key


@pytest.mark.parametrize(
    ("name", "js"),
    [
        ("to_int", "toInt"),
        ("trim", "trim"),
        ("date_to_parts", "dateToParts"),
        ("type", "type"),
        ("to_object_id", "toObjectId"),
    ],
)
def test_operators_missing_at_runtime_raise_like_production(name: str, js: str) -> None:
    with pytest.raises(TypeError, match=f"db.command.aggregate.{js} is not a function"):
        getattr(S, name)("$a")
    assert getattr(S, name, None) is None  # like `undefined` in JavaScript


def test_to_string_is_object_prototype_to_string() -> None:
    assert S.to_string("$a") == "[object Object]"


def test_unknown_operator_suggests_close_names() -> None:
    with pytest.raises(AttributeError, match="'concatArrays'.*concat_arrays"):
        S.concatArrays  # noqa: B018


def test_pipeline_done_returns_mongodb_stages() -> None:
    from pytest_wxcloud.database.commands import Command

    _ = Command()
    sub = (
        S.pipeline().match({"stock": _.gt(0), "meta": {"kind": "pen"}}).project({"name": 1}).done()
    )
    assert sub == [{"$match": {"stock": {"$gt": 0}, "meta.kind": "pen"}}, {"$project": {"name": 1}}]


def test_builder_is_immutable_and_end_runs_the_stages() -> None:
    db = RecordingDatabase()
    base = Aggregate(db, "orders")
    grouped = base.group({"_id": "$item", "n": S.sum(1)})
    limited = grouped.limit(5)
    assert base.stages == [] and len(grouped.stages) == 1 and len(limited.stages) == 2
    assert limited.end() == {"list": [], "errMsg": "collection.aggregate:ok"}
    assert db.calls == [("orders", [{"$group": {"_id": "$item", "n": {"$sum": 1}}}, {"$limit": 5}])]


def test_keyword_and_dict_forms_of_object_stages_are_the_same() -> None:
    db = RecordingDatabase()
    by_kw = Aggregate(db, "o").lookup(
        from_="p", local_field="pid", foreign_field="_id", as_="product"
    )
    by_dict = Aggregate(db, "o").lookup(
        {"from": "p", "localField": "pid", "foreignField": "_id", "as": "product"}
    )
    assert (
        by_kw.stages
        == by_dict.stages
        == [{"$lookup": {"from": "p", "localField": "pid", "foreignField": "_id", "as": "product"}}]
    )
    assert Aggregate(db, "o").unwind(path="$a", preserve_null_and_empty_arrays=True).stages == [
        {"$unwind": {"path": "$a", "preserveNullAndEmptyArrays": True}}
    ]
    assert Aggregate(db, "o").replace_root(new_root="$x").stages == [
        {"$replaceRoot": {"newRoot": "$x"}}
    ]
    assert Aggregate(db, "o").sample(size=2).stages == [{"$sample": {"size": 2}}]
    with pytest.raises(SDKTypeError, match="not both"):
        Aggregate(db, "o").sample({"size": 1}, size=2)


def test_lookup_accepts_a_pipeline_builder_or_its_done_list() -> None:
    db = RecordingDatabase()
    sub = S.pipeline().match({"a": 1})
    one = Aggregate(db, "o").lookup(from_="p", let={"x": "$a"}, pipeline=sub, as_="r").stages
    two = Aggregate(db, "o").lookup(from_="p", let={"x": "$a"}, pipeline=sub.done(), as_="r").stages
    assert (
        one
        == two
        == [
            {
                "$lookup": {
                    "from": "p",
                    "let": {"x": "$a"},
                    "as": "r",
                    "pipeline": [{"$match": {"a": 1}}],
                }
            }
        ]
    )


def test_values_are_converted_to_stored_form() -> None:
    db = RecordingDatabase()
    stage = (
        Aggregate(db, "o")
        .match({"at": {"$gte": datetime(2024, 1, 1)}})
        .add_fields({"t": (1, 2)})
        .stages
    )
    assert stage == [
        {"$match": {"at": {"$gte": datetime(2024, 1, 1, tzinfo=UTC)}}},
        {"$addFields": {"t": [1, 2]}},
    ]


def test_geo_near_takes_a_point_and_a_where_query() -> None:
    from pytest_wxcloud.database.commands import Command

    _ = Command()
    db = RecordingDatabase()
    stages = (
        Aggregate(db, "shops")
        .geo_near(near=Point(113, 23), distance_field="d", query={"rank": _.gte(3)})
        .stages
    )
    assert stages == [
        {
            "$geoNear": {
                "near": {"type": "Point", "coordinates": [113, 23]},
                "distanceField": "d",
                "query": {"rank": {"$gte": 3}},
            }
        }
    ]


def test_query_commands_outside_match_are_rejected_with_a_hint() -> None:
    from pytest_wxcloud.database.commands import Command

    _ = Command()
    with pytest.raises(ValueError, match="use aggregation expressions"):
        Aggregate(RecordingDatabase(), "o").project({"a": _.gt(1)})


@pytest.mark.parametrize(
    "stage", ["facet", "out", "graph_lookup", "index_stats", "coll_stats", "redact"]
)
def test_stages_declared_but_missing_raise_type_error(stage: str) -> None:
    with pytest.raises(TypeError, match=r"this\._aggregate\[stage\] is not a function"):
        getattr(Aggregate(RecordingDatabase(), "o"), stage)({})


def test_unknown_stage_method_names_close_matches() -> None:
    with pytest.raises(AttributeError, match="'sortByCount'.*sort_by_count"):
        Aggregate(RecordingDatabase(), "o").sortByCount  # noqa: B018


def test_through_the_database_command() -> None:
    db = WxCloud().database()
    assert db.command.aggregate.sum("$a") == {"$sum": "$a"}
