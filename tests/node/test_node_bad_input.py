"""Folders that cannot run: each a clear error naming the file (and line where Node gives one)."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from pytest_wxcloud import CloudSDKError, WxCloud
from pytest_wxcloud.functions import LoadError
from pytest_wxcloud.node.serving import release


@pytest.fixture
def cloud() -> Iterator[WxCloud]:
    cloud = WxCloud(seed=3)
    yield cloud
    release(cloud)


def _function(root: Path, name: str, code: str, package: str = "{}") -> Path:
    folder = root / name
    folder.mkdir()
    (folder / "index.js").write_text(code)
    (folder / "package.json").write_text(package)
    return folder


def _failure(cloud: WxCloud, name: str) -> str:
    with pytest.raises(CloudSDKError) as caught:
        cloud.call_function(name)
    return caught.value.err_msg


def test_syntax_error_names_file_and_line(cloud: WxCloud, tmp_path: Path) -> None:
    folder = _function(tmp_path, "typo", "exports.main = async () => {\n  return {;\n};\n")
    cloud.functions.load(folder)
    message = _failure(cloud, "typo")
    assert f"{folder.resolve()}/index.js:2" in message
    assert "SyntaxError: Unexpected token" in message


def test_no_exported_main_says_what_to_write(cloud: WxCloud, tmp_path: Path) -> None:
    _function(tmp_path, "nomain", "exports.handler = async () => 1;\n")
    cloud.functions.load(tmp_path)
    message = _failure(cloud, "nomain")
    assert "nomain/index.js does not export a main function (exports.main is undefined)" in message
    assert "exports.main = async (event, context)" in message


def test_a_missing_module_names_the_requiring_line(cloud: WxCloud, tmp_path: Path) -> None:
    code = "const lodash = require('lodash');\nexports.main = async () => lodash;\n"
    folder = _function(tmp_path, "needy", code)
    cloud.functions.load(folder)
    message = _failure(cloud, "needy")
    assert f"{folder.resolve()}/index.js:1" in message
    assert "Cannot find module 'lodash'" in message


def test_an_error_thrown_while_loading_is_reported(cloud: WxCloud, tmp_path: Path) -> None:
    _function(tmp_path, "eager", "\n\nthrow new RangeError('bad config');\n")
    cloud.functions.load(tmp_path)
    assert "index.js:3: RangeError: bad config" in _failure(cloud, "eager")


def test_package_json_that_does_not_parse_fails_the_load(cloud: WxCloud, tmp_path: Path) -> None:
    _function(tmp_path, "broken", "exports.main = async () => 1;\n", '{"dependencies": {,}}')
    with pytest.raises(LoadError, match=r"broken/package.json is not valid JSON"):
        cloud.functions.load(tmp_path)


def test_a_folder_without_index_js_is_not_a_function(cloud: WxCloud, tmp_path: Path) -> None:
    folder = tmp_path / "empty"
    folder.mkdir()
    (folder / "package.json").write_text("{}")
    with pytest.raises(LoadError, match=r"no cloud functions found .* or index.js \+ package.json"):
        cloud.functions.load(folder)


def test_a_function_that_never_resolves_times_out(cloud: WxCloud, tmp_path: Path) -> None:
    folder = _function(tmp_path, "forever", "exports.main = () => new Promise(() => {});\n")
    (folder / "config.json").write_text('{"timeout": 0.5}')
    cloud.functions.load(folder)
    assert (
        _failure(cloud, "forever") == "callFunction:fail Invoking task timed out after 0.5 seconds"
    )
