"""What the loopback server costs over the cheapest HTTP server Python has, on this machine.

    python benchmarks/server_bench.py [--calls N]
    WXCLOUD_BENCH_QUICK=1 python benchmarks/server_bench.py   # fewer calls, for CI

Both sides use one keep-alive ``httpx.Client`` and the same request body:

* ``floor``:   a bare stdlib ``ThreadingHTTPServer`` (TCP_NODELAY, one write per reply) answering
  a fixed JSON body: the socket round trip plus the least an HTTP server can do;
* ``server``:  POST /tcb/databasequery on ``cloud.serve()``: a small query (5 of 50 records)
  parsed, run and encoded, plus the server's own framing, threads and faces;
* ``inproc``:  the same query through ``cloud.mock_http()`` (no socket), for scale.

Target: server within 2x of floor. Also: 8 keep-alive clients x 25 ``_.inc`` updates at once,
checked to lose nothing, with their wall time.
"""

from __future__ import annotations

import argparse
import json
import os
import socket
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import httpx
from http_bench import best_per_call  # this folder: scripts run with it on sys.path

from pytest_wxcloud import WxCloud

QUICK = bool(os.environ.get("WXCLOUD_BENCH_QUICK"))
QUERY = "db.collection('books').where({price: _.gt(10)}).orderBy('price', 'asc').limit(5).get()"


def fixed_json_server(reply: bytes) -> ThreadingHTTPServer:
    class Fixed(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def setup(self) -> None:
            super().setup()
            self.connection.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)

        def do_POST(self) -> None:
            self.rfile.read(int(self.headers.get("Content-Length", "0")))
            head = (
                "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\n"
                f"Content-Length: {len(reply)}\r\n\r\n"
            ).encode()
            self.wfile.write(head + reply)

        def log_message(self, format: str, *args: Any) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Fixed)
    server.daemon_threads = True
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server


def concurrent_incs(cloud: WxCloud, url: str, token: str, clients: int, updates: int) -> float:
    cloud.seed({"counters": [{"_id": "c", "n": 0}]})
    body = {
        "env": cloud.env,
        "query": "db.collection('counters').doc('c').update({data: {n: _.inc(1)}})",
    }
    barrier = threading.Barrier(clients + 1)

    def client() -> None:
        with httpx.Client(base_url=url) as http:
            barrier.wait()
            for _ in range(updates):
                http.post("/tcb/databaseupdate", params={"access_token": token}, json=body)

    threads = [threading.Thread(target=client) for _ in range(clients)]
    for thread in threads:
        thread.start()
    barrier.wait()
    start = time.perf_counter()
    for thread in threads:
        thread.join()
    elapsed = time.perf_counter() - start
    final = cloud.dump("counters")[0]["n"]
    assert final == clients * updates, f"lost updates: {final} of {clients * updates}"
    return elapsed


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--calls", type=int, default=100 if QUICK else 1000)
    calls = parser.parse_args().calls
    repeats = 3 if QUICK else 5

    cloud = WxCloud(env="bench", seed=1)
    cloud.seed(
        {"books": [{"_id": f"b{i:03d}", "title": f"Book {i}", "price": i % 40} for i in range(50)]}
    )
    body = json.dumps({"env": cloud.env, "query": QUERY})

    with cloud.serve(open_interface=True) as server, httpx.Client(base_url=server.url) as client:
        expected = client.post("/tcb/databasequery", content=body)
        assert expected.json()["errcode"] == 0 and len(expected.json()["data"]) == 5
        served = best_per_call(
            lambda: client.post("/tcb/databasequery", content=body).content, calls, repeats
        )
        token = client.get(
            "/cgi-bin/token",
            params={
                "grant_type": "client_credential",
                "appid": cloud.appid,
                "secret": cloud.secret,
            },
        ).json()["access_token"]
        incs = concurrent_incs(cloud, server.url, token, 8, 25)

    bare = fixed_json_server(expected.content)
    try:
        with httpx.Client(base_url=f"http://127.0.0.1:{bare.server_address[1]}") as client:
            floor = best_per_call(lambda: client.post("/", content=body).content, calls, repeats)
    finally:
        bare.shutdown()
        bare.server_close()

    with cloud.mock_http(), httpx.Client() as client:
        url = "http://api.weixin.qq.com/tcb/databasequery"
        inproc = best_per_call(lambda: client.post(url, content=body).content, calls, repeats)

    print(f"{'way':<8}{'µs/call':>10}{'x floor':>10}")
    for name, seconds in (("floor", floor), ("server", served), ("inproc", inproc)):
        print(f"{name:<8}{seconds * 1e6:>10.1f}{seconds / floor:>10.2f}")
    print(f"server / floor = {served / floor:.2f} (target <= 2)")
    print(f"8 clients x 25 _.inc over the server: 200 of 200 kept, {incs * 1e3:.0f} ms")


if __name__ == "__main__":
    main()
