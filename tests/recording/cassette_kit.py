"""Helpers for writing cassettes by hand in tests."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any


def write_cassette(path: Path, interactions: list[dict[str, Any]], version: int = 1) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps({"version": version, "interactions": interactions}), "utf-8")
    return path


def entry(function: str, data: dict[str, Any], result: Any = None, **extra: Any) -> dict[str, Any]:
    out: dict[str, Any] = {"function": function, "request": {"data": data}}
    out["response"] = extra.pop("response", {"result": result})
    out.update(extra)
    return out


def answered_by(cloud: Any) -> Any:
    """An httpx transport on which ``cloud``'s HTTP face answers, as the real host would."""
    import httpx

    from pytest_wxcloud.http.options import HttpOptions
    from pytest_wxcloud.http.router import HttpFace

    face = HttpFace(cloud, cloud.http_state(), HttpOptions())

    def handle(request: httpx.Request) -> httpx.Response:
        response = face.answer(request)
        return response if response is not None else face.not_emulated(request)

    return httpx.MockTransport(handle)
