"""Result shapes (sdk.md §3.3) and error shapes (§3.4, §7.2), exactly as user code reads them."""

from __future__ import annotations

import re

import pytest

from pytest_wxcloud import CloudSDKError, WxCloud
from pytest_wxcloud.errors import SDKUsageError

HEX32 = re.compile(r"^[0-9a-f]{32}$")


def test_get_returns_data_and_errmsg_only(books):
    result = books.where({"price": 45}).get()
    assert result == {
        "data": [
            {
                "_id": "b3",
                "title": "The Three-Body Problem",
                "price": 45,
                "tags": ["scifi"],
                "author": {"name": "Liu", "born": 1963},
            }
        ],
        "errMsg": "collection.get:ok",
    }


def test_doc_get_found_uses_document_prefix(books):
    result = books.doc("b2").get()
    assert result["errMsg"] == "document.get:ok"
    assert result["data"]["title"] == "Journey to the West"
    assert set(result) == {"data", "errMsg"}


def test_doc_get_missing_throws_errcode_minus_one(books):
    with pytest.raises(CloudSDKError) as info:
        books.doc("nope").get()
    assert info.value.err_code == -1
    assert info.value.err_msg == "document.get:fail document with _id nope does not exist"
    assert str(info.value) == info.value.err_msg


def test_throw_on_not_found_false_on_database_gives_null(cloud, books):
    db = cloud.database(throw_on_not_found=False)
    assert db.collection("books").doc("nope").get() == {"data": None, "errMsg": "document.get:ok"}


def test_database_level_flag_wins_over_cloud_default():
    cloud = WxCloud(throw_on_not_found=False)
    cloud.seed({"c": []})
    assert cloud.database().collection("c").doc("x").get()["data"] is None
    with pytest.raises(CloudSDKError):
        cloud.database(throw_on_not_found=True).collection("c").doc("x").get()


def test_count_shape(books):
    assert books.where({"tags": "classic"}).count() == {"total": 2, "errMsg": "collection.count:ok"}


def test_add_single_returns_generated_32_hex_id(db, cloud):
    cloud.seed({"todos": []})
    result = db.collection("todos").add(data={"text": "buy milk"})
    assert set(result) == {"_id", "errMsg"}
    assert result["errMsg"] == "collection.add:ok"
    assert HEX32.match(result["_id"])
    assert cloud.dump("todos") == [{"_id": result["_id"], "text": "buy milk"}]


def test_add_batch_returns_ids_in_order(db, cloud):
    cloud.seed({"todos": []})
    result = db.collection("todos").add(data=[{"n": 1}, {"_id": "mine", "n": 2}, {"n": 3}])
    assert result["errMsg"] == "collection.add:ok"
    assert result["_ids"][1] == "mine"
    assert [d["n"] for d in cloud.dump("todos")] == [1, 2, 3]
    assert [d["_id"] for d in cloud.dump("todos")] == result["_ids"]


def test_ids_are_deterministic_from_seed():
    def ids(seed: int) -> list[str]:
        cloud = WxCloud(seed=seed)
        cloud.seed({"c": []})
        return [cloud.database().collection("c").add(data={"i": i})["_id"] for i in range(3)]

    assert ids(1) == ids(1)
    assert ids(1) != ids(2)


def test_caller_id_string_or_number_kept(db, cloud):
    cloud.seed({"c": []})
    assert db.collection("c").add(data={"_id": 123, "v": 1})["_id"] == 123
    assert db.collection("c").doc(123).get()["data"] == {"_id": 123, "v": 1}
    with pytest.raises(CloudSDKError):
        db.collection("c").doc("123").get()  # "123" is not 123


def test_duplicate_id_rejected_and_nothing_written(db, cloud):
    cloud.seed({"c": [{"_id": "a", "v": 1}]})
    with pytest.raises(CloudSDKError) as info:
        db.collection("c").add(data=[{"_id": "b"}, {"_id": "a", "v": 2}])
    assert info.value.err_code == -502001
    assert info.value.err_msg.startswith(
        "collection.add:fail -502001 database request fail. E11000 duplicate key"
    )
    assert cloud.dump("c") == [{"_id": "a", "v": 1}]


def test_set_reports_created_or_updated(books):
    created = books.doc("new").set(data={"title": "New"})
    assert created == {
        "_id": "new",
        "errMsg": "document.set:ok",
        "stats": {"updated": 0, "created": 1},
    }
    replaced = books.doc("b1").set(data={"title": "Only title"})
    assert replaced["stats"] == {"updated": 1, "created": 0}
    assert books.doc("b1").get()["data"] == {"_id": "b1", "title": "Only title"}


def test_doc_update_and_remove_on_missing_doc_succeed_with_zero(books):
    assert books.doc("ghost").update(data={"a": 1}) == {
        "stats": {"updated": 0},
        "errMsg": "document.update:ok",
    }
    assert books.doc("ghost").remove() == {"stats": {"removed": 0}, "errMsg": "document.remove:ok"}


def test_where_update_and_remove_shapes(books):
    assert books.where({"tags": "classic"}).update(data={"sale": True}) == {
        "stats": {"updated": 2},
        "errMsg": "collection.update:ok",
    }
    assert books.where({"sale": True}).remove() == {
        "stats": {"removed": 2},
        "errMsg": "collection.remove:ok",
    }
    assert books.count()["total"] == 2


def test_create_collection_carries_request_id_and_rejects_existing(db):
    result = db.create_collection("fresh")
    assert result["errMsg"] == "createCollection:ok"
    assert HEX32.match(result["requestId"])
    with pytest.raises(CloudSDKError) as info:
        db.create_collection("fresh")
    assert info.value.err_code == -1
    assert info.value.err_msg.startswith("createCollection:fail ")
    assert info.value.request_id


@pytest.mark.parametrize(
    ("api", "operation"),
    [
        ("collection.get", lambda c: c.get()),
        ("collection.count", lambda c: c.count()),
        ("collection.add", lambda c: c.add(data={"a": 1})),
        ("collection.update", lambda c: c.where({"a": 1}).update(data={"a": 2})),
        ("collection.remove", lambda c: c.where({"a": 1}).remove()),
        ("document.get", lambda c: c.doc("x").get()),
        ("document.set", lambda c: c.doc("x").set(data={"a": 1})),
        ("document.update", lambda c: c.doc("x").update(data={"a": 1})),
        ("document.remove", lambda c: c.doc("x").remove()),
    ],
)
def test_missing_collection_is_502005_on_reads_and_writes(db, api, operation):
    with pytest.raises(CloudSDKError) as info:
        operation(db.collection("missing"))
    assert info.value.err_code == -502005
    assert info.value.err_msg == (
        f"{api}:fail -502005 database collection not exists. [ResourceNotFound] Db or Table not exist. "
        "Please check your request, but if the problem cannot be solved, contact us."
    )
    with pytest.raises(CloudSDKError):
        db.collection("missing").get()  # and the write did not create it


def test_update_id_rejected_with_501007(books):
    with pytest.raises(CloudSDKError) as info:
        books.doc("b1").update(data={"_id": "x", "a": 1})
    assert info.value.err_code == -501007
    assert info.value.err_msg == "document.update:fail -501007 invalid parameters. 不能更新_id的值"
    with pytest.raises(CloudSDKError) as info:
        books.where({"price": 20}).update(data={"_id": "x"})
    assert (
        info.value.err_msg == "collection.update:fail -501007 invalid parameters. 不能更新_id的值"
    )
    with pytest.raises(CloudSDKError) as info:
        books.doc("b1").set(data={"_id": "x"})
    assert info.value.err_msg == "document.set:fail -501007 invalid parameters. 不能更新_id的值"


def test_nested_id_in_update_is_allowed(books):
    books.doc("b1").update(data={"sub": {"_id": 5}})
    assert books.doc("b1").get()["data"]["sub"] == {"_id": 5}


def test_commands_inside_set_rejected_with_502001(db, books):
    _ = db.command
    with pytest.raises(CloudSDKError) as info:
        books.doc("b1").set(data={"meta": {"n": _.inc(1)}})
    assert info.value.err_code == -502001
    assert (
        info.value.err_msg
        == "document.set:fail -502001 database request fail. update operator complicit"
    )
    assert books.doc("b1").get()["data"]["price"] == 30


def test_empty_data_is_a_cloudsdkerror_without_api_prefix(books):
    with pytest.raises(CloudSDKError) as info:
        books.doc("b1").update(data={})
    assert info.value.err_code == -1
    assert info.value.err_msg == "options.data must not be empty"
    assert str(info.value) == "errCode: -1 unknown error | errMsg: options.data must not be empty"
    with pytest.raises(CloudSDKError) as info:
        books.doc("b1").set()
    assert info.value.err_msg == "parameter.data should be object instead of undefined;"


def test_add_without_data(books):
    with pytest.raises(CloudSDKError) as info:
        books.add()
    assert (
        info.value.err_msg
        == "collection.add:fail Cannot read properties of undefined (reading 'data')"
    )


def test_builder_misuse_raises_synchronously_with_sdk_messages(db, books):
    with pytest.raises(SDKUsageError, match="^Collection name is required$"):
        db.collection("")
    with pytest.raises(SDKUsageError, match="^docId必须为字符串或数字$"):
        books.doc(None)  # type: ignore[arg-type]
    with pytest.raises(SDKUsageError, match="^查询参数必须为对象$"):
        books.where([])  # type: ignore[arg-type]
    with pytest.raises(SDKUsageError, match="^limitmust be integer$"):
        books.limit(1.5)  # type: ignore[arg-type]
    with pytest.raises(SDKUsageError, match="^offsetmust be integer$"):
        books.skip(1.5)  # type: ignore[arg-type]
    with pytest.raises(SDKUsageError, match="^排序字符不合法$"):
        books.order_by("price", "up")
    with pytest.raises(SDKUsageError):
        books.order_by("$price", "asc")
    with pytest.raises(TypeError, match="regexp must be a string"):
        db.RegExp()


def test_unknown_command_is_an_attribute_error_naming_it(db):
    with pytest.raises(AttributeError, match="increment.*did you mean _.inc"):
        db.command.increment(1)


def test_builders_are_immutable(books):
    classics = books.where({"tags": "classic"})
    limited = classics.limit(1)
    ordered = classics.order_by("price", "asc")
    skipped = ordered.skip(1)
    assert len(books.get()["data"]) == 4
    assert len(classics.get()["data"]) == 2
    assert len(limited.get()["data"]) == 1
    assert [d["_id"] for d in ordered.get()["data"]] == ["b2", "b1"]
    assert [d["_id"] for d in skipped.get()["data"]] == ["b1"]
    assert books.doc("b1").field({"title": True}).get()["data"] == {
        "_id": "b1",
        "title": "Dream of the Red Chamber",
    }
    assert "price" in books.doc("b1").get()["data"]


def test_field_names_that_are_not_strings_are_rejected_naming_them(books):
    with pytest.raises(SDKUsageError, match="field names must be strings, got 1"):
        books.where({"author": {1: "Cao"}}).get()
    with pytest.raises(CloudSDKError) as info:
        books.doc("b1").update(data={"author": {1: "Cao"}})
    assert info.value.err_code == -501007
    assert "got 1" in info.value.err_msg


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"meta": {"a.b": 1}}, "The dotted field 'a.b' in 'meta.a.b' is not valid for storage."),
        ({"meta": {"$x": 1}}, "The dollar ($) prefixed field '$x' in 'meta.$x' is not valid"),
        ({"list": [{"a.b": 1}]}, "The dotted field 'a.b' in 'list."),
    ],
)
def test_updates_cannot_store_field_names_add_would_reject(db, books, data, message):
    _ = db.command
    before = books.doc("b1").get()["data"]
    for write in (
        lambda: books.doc("b1").update(data={k: _.set(v) for k, v in data.items()}),
        lambda: books.doc("b1").update(data={"$set": data}),
        lambda: books.doc("b1").update(data={k: _.push(v) for k, v in data.items()}),
    ):
        with pytest.raises(CloudSDKError) as info:
            write()
        assert info.value.err_code == -502001
        assert message in info.value.err_msg
    assert books.doc("b1").get()["data"] == before


def test_updated_counts_changed_documents_by_default(books):
    assert books.doc("b1").update(data={"price": 30})["stats"]["updated"] == 0
    assert books.where({"price": 30}).update(data={"price": 30})["stats"]["updated"] == 0
    assert books.doc("b1").update(data={"price": 31})["stats"]["updated"] == 1


def test_updated_counts_can_be_switched_to_matched_documents():
    cloud = WxCloud(updated_counts="matched")
    cloud.seed({"c": [{"_id": "a", "v": 1}, {"_id": "b", "v": 1}]})
    db = cloud.database()
    assert db.collection("c").doc("a").update(data={"v": 1})["stats"]["updated"] == 1
    assert db.collection("c").where({"v": 1}).update(data={"v": 1})["stats"]["updated"] == 2
    assert db.collection("c").doc("zzz").update(data={"v": 1})["stats"]["updated"] == 0
    with pytest.raises(ValueError, match="updated_counts"):
        WxCloud(updated_counts="all")


def test_order_by_direction_is_required_like_the_sdk(books):
    with pytest.raises(SDKUsageError, match="^排序字符不合法$"):
        books.order_by("price")


def test_push_modifier_dict_form(db, books):
    _ = db.command
    books.doc("b1").update(data={"tags": _.push({"each": ["first"], "position": 0})})
    assert books.doc("b1").get()["data"]["tags"] == ["first", "classic", "novel"]
