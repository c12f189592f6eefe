"""``/_wxcloud/*``: isolation tools for suites that have no ``cloud`` object to call."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime, timezone

import httpx
import pytest

from pytest_wxcloud import WxCloud


@pytest.fixture
def cloud() -> WxCloud:
    cloud = WxCloud(env="ctl-env", seed=9)
    cloud.seed({"books": [{"_id": "b1", "title": "Dune"}]})
    return cloud


@pytest.fixture
def control(cloud: WxCloud) -> Iterator[httpx.Client]:
    with (
        cloud.serve() as server,
        httpx.Client(base_url=f"{server.url}/_wxcloud", timeout=10) as client,
    ):
        yield client


def test_info_names_the_credentials(cloud: WxCloud, control: httpx.Client) -> None:
    info = control.get("/info").json()
    assert (info["env"], info["appid"], info["secret"]) == ("ctl-env", cloud.appid, cloud.secret)
    assert info["collections"] == ["books"]
    assert info["adminUrl"] == info["url"] + "/admin"


def test_seed_reads_extended_json_and_dump_writes_it(cloud: WxCloud, control: httpx.Client) -> None:
    seeded = control.post(
        "/seed", json={"events": [{"_id": "e1", "at": {"$date": "2024-05-01T00:00:00.000Z"}}]}
    )
    assert seeded.json() == {"ok": True, "inserted": {"events": 1}}
    assert cloud.dump("events") == [{"_id": "e1", "at": datetime(2024, 5, 1, tzinfo=timezone.utc)}]
    assert control.get("/dump", params={"collection": "events"}).json() == {
        "data": [{"_id": "e1", "at": {"$date": 1714521600000}}]
    }
    everything = control.get("/dump").json()["collections"]
    assert list(everything) == ["books", "events"]


def test_reset_returns_to_the_starting_data(cloud: WxCloud, control: httpx.Client) -> None:
    control.post("/seed", json={"books": [{"_id": "b2"}], "more": [{"_id": "m1"}]})
    assert control.post("/reset").json() == {"ok": True}
    assert cloud.collections() == ["books"]
    assert cloud.dump("books") == [{"_id": "b1", "title": "Dune"}]


def test_snapshot_and_restore(cloud: WxCloud, control: httpx.Client) -> None:
    snapshot_id = control.post("/snapshot").json()["id"]
    control.post("/seed", json={"books": [{"_id": "b2"}]})
    assert control.post("/restore", json={"id": snapshot_id}).json() == {"ok": True}
    assert [d["_id"] for d in cloud.dump("books")] == ["b1"]


def test_restore_of_an_unknown_snapshot_is_404(control: httpx.Client) -> None:
    taken = control.post("/snapshot").json()["id"]
    reply = control.post("/restore", json={"id": "nope"})
    assert reply.status_code == 404
    assert (
        reply.json()["error"] == f"no snapshot 'nope'; taken: ['{taken}'] (POST /_wxcloud/snapshot)"
    )


def test_a_failing_seed_stores_nothing(cloud: WxCloud, control: httpx.Client) -> None:
    reply = control.post("/seed", json={"fresh": [{"_id": "f1"}], "books": [{"_id": "b1"}]})
    assert reply.status_code == 400
    assert reply.json()["error"].startswith("seed: seed('books')")
    assert cloud.collections() == ["books"]  # 'fresh' was rolled back too


@pytest.mark.parametrize(
    ("body", "message"),
    [
        (b"{not json", "the body must be JSON"),
        (b"[1, 2]", "the body must be a JSON object, got list"),
        (b'{"books": {"_id": "x"}}', "needs a list of documents, got one dict"),
    ],
)
def test_bad_seed_bodies(control: httpx.Client, body: bytes, message: str) -> None:
    reply = control.post("/seed", content=body)
    assert reply.status_code == 400
    assert message in reply.json()["error"]


def test_unknown_endpoint_wrong_method_unknown_collection(control: httpx.Client) -> None:
    unknown = control.post("/wipe")
    assert unknown.status_code == 404
    assert unknown.json()["error"].startswith("no control endpoint /_wxcloud/wipe; known: info,")
    wrong = control.get("/reset")
    assert (wrong.status_code, wrong.json()["error"]) == (
        405,
        "/_wxcloud/reset takes POST, got GET",
    )
    missing = control.get("/dump", params={"collection": "ghosts"})
    assert missing.status_code == 404
    assert missing.json()["error"] == "no collection 'ghosts'; collections: ['books']"
