"""Mini-program codes: ``wxacode.get``, ``wxacode.getUnlimited``, ``wxacode.createQRCode``.

The answer is a real PNG holding a standard QR code (drawn with segno, pure Python), so code that
stores, resizes or scans the image works, and a test can decode what it points at:
``wxacode://<appid>/<path>`` for ``get`` / ``createQRCode``, ``wxacode://<appid>/<page>?scene=
<scene>`` for ``getUnlimited``. The same parameters give the same bytes. Real mini-program codes
are a round WeChat-only symbology; a QR code is the closest thing a test can read back.
"""

from __future__ import annotations

import io
from typing import Any

import segno

from ..outcome import Media, OpenApiError, Reply
from .context import ApiCall, ApiHandler

DEFAULT_WIDTH = 430
MIN_WIDTH, MAX_WIDTH = 280, 1280
MAX_PATH = 1024
MAX_SCENE = 32
ENV_VERSIONS = ("release", "trial", "develop")


def _png(text: str, params: dict[str, Any] | Any) -> Media:
    width = params.get("width", DEFAULT_WIDTH)
    if isinstance(width, bool) or not isinstance(width, int):
        raise OpenApiError(47003, f"argument invalid! width must be a number, got {width!r}")
    width = min(max(width, MIN_WIDTH), MAX_WIDTH)
    code = segno.make(text, error="m", micro=False)
    size = code.symbol_size(scale=1)[0]
    dark: Any = "#000"
    color = params.get("line_color")
    if params.get("auto_color") is not True and isinstance(color, dict):
        dark = tuple(int(color.get(c, 0)) & 0xFF for c in ("r", "g", "b"))
    light = None if params.get("is_hyaline") is True else "#fff"
    out = io.BytesIO()
    code.save(out, kind="png", scale=max(1, width // size), dark=dark, light=light)
    return Media("image/png", out.getvalue())


def _path(call: ApiCall) -> str:
    path = call.params.get("path")
    if not isinstance(path, str) or not path:
        raise OpenApiError(40169, "invalid length for path, or the data is not json string")
    if len(path) > MAX_PATH:
        raise OpenApiError(40159, f"invalid length for path: {len(path)} > {MAX_PATH}")
    return path


def get(call: ApiCall) -> Reply:
    path = _path(call)
    call.choice("env_version", ENV_VERSIONS, "release")
    return Reply(media=_png(f"wxacode://{call.cloud.appid}/{path}", call.params))


def create_qr_code(call: ApiCall) -> Reply:
    path = _path(call)
    return Reply(media=_png(f"wxacode://{call.cloud.appid}/{path}", call.params))


def get_unlimited(call: ApiCall) -> Reply:
    scene = call.params.get("scene")
    if not isinstance(scene, str) or not scene or len(scene) > MAX_SCENE:
        raise OpenApiError(40169, "invalid length for scene, or the data is not json string")
    page = call.params.get("page", "")
    if not isinstance(page, str) or page.startswith("/"):
        raise OpenApiError(41030, f"invalid page {page!r}: no leading '/', e.g. pages/index/index")
    call.choice("env_version", ENV_VERSIONS, "release")
    return Reply(media=_png(f"wxacode://{call.cloud.appid}/{page}?scene={scene}", call.params))


APIS: dict[str, ApiHandler] = {
    "wxacode.get": get,
    "wxacode.getUnlimited": get_unlimited,
    "wxacode.createQRCode": create_qr_code,
}

__all__ = ["APIS"]
