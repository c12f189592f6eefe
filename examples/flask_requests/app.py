"""A Flask back end that reads and writes the cloud database over the WeChat HTTP API.

This is the shape of most public Flask/Django code around 云开发: fetch an ``access_token`` from
``/cgi-bin/token`` with the mini program's AppID and AppSecret (cached until it stops working),
then POST a database query string to ``/tcb/databasequery`` and friends with ``requests``.
Values go into the query string through ``json.dumps``, never by pasting user text in quotes.
"""

from __future__ import annotations

import json
import threading
from typing import Any

import requests
from flask import Flask, abort, jsonify, request
from flask.typing import ResponseReturnValue

API = "https://api.weixin.qq.com"
REFRESH_ON = {40001, 40014, 42001}


class WeChatApi:
    """The token cache and the one POST every endpoint shares."""

    def __init__(self, appid: str, secret: str, env: str) -> None:
        self.appid, self.secret, self.env = appid, secret, env
        self.session = requests.Session()
        self._token: str | None = None
        self._lock = threading.Lock()

    def token(self) -> str:
        with self._lock:
            if self._token is None:
                params = {
                    "grant_type": "client_credential",
                    "appid": self.appid,
                    "secret": self.secret,
                }
                body = self.session.get(f"{API}/cgi-bin/token", params=params, timeout=5).json()
                if "access_token" not in body:
                    raise RuntimeError(f"token: {body['errcode']} {body['errmsg']}")
                self._token = str(body["access_token"])
            return self._token

    def query(self, endpoint: str, query: str) -> dict[str, Any]:
        for attempt in (1, 2):
            response = self.session.post(
                f"{API}/tcb/{endpoint}",
                params={"access_token": self.token()},
                json={"env": self.env, "query": query},
                timeout=5,
            )
            body: dict[str, Any] = response.json()
            if body["errcode"] in REFRESH_ON and attempt == 1:
                self._token = None
                continue
            return body
        raise AssertionError("unreachable")


def create_app(appid: str, secret: str, env: str) -> Flask:
    app = Flask(__name__)
    wechat = WeChatApi(appid, secret, env)

    @app.get("/books")
    def list_books() -> ResponseReturnValue:
        shelf = request.args.get("shelf", "")
        body = wechat.query(
            "databasequery",
            f"db.collection('books').where({{shelf: {json.dumps(shelf)}}})"
            ".orderBy('title', 'asc').limit(20).get()",
        )
        if body["errcode"] != 0:
            abort(502, body["errmsg"])
        return jsonify(
            books=[json.loads(record) for record in body["data"]], total=body["pager"]["Total"]
        )

    @app.post("/books")
    def add_book() -> ResponseReturnValue:
        payload = request.get_json(silent=True) or {}
        if not isinstance(payload.get("title"), str) or not payload["title"]:
            abort(400, "title is required")
        book = {"title": payload["title"], "shelf": str(payload.get("shelf", "new"))}
        body = wechat.query(
            "databaseadd", f"db.collection('books').add({{data: {json.dumps(book)}}})"
        )
        if body["errcode"] != 0:
            abort(502, body["errmsg"])
        return jsonify(id=body["id_list"][0]), 201

    return app
