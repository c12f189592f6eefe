"""The ``context`` argument of ``main(event, context)``: the SCF invocation context.

Only what node-sdk and real handlers read (sdk.md §1.4). The caller's identity is deliberately
not here — production keeps it in environment variables, and so does ``getWXContext``.
"""

from __future__ import annotations

import json
import time


class InvocationContext:
    """Attribute names follow SCF's (``function_name``, ``request_id``…), as handlers read them."""

    __slots__ = (
        "_deadline",
        "_environ",
        "function_name",
        "namespace",
        "request_id",
        "time_limit_in_ms",
    )

    memory_limit_in_mb = 256
    function_version = "$LATEST"
    tencentcloud_region = "ap-shanghai"
    callback_waits_for_empty_event_loop = False

    def __init__(
        self,
        function_name: str,
        request_id: str,
        namespace: str,
        timeout: float,
        environ: dict[str, str],
    ) -> None:
        self.function_name = function_name
        self.request_id = request_id
        self.namespace = namespace
        self.time_limit_in_ms = int(timeout * 1000)
        self._environ = environ
        self._deadline = time.perf_counter() + timeout

    @property
    def environ(self) -> str:
        """The old runtime's ``key=value;key=value`` form of the injected variables."""
        return ";".join(f"{k}={v}" for k, v in self._environ.items())

    @property
    def environment(self) -> str:
        """The new runtime's JSON form of the injected variables."""
        return json.dumps(self._environ, ensure_ascii=False)

    def get_remaining_time_in_millis(self) -> int:
        return max(0, int((self._deadline - time.perf_counter()) * 1000))

    def __repr__(self) -> str:
        return f"InvocationContext(function_name={self.function_name!r}, request_id={self.request_id!r})"


__all__ = ["InvocationContext"]
