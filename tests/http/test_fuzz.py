"""Random requests against every endpoint: a correct answer or a documented error, never a crash,
and the database changes only when a write endpoint answered errcode 0."""

from __future__ import annotations

import json
import re
from typing import Any

import httpx
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from pytest_wxcloud import WxCloud
from pytest_wxcloud.errors import ERR_CODE_TEXT
from pytest_wxcloud.http.wire import PLATFORM_ERRMSG

ENV = "fuzz-env"
RID = re.compile(r" rid: [0-9a-f]{8}-[0-9a-f]{8}-[0-9a-f]{8}$")
DOCUMENTED = set(PLATFORM_ERRMSG) | set(ERR_CODE_TEXT) | {-501000, -502013}
WRITES = {
    "databaseadd",
    "databaseupdate",
    "databasedelete",
    "databasecollectionadd",
    "databasecollectiondelete",
    "updateindex",
    "invokecloudfunction",
}
SHAPES: dict[str, set[str]] = {
    "databasequery": {"pager", "data"},
    "databasecount": {"count"},
    "databaseadd": {"id_list"},
    "databaseupdate": {"matched", "modified", "id"},
    "databasedelete": {"deleted"},
    "databaseaggregate": {"data"},
    "databasecollectionadd": set(),
    "databasecollectiondelete": set(),
    "databasecollectionget": {"pager", "collections"},
    "updateindex": set(),
    "invokecloudfunction": {"resp_data"},
}
ENDPOINTS = sorted(SHAPES)
QUERY_ENDPOINTS = [e for e in ENDPOINTS if e.startswith("database") and "collection" not in e]

FRAGMENTS = [
    "db",
    ".",
    "collection",
    "(",
    ")",
    "'books'",
    '"missing"',
    "where",
    "{",
    "}",
    "[",
    "]",
    ":",
    ",",
    ";",
    "_",
    "$",
    ".gt(1)",
    ".and(_.lt(5))",
    "price",
    "'stock.n'",
    "get()",
    "count()",
    "add",
    "update",
    "set",
    "remove()",
    "data",
    "doc('b1')",
    "limit(3)",
    "skip(1)",
    "orderBy('price','desc')",
    "field({title:1})",
    "aggregate()",
    "match({})",
    "end()",
    "group({_id:'$tags'})",
    "new Date('2024-01-01')",
    "db.Geo.Point(113, 23)",
    "new",
    "Date",
    "db.RegExp({regexp:'^a'})",
    "/a+/i",
    "const X = 1;",
    "X",
    "1e400",
    "-0",
    "0x1F",
    "123456789012345678901234567890",
    "true",
    "null",
    "undefined",
    "'\\u0041\\n'",
    "`t`",
    "// c\n",
    "/* c */",
    "_.inc(1)",
    "_.push([1])",
    "_.remove()",
    "db.command.eq(",
    "=>",
    "+",
    "a.b",
    "'$x'",
    "__proto__",
    "constructor",
    "toString",
    "\\",
    "'",
    '"',
    "\u2028",
    "é",
]

js_like = st.lists(st.sampled_from(FRAGMENTS), max_size=25).map("".join)
json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(max_size=10),
    lambda kids: (
        st.lists(kids, max_size=3) | st.dictionaries(st.text(max_size=5), kids, max_size=3)
    ),
    max_leaves=8,
)


def js(value: Any) -> str:
    return json.dumps(value, ensure_ascii=False)


operations = st.sampled_from(
    [
        ".get()",
        ".count()",
        ".remove()",
        ".update({data: %s})",
        ".add({data: %s})",
        ".doc('b1').set({data: %s})",
        ".doc('b2').update({data: %s})",
        ".doc('b3').get()",
        ".aggregate().match(%s).end()",
        ".where(%s).limit(2).get()",
        ".where(%s).remove()",
    ]
)
structured = st.builds(
    lambda name, op, value: f"db.collection({js(name)}){op.replace('%s', js(value))}",
    st.sampled_from(["books", "missing", "", "a.b"]),
    operations,
    json_values,
)
nasty = st.sampled_from(
    [
        "[" * 3000,
        "db.collection('books').where(" + "{a:" * 400 + "1" + "}" * 400 + ").get()",
        "db.collection('books').add({data: {s: '" + "x" * 200_000 + "'}})",
        "db.collection('books').where({n: 1e308 * 10}).get()",
        "db.collection('books').limit(1e400).get()",
        "db.collection('books').skip(-1).get()",
    ]
)
queries = st.one_of(js_like, structured, nasty, st.text(max_size=40))


def body_for(endpoint: str, query: Any, extra: dict[str, Any]) -> dict[str, Any]:
    if endpoint in QUERY_ENDPOINTS:
        return {"env": ENV, "query": query, **extra}
    if endpoint == "invokecloudfunction":
        return {"env": ENV, "name": "echo", "req_data": query, **extra}
    return {"env": ENV, "collection_name": query, **extra}


bodies = st.one_of(
    st.binary(max_size=64),
    json_values.map(lambda v: json.dumps(v).encode()),
    st.builds(
        lambda endpoint, query, extra: (
            endpoint,
            json.dumps(body_for(endpoint, query, extra)).encode(),
        ),
        st.sampled_from(ENDPOINTS),
        st.one_of(queries, json_values),
        st.dictionaries(
            st.sampled_from(
                ["env", "limit", "offset", "create_indexes", "drop_indexes", "name", "force"]
            ),
            json_values,
            max_size=2,
        ),
    ),
)


def make_cloud() -> WxCloud:
    cloud = WxCloud(env=ENV, seed=5)
    cloud.clock.freeze()
    cloud.seed(
        {
            "books": [
                {"_id": "b1", "title": "Dune", "price": 12, "tags": ["sf"]},
                {"_id": "b2", "title": "Emma", "price": 8, "stock": {"n": 2}},
                {"_id": "b3", "title": "Ubik", "price": 9.5},
            ]
        }
    )

    @cloud.function("echo")
    def echo(event: dict[str, Any], context: Any) -> dict[str, Any]:
        return event

    return cloud


def check(
    cloud: WxCloud,
    client: httpx.Client,
    endpoint: str,
    content: bytes,
    method: str,
    token: str | None,
) -> None:
    before = cloud.snapshot()
    params = {"access_token": token} if token is not None else {}
    scheme = "https" if token is not None else "http"
    response = client.request(
        method, f"{scheme}://api.weixin.qq.com/tcb/{endpoint}", params=params, content=content
    )
    assert response.status_code == 200
    body = response.json()
    assert isinstance(body, dict) and isinstance(body.get("errcode"), int), body
    if body["errcode"] != 0:
        assert body["errcode"] in DOCUMENTED, body
        assert RID.search(body["errmsg"]), body
        assert set(body) == {"errcode", "errmsg"}
    else:
        assert body["errmsg"] == "ok"
        assert set(body) == {"errcode", "errmsg"} | SHAPES[endpoint], body
        if "data" in body:
            assert all(isinstance(json.loads(item), dict) for item in body["data"])
    if body["errcode"] != 0 or endpoint not in WRITES:
        assert cloud.snapshot() == before, (endpoint, content[:200], body)


FUZZ = settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])


@FUZZ
@given(
    request=bodies,
    endpoint=st.sampled_from(ENDPOINTS),
    method=st.sampled_from(["POST", "POST", "POST", "GET", "PUT"]),
    with_token=st.sampled_from([True, True, False, None]),
)
def test_random_requests(request: Any, endpoint: str, method: str, with_token: bool | None) -> None:
    if isinstance(request, tuple):
        endpoint, content = request
    else:
        content = request
    cloud = make_cloud()
    with cloud.mock_http(), httpx.Client() as client:
        if with_token is None:
            token: str | None = "garbage"
        elif with_token:
            token = client.get(
                "https://api.weixin.qq.com/cgi-bin/token",
                params={
                    "grant_type": "client_credential",
                    "appid": cloud.appid,
                    "secret": cloud.secret,
                },
            ).json()["access_token"]
        else:
            token = None
        check(cloud, client, endpoint, content, method, token)


@FUZZ
@given(endpoint=st.sampled_from(QUERY_ENDPOINTS), query=queries)
def test_random_queries(endpoint: str, query: str) -> None:
    cloud = make_cloud()
    with cloud.mock_http(), httpx.Client() as client:
        content = json.dumps({"env": ENV, "query": query}).encode()
        check(cloud, client, endpoint, content, "POST", None)
