"""``requests`` is answered exactly as httpx: same face, same bytes, beside the user's mocks."""

from __future__ import annotations

import json
import re
import subprocess
import sys
import threading
from collections.abc import Iterator
from typing import Any

import httpx
import pytest
import requests
import responses
from httpkit import API, START, assert_error
from requests.adapters import HTTPAdapter

from pytest_wxcloud import WxCloud
from pytest_wxcloud.http.requests_face import RequestsMount
from pytest_wxcloud.http.router import SWITCHBOARD

RID = re.compile(r" rid: [0-9a-f-]+$")


@pytest.fixture
def cloud() -> Iterator[WxCloud]:
    cloud = WxCloud(env="test2-4a89da", seed=31, now=START)
    cloud.seed({"books": [{"_id": "b1", "title": "三体", "n": 1}, {"_id": "b2", "n": 2}]})
    with cloud.mock_http():
        yield cloud


def token(cloud: WxCloud, session: Any = requests) -> str:
    params = {"grant_type": "client_credential", "appid": cloud.appid, "secret": cloud.secret}
    body = session.get(f"{API}/cgi-bin/token", params=params).json()
    return str(body["access_token"])


def without_rid(body: dict[str, Any]) -> dict[str, Any]:
    return {**body, "errmsg": RID.sub("", str(body.get("errmsg", "")))}


def test_token_then_query(cloud: WxCloud) -> None:
    response = requests.post(
        f"{API}/tcb/databasequery",
        params={"access_token": token(cloud)},
        json={"env": cloud.env, "query": "db.collection('books').where({n: 1}).get()"},
    )
    assert response.status_code == 200
    assert response.headers["Content-Type"] == "application/json; encoding=utf-8"
    assert response.encoding == "utf-8"
    assert response.json()["data"] == ['{"_id":"b1","title":"三体","n":1}']
    assert response.url.startswith(f"{API}/tcb/databasequery?access_token=")


class Chunks:
    """A body requests streams chunked; iterable again for every parametrized run."""

    def __init__(self, *chunks: bytes) -> None:
        self.chunks = chunks

    def __iter__(self) -> Iterator[bytes]:
        return iter(self.chunks)


BODIES: list[tuple[str, dict[str, Any], dict[str, Any]]] = [
    # (what, requests kwargs, httpx kwargs producing the same bytes)
    (
        "json=",
        {"json": {"env": "test2-4a89da", "query": "db.collection('books').count()"}},
        {"json": {"env": "test2-4a89da", "query": "db.collection('books').count()"}},
    ),
    (
        "data=bytes, no content type (wechatpy)",
        {"data": b'{"env":"test2-4a89da","query":"db.collection(\'books\').count()"}'},
        {"content": b'{"env":"test2-4a89da","query":"db.collection(\'books\').count()"}'},
    ),
    (
        "data=str",
        {"data": '{"env":"test2-4a89da","query":"db.collection(\'books\').count()"}'},
        {"content": b'{"env":"test2-4a89da","query":"db.collection(\'books\').count()"}'},
    ),
    (
        "data=generator (chunked)",
        {"data": Chunks(b'{"env":"test2-4a89da",', b'"query":"db.collection(\'books\').count()"}')},
        {"content": b'{"env":"test2-4a89da","query":"db.collection(\'books\').count()"}'},
    ),
    ("data=dict (a form)", {"data": {"env": "test2-4a89da"}}, {"data": {"env": "test2-4a89da"}}),
    (
        "files=",
        {"files": {"file": ("q.json", b"{}")}},
        {"files": {"file": ("q.json", b"{}")}},
    ),
    ("no body", {}, {}),
]


@pytest.mark.parametrize(
    ("what", "with_requests", "with_httpx"), BODIES, ids=[b[0] for b in BODIES]
)
def test_every_body_form_gets_the_httpx_answer(
    cloud: WxCloud, what: str, with_requests: dict[str, Any], with_httpx: dict[str, Any]
) -> None:
    params = {"access_token": token(cloud)}
    by_requests = requests.post(f"{API}/tcb/databasecount", params=params, **with_requests)
    by_httpx = httpx.post(f"{API}/tcb/databasecount", params=params, **with_httpx)
    assert without_rid(by_requests.json()) == without_rid(by_httpx.json())


def test_str_body_outside_latin_1_fails_as_http_client_does(cloud: WxCloud) -> None:
    with pytest.raises(UnicodeEncodeError):
        requests.post(f"{API}/tcb/databasecount", data='{"env": "云"}')


def test_session_with_a_mounted_adapter_and_streaming(cloud: WxCloud) -> None:
    with requests.Session() as session:
        session.mount("https://", HTTPAdapter(max_retries=3))
        access = token(cloud, session)
        response = session.post(
            f"{API}/tcb/databasecollectionget",
            params={"access_token": access},
            json={"env": cloud.env},
            stream=True,
        )
        assert json.loads(b"".join(response.iter_content(7)))["collections"][0]["name"] == "books"


def test_hooks_and_raise_for_status(cloud: WxCloud) -> None:
    seen: list[int] = []
    response = requests.get(
        f"{API}/cgi-bin/token", hooks={"response": lambda r, **_: seen.append(r.status_code)}
    )
    response.raise_for_status()  # errors are HTTP 200 with an errcode, as on the platform
    assert seen == [200]
    assert_error(response.json(), 40002)


def test_token_less_http_host(cloud: WxCloud) -> None:
    response = requests.post(
        "http://api.weixin.qq.com/tcb/databasecollectionget", json={"env": cloud.env}
    )
    assert response.json()["errcode"] == 0
    assert response.headers["x-openapi-seqid"]


def test_path_not_emulated(cloud: WxCloud) -> None:
    body = requests.post(f"{API}/tcb/getqcloudtoken", json={"env": cloud.env}).json()
    assert_error(body, -1, "does not emulate POST /tcb/getqcloudtoken")


def test_writes_land_in_the_cloud(cloud: WxCloud) -> None:
    api = f"{API}/tcb/databaseadd?access_token={token(cloud)}"
    body = requests.post(
        api, json={"env": cloud.env, "query": "db.collection('books').add({data: {n: 3}})"}
    ).json()
    assert body["errcode"] == 0
    assert [doc["n"] for doc in cloud.dump("books")] == [1, 2, 3]


def test_threads_get_their_own_cloud_over_requests() -> None:
    clouds = [WxCloud(env=f"env-{i}", seed=i) for i in range(2)]
    for i, cloud in enumerate(clouds):
        cloud.seed({f"only_{i}": [{}]})
    barrier = threading.Barrier(2)
    seen: dict[int, list[str]] = {}

    def run(i: int) -> None:
        with clouds[i].mock_http():
            barrier.wait()
            body = requests.post(
                "http://api.weixin.qq.com/tcb/databasecollectionget", json={"env": f"env-{i}"}
            ).json()
            seen[i] = [entry["name"] for entry in body["collections"]]
            barrier.wait()

    threads = [threading.Thread(target=run, args=(i,)) for i in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    assert seen == {0: ["only_0"], 1: ["only_1"]}


# ---------------------------------------------------------------- beside the user's `responses`


def test_users_responses_mocks_keep_working(cloud: WxCloud) -> None:
    with responses.RequestsMock(assert_all_requests_are_fired=True) as mock:
        mock.get("https://example.com/weather", json={"sunny": True})
        mock.post(f"{API}/wxa/getpaidunionid", json={"errcode": 0, "errmsg": "ok"})
        assert requests.get("https://example.com/weather").json() == {"sunny": True}
        # a WeChat path the cloud does not emulate reaches the user's mock
        assert requests.post(f"{API}/wxa/getpaidunionid", json={}).json()["errcode"] == 0
        # emulated paths are still the cloud's
        assert token(cloud).startswith("84_")
        # the user's strictness applies to hosts nobody mocks
        with pytest.raises(requests.ConnectionError, match="Connection refused by Responses"):
            requests.get("https://example.org/unmocked")
        assert [call.request.url for call in mock.calls] == [
            "https://example.com/weather",
            f"{API}/wxa/getpaidunionid",
            "https://example.org/unmocked",
        ]


def test_responses_started_before_the_cloud() -> None:
    with responses.RequestsMock() as mock:
        mock.get("https://example.com/", body="hi")
        cloud = WxCloud(seed=32)
        with cloud.mock_http():
            assert requests.get("https://example.com/").text == "hi"
            assert token(cloud).startswith("84_")


def test_interception_ends_with_the_block() -> None:
    cloud = WxCloud(seed=33)
    with cloud.mock_http():
        pass
    with responses.RequestsMock() as mock:
        mock.get(f"{API}/cgi-bin/token", json={"access_token": "from-user"})
        assert requests.get(f"{API}/cgi-bin/token").json() == {"access_token": "from-user"}


# ---------------------------------------------------------------- requests is optional


def test_without_requests_nothing_is_mounted(monkeypatch: pytest.MonkeyPatch) -> None:
    import importlib.util

    real = importlib.util.find_spec
    monkeypatch.setattr(
        importlib.util, "find_spec", lambda name, *a: None if name == "requests" else real(name)
    )
    mount = RequestsMount()
    before = requests.Session.get_adapter
    mount.mount(SWITCHBOARD)
    assert not mount.mounted
    assert requests.Session.get_adapter is before


def test_httpx_face_works_where_requests_cannot_be_imported() -> None:
    script = (
        "import sys; sys.modules['requests'] = None\n"
        "import httpx\n"
        "from pytest_wxcloud import WxCloud\n"
        "cloud = WxCloud(seed=1)\n"
        "with cloud.mock_http():\n"
        "    body = httpx.post('http://api.weixin.qq.com/tcb/databasecollectionget',"
        " json={'env': cloud.env}).json()\n"
        "print(body['errcode'], 'requests' in sys.modules and sys.modules['requests'] is not None)\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", script], capture_output=True, text=True, check=True
    )
    assert done.stdout.split() == ["0", "False"]


def test_answered_requests_skip_the_environment(
    cloud: WxCloud, monkeypatch: pytest.MonkeyPatch
) -> None:
    # nothing goes on the network, so proxies and CA bundles from the environment do not apply
    monkeypatch.setenv("HTTPS_PROXY", "http://proxy.invalid:3128")
    monkeypatch.setenv("REQUESTS_CA_BUNDLE", "/nowhere/ca.pem")
    with requests.Session() as session:
        session.proxies = {"https": "http://session-proxy.invalid:1"}
        answered = session.merge_environment_settings(
            f"{API}/tcb/databasequery", {}, None, None, None
        )
        elsewhere = session.merge_environment_settings("https://example.com/", {}, None, None, None)
        assert answered["verify"] is True
        assert answered["proxies"] == {"https": "http://session-proxy.invalid:1"}
        assert elsewhere["verify"] == "/nowhere/ca.pem"
        assert token(cloud, session).startswith("84_")
