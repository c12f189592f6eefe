"""Projections (field()) in MongoDB form: inclusion, exclusion, $slice, $elemMatch."""

from __future__ import annotations

import copy
from typing import Any

import pytest

from pytest_wxcloud.database.projection import compile_projection
from pytest_wxcloud.errors import DatabaseError, UnknownOperatorError

BOOK: dict[str, Any] = {
    "_id": "b1",
    "title": "Dream",
    "price": 12,
    "author": {"name": "Cao", "born": 1715},
    "comments": [{"by": "u1", "stars": 5, "text": "great"}, {"by": "u2", "stars": 3}, "spam"],
    "tags": ["a", "b", "c", "d", "e"],
}


def project(projection: dict[str, Any] | None, doc: dict[str, Any] = BOOK) -> dict[str, Any]:
    original = copy.deepcopy(doc)
    result = compile_projection(projection)(doc)
    assert doc == original
    return result


def test_no_projection_returns_an_independent_copy() -> None:
    result = project(None)
    assert result == BOOK and result is not BOOK
    result["tags"].append("x")
    assert BOOK["tags"] == ["a", "b", "c", "d", "e"]
    assert project({}) == BOOK


def test_inclusion_keeps_id_unless_excluded() -> None:
    assert project({"title": 1, "price": True}) == {"_id": "b1", "title": "Dream", "price": 12}
    assert project({"title": 1, "_id": 0}) == {"title": "Dream"}
    assert project({"_id": 1}) == {"_id": "b1"}
    assert project({"nothing": 1}) == {"_id": "b1"}


def test_exclusion_drops_only_those_fields() -> None:
    result = project({"comments": 0, "tags": False, "author": 0})
    assert result == {"_id": "b1", "title": "Dream", "price": 12}
    assert "_id" not in project({"_id": 0})


def test_dotted_inclusion_and_exclusion() -> None:
    assert project({"author.name": 1}) == {"_id": "b1", "author": {"name": "Cao"}}
    assert project({"author.born": 0})["author"] == {"name": "Cao"}


def test_dotted_paths_reach_through_arrays_of_documents() -> None:
    # inclusion drops non-document elements; exclusion leaves them alone
    assert project({"comments.by": 1}) == {"_id": "b1", "comments": [{"by": "u1"}, {"by": "u2"}]}
    assert project({"comments.text": 0})["comments"] == [
        {"by": "u1", "stars": 5},
        {"by": "u2", "stars": 3},
        "spam",
    ]


def test_included_subfield_of_a_document_without_it_leaves_an_empty_document() -> None:
    assert project({"author.missing": 1}) == {"_id": "b1", "author": {}}
    assert project({"title.x": 1}) == {"_id": "b1"}


def test_nested_projection_documents_mean_dotted_paths() -> None:
    assert project({"author": {"name": 1}}) == project({"author.name": 1})


def test_mixing_inclusion_and_exclusion_is_rejected() -> None:
    with pytest.raises(DatabaseError) as caught:
        compile_projection({"title": 1, "price": 0})
    assert (caught.value.err_code, caught.value.detail) == (
        -502001,
        "Cannot do exclusion on field price in inclusion projection",
    )
    with pytest.raises(DatabaseError, match="Cannot do inclusion on field title in exclusion"):
        compile_projection({"price": 0, "title": 1})


def test_slice_counts_from_start_or_end_and_skips() -> None:
    # sdk.md §3.7: _.project.slice(n | [skip, n])
    assert project({"tags": {"$slice": 2}})["tags"] == ["a", "b"]
    assert project({"tags": {"$slice": -2}})["tags"] == ["d", "e"]
    assert project({"tags": {"$slice": [1, 2]}})["tags"] == ["b", "c"]
    assert project({"tags": {"$slice": [-2, 1]}})["tags"] == ["d"]
    assert project({"tags": {"$slice": [-9, 2]}})["tags"] == ["a", "b"]
    assert project({"tags": {"$slice": [9, 2]}})["tags"] == []


def test_slice_alone_keeps_the_other_fields_with_inclusion_only_those() -> None:
    assert set(project({"tags": {"$slice": 1}})) == set(BOOK)
    assert project({"title": 1, "tags": {"$slice": 1}}) == {
        "_id": "b1",
        "title": "Dream",
        "tags": ["a"],
    }
    assert project({"price": {"$slice": 1}})["price"] == 12  # not an array: untouched


@pytest.mark.parametrize(
    ("operand", "message"),
    [
        ([1, 0], "$slice limit must be positive"),
        ([1], "$slice array wrong size"),
        ("2", "$slice only supports numbers and [skip, limit] arrays"),
    ],
)
def test_slice_errors(operand: Any, message: str) -> None:
    with pytest.raises(DatabaseError) as caught:
        compile_projection({"tags": {"$slice": operand}})
    assert caught.value.detail == message


def test_elem_match_keeps_the_first_matching_element_only() -> None:
    result = project({"comments": {"$elemMatch": {"stars": {"$lt": 5}}}})
    assert result == {"_id": "b1", "comments": [{"by": "u2", "stars": 3}]}
    assert project({"comments": {"$elemMatch": {"stars": 4}}}) == {"_id": "b1"}
    assert project({"tags": {"$elemMatch": {"$gte": "c"}}})["tags"] == ["c"]
    with_title = project({"title": 1, "comments": {"$elemMatch": {"by": "u1"}}})
    assert list(with_title) == ["_id", "title", "comments"]
    assert with_title["comments"] == [BOOK["comments"][0]]


def test_elem_match_errors() -> None:
    with pytest.raises(DatabaseError, match="Cannot use \\$elemMatch projection on a nested field"):
        compile_projection({"a.b": {"$elemMatch": {"x": 1}}})
    with pytest.raises(DatabaseError, match="object required"):
        compile_projection({"a": {"$elemMatch": 1}})


def test_unknown_projection_operator_and_value() -> None:
    with pytest.raises(UnknownOperatorError) as caught:
        compile_projection({"a": {"$meta": "textScore"}})
    assert caught.value.operator == "$meta"
    with pytest.raises(DatabaseError, match="unsupported projection value for field 'a'"):
        compile_projection({"a": "yes"})


def test_path_collision() -> None:
    with pytest.raises(DatabaseError, match="Path collision at author.name"):
        compile_projection({"author": 1, "author.name": 1})


def test_positional_projection_is_refused_rather_than_emptying_the_array() -> None:
    with pytest.raises(DatabaseError, match="positional projection 'comments.\\$'.*elem_match"):
        compile_projection({"comments.$": 1})
