"""Running a call the way the platform does: JSON in, identity set, handler run, JSON out.

The pipeline for ``cloud.call_function`` and ``cloud.trigger`` (sdk.md §1.4, §2):

1. validate ``name`` / ``data`` like wx-server-sdk's parameter assertions;
2. decide the caller (mini program, another function, the HTTP API, a timer) — that fixes the
   callee's identity, SOURCE chain, ``event.userInfo`` and the error shapes;
3. round-trip ``data`` through JSON and enforce the request size limit;
4. answer from the first matching canned route, else run the registered handler with the
   identity current (context variable; ``os.environ`` too for synchronous handlers), else ask
   the answer sources (:mod:`.sources`) in order, else fail as "function not found";
5. enforce the timeout, round-trip the result through JSON, enforce the result limit;
6. log the call and return ``{result, errMsg, requestID}`` or raise ``CloudSDKError``.

A synchronous handler cannot be interrupted, so its timeout is checked when it returns (its
side effects stay, as they would when production kills it mid-way); an async handler is
cancelled at the deadline. Time is the larger of wall-clock time and how far the cloud's clock
moved, so a handler can simulate slowness with ``cloud.clock.advance(...)``.
"""

from __future__ import annotations

import contextvars
import inspect
import threading
import time
from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING, Any

from ..errors import CloudSDKError, assertion_error
from ..identity import Frame, Identity, current_frame, entered, patched_environ
from ..jsjson import JSONBoundaryError, js_type, round_trip
from . import failures
from .calls import _REPORT, Caller, FunctionCall, InvocationReport
from .context import InvocationContext
from .routes import Route
from .sources import NULL_RESULT, RecordedFailure, label

if TYPE_CHECKING:
    from .registry import CloudFunction, FunctionRegistry
    from .sources import AnswerSource

OK_MESSAGE = {Caller.MINI_PROGRAM: "cloud.callFunction:ok"}
SERVER_OK = "callFunction:ok"


class _Timeout(Exception):
    """An async handler cancelled at its deadline."""


def call_function(
    registry: FunctionRegistry,
    name: Any,
    data: Any = None,
    *,
    as_user: Identity | None = None,
    timeout: float | None = None,
) -> dict[str, Any]:
    if not isinstance(name, str):
        raise assertion_error(f"parameter.name should be string instead of {js_type(name)};")
    if data is not None and not isinstance(data, Mapping):
        raise assertion_error(f"parameter.data should be object instead of {js_type(data)};")
    if as_user is not None and not isinstance(as_user, Identity):
        raise TypeError(f"as_user must be an Identity (from cloud.user()); got {as_user!r}")
    caller, caller_identity = _caller(registry.cloud, as_user)
    return invoke(
        registry, name, data, caller=caller, caller_identity=caller_identity, timeout=timeout
    )


def invoke(
    registry: FunctionRegistry,
    name: str,
    data: Mapping[str, Any] | None,
    *,
    caller: Caller,
    caller_identity: Identity | None,
    timeout: float | None = None,
) -> dict[str, Any]:
    """The explicit entry every face uses: the caller's kind and identity are given, not
    inferred from the current context, so a request arriving over HTTP or the CloudBase
    protocol is classified by its face (``caller_identity`` is the mini-program user for
    ``MINI_PROGRAM`` and the calling invocation's identity for ``SERVER``)."""
    identity = _callee_identity(registry, caller, caller_identity)
    try:
        event, size = round_trip({} if data is None else data, "data")
    except JSONBoundaryError as exc:
        raise failures.bad_request_data(caller, str(exc)) from None
    limit = (
        registry.limits.mini_program_request
        if caller is Caller.MINI_PROGRAM
        else registry.limits.request
    )
    if size > limit:
        raise failures.request_too_large(caller, size, limit)
    sent = event
    if registry.inject_user_info and caller in (Caller.MINI_PROGRAM, Caller.HTTP):
        if registry.sources:
            sent = dict(event)  # sources see what the caller sent, as the real cloud was sent
        event["userInfo"] = identity.user_info()
    if timeout is None:
        timeout = {Caller.SERVER: registry.sdk_timeout, Caller.HTTP: registry.http_timeout}.get(
            caller
        )
    result, request_id = _dispatch(registry, name, event, sent, identity, caller, timeout, None)
    return {"result": result, "errMsg": OK_MESSAGE.get(caller, SERVER_OK), "requestID": request_id}


def trigger(registry: FunctionRegistry, name: str, trigger_name: str | None = None) -> Any:
    """Fire ``name``'s timer trigger; returns the handler's (JSON round-tripped) result.

    A timer has no caller to receive an error shape, so a handler's exception propagates
    unchanged (it is also in the call log).
    """
    function = registry.functions.get(name)
    if function is None:
        raise failures.not_found(Caller.TIMER, "", name, list(registry.functions), [])
    declared = [t.name for t in function.config.triggers]
    if trigger_name is None:
        trigger_name = declared[0] if declared else "timer"
    elif declared and trigger_name not in declared:
        raise ValueError(
            f"function {name!r} declares the timer trigger(s) {', '.join(map(repr, declared))} "
            f"in its config; got trigger_name={trigger_name!r}"
        )
    cloud = registry.cloud
    event = {
        "Type": "Timer",
        "TriggerName": trigger_name,
        "Time": _trigger_time(cloud.clock.now()),
        "Message": "",
    }
    identity = Identity(env=cloud.env, source="wx_trigger")
    return _dispatch(registry, name, event, event, identity, Caller.TIMER, None, trigger_name)[0]


def _trigger_time(now: datetime) -> str:
    return now.strftime("%Y-%m-%dT%H:%M:%SZ")


def _caller(cloud: Any, as_user: Identity | None) -> tuple[Caller, Identity | None]:
    if as_user is not None:
        return Caller.MINI_PROGRAM, as_user
    frame = current_frame()
    if frame is None or frame.cloud is not cloud:
        return Caller.HTTP, None
    return (Caller.SERVER if frame.invocation else Caller.MINI_PROGRAM), frame.identity


def _callee_identity(registry: FunctionRegistry, caller: Caller, who: Identity | None) -> Identity:
    env = registry.cloud.env
    if caller is Caller.MINI_PROGRAM and who is not None:
        return who if who.env == env else who.replace(env=env)
    if caller is Caller.SERVER and who is not None:
        source = f"{who.source},scf" if who.source else "scf"
        if registry.propagate_openid:
            return who.replace(env=env, source=source)
        return Identity(appid=who.appid, env=env, source=source)
    return Identity(appid=registry.cloud.appid, env=env, source="wx_http")


@dataclass(frozen=True, slots=True)
class _Pending:
    """One call on its way through the pipeline: what the log entry will say."""

    registry: FunctionRegistry
    name: str
    event: dict[str, Any]
    identity: Identity
    caller: Caller
    number: int
    request_id: str
    trigger_name: str | None

    def finish(
        self,
        result: Any = None,
        error: BaseException | None = None,
        duration: float = 0.0,
        answered_by: str = "handler",
        logs: str = "",
    ) -> None:
        self.registry.record(
            FunctionCall(
                self.name,
                self.event,
                self.identity,
                self.caller,
                self.request_id,
                result,
                error,
                duration,
                answered_by,
                self.trigger_name,
                self.number,
                logs,
            )
        )


def _dispatch(
    registry: FunctionRegistry,
    name: str,
    event: dict[str, Any],
    sent: dict[str, Any],
    identity: Identity,
    caller: Caller,
    request_timeout: float | None,
    trigger_name: str | None,
) -> tuple[Any, str]:
    """``event`` is what a handler gets; ``sent`` the same without the injected ``userInfo``."""
    number, request_id = registry.start_call()
    call = _Pending(registry, name, event, identity, caller, number, request_id, trigger_name)
    route = next((r for r in registry.routes if r.matches(name, event)), None)
    if route is not None:
        return _answer_from_route(call, route), request_id
    function = registry.functions.get(name)
    if function is not None:
        return _run(call, function, request_timeout), request_id
    for source in registry.sources:
        answered, result = _ask(call, source, sent)
        if answered:
            return result, request_id
    unmatched = [r.describe() for r in registry.routes if r.name == name]
    error = failures.not_found(caller, request_id, name, registry.names, unmatched)
    call.finish(error=error, answered_by="nothing")
    raise error


def _answer_from_route(call: _Pending, route: Route) -> Any:
    route.calls += 1
    error: BaseException | None = None
    if isinstance(route.error, str):
        error = failures.callee_failed(call.caller, call.request_id, route.error)
    elif route.error is not None:
        error = route.error
    call.finish(route.result, error, answered_by=route.describe())
    if error is not None:
        raise error
    result, _ = round_trip(route.result)  # a fresh copy per call: callers may mutate it
    return result


def _ask(call: _Pending, source: AnswerSource, sent: dict[str, Any]) -> tuple[bool, Any]:
    """Consult one answer source: (False, None) when it has no answer, else (True, result).

    A source's own trouble (a cassette miss, say) is not the callee failing: anything but a
    ``CloudSDKError`` propagates as raised, after the call is logged.
    """
    caller, request_id = call.caller, call.request_id
    answered_by = label(source)
    started = time.perf_counter()
    try:
        answer = source(call.name, _copy_json(sent), call.identity, caller, request_id)
    except CloudSDKError as exc:
        failed = failures.callee_failed(caller, request_id, exc.err_msg)
        call.finish(error=failed, duration=time.perf_counter() - started, answered_by=answered_by)
        raise failed from exc
    except BaseException as exc:
        call.finish(error=exc, duration=time.perf_counter() - started, answered_by=answered_by)
        raise
    elapsed = time.perf_counter() - started
    if answer is None:
        return False, None
    if isinstance(answer, RecordedFailure):
        recorded = failures.recorded(caller, request_id, answer, answered_by)
        call.finish(error=recorded, duration=elapsed, answered_by=answered_by)
        raise recorded
    result, error = _checked_result(call, None if answer is NULL_RESULT else answer)
    call.finish(result, error, elapsed, answered_by)
    if error is not None:
        raise error
    return True, result


def _checked_result(call: _Pending, raw: Any) -> tuple[Any, CloudSDKError | None]:
    """A return value across the JSON boundary and within the result size limit."""
    caller, request_id, limit = call.caller, call.request_id, call.registry.limits.result
    try:
        result, size = round_trip(raw, "result")
    except JSONBoundaryError as exc:
        return None, failures.callee_failed(
            caller, request_id, f"the return value is not JSON: {exc}"
        )
    if size > limit:
        return None, failures.result_too_large(caller, request_id, size, limit)
    return result, None


def _run(call: _Pending, function: CloudFunction, request_timeout: float | None) -> Any:
    registry, caller, request_id = call.registry, call.caller, call.request_id
    cloud = registry.cloud
    function.calls += 1
    limit = function.timeout if request_timeout is None else min(function.timeout, request_timeout)
    environ = call.identity.environ()
    environ.update(function.config.env_variables)
    context = InvocationContext(function.name, request_id, cloud.env, function.timeout, environ)
    clock_start = cloud.clock.now()
    started = time.perf_counter()
    raw: Any = None
    error: BaseException | None = None
    report = InvocationReport()
    reporting = _REPORT.set(report)
    try:
        with entered(Frame(cloud, call.identity, True, function.name)):
            raw = _call_handler(registry, function, _copy_json(call.event), context, environ, limit)
    except (_Timeout, failures.HandlerTimedOut):
        error = _timeout_error(caller, request_id, function.timeout, request_timeout, limit)
    except CloudSDKError as exc:
        error = failures.callee_failed(caller, request_id, exc.err_msg)
        error.__cause__ = exc
    except failures.HandlerFailed as exc:
        error = failures.callee_failed(caller, request_id, exc.detail)
        error.__cause__ = exc
    except Exception as exc:
        error = failures.callee_failed(caller, request_id, f"{type(exc).__name__}: {exc}")
        error.__cause__ = exc
    finally:
        _REPORT.reset(reporting)
    ran = time.perf_counter() - started - report.setup_seconds
    elapsed = max(ran, (cloud.clock.now() - clock_start).total_seconds())
    if error is None and elapsed > limit:
        error = _timeout_error(caller, request_id, function.timeout, request_timeout, elapsed)
    result: Any = None
    if error is None:
        result, error = _checked_result(call, raw)
    call.finish(result, error, elapsed, logs="".join(report.output))
    if error is not None:
        if caller is Caller.TIMER and isinstance(error.__cause__, Exception):
            raise error.__cause__
        raise error
    return result


def _timeout_error(
    caller: Caller,
    request_id: str,
    function_timeout: float,
    request_timeout: float | None,
    elapsed: float,
) -> CloudSDKError:
    if (
        request_timeout is not None
        and request_timeout < function_timeout
        and elapsed >= request_timeout
    ):
        return failures.request_timed_out(caller, request_id, request_timeout)
    return failures.callee_timed_out(caller, request_id, function_timeout)


def _call_handler(
    registry: FunctionRegistry,
    function: CloudFunction,
    event: dict[str, Any],
    context: InvocationContext,
    environ: dict[str, str],
    deadline: float,
) -> Any:
    args = (event, context) if function.takes_context else (event,)
    if function.is_async:
        return _run_coroutine(function.handler(*args), deadline)
    # A handler in another process (a Node.js worker) gets the invocation's variables with the
    # invocation itself; patching os.environ would only serialize its calls on the environ lock.
    if registry.patch_environ and not getattr(function.handler, "out_of_process", False):
        with patched_environ(environ):
            raw = function.handler(*args)
    else:
        raw = function.handler(*args)
    if inspect.isawaitable(raw):
        return _run_coroutine(raw, deadline)
    return raw


def _run_coroutine(awaitable: Awaitable[Any], deadline: float) -> Any:
    import asyncio  # ~35 ms to import: paid only by suites with async handlers

    async def bounded() -> Any:
        try:
            return await asyncio.wait_for(awaitable, deadline)
        except asyncio.TimeoutError:
            raise _Timeout() from None

    try:
        asyncio.get_running_loop()
    except RuntimeError:
        return asyncio.run(bounded())
    # Called from inside a running loop (an async test, an async handler calling another
    # function): that loop cannot be re-entered, so run in a thread with the same context.
    return _in_thread(contextvars.copy_context(), lambda: asyncio.run(bounded()))


def _in_thread(context: contextvars.Context, job: Callable[[], Any]) -> Any:
    outcome: dict[str, Any] = {}

    def target() -> None:
        try:
            outcome["value"] = context.run(job)
        except BaseException as exc:  # re-raised in the calling thread
            outcome["error"] = exc

    worker = threading.Thread(target=target, name="wxcloud-async-handler")
    worker.start()
    worker.join()
    if "error" in outcome:
        raise outcome["error"]
    return outcome.get("value")


def _copy_json(value: Any) -> Any:
    """A deep copy of JSON values, so the call log keeps the event a handler may mutate."""
    if value.__class__ is dict:
        return {k: _copy_json(v) for k, v in value.items()}
    if value.__class__ is list:
        return [_copy_json(v) for v in value]
    return value


__all__ = ["call_function", "trigger"]
