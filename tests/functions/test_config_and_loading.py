"""config.json validation and loading a cloudfunctions/ folder of Python handlers."""

from __future__ import annotations

import json
import os
import sys
from pathlib import Path

import pytest

from pytest_wxcloud import WxCloud
from pytest_wxcloud.functions import ConfigError, LoadError
from pytest_wxcloud.functions.config import parse_config


def write_function(
    root: Path, name: str, code: str, config: object | None = None, entry: str = "index.py"
) -> Path:
    folder = root / name
    folder.mkdir(parents=True)
    (folder / entry).write_text(code, encoding="utf-8")
    if config is not None:
        text = config if isinstance(config, str) else json.dumps(config)
        (folder / "config.json").write_text(text, encoding="utf-8")
    return folder


def test_a_full_config_is_read() -> None:
    config = parse_config(
        {
            "timeout": 20,
            "triggers": [{"name": "daily", "type": "timer", "config": "0 0 7 * * * *"}],
            "permissions": {"openapi": ["subscribeMessage.send", "wxacode.get"]},
            "envVariables": {"MODE": "prod"},
        }
    )
    assert config.timeout == 20.0
    assert [(t.name, t.cron) for t in config.triggers] == [("daily", "0 0 7 * * * *")]
    assert config.openapi == ("subscribeMessage.send", "wxacode.get")
    assert config.env_variables == (("MODE", "prod"),)
    assert parse_config({}).timeout == 3.0


@pytest.mark.parametrize(
    ("raw", "message"),
    [
        ([], "must be a JSON object"),
        ({"trigger": []}, "unknown key.*'trigger'.*accepted: permissions, triggers"),
        ({"timeout": 0}, r"timeout must be a number of seconds in \(0, 60\]; got 0"),
        ({"timeout": 61}, "got 61"),
        ({"timeout": "3"}, "got '3'"),
        ({"triggers": {}}, "triggers must be a list"),
        ({"triggers": [{"name": "t", "type": "timer"}]}, "exactly the keys name, type, config"),
        (
            {"triggers": [{"name": "1t", "type": "timer", "config": "0 0 2 1 * * *"}]},
            "must start with a letter",
        ),
        (
            {"triggers": [{"name": "t", "type": "cos", "config": "0 0 2 1 * * *"}]},
            "only trigger type is 'timer'",
        ),
        (
            {"triggers": [{"name": "t", "type": "timer", "config": "0 2 * * *"}]},
            "'0 2 \\* \\* \\*' is not a 7-field cron",
        ),
        (
            {"triggers": [{"name": "a", "type": "timer", "config": "0 0 2 1 * * *"}] * 2},
            "only one timer trigger",
        ),
        ({"permissions": {"openapi": "wxacode.get"}}, "permissions.openapi must be a list"),
        ({"permissions": []}, "permissions must be an object"),
        ({"envVariables": {"A": 1}}, "envVariables must map names to strings"),
    ],
)
def test_malformed_configs_name_the_problem(raw: object, message: str) -> None:
    with pytest.raises(ConfigError, match=message):
        parse_config(raw, "config.json")


def test_register_accepts_a_config(cloud: WxCloud) -> None:
    with pytest.raises(ConfigError, match="config of function 'f': timeout"):
        cloud.functions.register("f", lambda event: None, config={"timeout": 100})


def test_loading_a_folder_registers_each_function_with_its_config(
    tmp_path: Path, cloud: WxCloud
) -> None:
    write_function(
        tmp_path, "hello", "def main(event, context):\n    return 'hi ' + event['name']\n"
    )
    write_function(
        tmp_path, "report", "def main(event):\n    return event\n", {"timeout": 10}, entry="main.py"
    )
    (tmp_path / "node_only").mkdir()
    (tmp_path / "node_only" / "index.js").write_text("exports.main = async () => 1\n")
    assert cloud.functions.load(tmp_path) == ["hello", "report"]
    assert cloud.call_function("hello", {"name": "wx"})["result"] == "hi wx"
    assert cloud.functions.functions["report"].timeout == 10.0
    assert "node_only" not in cloud.functions


def test_one_function_folder_can_be_loaded_and_import_its_helpers(
    tmp_path: Path, cloud: WxCloud
) -> None:
    folder = write_function(
        tmp_path,
        "calc",
        "from .helpers import double\n\ndef main(event, context):\n    return double(event['n'])\n",
    )
    (folder / "helpers.py").write_text("def double(n):\n    return n * 2\n")
    other = write_function(
        tmp_path,
        "calc2",
        "from .helpers import double\n\ndef main(event, context):\n    return double(event['n'])\n",
    )
    # the same module name in another function: each function imports its own copy
    (other / "helpers.py").write_text("def double(n):\n    return n * 20\n")
    cloud.functions.load(folder)
    cloud.functions.load(other)
    assert cloud.call_function("calc", {"n": 2})["result"] == 4
    assert cloud.call_function("calc2", {"n": 2})["result"] == 40


def test_a_loaded_function_can_be_stubbed_out(tmp_path: Path, cloud: WxCloud) -> None:
    write_function(
        tmp_path, "notify", "def main(event, context):\n    raise RuntimeError('would send')\n"
    )
    cloud.functions.load(tmp_path)
    cloud.functions.register("notify", lambda event: "stubbed", replace=True)
    assert cloud.call_function("notify")["result"] == "stubbed"


def test_loaded_functions_are_exempt_from_unused(tmp_path: Path, cloud: WxCloud) -> None:
    write_function(tmp_path, "a", "def main(event, context):\n    return 1\n")
    cloud.functions.load(tmp_path)
    assert cloud.functions.unused() == []


def test_malformed_config_json_fails_the_load(tmp_path: Path, cloud: WxCloud) -> None:
    write_function(tmp_path, "bad", "def main(event, context):\n    return 1\n", '{"timeout": 3,}')
    with pytest.raises(ConfigError, match=r"bad[/\\]config.json is not valid JSON"):
        cloud.functions.load(tmp_path)


@pytest.mark.parametrize(
    ("code", "message"),
    [
        ("handler = 1\n", r"index.py must define main\(event, context\); found None"),
        ("def main(:\n", "importing .*index.py failed: SyntaxError"),
    ],
)
def test_broken_handler_files_name_the_file(
    tmp_path: Path, cloud: WxCloud, code: str, message: str
) -> None:
    write_function(tmp_path, "f", code)
    with pytest.raises(LoadError, match=message):
        cloud.functions.load(tmp_path)


def test_a_folder_without_functions_is_an_error(tmp_path: Path, cloud: WxCloud) -> None:
    with pytest.raises(LoadError, match="no cloud functions found"):
        cloud.functions.load(tmp_path)
    with pytest.raises(LoadError, match="is not an existing directory"):
        cloud.functions.load(tmp_path / "missing")


def _edit_keeping_size_and_mtime(path: Path, old: str, new: str) -> None:
    """An edit as an editor makes it within the same clock tick: same size, same mtime."""
    before = path.stat()
    text = path.read_text(encoding="utf-8")
    assert len(old) == len(new) and old in text
    path.write_text(text.replace(old, new), encoding="utf-8")
    os.utime(path, ns=(before.st_atime_ns, before.st_mtime_ns))


@pytest.fixture
def bytecode_written(monkeypatch: pytest.MonkeyPatch) -> None:
    """As in a user's shell (PYTHONDONTWRITEBYTECODE unset): imports write __pycache__."""
    monkeypatch.setattr(sys, "dont_write_bytecode", False)


@pytest.mark.usefixtures("bytecode_written")
def test_edited_handlers_are_reloaded(tmp_path: Path) -> None:
    folder = write_function(tmp_path, "v", "def main(event, context):\n    return 1\n")
    one = WxCloud()
    one.functions.load(folder)
    assert one.call_function("v")["result"] == 1
    _edit_keeping_size_and_mtime(folder / "index.py", "return 1", "return 2")
    two = WxCloud()
    two.functions.load(folder)
    assert two.call_function("v")["result"] == 2


@pytest.mark.usefixtures("bytecode_written")
def test_edited_helpers_are_reloaded(tmp_path: Path) -> None:
    code = "from . import helpers\n\ndef main(event, context):\n    return helpers.VALUE\n"
    folder = write_function(tmp_path, "h", code)
    (folder / "helpers.py").write_text("VALUE = 'a'\n", encoding="utf-8")
    one = WxCloud()
    one.functions.load(folder)
    assert one.call_function("h")["result"] == "a"
    _edit_keeping_size_and_mtime(folder / "helpers.py", "'a'", "'b'")
    two = WxCloud()
    two.functions.load(folder)
    assert two.call_function("h")["result"] == "b"


def test_an_unchanged_folder_keeps_its_module_state(tmp_path: Path) -> None:
    code = "CALLS = []\n\ndef main(event, context):\n    CALLS.append(1)\n    return len(CALLS)\n"
    folder = write_function(tmp_path, "warm", code)
    for expected in (1, 2):
        cloud = WxCloud()
        cloud.functions.load(folder)
        assert cloud.call_function("warm")["result"] == expected


def test_current_cloud_at_module_level_says_to_call_it_inside_main(
    tmp_path: Path, cloud: WxCloud
) -> None:
    code = (
        "from pytest_wxcloud.functions import current_cloud\n"
        "\n"
        "db = current_cloud().database()\n"
        "\n"
        "def main(event, context):\n"
        "    return db.collection('users').count()\n"
    )
    write_function(tmp_path, "users", code)
    with pytest.raises(LoadError) as failure:
        cloud.functions.load(tmp_path)
    message = str(failure.value)
    assert f"(at {tmp_path / 'users' / 'index.py'}, line 3)" in message
    assert "call it inside main(event, context)" in message
