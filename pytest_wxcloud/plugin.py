"""pytest plugin (entry point ``pytest11``): a fresh, deterministic cloud per test.

Fixtures: ``wxcloud`` (a :class:`WxCloud` with HTTP interception on), ``wx_user`` (a user of
it), ``wx_db`` (its database), ``wxcloud_server`` (it, served on a loopback port). Marker:
``@pytest.mark.wxcloud(env=, appid=, seed=, data=, strict=)``. Options: ``--wxcloud-seed``,
``--wxcloud-strict``, ``--wxcloud-block-network``; ini: ``wxcloud_env``,
``wxcloud_appid``, ``wxcloud_data_dir``, ``wxcloud_functions_dir``, ``wxcloud_strict``,
``wxcloud_propagate_openid``.

The seed of each test's cloud comes from its node id, so ids and users are the same on every
run and on every xdist worker, whatever order tests run in.
"""

from __future__ import annotations

import sys
import zlib
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from .cloud import WxCloud
from .identity import Identity
from .seed_cache import SeedCache

MARKER_KEYS = ("env", "appid", "seed", "data", "strict")


@dataclass(frozen=True)
class Settings:
    """The session-wide defaults, read once from the command line and ini file."""

    seed: int | None
    env: str
    appid: str | None
    data_dir: Path | None
    functions_dir: Path | None
    strict: bool
    propagate_openid: bool


SETTINGS = pytest.StashKey[Settings]()
CLOUD = pytest.StashKey[tuple[WxCloud, bool]]()
HTTP_HELD = pytest.StashKey[bool]()
SEED_FILES = pytest.StashKey[SeedCache]()


def pytest_addoption(parser: pytest.Parser) -> None:
    group = parser.getgroup("wxcloud", "pytest-wxcloud (WeChat cloud development test doubles)")
    group.addoption(
        "--wxcloud-seed",
        type=int,
        default=None,
        help="seed every wxcloud fixture with this number instead of one derived from the test id",
    )
    group.addoption(
        "--wxcloud-strict",
        action="store_true",
        default=False,
        help="fail tests whose registered cloud-function routes or handlers were never called",
    )
    group.addoption(
        "--wxcloud-block-network",
        action="store_true",
        default=False,
        help="refuse every connection to a non-loopback host during the run "
        "(127.0.0.0/8, ::1 and localhost stay reachable)",
    )
    parser.addini("wxcloud_env", "env id of the wxcloud fixture's cloud", default="test-env")
    parser.addini("wxcloud_appid", "appid of the wxcloud fixture's cloud (default: from the seed)")
    parser.addini(
        "wxcloud_data_dir", "folder that relative data= files of @pytest.mark.wxcloud are read from"
    )
    parser.addini(
        "wxcloud_functions_dir", "cloudfunctions/ folder loaded into every wxcloud fixture's cloud"
    )
    parser.addini("wxcloud_strict", "same as --wxcloud-strict", type="bool", default=False)
    parser.addini(
        "wxcloud_propagate_openid",
        "functions called by functions still see the user's OPENID (default: no)",
        type="bool",
        default=False,
    )


def pytest_configure(config: pytest.Config) -> None:
    if config.getoption("wxcloud_block_network"):
        from .http.network_guard import NETWORK_GUARD

        NETWORK_GUARD.block_everything()
        config.add_cleanup(NETWORK_GUARD.unblock_everything)
    config.addinivalue_line(
        "markers",
        "wxcloud(env=None, appid=None, seed=None, data=None, strict=None): configure the wxcloud "
        "fixture's cloud; data seeds collections from a dict of lists or from export files",
    )
    base = config.inipath.parent if config.inipath is not None else config.rootpath
    config.stash[SETTINGS] = Settings(
        seed=config.getoption("wxcloud_seed"),
        env=str(config.getini("wxcloud_env")) or "test-env",
        appid=str(config.getini("wxcloud_appid")) or None,
        data_dir=_ini_path(config, "wxcloud_data_dir", base),
        functions_dir=_ini_path(config, "wxcloud_functions_dir", base),
        strict=bool(config.getoption("wxcloud_strict")) or bool(config.getini("wxcloud_strict")),
        propagate_openid=bool(config.getini("wxcloud_propagate_openid")),
    )
    cache = getattr(config, "cache", None)  # None under -p no:cacheprovider
    config.stash[SEED_FILES] = SeedCache(cache.mkdir("wxcloud-seeds") if cache else None)
    from .node import progress

    progress.attach(config)


def _ini_path(config: pytest.Config, name: str, base: Path) -> Path | None:
    value = str(config.getini(name))
    return base / value if value else None


@pytest.fixture
def wxcloud(request: pytest.FixtureRequest) -> Iterator[WxCloud]:
    """A fresh cloud for this test, with ``api.weixin.qq.com`` over httpx routed to it."""
    settings = request.config.stash[SETTINGS]
    options = _marker_options(request.node)
    seed = options.get("seed")
    if seed is None:
        seed = (
            settings.seed if settings.seed is not None else zlib.crc32(request.node.nodeid.encode())
        )
    cloud = WxCloud(
        env=options.get("env") or settings.env,
        appid=options.get("appid") or settings.appid,
        seed=seed,
    )
    if settings.propagate_openid:
        cloud.functions.propagate_openid = True
    if settings.functions_dir is not None:
        cloud.functions.load(settings.functions_dir)
    if options.get("data") is not None:
        seed_data(
            cloud,
            options["data"],
            settings.data_dir or request.node.path.parent,
            request.config.stash[SEED_FILES],
        )
    strict = options.get("strict")
    request.node.stash[CLOUD] = (cloud, settings.strict if strict is None else strict)
    _hold_http_router(request.config)
    try:
        with cloud.mock_http():
            yield cloud
    finally:
        # the item outlives its test (pytest keeps every item until the session ends)
        del request.node.stash[CLOUD]
        _release_node_server(cloud)


def _release_node_server(cloud: WxCloud) -> None:
    """Stop the server a Node.js function of this cloud started (workers stay for the session)."""
    serving = sys.modules.get("pytest_wxcloud.node.serving")
    if serving is not None:
        serving.release(cloud)


def _hold_http_router(config: pytest.Config) -> None:
    """Keep one respx router alive for the rest of the session: a ``mock_http()`` block then
    costs a push and a pop instead of building and patching (about 1 ms a test)."""
    if not config.stash.get(HTTP_HELD, False):
        from .http.router import SWITCHBOARD

        SWITCHBOARD.hold()
        config.stash[HTTP_HELD] = True
        config.add_cleanup(SWITCHBOARD.release)


@pytest.fixture
def wxcloud_server(wxcloud: WxCloud) -> Iterator[Any]:
    """The test's ``wxcloud`` served on a free 127.0.0.1 port for the test (``server.url``,
    ``server.admin_url``, ``server.node_env()``); stopped when the test ends."""
    with wxcloud.serve() as server:
        yield server


@pytest.fixture
def wx_user(wxcloud: WxCloud) -> Identity:
    """A mini-program user of the test's cloud (the same one on every run)."""
    return wxcloud.user()


@pytest.fixture
def wx_db(wxcloud: WxCloud) -> Any:
    """``wxcloud.database()``."""
    return wxcloud.database()


def marker_options(node: pytest.Item, marker: str, accepted: Sequence[str]) -> dict[str, Any]:
    """The keyword arguments of the closest ``marker``; a positional or misspelt argument is
    an error, since silently ignoring it would run the test with defaults it did not ask for."""
    found = node.get_closest_marker(marker)
    if found is None:
        return {}
    if found.args:
        raise TypeError(
            f"@pytest.mark.{marker} takes keyword arguments only ({', '.join(accepted)}); "
            f"got positional {found.args!r}"
        )
    unknown = sorted(set(found.kwargs) - set(accepted))
    if unknown:
        raise TypeError(
            f"@pytest.mark.{marker}: unknown argument(s) {', '.join(unknown)}; "
            f"accepted: {', '.join(accepted)}"
        )
    return dict(found.kwargs)


def _marker_options(node: pytest.Item) -> dict[str, Any]:
    options = marker_options(node, "wxcloud", MARKER_KEYS)
    seed = options.get("seed")
    if seed is not None and (isinstance(seed, bool) or not isinstance(seed, int)):
        raise TypeError(f"@pytest.mark.wxcloud(seed=...) must be an int; got {seed!r}")
    strict = options.get("strict")
    if strict is not None and not isinstance(strict, bool):
        raise TypeError(f"@pytest.mark.wxcloud(strict=...) must be True or False; got {strict!r}")
    return options


def seed_data(cloud: WxCloud, data: Any, base: Path, files: SeedCache | None = None) -> None:
    """Seed from ``{"books": [docs]}``, ``{"books": "books.json"}``, a file path or a list of paths.

    Relative paths are read from ``base`` (the ``wxcloud_data_dir`` ini option, else the test
    file's folder); a file's collection is named after the file unless a dict key names it.
    ``files`` reads each file once and shares its documents (the plugin keeps one per session).
    """
    files = files if files is not None else SeedCache()
    if isinstance(data, str | Path):
        files.load(cloud, _resolve(data, base))
        return
    if isinstance(data, Mapping):
        for name, value in data.items():
            if isinstance(value, str | Path):
                files.load(cloud, _resolve(value, base), collection=name)
            elif isinstance(value, Sequence):
                cloud.seed({name: list(value)})
            else:
                raise TypeError(
                    f"@pytest.mark.wxcloud(data={{{name!r}: ...}}) must be a list of documents or an "
                    f"export file path; got {value!r}"
                )
        return
    if isinstance(data, Sequence) and all(isinstance(item, str | Path) for item in data):
        for item in data:
            files.load(cloud, _resolve(item, base))
        return
    raise TypeError(
        "@pytest.mark.wxcloud(data=...) takes {collection: [documents]}, {collection: 'file.json'}, "
        f"a file path or a list of file paths; got {data!r}"
    )


def _resolve(path: str | Path, base: Path) -> Path:
    candidate = Path(path)
    return candidate if candidate.is_absolute() else base / candidate


@pytest.hookimpl(trylast=True)
def pytest_runtest_call(item: pytest.Item) -> None:
    """Strict mode: a test that registered routes it never called fails, naming them.

    Runs after the test body (``trylast``), and only when the body passed: a failing body
    raises before this hook is reached, so its own error is what the report shows.
    """
    entry = item.stash.get(CLOUD, None)
    if entry is None:
        return
    cloud, strict = entry
    # ``functions`` is built lazily; a cloud that never touched it has nothing unused.
    if strict and "functions" in vars(cloud):
        unused = cloud.functions.unused()
        if unused:
            pytest.fail(
                "wxcloud strict mode: registered but never called: " + "; ".join(unused),
                pytrace=False,
            )


def pytest_terminal_summary(terminalreporter: Any) -> None:
    """The security-rule coverage of the run, shown only when some test set rules."""
    from .client.report import SESSION

    lines = SESSION.lines()
    if lines:
        terminalreporter.write_sep("-", "wxcloud security-rule coverage")
        for line in lines:
            terminalreporter.write_line(line)


__all__ = ["marker_options", "seed_data"]
