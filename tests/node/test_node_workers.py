"""Worker lifetime: reused across clouds of a session, never outliving pytest."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

from pytest_wxcloud import WxCloud
from pytest_wxcloud.node.serving import release

FUNCTIONS = Path(__file__).parent / "cloudfunctions"

PARENT = """
import sys, time
from pytest_wxcloud import WxCloud
cloud = WxCloud()
cloud.functions.load(sys.argv[1])
print("pid", cloud.call_function("ticker")["result"], flush=True)
time.sleep(120)
"""


def _running(pid: int) -> bool:
    try:
        status = Path(f"/proc/{pid}/status").read_text()
    except FileNotFoundError:
        return False
    return "\nState:\tZ" not in status  # a zombie has exited


def test_one_worker_serves_the_clouds_of_many_tests(cloud: WxCloud) -> None:
    first = cloud.call_function("misbehave", {"how": "pid"})["result"]
    other = WxCloud(env="test-env", seed=99)
    other.functions.load(FUNCTIONS / "misbehave")
    try:
        assert other.call_function("misbehave", {"how": "pid"})["result"] == first
    finally:
        release(other)


def test_a_worker_exits_when_pytest_is_killed(tmp_path: Path) -> None:
    folder = tmp_path / "ticker"
    folder.mkdir()
    (folder / "package.json").write_text("{}")
    (folder / "index.js").write_text(  # a module-level timer keeps Node's event loop alive
        "setInterval(() => {}, 1000);\nexports.main = async () => process.pid;\n"
    )
    env = {**os.environ, "PYTHONPATH": os.pathsep.join(sys.path)}
    parent = subprocess.Popen(
        [sys.executable, "-c", PARENT, str(folder)],
        stdout=subprocess.PIPE,
        text=True,
        env=env,
    )
    assert parent.stdout is not None
    lines = iter(parent.stdout.readline, "")
    worker = int(next(line for line in lines if line.startswith("pid ")).split()[1])
    assert _running(worker)
    parent.send_signal(signal.SIGKILL)  # no atexit, no cleanup: only the closed stdin tells
    parent.wait()
    deadline = time.monotonic() + 10
    while _running(worker) and time.monotonic() < deadline:
        time.sleep(0.05)
    assert not _running(worker)
