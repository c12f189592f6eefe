"""Messages for the person watching pytest, past its output capturing.

pytest captures file descriptor 2, so a plain ``print`` during a test shows only if the test
fails. A first npm install takes seconds and deserves to be seen: with a session attached the
message goes through the terminal reporter with capturing suspended.
"""

from __future__ import annotations

import threading
from typing import Any

_session: dict[str, Any] = {}
_lock = threading.Lock()


def attach(config: Any) -> None:
    """Called by the pytest plugin at configure time."""
    _session["config"] = config
    config.add_cleanup(lambda: _session.pop("config", None))


def show(message: str) -> bool:
    """Write ``message`` on pytest's terminal; False when there is none (no session, an xdist
    worker without a terminal)."""
    config = _session.get("config")
    if config is None or hasattr(config, "workerinput"):  # xdist workers have no terminal
        return False
    reporter = config.pluginmanager.get_plugin("terminalreporter")
    capture = config.pluginmanager.get_plugin("capturemanager")
    if reporter is None or capture is None:
        return False
    with _lock, capture.global_and_fixture_disabled():
        reporter.write_line(message)
    return True


__all__ = ["attach", "show"]
