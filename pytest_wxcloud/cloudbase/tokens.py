"""``wxCloudApiToken``: which invocation a CloudBase request comes from.

The platform starts each invocation with ``WX_API_TOKEN`` listed in ``WX_CONTEXT_KEYS``; the SDK
then sends it as the body field ``wxCloudApiToken`` of every request the function makes
(node-runtime.md §0.6, §2.1). The emulator issues one opaque token per invocation and resolves it
back to the invocation's identity and function, so a nested ``callFunction`` keeps its caller even
when many invocations share one Node worker and arrive interleaved.
"""

from __future__ import annotations

import random
import threading
from dataclasses import dataclass

from ..identity import Identity


@dataclass(frozen=True, slots=True)
class Grant:
    """What a token stands for: the identity the invocation runs as, and which function."""

    identity: Identity
    function_name: str | None = None


class InvocationTokens:
    """Issued tokens, deterministic per seed; an unknown token is refused by the face."""

    def __init__(self, seed: int) -> None:
        self._random = random.Random(f"{seed}/cloudbase-tokens")
        self._grants: dict[str, Grant] = {}
        self._lock = threading.Lock()

    def issue(self, identity: Identity, function_name: str | None = None) -> str:
        with self._lock:
            token = f"wxtok-{self._random.getrandbits(96):024x}"
            self._grants[token] = Grant(identity, function_name)
        return token

    def resolve(self, token: str) -> Grant | None:
        return self._grants.get(token)

    def revoke(self, token: str) -> None:
        """Forget a token once its invocation has ended (keeps the table small)."""
        with self._lock:
            self._grants.pop(token, None)

    def __len__(self) -> int:
        return len(self._grants)


__all__ = ["Grant", "InvocationTokens"]
