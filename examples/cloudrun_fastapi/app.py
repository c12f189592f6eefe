"""A WeChat Cloud Run (微信云托管) service: a per-user todo list.

The platform tells the service who is calling through ``X-WX-*`` headers, and the service reaches
the cloud database through the open-interface service (开放接口服务): plain
``http://api.weixin.qq.com`` with no access token. Values are put into the ``query`` string as
JSON literals (valid JavaScript), never by pasting user text into code.
"""

from __future__ import annotations

import json
import os
from typing import Annotated, Any

import httpx
from fastapi import Depends, FastAPI, Header, HTTPException
from pydantic import BaseModel, Field

OPEN_API = "http://api.weixin.qq.com"


class NewTodo(BaseModel):
    title: str = Field(min_length=1, max_length=200)


def wechat_user(
    x_wx_source: Annotated[str | None, Header()] = None,
    x_wx_openid: Annotated[str | None, Header()] = None,
    x_wx_from_openid: Annotated[str | None, Header()] = None,
) -> str:
    """The caller's openid. Without ``X-WX-SOURCE`` the request did not come through WeChat
    (someone called the public URL directly), so its other X-WX headers prove nothing."""
    if not x_wx_source:
        raise HTTPException(403, "request did not come from WeChat")
    openid = x_wx_openid or x_wx_from_openid  # resource reuse sends only the FROM variant
    if not openid:
        raise HTTPException(401, "no WeChat user on this request")
    return openid


def run_query(endpoint: str, query: str) -> dict[str, Any]:
    env = os.environ["CBR_ENV_ID"]  # set by Cloud Run to the current environment
    response = httpx.post(f"{OPEN_API}/tcb/{endpoint}", json={"env": env, "query": query})
    body: dict[str, Any] = response.json()
    if body["errcode"] != 0:
        raise HTTPException(502, f"database error {body['errcode']}")
    return body


def create_app() -> FastAPI:
    app = FastAPI()

    @app.get("/api/todos")
    def list_todos(openid: Annotated[str, Depends(wechat_user)]) -> list[dict[str, Any]]:
        owner = json.dumps(openid)
        body = run_query(
            "databasequery",
            f"db.collection('todos').where({{_openid: {owner}}}).orderBy('createdAt', 'desc').limit(20).get()",
        )
        return [_public(json.loads(record)) for record in body["data"]]

    @app.post("/api/todos", status_code=201)
    def add_todo(todo: NewTodo, openid: Annotated[str, Depends(wechat_user)]) -> dict[str, str]:
        owner, title = json.dumps(openid), json.dumps(todo.title)
        body = run_query(
            "databaseadd",
            f"db.collection('todos').add({{data: {{_openid: {owner}, title: {title}, "
            "done: false, createdAt: db.serverDate()}})",
        )
        return {"_id": body["id_list"][0]}

    @app.post("/api/todos/{todo_id}/done")
    def finish(todo_id: str, openid: Annotated[str, Depends(wechat_user)]) -> dict[str, int]:
        where = json.dumps({"_id": todo_id, "_openid": openid})
        body = run_query(
            "databaseupdate",
            f"db.collection('todos').where({where}).update({{data: {{done: true}}}})",
        )
        if body["matched"] == 0:
            raise HTTPException(404, "no such todo")
        return {"modified": body["modified"]}

    return app


def _public(record: dict[str, Any]) -> dict[str, Any]:
    record.pop("_openid", None)
    created = record.get("createdAt")
    if isinstance(created, dict) and "$date" in created:
        record["createdAt"] = created["$date"]
    return record
