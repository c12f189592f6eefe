"""``python -m pytest_wxcloud serve``: the cloud as a standalone server, for test suites in
other languages and for trying requests by hand.

It prints the URL and the credentials ``/cgi-bin/token`` accepts, then serves until Ctrl-C
(SIGINT) or SIGTERM, and exits 0 after a clean stop. ``/_wxcloud/*`` (see :mod:`.control`)
resets, seeds, snapshots and dumps between the other suite's tests.
"""

from __future__ import annotations

import argparse
import signal
import sys
import threading
from collections.abc import Sequence
from pathlib import Path
from types import FrameType
from typing import TextIO

from ..cloud import WxCloud

#: export files a ``--data`` directory contributes, one collection each (the file's stem)
DATA_SUFFIXES = (".json", ".csv")


def parser() -> argparse.ArgumentParser:
    root = argparse.ArgumentParser(prog="python -m pytest_wxcloud")
    commands = root.add_subparsers(dest="command", required=True)
    serve = commands.add_parser("serve", help="serve an emulated cloud on a local port")
    serve.add_argument("--host", default="127.0.0.1", help="address to listen on (127.0.0.1)")
    serve.add_argument("--port", type=port_number, default=0, help="port (default: a free one)")
    serve.add_argument("--env", default="test-env", help="env id (test-env)")
    serve.add_argument("--appid", help="appid (default: made from the seed)")
    serve.add_argument("--secret", help="appsecret (default: made from the seed)")
    serve.add_argument("--seed", type=int, default=0, help="seed of ids and fake data (0)")
    serve.add_argument(
        "--data",
        nargs="+",
        default=[],
        metavar="FILE_OR_DIR",
        help="console export files to load (a directory: every *.json/*.csv, collection = stem)",
    )
    serve.add_argument(
        "--open-interface",
        action="store_true",
        help="answer /tcb/* without access_token, as the Cloud Run open-interface service",
    )
    return root


def port_number(text: str) -> int:
    if not text.isdigit() or int(text) > 65535:
        raise argparse.ArgumentTypeError(
            f"a port is a number from 0 (any free port) to 65535, got {text!r}"
        )
    return int(text)


def data_files(paths: Sequence[str]) -> list[Path]:
    files: list[Path] = []
    for text in paths:
        path = Path(text)
        if path.is_dir():
            found = sorted(p for p in path.iterdir() if p.suffix.lower() in DATA_SUFFIXES)
            if not found:
                raise ValueError(f"--data {text}: no *.json or *.csv export files in it")
            files += found
        elif path.is_file():
            files.append(path)
        else:
            raise ValueError(f"--data {text}: no such file or directory")
    return files


def build_cloud(options: argparse.Namespace) -> WxCloud:
    cloud = WxCloud(env=options.env, appid=options.appid, secret=options.secret, seed=options.seed)
    for path in data_files(options.data):
        cloud.load(path)
    return cloud


def banner(server: object, cloud: WxCloud, loaded: list[str]) -> str:
    url = getattr(server, "url", "")
    lines = [
        f"pytest-wxcloud serving env {cloud.env}",
        f"  url        {url}",
        f"  admin_url  {url}/admin",
        f"  env        {cloud.env}",
        f"  appid      {cloud.appid}",
        f"  secret     {cloud.secret}",
        f"  control    {url}/_wxcloud/ (info, reset, seed, snapshot, restore, dump)",
        f"  data       {', '.join(loaded) if loaded else '(none)'}",
        "Press Ctrl-C to stop.",
    ]
    return "\n".join(lines)


def serve(options: argparse.Namespace, out: TextIO) -> int:
    try:
        cloud = build_cloud(options)
    except (OSError, ValueError, TypeError) as error:
        print(f"pytest-wxcloud: {error}", file=sys.stderr)
        return 2
    stop = threading.Event()

    def on_signal(signum: int, frame: FrameType | None) -> None:
        stop.set()

    previous = {sig: signal.signal(sig, on_signal) for sig in (signal.SIGINT, signal.SIGTERM)}
    try:
        with cloud.serve(
            options.host, options.port, open_interface=options.open_interface
        ) as server:
            print(banner(server, cloud, cloud.collections()), file=out, flush=True)
            while not stop.wait(0.5):
                pass
    except OSError as error:
        print(
            f"pytest-wxcloud: cannot listen on {options.host}:{options.port}: {error}",
            file=sys.stderr,
        )
        return 2
    finally:
        for sig, handler in previous.items():
            signal.signal(sig, handler)
    print("pytest-wxcloud: stopped", file=out, flush=True)
    return 0


def main(argv: Sequence[str] | None = None) -> int:
    options = parser().parse_args(argv)
    return serve(options, sys.stdout)


__all__ = ["main"]
