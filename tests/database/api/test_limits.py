"""MongoDB's limits, enforced where production enforces them, with SDK-shaped errors.

The 16 MB document limit counts BSON bytes (UTF-8 text) and holds after every update; array
back-fill stops at 1,500,000 elements; values Python cannot represent in the database (dates
beyond year 9999, 5,000-digit integers, non-finite serverDate offsets) fail as invalid
parameters instead of escaping as raw Python exceptions.
"""

from __future__ import annotations

import json
import math
from datetime import datetime, timedelta, timezone

import httpx
import pytest

from pytest_wxcloud import CloudSDKError, WxCloud
from pytest_wxcloud.database import values
from pytest_wxcloud.database.api import Database
from pytest_wxcloud.database.values import REGEX_CACHE_SIZE, RegExp

MB16 = 16 * 1024 * 1024


@pytest.fixture
def docs(cloud: WxCloud, db: Database):  # type: ignore[no-untyped-def]
    cloud.seed({"docs": [{"_id": "d", "arr": [1], "n": 1}]})
    return db.collection("docs")


def test_the_16mb_limit_counts_utf8_bytes_not_characters(cloud, docs):  # type: ignore[no-untyped-def]
    chinese = "中" * 6_300_000  # 6.3 M characters, 18.9 MB of UTF-8
    with pytest.raises(CloudSDKError) as info:
        docs.add(data={"text": chinese})
    assert info.value.err_code == -501007
    assert "document is 18900016 bytes as BSON" in info.value.err_msg
    assert "16777216 bytes (16 MB)" in info.value.err_msg
    with pytest.raises(CloudSDKError, match="bytes as BSON"):
        docs.doc("d").set(data={"text": chinese})
    assert cloud.dump("docs") == [{"_id": "d", "arr": [1], "n": 1}]
    docs.add(data={"_id": "fits", "text": "中" * 5_000_000})  # 15 MB: accepted


def test_updates_cannot_grow_a_document_past_16mb(cloud, docs, db):  # type: ignore[no-untyped-def]
    _ = db.command
    chunk = "x" * 6_000_000
    docs.doc("d").update(data={"a": chunk})
    docs.doc("d").update(data={"b": chunk})
    for grow in ({"c": chunk}, {"arr": _.push([chunk])}, {"a": _.set(chunk * 2)}):
        with pytest.raises(CloudSDKError) as info:
            docs.doc("d").update(data=grow)
        assert info.value.err_code == -502001
        assert "Resulting document after update is larger than 16777216" in info.value.err_msg
    with pytest.raises(CloudSDKError, match="larger than 16777216"):
        docs.where({"n": 1}).update(data={"c": chunk})
    stored = cloud.dump("docs")[0]
    assert sorted(stored) == ["_id", "a", "arr", "b", "n"] and stored["arr"] == [1]


def test_array_back_fill_stops_at_1_5_million_elements(cloud, docs):  # type: ignore[no-untyped-def]
    for path in ("arr.100000000", "arr.99999999999999999999", "arr.1500002"):
        with pytest.raises(CloudSDKError) as info:
            docs.doc("d").update(data={path: 1})
        assert info.value.err_code == -502001
        assert "can't backfill more than 1500000 elements" in info.value.err_msg
    assert cloud.dump("docs")[0]["arr"] == [1]
    # exactly 1,500,000 nulls in between is still allowed
    assert docs.doc("d").update(data={"arr.1500001": 2})["stats"] == {"updated": 1}


def test_server_date_offsets_out_of_range_are_sdk_errors(cloud, docs, db):  # type: ignore[no-untyped-def]
    with pytest.raises(CloudSDKError) as info:
        docs.add(data={"at": db.server_date(offset=1e20)})
    assert info.value.err_code == -501007
    assert "outside the years 1-9999" in info.value.err_msg
    for offset in (math.nan, math.inf, -math.inf):
        with pytest.raises(TypeError, match="finite number of milliseconds"):
            db.server_date(offset=offset)
    docs.add(data={"_id": "ok", "at": db.server_date(offset=-1000)})
    assert cloud.dump("docs")[-1]["at"] == datetime(2024, 5, 1, 8, 29, 59, tzinfo=timezone.utc)


def test_huge_integers_are_refused_with_a_readable_message(docs):  # type: ignore[no-untyped-def]
    with pytest.raises(CloudSDKError) as info:
        docs.add(data={"n": 10**5000})
    assert "integer <an integer of ~5001 digits> at n does not fit in 64 bits" in info.value.err_msg
    with pytest.raises(CloudSDKError, match="integer -9223372036854775809 at n"):
        docs.add(data={"n": -(2**63) - 1})


@pytest.mark.parametrize(
    "moment",
    [
        datetime(1, 1, 1, tzinfo=timezone(timedelta(hours=8))),
        datetime(9999, 12, 31, 23, tzinfo=timezone(timedelta(hours=-8))),
    ],
)
def test_aware_dates_that_leave_the_calendar_in_utc_are_refused(cloud, docs, moment):  # type: ignore[no-untyped-def]
    with pytest.raises(CloudSDKError) as info:
        docs.add(data={"at": moment})
    assert info.value.err_code == -501007
    assert "at at is outside the years 1-9999 once converted to UTC" in info.value.err_msg
    assert len(cloud.dump("docs")) == 1


def test_nan_ids_collide_as_in_mongodbs_id_index(cloud, docs):  # type: ignore[no-untyped-def]
    docs.add(data={"_id": math.nan, "v": 1})
    with pytest.raises(CloudSDKError) as info:
        docs.add(data={"_id": float("nan"), "v": 2})
    assert info.value.err_code == -502001
    assert "E11000 duplicate key error collection: docs index: _id_ dup key: { _id: NaN }" in (
        info.value.err_msg
    )
    assert [d["v"] for d in cloud.dump("docs") if d["_id"] != d["_id"]] == [1]
    assert docs.doc(float("nan")).get()["data"]["v"] == 1


def test_the_compiled_regex_cache_is_bounded(cloud, docs, db):  # type: ignore[no-untyped-def]
    for i in range(REGEX_CACHE_SIZE + 50):
        assert docs.where({"s": db.RegExp(f"^x{i}$")}).count()["total"] == 0
    assert RegExp("^x0$").compiled.pattern == "^x0$"  # evicted entries compile again
    assert values._compile_regex.cache_info().currsize <= REGEX_CACHE_SIZE


def test_non_finite_server_date_offsets_over_http_are_invalid_parameters() -> None:
    cloud = WxCloud()
    cloud.seed({"c": []})
    api = "https://api.weixin.qq.com"
    with cloud.mock_http(), httpx.Client() as client:
        token = client.get(
            f"{api}/cgi-bin/token",
            params={
                "grant_type": "client_credential",
                "appid": cloud.appid,
                "secret": cloud.secret,
            },
        ).json()["access_token"]
        for offset in ("NaN", "Infinity", "1e20"):
            query = f"db.collection('c').add({{data: {{at: db.serverDate({{offset: {offset}}})}}}})"
            reply = client.post(
                f"{api}/tcb/databaseadd",
                params={"access_token": token},
                content=json.dumps({"env": cloud.env, "query": query}),
            ).json()
            assert reply["errcode"] == -501007, reply
            assert "serverDate offset" in reply["errmsg"]
    assert cloud.dump("c") == []
