"""$project, $addFields and $replaceRoot."""

from __future__ import annotations

from agg_helpers import fails, run

DOC = {
    "_id": 1,
    "name": "book",
    "price": 10,
    "meta": {"a": 1, "b": 2},
    "tags": [{"t": "x", "n": 1}, {"t": "y"}, 5],
}


def test_inclusion_keeps_id_and_document_order() -> None:
    assert run([{"$project": {"price": 1, "name": True}}], [DOC]) == [
        {"_id": 1, "name": "book", "price": 10}
    ]


def test_id_can_be_excluded_from_inclusion() -> None:
    assert run([{"$project": {"_id": 0, "price": 1}}], [DOC]) == [{"price": 10}]


def test_exclusion_removes_fields_and_nested_paths() -> None:
    out = run([{"$project": {"meta.a": 0, "tags": 0}}], [DOC])
    assert out == [{"_id": 1, "name": "book", "price": 10, "meta": {"b": 2}}]
    assert run([{"$project": {"_id": 0}}], [{"_id": 1, "a": 2}]) == [{"a": 2}]


def test_nested_inclusion_maps_over_arrays_dropping_scalars() -> None:
    assert run([{"$project": {"_id": 0, "tags.t": 1}}], [DOC]) == [
        {"tags": [{"t": "x"}, {"t": "y"}]}
    ]
    assert run([{"$project": {"_id": 0, "meta": {"b": 1}}}], [DOC]) == [{"meta": {"b": 2}}]


def test_computed_fields_literals_and_remove() -> None:
    spec = {
        "_id": 0,
        "total": {"$multiply": ["$price", 2]},
        "label": "fixed",
        "gone": "$$REMOVE",
        "info.kind": {"$literal": 1},
        "maybe": {"$cond": [{"$gt": ["$price", 5]}, "$$REMOVE", "cheap"]},
    }
    assert run([{"$project": spec}], [DOC]) == [
        {"total": 20, "label": "fixed", "info": {"kind": 1}}
    ]


def test_mixing_inclusion_and_exclusion_is_rejected() -> None:
    fails(
        lambda: run([{"$project": {"a": 1, "b": 0}}], [DOC]),
        "Cannot do exclusion on field b in inclusion projection",
    )
    fails(lambda: run([{"$project": {}}], [DOC]), "at least one field")
    fails(lambda: run([{"$project": {"a": 1, "a.b": 1}}], [DOC]), "Path collision at a")
    fails(lambda: run([{"$project": {"$a": 1}}], [DOC]), "may not start with '\\$'")


def test_add_fields_replaces_and_merges_nested() -> None:
    out = run(
        [{"$addFields": {"price": {"$add": ["$price", 1]}, "meta.c": 3, "flag": True}}], [DOC]
    )
    assert out[0]["price"] == 11
    assert out[0]["meta"] == {"a": 1, "b": 2, "c": 3}
    assert out[0]["flag"] is True and out[0]["name"] == "book"
    merged = run([{"$addFields": {"meta": {"d": 4}}}], [DOC])
    assert merged[0]["meta"] == {"a": 1, "b": 2, "d": 4}


def test_add_fields_into_array_elements_and_remove() -> None:
    out = run([{"$addFields": {"tags.seen": True, "price": "$$REMOVE"}}], [DOC])
    assert out[0]["tags"] == [
        {"t": "x", "n": 1, "seen": True},
        {"t": "y", "seen": True},
        {"seen": True},
    ]
    assert "price" not in out[0]


def test_replace_root_with_merge_objects() -> None:
    docs = [{"_id": 1, "item": {"name": "pen", "qty": 2}, "shop": "A"}]
    stage = {"$replaceRoot": {"newRoot": {"$mergeObjects": [{"shop": "$shop"}, "$item"]}}}
    assert run([stage], docs) == [{"shop": "A", "name": "pen", "qty": 2}]


def test_replace_root_requires_an_object() -> None:
    fails(
        lambda: run([{"$replaceRoot": {"newRoot": "$nope"}}], [{"_id": 1}]),
        "'newRoot' expression must evaluate to an object.*missing",
    )
    fails(
        lambda: run([{"$replaceRoot": {"root": "$a"}}], [{"_id": 1}]),
        "unrecognized option to \\$replaceRoot",
    )
