"""The behaviours a naive fake gets wrong (sdk.md §8 items 1–7, 9, 12, 13), one test each or more."""

from __future__ import annotations

import warnings
from datetime import datetime, timedelta, timezone

import pytest

from pytest_wxcloud import WxCloud
from pytest_wxcloud.database.api import RemoveOptionsWarning
from pytest_wxcloud.database.serialize import OrMergeWarning
from pytest_wxcloud.database.values import MISSING


def ids(result):  # type: ignore[no-untyped-def]
    return sorted(d["_id"] for d in result["data"])


# --- 1. nested objects in where are dot paths -------------------------------------------------


def test_nested_where_is_a_path_match_not_subdocument_equality(books):
    assert ids(books.where({"author": {"name": "Liu"}}).get()) == ["b3"]
    assert ids(books.where({"author.name": "Liu"}).get()) == ["b3"]


def test_exact_subdocument_needs_eq(db, books):
    _ = db.command
    assert ids(books.where({"author": _.eq({"name": "Liu"})}).get()) == []
    assert ids(books.where({"author": _.eq({"name": "Liu", "born": 1963})}).get()) == ["b3"]


def test_empty_nested_object_drops_the_condition(books):
    assert ids(books.where({"author": {}, "price": 20}).get()) == ["b4"]
    assert len(books.where({"author": {}}).get()["data"]) == 4


def test_missing_values_are_dropped_and_all_missing_is_rejected(books):
    assert ids(books.where({"price": 20, "owner": MISSING}).get()) == ["b4"]
    with pytest.raises(ValueError, match="查询参数对象值不能均为undefined"):
        books.where({"owner": MISSING})


def test_none_matches_null_or_missing(cloud, db):
    cloud.seed({"c": [{"_id": "1", "x": None}, {"_id": "2"}, {"_id": "3", "x": 0}]})
    assert ids(db.collection("c").where({"x": None}).get()) == ["1", "2"]


# --- 2. update merges nested objects, _.set replaces ----------------------------------------


def test_plain_nested_update_merges(books):
    books.doc("b1").update(data={"author": {"born": 1724}})
    assert books.doc("b1").get()["data"]["author"] == {"name": "Cao", "born": 1724}


def test_command_set_replaces(db, books):
    _ = db.command
    books.doc("b1").update(data={"author": _.set({"born": 1724})})
    assert books.doc("b1").get()["data"]["author"] == {"born": 1724}


def test_set_replaces_whole_document_and_upserts(books):
    books.doc("b2").set(data={"title": "JttW"})
    assert books.doc("b2").get()["data"] == {"_id": "b2", "title": "JttW"}
    books.doc("b9").set(data={"title": "New"})
    assert books.doc("b9").get()["data"] == {"_id": "b9", "title": "New"}
    assert len(books.get()["data"]) == 5


def test_empty_nested_update_object_vanishes(books):
    before = books.doc("b1").get()["data"]
    books.doc("b1").update(data={"author": {}, "price": 31})
    after = books.doc("b1").get()["data"]
    assert after == {**before, "price": 31}


# --- 3. arrays ---------------------------------------------------------------------------


@pytest.fixture
def numbers(cloud, db):  # type: ignore[no-untyped-def]
    cloud.seed(
        {
            "n": [
                {"_id": "a", "numbers": [10, 20, 30]},
                {"_id": "b", "numbers": [20]},
                {"_id": "c", "numbers": 20},
            ]
        }
    )
    return db.collection("n")


def test_scalar_matches_any_element(numbers):
    assert ids(numbers.where({"numbers": 20}).get()) == ["a", "b", "c"]


def test_array_literal_is_exact(numbers):
    assert ids(numbers.where({"numbers": [20]}).get()) == ["b"]
    assert ids(numbers.where({"numbers": [10, 20, 30]}).get()) == ["a"]


def test_index_path(numbers):
    assert ids(numbers.where({"numbers.1": 20}).get()) == ["a"]


def test_comparison_matches_if_any_element_does(db, numbers):
    _ = db.command
    assert ids(numbers.where({"numbers": _.gt(25)}).get()) == ["a"]


def test_dotted_update_addresses_array_index(db, numbers):
    numbers.doc("a").update(data={"numbers.0": 11})
    assert numbers.doc("a").get()["data"]["numbers"] == [11, 20, 30]


def test_add_to_set_with_a_list_adds_one_element(db, numbers):
    _ = db.command
    numbers.doc("b").update(data={"numbers": _.add_to_set([1, 2])})
    assert numbers.doc("b").get()["data"]["numbers"] == [20, [1, 2]]
    numbers.doc("b").update(data={"numbers": _.add_to_set({"$each": [20, 3]})})
    assert numbers.doc("b").get()["data"]["numbers"] == [20, [1, 2], 3]


def test_push_forms(db, numbers):
    _ = db.command
    numbers.doc("b").update(data={"numbers": _.push(1)})
    numbers.doc("b").update(data={"numbers": _.push([2, 3])})
    numbers.doc("b").update(data={"numbers": _.push(4, 5)})
    numbers.doc("b").update(data={"numbers": _.push(each=[0], position=0)})
    numbers.doc("b").update(data={"numbers": _.push(each=[], sort=-1, slice=3)})
    assert numbers.doc("b").get()["data"]["numbers"] == [20, 5, 4]


def test_unshift_pop_shift(db, numbers):
    _ = db.command
    numbers.doc("a").update(data={"numbers": _.unshift(1, 2)})
    assert numbers.doc("a").get()["data"]["numbers"] == [1, 2, 10, 20, 30]
    numbers.doc("a").update(data={"numbers": _.pop()})
    numbers.doc("a").update(data={"numbers": _.shift()})
    assert numbers.doc("a").get()["data"]["numbers"] == [2, 10, 20]


def test_push_of_a_dict_without_each_pushes_the_dict(db, numbers):
    _ = db.command
    numbers.doc("b").update(data={"numbers": _.push({"x": 1})})
    assert numbers.doc("b").get()["data"]["numbers"] == [20, {"x": 1}]


# --- 4. limits ---------------------------------------------------------------------------


@pytest.fixture
def many(cloud, db):  # type: ignore[no-untyped-def]
    cloud.seed({"many": [{"_id": f"{i:05d}", "i": i} for i in range(1500)]})
    return db.collection("many")


def test_default_limit_is_100_and_limit_0_means_default(many):
    assert len(many.get()["data"]) == 100
    assert len(many.limit(0).get()["data"]) == 100


def test_limit_is_clamped_silently_to_1000(many):
    assert len(many.limit(5000).get()["data"]) == 1000


def test_negative_limit_is_passed_through_and_read_as_its_absolute_value(many):
    # the SDK sends it as-is; MongoDB reads a negative limit as its absolute value
    assert [d["i"] for d in many.order_by("i", "asc").limit(-3).get()["data"]] == [0, 1, 2]


def test_skip_applies_after_sort(many):
    page = many.skip(10).order_by("i", "desc").limit(3).get()["data"]
    assert [d["i"] for d in page] == [1489, 1488, 1487]


# --- 5. where replaces, orderBy accumulates, count/remove ignore modifiers -------------------


def test_where_where_replaces(books):
    assert ids(books.where({"price": 20}).where({"price": 45}).get()) == ["b3"]


def test_order_by_accumulates_first_position_last_direction(cloud, db):
    cloud.seed({"o": [{"_id": str(i), "a": i % 2, "b": i} for i in range(4)]})
    query = db.collection("o").order_by("a", "asc").order_by("b", "desc").order_by("a", "desc")
    assert [d["_id"] for d in query.get()["data"]] == ["3", "1", "2", "0"]


def test_count_ignores_skip_and_limit(books):
    assert books.skip(3).limit(1).count()["total"] == 4


def test_remove_ignores_modifiers_and_warns(books):
    with pytest.warns(RemoveOptionsWarning):
        result = books.where({"tags": "classic"}).limit(1).remove()
    assert result["stats"]["removed"] == 2


def test_update_ignores_limit_and_multi_false_affects_one(books):
    assert books.where({"tags": "classic"}).limit(1).update(data={"x": 1})["stats"]["updated"] == 2
    assert (
        books.where({"tags": "classic"}).update(data={"y": 1}, multi=False)["stats"]["updated"] == 1
    )


def test_collection_update_without_where_updates_everything(books):
    assert books.update(data={"seen": True})["stats"]["updated"] == 4


# --- 9. the OR-merge bug -------------------------------------------------------------------


def test_two_field_level_ors_become_one_flat_or_and_warn(cloud, db):
    _ = db.command
    cloud.seed(
        {
            "p": [
                {"_id": "1", "a": 1, "b": 9},
                {"_id": "2", "a": 9, "b": 3},
                {"_id": "3", "a": 9, "b": 9},
                {"_id": "4", "a": 1, "b": 3},
            ]
        }
    )
    with pytest.warns(OrMergeWarning):
        found = (
            db.collection("p").where({"a": _.eq(1).or_(_.eq(2)), "b": _.eq(3).or_(_.eq(4))}).get()
        )
    # production ORs all four branches: anything with a in (1,2) OR b in (3,4)
    assert ids(found) == ["1", "2", "4"]
    # the intended AND of two ORs, written the way that works
    intended = (
        db.collection("p")
        .where(_.and_([{"a": _.eq(1).or_(_.eq(2))}, {"b": _.eq(3).or_(_.eq(4))}]))
        .get()
    )
    assert ids(intended) == ["4"]


def test_field_level_and_chain(db, books):
    _ = db.command
    assert ids(books.where({"price": _.gt(20).and_(_.lt(40))}).get()) == ["b1", "b2"]
    assert ids(books.where({"price": _.gt(40).or_(_.lt(21))}).get()) == ["b3", "b4"]


def test_single_or_does_not_warn(db, books):
    _ = db.command
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        books.where({"price": _.gt(40).or_(_.lt(21)), "tags": "scifi"}).get()


# --- 12. dates and server time ----------------------------------------------------------------


def test_dates_come_back_as_aware_datetimes_with_ms_precision(cloud, db):
    cloud.seed({"e": []})
    moment = datetime(2024, 1, 2, 3, 4, 5, 678999, tzinfo=timezone(timedelta(hours=8)))
    doc_id = db.collection("e").add(data={"at": moment})["_id"]
    stored = db.collection("e").doc(doc_id).get()["data"]["at"]
    assert stored == datetime(2024, 1, 1, 19, 4, 5, 678000, tzinfo=timezone.utc)
    assert stored.tzinfo == timezone.utc


def test_server_date_resolves_at_write_time_from_the_cloud_clock(cloud, db):
    cloud.seed({"e": []})
    first = db.collection("e").add(data={"at": db.server_date()})["_id"]
    cloud.clock.advance(timedelta(hours=1))
    second = db.collection("e").add(data={"at": db.server_date(offset=60_000)})["_id"]
    assert db.collection("e").doc(first).get()["data"]["at"] == datetime(
        2024, 5, 1, 8, 30, tzinfo=timezone.utc
    )
    assert db.collection("e").doc(second).get()["data"]["at"] == datetime(
        2024, 5, 1, 9, 31, tzinfo=timezone.utc
    )


def test_server_date_in_queries_uses_the_clock_at_execution(cloud, db):
    _ = db.command
    cloud.seed({"e": [{"_id": "past", "at": datetime(2024, 5, 1, tzinfo=timezone.utc)}]})
    query = db.collection("e").where({"at": _.lt(db.server_date(offset=-3_600_000))})
    assert ids(query.get()) == ["past"]
    cloud.clock.freeze(datetime(2024, 4, 30, tzinfo=timezone.utc))
    assert ids(query.get()) == []


def test_dates_never_compare_with_strings_or_numbers(cloud, db):
    _ = db.command
    cloud.seed(
        {
            "e": [
                {"_id": "date", "at": datetime(2024, 1, 1, tzinfo=timezone.utc)},
                {"_id": "string", "at": "2024-01-01"},
                {"_id": "ms", "at": 1704067200000},
            ]
        }
    )
    found = db.collection("e").where({"at": _.gte(datetime(2023, 1, 1, tzinfo=timezone.utc))}).get()
    assert ids(found) == ["date"]


# --- 13. _openid is not injected server side ---------------------------------------------------


def test_server_side_add_stores_exactly_what_it_is_given(cloud, db):
    cloud.seed({"c": []})
    doc_id = db.collection("c").add(data={"a": 1})["_id"]
    assert db.collection("c").doc(doc_id).get()["data"] == {"_id": doc_id, "a": 1}


# --- sort order across types -------------------------------------------------------------------


def test_order_by_mixed_types_follows_bson_order():
    cloud = WxCloud()
    cloud.seed(
        {
            "m": [
                {"_id": "bool", "v": True},
                {"_id": "date", "v": datetime(2020, 1, 1, tzinfo=timezone.utc)},
                {"_id": "str", "v": "abc"},
                {"_id": "num", "v": 3},
                {"_id": "null", "v": None},
                {"_id": "missing"},
                {"_id": "obj", "v": {"a": 1}},
                {"_id": "arr", "v": [5]},
            ]
        }
    )
    order = [d["_id"] for d in cloud.database().collection("m").order_by("v", "asc").get()["data"]]
    # arrays sort by their smallest element (5: a number); null and missing tie, insertion order kept
    assert order == ["null", "missing", "num", "arr", "str", "obj", "bool", "date"]


@pytest.mark.parametrize("every", [1, 7, 500, 5000])
def test_limited_reads_return_the_first_matches_in_insertion_order(cloud, db, every):
    # whatever the selectivity, a limited read without order_by returns the first matches
    cloud.seed({"seq": [{"_id": f"{i:06d}", "hit": i % every == 0} for i in range(12_000)]})
    expected = [f"{i:06d}" for i in range(12_000) if i % every == 0][:150]
    got = db.collection("seq").where({"hit": True}).limit(150).get()["data"]
    assert [d["_id"] for d in got] == expected
    assert db.collection("seq").where({"hit": True}).skip(3).limit(2).get()["data"] == [
        {"_id": i, "hit": True} for i in expected[3:5]
    ]
