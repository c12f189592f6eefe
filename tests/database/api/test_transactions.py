"""Transactions (sdk.md §3.11, issue 6): snapshot isolation, rollback, conflicts and retries."""

from __future__ import annotations

import gc
import threading
import warnings

import pytest

from pytest_wxcloud import CloudSDKError, WxCloud
from pytest_wxcloud.database.transaction import CONFLICT_CODE, TransactionRollback


@pytest.fixture
def shop():  # type: ignore[no-untyped-def]
    cloud = WxCloud(seed=1)
    cloud.seed({"stock": [{"_id": "apple", "left": 1}], "orders": []})
    return cloud


def test_writes_are_invisible_outside_until_commit(shop):
    db = shop.database()
    tx = db.start_transaction()
    tx.collection("stock").doc("apple").update(data={"left": 0})
    tx.collection("orders").add(data={"_id": "o1", "item": "apple"})
    assert db.collection("stock").doc("apple").get()["data"]["left"] == 1
    assert db.collection("orders").count()["total"] == 0
    assert tx.collection("stock").doc("apple").get()["data"]["left"] == 0  # own writes visible
    assert set(tx.commit()) == {"requestId"}
    assert db.collection("stock").doc("apple").get()["data"]["left"] == 0
    assert shop.dump("orders") == [{"_id": "o1", "item": "apple"}]


def test_rollback_discards_everything(shop):
    db = shop.database()
    tx = db.start_transaction()
    tx.collection("stock").doc("apple").remove()
    tx.collection("orders").add(data={"item": "apple"})
    assert set(tx.rollback()) == {"requestId"}
    assert shop.dump("stock") == [{"_id": "apple", "left": 1}]
    assert shop.dump("orders") == []


def test_reads_see_the_snapshot_not_later_outside_writes(shop):
    db = shop.database()
    tx = db.start_transaction()
    db.collection("stock").doc("apple").update(data={"left": 5})
    db.collection("stock").add(data={"_id": "pear", "left": 2})
    assert tx.collection("stock").doc("apple").get()["data"]["left"] == 1
    assert [d["_id"] for d in tx.collection("stock").where({}).get()["data"]] == ["apple"]
    tx.rollback()


def test_where_update_inside_a_transaction_bypasses_it_with_a_warning(shop):
    db = shop.database()
    tx = db.start_transaction()
    with pytest.warns(UserWarning, match="runs outside"):
        tx.collection("stock").where({"_id": "apple"}).update(data={"left": 9})
    tx.rollback()
    assert (
        db.collection("stock").doc("apple").get()["data"]["left"] == 9
    )  # rollback did not undo it


def test_set_in_a_transaction_reports_created_zero(shop):
    tx = shop.database().start_transaction()
    result = tx.collection("stock").doc("kiwi").set(data={"left": 3})
    assert result["stats"] == {"updated": 0, "created": 0}
    tx.commit()
    assert shop.database().collection("stock").doc("kiwi").get()["data"] == {
        "_id": "kiwi",
        "left": 3,
    }


def test_missing_doc_in_transaction_still_throws(shop):
    tx = shop.database().start_transaction()
    with pytest.raises(CloudSDKError, match="does not exist"):
        tx.collection("stock").doc("nope").get()
    tx.rollback()


def test_run_transaction_returns_callback_value_and_commits(shop):
    db = shop.database()
    _ = db.command

    def checkout(tx):  # type: ignore[no-untyped-def]
        left = tx.collection("stock").doc("apple").get()["data"]["left"]
        if left < 1:
            tx.rollback("sold out")
            return None
        tx.collection("stock").doc("apple").update(data={"left": _.inc(-1)})
        return tx.collection("orders").add(data={"item": "apple"})["_id"]

    order_id = db.run_transaction(checkout)
    assert shop.dump("orders")[0]["_id"] == order_id
    with pytest.raises(TransactionRollback) as info:
        db.run_transaction(checkout)
    assert info.value.reason == "sold out"
    assert len(shop.dump("orders")) == 1


def test_rollback_with_an_exception_reraises_it(shop):
    class OutOfStock(Exception):
        pass

    def fn(tx):  # type: ignore[no-untyped-def]
        tx.rollback(OutOfStock("apple"))

    with pytest.raises(OutOfStock):
        shop.database().run_transaction(fn)


def test_exception_in_callback_rolls_back_and_propagates(shop):
    def fn(tx):  # type: ignore[no-untyped-def]
        tx.collection("orders").add(data={"item": "apple"})
        raise RuntimeError("boom")

    with pytest.raises(RuntimeError, match="boom"):
        shop.database().run_transaction(fn)
    assert shop.dump("orders") == []


def test_writing_a_document_another_open_transaction_wrote_fails_at_the_write(shop):
    # MongoDB reports the conflict at the write; wx-server-sdk 4.0.2 turns it into -501001
    # without the conflict code (sdk.md §3.11), so run_transaction would not retry it
    db = shop.database()
    first, second = db.start_transaction(), db.start_transaction()
    first.collection("stock").doc("apple").update(data={"left": 0})
    with pytest.raises(CloudSDKError) as info:
        second.collection("stock").doc("apple").update(data={"left": 5})
    assert info.value.err_code == -501001
    assert info.value.code is None
    assert info.value.err_msg.startswith(
        "document.update:fail -501001 resource system error. [ResourceUnavailable.TransactionConflict]"
    )
    first.commit()
    second.rollback()
    assert shop.dump("stock") == [{"_id": "apple", "left": 0}]


def test_writing_a_document_changed_since_the_snapshot_fails_at_the_write(shop):
    db = shop.database()
    tx = db.start_transaction()
    db.collection("stock").doc("apple").update(data={"left": 3})  # committed outside, after start
    with pytest.raises(CloudSDKError, match="TransactionConflict"):
        tx.collection("stock").doc("apple").remove()
    tx.rollback()
    assert shop.dump("stock") == [{"_id": "apple", "left": 3}]


def test_a_finished_transaction_releases_its_documents(shop):
    db = shop.database()
    first = db.start_transaction()
    first.collection("stock").doc("apple").update(data={"left": 0})
    first.rollback()
    second = db.start_transaction()
    second.collection("stock").doc("apple").update(data={"left": 7})
    second.commit()
    assert shop.dump("stock") == [{"_id": "apple", "left": 7}]


def test_an_outside_write_after_a_transactional_write_fails_the_commit_with_the_code(shop):
    # the one conflict that surfaces at commit: it carries the code, so run_transaction retries
    db = shop.database()
    tx = db.start_transaction()
    tx.collection("stock").doc("apple").update(data={"left": 0})
    db.collection("stock").doc("apple").update(data={"left": 9})
    with pytest.raises(CloudSDKError) as info:
        tx.commit()
    assert info.value.code == CONFLICT_CODE
    assert shop.dump("stock") == [{"_id": "apple", "left": 9}]


def test_conflicts_at_the_write_are_not_retried_by_run_transaction(shop):
    db = shop.database()
    holder = db.start_transaction()
    holder.collection("stock").doc("apple").update(data={"left": 0})
    attempts = []

    def fn(tx):  # type: ignore[no-untyped-def]
        attempts.append(1)
        tx.collection("stock").doc("apple").update(data={"left": 5})

    with pytest.raises(CloudSDKError, match="TransactionConflict"):
        db.run_transaction(fn)
    assert len(attempts) == 1
    holder.rollback()


def test_run_transaction_retries_forced_conflicts(shop):
    shop.force_transaction_conflict(times=2)
    attempts = []

    def fn(tx):  # type: ignore[no-untyped-def]
        attempts.append(1)
        tx.collection("orders").add(data={"n": len(attempts)})
        return len(attempts)

    assert shop.database().run_transaction(fn) == 3
    assert [d["n"] for d in shop.dump("orders")] == [3]


def test_run_transaction_gives_up_after_times_retries(shop):
    shop.force_transaction_conflict(times=10)
    calls = []
    with pytest.raises(CloudSDKError) as info:
        shop.database().run_transaction(lambda tx: calls.append(1), times=2)
    assert info.value.code == CONFLICT_CODE
    assert len(calls) == 3  # the first attempt and two retries
    assert shop.dump("orders") == []


def test_two_concurrent_checkouts_of_the_last_item_cannot_both_succeed(shop):
    db = shop.database()
    _ = db.command
    barrier = threading.Barrier(2)
    outcomes: list[str] = []
    first_attempt = threading.local()

    def checkout(tx):  # type: ignore[no-untyped-def]
        left = tx.collection("stock").doc("apple").get()["data"]["left"]
        if not getattr(first_attempt, "done", False):
            first_attempt.done = True
            barrier.wait(timeout=10)  # both have read "1 left" before either writes
        if left < 1:
            tx.rollback("sold out")
            return "sold out"
        tx.collection("stock").doc("apple").update(data={"left": _.inc(-1)})
        tx.collection("orders").add(data={"item": "apple"})
        return "bought"

    def customer() -> None:
        try:
            outcomes.append(shop.database().run_transaction(checkout))
        except TransactionRollback as exc:
            outcomes.append(exc.reason)
        except CloudSDKError as exc:
            # the loser's write conflicts with the winner's: -501001, not retried (sdk.md §3.11)
            assert exc.err_code == -501001 and "TransactionConflict" in exc.err_msg
            outcomes.append("conflict")

    threads = [threading.Thread(target=customer) for _i in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(outcomes) == ["bought", "conflict"]
    assert shop.dump("stock") == [{"_id": "apple", "left": 0}]
    assert len(shop.dump("orders")) == 1


def test_using_a_finished_transaction_fails(shop):
    tx = shop.database().start_transaction()
    tx.commit()
    with pytest.raises(CloudSDKError, match="already committed"):
        tx.collection("stock").doc("apple").get()
    with pytest.raises(CloudSDKError, match="already committed"):
        tx.commit()


def test_count_and_where_remove_inside_a_transaction_bypass_it(shop):
    db = shop.database()
    tx = db.start_transaction()
    tx.collection("orders").add(data={"_id": "o1", "item": "apple"})
    with pytest.warns(UserWarning, match="runs outside"):
        assert tx.collection("orders").count()["total"] == 0  # the live store, not the tx view
    with pytest.warns(UserWarning, match="runs outside"):
        removed = tx.collection("stock").where({"_id": "apple"}).remove()
    assert removed["stats"]["removed"] == 1
    tx.rollback()
    assert shop.dump("stock") == []  # the rollback did not bring it back


def test_errors_from_operations_inside_the_callback_are_not_retried(shop):
    calls = []

    def fn(tx):  # type: ignore[no-untyped-def]
        calls.append(1)
        tx.collection("orders").add(data={"item": "apple"})
        return tx.collection("stock").doc("pear").get()

    with pytest.raises(CloudSDKError, match="document with _id pear does not exist"):
        shop.database().run_transaction(fn)
    assert calls == [1]
    assert shop.dump("orders") == []


def test_where_get_in_a_transaction_matches_like_outside(shop):
    db = shop.database()
    tx = db.start_transaction()
    stock = tx.collection("stock")
    assert [d["_id"] for d in stock.where({"_id": db.RegExp("^app")}).get()["data"]] == ["apple"]
    assert stock.where({"_id": ["apple"]}).get()["data"] == []  # array equality, no error
    assert stock.where({"_id": "apple"}).skip(1).get()["data"] == []
    assert stock.where({"_id": "apple", "left": 2}).get()["data"] == []
    tx.rollback()


def test_update_in_a_transaction_counts_a_type_only_change(shop):
    tx = shop.database().start_transaction()
    apple = tx.collection("stock").doc("apple")
    assert apple.update(data={"left": 1})["stats"]["updated"] == 0
    assert apple.update(data={"left": 1.0})["stats"]["updated"] == 1
    tx.commit()
    assert shop.dump("stock") == [{"_id": "apple", "left": 1.0}]
    assert isinstance(shop.dump("stock")[0]["left"], float)


def test_an_async_callback_is_refused_and_nothing_is_written(shop):
    async def fn(tx):  # type: ignore[no-untyped-def]
        tx.collection("orders").add(data={"item": "apple"})

    message = ""
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        try:
            shop.database().run_transaction(fn)
        except TypeError as exc:
            message = str(exc)
        gc.collect()  # an unawaited coroutine warns when it is collected
    assert "got a coroutine" in message
    assert [str(w.message) for w in caught if "never awaited" in str(w.message)] == []
    assert shop.dump("orders") == []


def test_a_transaction_open_longer_than_60_seconds_is_aborted(shop):
    shop.clock.freeze()
    db = shop.database()
    stale = db.start_transaction()
    stale.collection("stock").doc("apple").update(data={"left": 0})
    shop.clock.advance(59)
    assert stale.collection("stock").doc("apple").get()["data"]["left"] == 0  # still open
    shop.clock.advance(1)
    # MongoDB aborted it (transactionLifetimeLimitSeconds): the document is free again ...
    fresh = db.start_transaction()
    fresh.collection("stock").doc("apple").update(data={"left": 5})
    fresh.commit()
    assert shop.dump("stock") == [{"_id": "apple", "left": 5}]
    # ... and everything later on the expired one fails with NoSuchTransaction
    for use in (
        lambda: stale.collection("stock").doc("apple").get(),
        lambda: stale.collection("orders").add(data={"item": "apple"}),
    ):
        with pytest.raises(CloudSDKError) as info:
            use()
        assert info.value.err_code == -501001
        assert "NoSuchTransaction" in info.value.err_msg
        assert "transactionLifetimeLimitSeconds (60 s" in info.value.err_msg
    for end, api in ((stale.commit, "commitTransaction"), (stale.rollback, "abortTransaction")):
        with pytest.raises(CloudSDKError, match=f"^{api}:fail NoSuchTransaction: Transaction "):
            end()
    assert stale.state == "aborted"
    assert shop.dump("stock") == [{"_id": "apple", "left": 5}]
    assert shop.dump("orders") == []


def test_an_abandoned_transaction_nobody_references_is_released(shop):
    db = shop.database()
    for _ in range(50):
        abandoned = db.start_transaction()
        abandoned.collection("stock").doc("apple").update(data={"left": 0})
        del abandoned  # never committed nor rolled back
    tx = db.start_transaction()
    tx.collection("stock").doc("apple").update(data={"left": 9})  # not locked forever
    tx.commit()
    assert shop.dump("stock") == [{"_id": "apple", "left": 9}]
    assert len(shop._store.watchers) == 0  # no later write has to notify them
