"""Dependencies: the folder's own node_modules, a cached npm install, and clear setup errors."""

from __future__ import annotations

import os
import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest

from pytest_wxcloud import WxCloud
from pytest_wxcloud.functions import LoadError
from pytest_wxcloud.node import deps
from pytest_wxcloud.node.serving import release


@pytest.fixture
def cloud() -> Iterator[WxCloud]:
    cloud = WxCloud(seed=4)
    yield cloud
    release(cloud)


def _function(root: Path, name: str, package: str) -> Path:
    folder = root / name
    folder.mkdir(parents=True)
    (folder / "index.js").write_text(
        "const greet = require('greet');\nexports.main = async (event) => greet(event.who);\n"
    )
    (folder / "package.json").write_text(package)
    return folder


def test_own_node_modules_run_as_deployed(cloud: WxCloud, tmp_path: Path) -> None:
    folder = _function(tmp_path, "hello", '{"dependencies": {"greet": "1.0.0"}}')
    module = folder / "node_modules" / "greet"
    module.mkdir(parents=True)
    (module / "index.js").write_text("module.exports = (who) => `hello ${who}`;\n")
    cloud.functions.load(folder)
    assert cloud.call_function("hello", {"who": "ada"})["result"] == "hello ada"


def test_cache_is_shared_by_folders_asking_for_the_same_packages(tmp_path: Path) -> None:
    first = _function(tmp_path, "a", '{"name": "a", "dependencies": {"x": "1.0.0"}}')
    second = _function(
        tmp_path, "b", '{"name": "b", "scripts": {}, "dependencies": {"x": "1.0.0"}}'
    )
    other = _function(tmp_path, "c", '{"name": "a", "dependencies": {"x": "1.0.1"}}')
    assert deps.cache_key(first) == deps.cache_key(second) != deps.cache_key(other)


def test_package_json_only_installs_once_into_the_cache(
    cloud: WxCloud, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    library = tmp_path / "lib" / "greet"
    library.mkdir(parents=True)
    (library / "package.json").write_text('{"name": "greet", "version": "1.0.0"}')
    (library / "index.js").write_text("module.exports = (who) => `hi ${who}`;\n")
    monkeypatch.setenv(deps.CACHE_ENV, str(tmp_path / "cache"))
    package = '{"dependencies": {"greet": "file:../../lib/greet"}}'  # relative to the folder
    folder = _function(tmp_path / "fns", "hi", package)
    cloud.functions.load(folder)
    installed = list((tmp_path / "cache").glob("*/node_modules/greet"))
    assert len(installed) == 1
    assert not (folder / "node_modules").exists()  # the user's folder is left alone
    assert cloud.call_function("hi", {"who": "bo"})["result"] == "hi bo"
    marker = installed[0].parent.parent / ".complete"
    stamp = marker.stat().st_mtime_ns
    WxCloud().functions.load(folder)
    assert marker.stat().st_mtime_ns == stamp


def test_npm_failing_is_one_error_saying_what_to_run(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv(deps.CACHE_ENV, str(tmp_path / "cache"))
    folder = _function(tmp_path, "lost", '{"dependencies": {"greet": "file:./not-there.tgz"}}')
    with pytest.raises(LoadError) as caught:
        WxCloud().functions.load(folder)
    message = str(caught.value)
    assert "`npm install` of the dependencies in" in message and "lost/package.json" in message
    assert f"run `npm install` in {folder}" in message
    assert not [p for p in (tmp_path / "cache").iterdir() if p.is_dir()]  # nothing half-made


def test_no_node_says_what_to_install(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    folder = _function(tmp_path, "hello", "{}")
    monkeypatch.setenv("PATH", str(tmp_path / "empty-bin"))
    with pytest.raises(LoadError, match=r"`node`, which is not on PATH\. Install Node\.js"):
        WxCloud().functions.load(folder)


def test_no_npm_says_what_to_install_or_run(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    node = shutil.which("node")
    assert node is not None
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    os.symlink(node, bin_dir / "node")
    monkeypatch.setenv("PATH", str(bin_dir))
    monkeypatch.setenv(deps.CACHE_ENV, str(tmp_path / "cache"))
    folder = _function(tmp_path, "hello", '{"dependencies": {"greet": "1.0.0"}}')
    with pytest.raises(LoadError, match=r"`npm`, which is not on PATH.*run `npm install`"):
        WxCloud().functions.load(folder)
