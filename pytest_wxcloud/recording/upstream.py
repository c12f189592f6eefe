"""The real cloud, reached through the WeChat HTTP API (http-api.md §2.2, §3.1).

Recording fetches a token from ``POST /cgi-bin/stable_token`` and calls
``POST /tcb/invokecloudfunction?access_token=…&env=…&name=…`` with the event as the body, using
httpx. Credentials come from ``WXCLOUD_APPID``, ``WXCLOUD_SECRET`` and ``WXCLOUD_ENV``.

The test's own ``WxCloud`` usually answers ``api.weixin.qq.com`` through respx (the ``wxcloud``
fixture turns that on), so the default transport, :class:`DirectTransport`, talks to the network
with the standard library underneath httpx, where respx cannot intercept it. Tests of the
recorder pass ``transport=httpx.HTTPTransport()`` instead, so that a stand-in ``WxCloud``'s
``mock_http()`` answers.
"""

from __future__ import annotations

import json
import os
import re
import threading
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import httpx

from . import logfilter
from .errors import RecordingError

API = "https://api.weixin.qq.com"
CREDENTIAL_VARIABLES = ("WXCLOUD_APPID", "WXCLOUD_SECRET", "WXCLOUD_ENV")
#: errcodes after which a fresh token is fetched once (as wechatpy does)
_TOKEN_ERRORS = frozenset({40001, 40014, 42001})
_RID = re.compile(r"[\s,;]*(rid|hints): ?.*$", re.DOTALL)
_SKIPPED_HEADERS = frozenset(
    {"host", "content-length", "accept-encoding", "connection", "transfer-encoding"}
)


@dataclass(frozen=True)
class Credentials:
    appid: str
    secret: str
    env: str

    @classmethod
    def from_environ(cls, environ: Mapping[str, str], why: str) -> Credentials:
        missing = [name for name in CREDENTIAL_VARIABLES if not environ.get(name)]
        if missing:
            raise RecordingError(
                f"{why} needs the real cloud, but {', '.join(missing)} "
                f"{'is' if len(missing) == 1 else 'are'} not set. Set WXCLOUD_APPID, "
                "WXCLOUD_SECRET and WXCLOUD_ENV to record, or run with "
                "--wxcloud-record-mode=none to replay only."
            )
        return cls(environ["WXCLOUD_APPID"], environ["WXCLOUD_SECRET"], environ["WXCLOUD_ENV"])

    def __repr__(self) -> str:  # never print the secret
        return f"Credentials(appid={self.appid!r}, env={self.env!r}, secret=<redacted>)"


class DirectTransport(httpx.BaseTransport):
    """Plain HTTPS through ``urllib``: outside respx, so an emulated host cannot answer."""

    def __init__(self, timeout: float = 10.0) -> None:
        self.timeout = timeout

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        import urllib.error
        import urllib.request

        from ..http.network_guard import NETWORK_GUARD

        headers = {k: v for k, v in request.headers.items() if k.lower() not in _SKIPPED_HEADERS}
        outgoing = urllib.request.Request(
            str(request.url), data=request.read() or None, headers=headers, method=request.method
        )
        try:  # the one caller the network guard lets through to the real cloud
            with (
                NETWORK_GUARD.allowed(),
                urllib.request.urlopen(outgoing, timeout=self.timeout) as answer,
            ):
                status, items, body = answer.status, answer.headers.items(), answer.read()
        except urllib.error.HTTPError as exc:
            status, items, body = exc.code, exc.headers.items(), exc.read()
        except (urllib.error.URLError, OSError) as exc:
            raise httpx.ConnectError(f"{request.url.host}: {exc}", request=request) from exc
        return httpx.Response(status, headers=items, content=body, request=request)


@dataclass(frozen=True)
class Answer:
    """What the real function answered: ``result``, or the platform's errCode/errMsg."""

    result: Any = None
    error: dict[str, Any] | None = None

    def to_response(self) -> dict[str, Any]:
        return {"error": self.error} if self.error is not None else {"result": self.result}


class Upstream:
    """One connection to the real cloud; the token is fetched once and reused."""

    def __init__(self, credentials: Credentials, transport: httpx.BaseTransport | None = None):
        self.credentials = credentials
        self._client = httpx.Client(transport=transport or DirectTransport(), timeout=10.0)
        self._token: str | None = None
        self._lock = threading.Lock()
        self._log_filter = logfilter.SecretsFilter(lambda: (self._token, credentials.secret))

    @property
    def token(self) -> str | None:
        """The access token in use (the redactor removes it from anything recorded)."""
        return self._token

    def close(self) -> None:
        self._client.close()

    def invoke(self, name: str, data: Mapping[str, Any]) -> Answer:
        body = json.dumps(data, ensure_ascii=False, separators=(",", ":")).encode("utf-8")
        for attempt in (1, 2):
            token = self._access_token(force_refresh=attempt == 2)
            reply = self._post(
                "/tcb/invokecloudfunction",
                params={"access_token": token, "env": self.credentials.env, "name": name},
                content=body,
                what=f"invokecloudfunction {name!r}",
            )
            errcode = reply.get("errcode", 0)
            if errcode in _TOKEN_ERRORS and attempt == 1:
                continue
            return self._answer(name, reply)
        raise AssertionError("unreachable")  # pragma: no cover

    def _answer(self, name: str, reply: dict[str, Any]) -> Answer:
        errcode = reply.get("errcode", 0)
        errmsg = str(reply.get("errmsg", ""))
        if errcode in (0, "0"):
            return Answer(result=_parse_resp_data(reply.get("resp_data")))
        if isinstance(errcode, int) and errcode <= -500000:
            # a cloud-development code (http-api.md §3.14): the function's own outcome
            return Answer(error={"errCode": errcode, "errMsg": _RID.sub("", errmsg)})
        raise RecordingError(
            f"recording {name!r}: invokecloudfunction answered errcode {errcode} ({errmsg}); "
            "this is not an answer of the function, so nothing was recorded"
        )

    def _access_token(self, force_refresh: bool) -> str:
        with self._lock:
            if self._token is not None and not force_refresh:
                return self._token
            reply = self._post(
                "/cgi-bin/stable_token",
                json_body={
                    "grant_type": "client_credential",
                    "appid": self.credentials.appid,
                    "secret": self.credentials.secret,
                    "force_refresh": force_refresh,
                },
                what="stable_token",
            )
            token = reply.get("access_token")
            if not isinstance(token, str) or not token:
                raise RecordingError(
                    f"recording: /cgi-bin/stable_token for appid {self.credentials.appid!r} "
                    f"answered errcode {reply.get('errcode')} ({reply.get('errmsg')}); check "
                    "WXCLOUD_APPID and WXCLOUD_SECRET"
                )
            self._token = token
            return token

    def _post(
        self,
        path: str,
        *,
        what: str,
        params: Mapping[str, str] | None = None,
        content: bytes | None = None,
        json_body: Any = None,
    ) -> dict[str, Any]:
        try:
            with logfilter.filtering(self._log_filter):
                if json_body is not None:
                    response = self._client.post(API + path, params=params, json=json_body)
                else:
                    response = self._client.post(
                        API + path,
                        params=params,
                        content=content,
                        headers={"content-type": "application/json"},
                    )
        except httpx.HTTPError as exc:
            raise RecordingError(f"recording: {what} failed: {type(exc).__name__}: {exc}") from None
        try:
            reply = response.json()
        except ValueError:
            raise RecordingError(
                f"recording: {what} answered HTTP {response.status_code} with a body that is "
                f"not JSON: {response.text[:200]!r}"
            ) from None
        if not isinstance(reply, dict):
            raise RecordingError(f"recording: {what} answered {reply!r}, not a JSON object")
        return reply


def _parse_resp_data(raw: Any) -> Any:
    """``resp_data`` is the return value as a JSON string; wx-server-sdk keeps unparsable text
    as it is (sdk.md §2.2)."""
    if not isinstance(raw, str):
        return raw
    try:
        return json.loads(raw)
    except ValueError:
        return raw


def credentials_from_environ(why: str) -> Credentials:
    return Credentials.from_environ(os.environ, why)


__all__ = ["API", "CREDENTIAL_VARIABLES", "Answer", "Credentials", "DirectTransport", "Upstream"]
