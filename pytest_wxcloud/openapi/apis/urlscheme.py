"""``urlscheme.generate``: a ``weixin://dl/business/?t=…`` link opening the mini program."""

from __future__ import annotations

import random
import string

from ..outcome import OpenApiError, Reply, ok
from .context import ApiCall, ApiHandler

ENV_VERSIONS = ("release", "trial", "develop")


def generate(call: ApiCall) -> Reply:
    jump = call.params.get("jump_wxa", {})
    if not isinstance(jump, dict):
        raise OpenApiError(47003, f"argument invalid! jump_wxa must be an object, got {jump!r}")
    path = jump.get("path", "")
    if not isinstance(path, str) or path.startswith("/"):
        raise OpenApiError(40165, f"invalid weapp pagepath {path!r}")
    if jump.get("env_version", "release") not in ENV_VERSIONS:
        raise OpenApiError(47003, f"argument invalid! env_version must be one of {ENV_VERSIONS}")
    rng: random.Random = call.service.link_random
    ticket = "".join(rng.choice(string.ascii_letters + string.digits) for _ in range(11))
    return ok(openlink=f"weixin://dl/business/?t={ticket}")


APIS: dict[str, ApiHandler] = {"urlscheme.generate": generate}

__all__ = ["APIS"]
