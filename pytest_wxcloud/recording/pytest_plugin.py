"""pytest integration of cassettes (second ``pytest11`` entry point).

* ``@pytest.mark.wxcloud_cassette(name=None, record_mode=None, match_on=None, matchers=None,
  allow_playback_repeats=False, provider_state=None, redact=None, before_record=None)`` puts
  the test's ``wxcloud`` cloud under a cassette;
* the ``wxcloud_cassette`` fixture does the same for tests without the marker and returns the
  :class:`~pytest_wxcloud.recording.Cassette`;
* ``--wxcloud-record-mode=none|once|new_episodes|all`` (default ``none``) wins over the marker;
* ini ``wxcloud_cassette_dir``: the folder holding ``<test module>/<test name>.json`` files
  (default: a ``cassettes`` folder next to each test file);
* ``wxcloud_recording_transport``: override this fixture to record from a stand-in upstream.
"""

from __future__ import annotations

import re
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING, Any

import httpx
import pytest

from ..plugin import marker_options
from . import storage
from .cassette import RECORD_MODES, Cassette, check_record_mode
from .matching import DEFAULT_MATCH_ON
from .routing import use_cassette

if TYPE_CHECKING:
    from .upstream import Upstream

MARKER = "wxcloud_cassette"
MARKER_KEYS = (
    "name",
    "record_mode",
    "match_on",
    "matchers",
    "allow_playback_repeats",
    "provider_state",
    "redact",
    "before_record",
)

CASSETTE = pytest.StashKey[Cassette]()
UPSTREAMS = pytest.StashKey[dict[Any, "Upstream"]]()
ENCLOSING_RUN = pytest.StashKey[str]()


def pytest_addoption(parser: pytest.Parser) -> None:
    group = parser.getgroup("wxcloud", "pytest-wxcloud (WeChat cloud development test doubles)")
    group.addoption(
        "--wxcloud-record-mode",
        choices=RECORD_MODES,
        default=None,
        help="cassette record mode for every test (default: the marker's, else 'none': replay only)",
    )
    parser.addini(
        "wxcloud_cassette_dir",
        "folder of wxcloud cassettes, one sub-folder per test module "
        "(default: 'cassettes' next to each test file)",
    )


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line(
        "markers",
        f"{MARKER}(name=None, record_mode=None, match_on=None, matchers=None, "
        "allow_playback_repeats=False, provider_state=None, redact=None, before_record=None): "
        "replay (or record) the wxcloud fixture's cloud-function calls from a cassette",
    )
    config.stash[UPSTREAMS] = {}
    config.stash[ENCLOSING_RUN] = storage.RUN_ID
    storage.RUN_ID = run_id(config)


def pytest_unconfigure(config: pytest.Config) -> None:
    for upstream in config.stash.get(UPSTREAMS, {}).values():
        upstream.close()
    enclosing = config.stash.get(ENCLOSING_RUN, None)
    if enclosing is not None:  # a pytest run inside a test (pytester) hands its id back
        storage.RUN_ID = enclosing


def run_id(config: pytest.Config) -> str:
    """One id per test run: pytest-xdist workers take the id their controller gave them all
    (``testrunuid``), so record mode ``once`` agrees across workers; any other session is a
    run of its own."""
    workerinput = getattr(config, "workerinput", None)
    if workerinput is not None and workerinput.get("testrunuid"):
        return str(workerinput["testrunuid"])
    return uuid.uuid4().hex


@pytest.fixture
def wxcloud_recording_transport() -> httpx.BaseTransport | None:
    """The httpx transport recordings use; None means the real network.

    Override it (e.g. to return ``httpx.HTTPTransport()``) to record from a stand-in
    ``WxCloud`` whose ``mock_http()`` answers ``api.weixin.qq.com`` inside the test.
    """
    return None


@pytest.fixture
def wxcloud_cassette(
    request: pytest.FixtureRequest,
    wxcloud: Any,
    wxcloud_recording_transport: httpx.BaseTransport | None,
) -> Iterator[Cassette]:
    """The test's cassette, attached to ``wxcloud``; recorded interactions are saved at the end."""
    options = marker_options(request.node, MARKER, MARKER_KEYS)
    mode = request.config.getoption("wxcloud_record_mode") or options.get("record_mode") or "none"
    check_record_mode(mode, f"{request.node.nodeid}: record_mode")
    path = cassette_path(request.node, request.config, options.get("name"))
    owned: list[Upstream] = []
    try:
        with use_cassette(
            wxcloud,
            path,
            record_mode=mode,
            match_on=options.get("match_on") or DEFAULT_MATCH_ON,
            matchers=options.get("matchers"),
            allow_playback_repeats=options.get("allow_playback_repeats", False),
            provider_state=options.get("provider_state"),
            redact_keys=options.get("redact") or (),
            before_record=options.get("before_record"),
            upstream=_upstream_factory(
                request.config, path, mode, wxcloud_recording_transport, owned
            ),
        ) as cassette:
            request.node.stash[CASSETTE] = cassette
            yield cassette
    finally:
        # the item outlives its test; what the cassette holds must not
        if CASSETTE in request.node.stash:
            del request.node.stash[CASSETTE]
        for upstream in owned:
            upstream.close()


@pytest.fixture(autouse=True)
def _wxcloud_cassette_marker(request: pytest.FixtureRequest) -> None:
    """Tests marked ``wxcloud_cassette`` get the cassette without asking for the fixture."""
    if request.node.get_closest_marker(MARKER) is not None:
        request.getfixturevalue("wxcloud_cassette")


@pytest.hookimpl(wrapper=True)
def pytest_runtest_call(item: pytest.Item) -> Iterator[None]:
    """A miss the code under test swallowed still fails the test."""
    result = yield
    cassette = item.stash.get(CASSETTE, None)
    if cassette is not None and cassette.misses:
        pytest.fail("\n\n".join(cassette.misses), pytrace=False)
    return result


def cassette_path(node: pytest.Item, config: pytest.Config, name: Any = None) -> Path:
    """``<cassette dir>/<test module>/<name or test name>.json``."""
    module = node.path.stem
    configured = str(config.getini("wxcloud_cassette_dir") or "")
    if configured:
        base = config.inipath.parent if config.inipath is not None else config.rootpath
        folder = base / configured / module
    else:
        folder = node.path.parent / "cassettes" / module
    if name is None:
        cls = getattr(node, "cls", None)
        test = _safe(node.name)
        stem = f"{cls.__name__}.{test}" if cls is not None else test
    elif isinstance(name, str) and name:
        stem = name
    else:
        raise TypeError(f"@pytest.mark.{MARKER}(name=...) must be a non-empty str; got {name!r}")
    return folder / (stem if stem.endswith(".json") else f"{stem}.json")


def _safe(test_name: str) -> str:
    """Test ids as file names: ``test_x[a b/1]`` → ``test_x-a_b_1``."""
    text = test_name.replace("[", "-").replace("]", "")
    return re.sub(r"[^\w.-]", "_", text)


def _upstream_factory(
    config: pytest.Config,
    path: Path,
    mode: str,
    transport: httpx.BaseTransport | None,
    owned: list[Upstream],
) -> Any:
    """Connects on the first recording only; the real network's connection (and token) is
    shared by the whole session, a test's own transport gets a connection of its own."""

    def connect() -> Upstream:
        from .upstream import Upstream, credentials_from_environ  # only when recording

        credentials = credentials_from_environ(f"record mode {mode!r} for {path}")
        if transport is not None:
            upstream = Upstream(credentials, transport)
            owned.append(upstream)
            return upstream
        shared = config.stash[UPSTREAMS]
        if credentials not in shared:
            shared[credentials] = Upstream(credentials)
        return shared[credentials]

    return connect


__all__ = ["cassette_path"]
