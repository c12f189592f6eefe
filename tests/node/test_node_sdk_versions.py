"""wx-server-sdk 2.6.3 runs against the same cloud and keeps its own error shapes (§7.2)."""

from __future__ import annotations

from typing import Any

from pytest_wxcloud import WxCloud


def test_legacy_sdk_reads_and_writes_as_the_user(cloud: WxCloud) -> None:
    alice = cloud.user()
    result = cloud.call_function("legacy", {"text": "hi"}, as_user=alice)["result"]
    assert result["version"] == "2.6.3"
    assert result["ctx"]["OPENID"] == alice.openid
    assert result["ctx"]["SOURCE"] == "wx_client"
    assert result["note"]["text"] == "hi"
    assert result["note"]["at"] == "2024-05-01T08:00:00.000Z"
    (note,) = cloud.dump("notes")
    assert note["openid"] == alice.openid


def test_legacy_sdk_maps_a_callee_failure_to_its_numeric_code(cloud: WxCloud) -> None:
    @cloud.function("broken")
    def broken(event: dict[str, Any], context: Any) -> None:
        raise RuntimeError("kaput")

    failed = cloud.call_function("legacy", {"action": "call", "target": "broken"})["result"]
    assert failed["errCode"] == -504002  # 4.0.2 would say -1 (node-runtime.md §4 row 11)
    assert failed["errMsg"].startswith("callFunction:fail -504002 functions execute fail.")
    assert failed["errMsg"].endswith("RuntimeError: kaput")


def test_each_folder_has_its_own_worker_and_sdk_copy(cloud: WxCloud) -> None:
    from pytest_wxcloud.node.pool import POOL

    cloud.call_function("legacy", {"text": "x"})
    cloud.call_function("quickstart", {"type": "getOpenId"})
    folders = {key.folder.name: worker.pid for key, worker in POOL.workers().items()}
    assert folders["legacy"] != folders["quickstart"]
