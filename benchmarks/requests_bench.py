"""What answering ``requests`` costs next to httpx, and next to doing it with ``responses``.

    python benchmarks/requests_bench.py
    WXCLOUD_BENCH_QUICK=1 python benchmarks/requests_bench.py   # fewer rounds, for CI

The same small databasequery (five records), in one process, five ways:

* ``httpx``:          ``httpx.Client`` under ``cloud.mock_http()`` (respx), the reference;
* ``requests``:       ``requests.Session`` under ``cloud.mock_http()`` (the cloud's adapter);
* ``via responses``:  the same face behind a ``responses`` callback, the alternative design;
* ``floor httpx``:    httpx answered by a bare respx route with a fixed body;
* ``floor requests``: requests answered by a bare ``responses`` mock with a fixed body.

Target: requests within 1.5x of httpx. The floors show what each client costs before any work.
"""

from __future__ import annotations

import json
import os

import httpx
import requests
import responses
import respx
from http_bench import best_per_call

from pytest_wxcloud import WxCloud
from pytest_wxcloud.http.options import HttpOptions
from pytest_wxcloud.http.requests_adapter import to_httpx_request
from pytest_wxcloud.http.router import HttpFace

QUICK = bool(os.environ.get("WXCLOUD_BENCH_QUICK"))
CALLS = 60 if QUICK else 500
QUERY = "db.collection('books').where({price: _.gt(10)}).orderBy('price', 'asc').limit(5).get()"
URL = "http://api.weixin.qq.com/tcb/databasequery"


def main() -> None:
    cloud = WxCloud(env="bench", seed=1)
    cloud.seed(
        {"books": [{"_id": f"b{i:03d}", "title": f"Book {i}", "price": i % 40} for i in range(50)]}
    )
    payload = {"env": cloud.env, "query": QUERY}
    body = json.dumps(payload)
    timings: dict[str, float] = {}

    with httpx.Client() as client, requests.Session() as session:
        with cloud.mock_http():
            expected = client.post(URL, content=body).json()
            assert expected["errcode"] == 0 and len(expected["data"]) == 5
            assert session.post(URL, json=payload).json()["data"] == expected["data"]
            timings["httpx"] = best_per_call(lambda: client.post(URL, content=body).json(), CALLS)
            timings["requests"] = best_per_call(
                lambda: session.post(URL, json=payload).json(), CALLS
            )

        face = HttpFace(cloud, cloud.http_state(), HttpOptions())

        def from_face(prepared: requests.PreparedRequest) -> tuple[int, dict[str, str], bytes]:
            answer = face.answer(to_httpx_request(prepared))
            assert answer is not None
            return answer.status_code, dict(answer.headers), answer.content

        with responses.RequestsMock() as mock:
            mock.add_callback("POST", URL, callback=from_face)  # type: ignore[arg-type]
            assert session.post(URL, json=payload).json()["data"] == expected["data"]
            timings["via responses"] = best_per_call(
                lambda: session.post(URL, json=payload).json(), CALLS
            )

        with respx.mock() as router:
            router.post(URL).respond(200, json=expected)
            timings["floor httpx"] = best_per_call(
                lambda: client.post(URL, content=body).json(), CALLS
            )
        with responses.RequestsMock() as mock:
            mock.post(URL, json=expected)
            timings["floor requests"] = best_per_call(
                lambda: session.post(URL, json=payload).json(), CALLS
            )

    reference = timings["httpx"]
    print(f"{'way':<16}{'µs/call':>10}{'x httpx':>10}")
    for name, seconds in timings.items():
        print(f"{name:<16}{seconds * 1e6:>10.1f}{seconds / reference:>10.2f}")
    ratio = timings["requests"] / reference
    verdict = "within" if ratio <= 1.5 else "OVER"
    print(f"requests / httpx = {ratio:.2f} ({verdict} the 1.5x target)")


if __name__ == "__main__":
    main()
