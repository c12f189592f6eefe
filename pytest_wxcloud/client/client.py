"""``cloud.client(identity)``: one user's mini program, as wx.cloud sees the cloud.

Everything a client does passes the permission check of ``cloud.permissions``; the server API
(``cloud.database()``) is admin and never consults it, which is also how tests seed data past
the rules.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import TYPE_CHECKING, Any, TypeVar

from ..database.service import DatabaseService
from ..errors import DatabaseError, assertion_error
from ..identity import Identity
from . import storage
from .authorize import Grant, Request
from .database import ClientDatabase, backend_error
from .decisions import Decision, unauthenticated
from .placeholder import substitute
from .ruleset import Preset

if TYPE_CHECKING:
    from ..cloud import WxCloud

_T = TypeVar("_T")
#: a recent base library, so every gated client API is available unless a test asks otherwise
DEFAULT_BASE_LIBRARY = "3.0.0"


def _version(text: str) -> tuple[int, ...]:
    try:
        parts = tuple(int(p) for p in text.split("."))
    except ValueError:
        parts = ()
    if not parts:
        raise ValueError(f"base_library is a version like '2.9.4', got {text!r}")
    return parts


class Client:
    def __init__(
        self, cloud: WxCloud, identity: Identity | None, base_library: str = DEFAULT_BASE_LIBRARY
    ) -> None:
        if identity is not None and not isinstance(identity, Identity):
            raise TypeError(
                f"client() takes an Identity (from cloud.user()) or None (not logged in); "
                f"got {identity!r}"
            )
        self.cloud = cloud
        self.identity = identity
        self.base_library = base_library
        self._version = _version(base_library)

    def __repr__(self) -> str:
        who = self.openid or "not logged in"
        return f"<Client {who} base_library={self.base_library}>"

    @property
    def openid(self) -> str | None:
        return None if self.identity is None else self.identity.openid

    def database(self) -> ClientDatabase:
        return ClientDatabase(self)

    # --- wx.cloud storage, under the bucket's storage preset or rules -----------------------

    def upload_file(self, cloud_path: Any = None, file_content: Any = None) -> dict[str, Any]:
        """``wx.cloud.uploadFile`` (bytes or a binary file in place of ``filePath``):
        ``{"fileID", "statusCode": 200, "errMsg": "cloud.uploadFile:ok"}``; the caller owns
        the file."""
        return storage.upload_file(self, cloud_path, file_content)

    def download_file(self, file_id: Any = None) -> dict[str, Any]:
        """``wx.cloud.downloadFile``: ``{"fileContent": bytes, "statusCode": 200, "errMsg"}``
        (the bytes in place of ``tempFilePath``)."""
        return storage.download_file(self, file_id)

    def get_temp_file_url(self, file_list: Any = None) -> dict[str, Any]:
        """``wx.cloud.getTempFileURL``: fileIDs or ``{"fileID", "maxAge"}``, at most 50."""
        return storage.get_temp_file_url(self, file_list)

    def delete_file(self, file_list: Any = None) -> dict[str, Any]:
        """``wx.cloud.deleteFile``: fileIDs, at most 50; only what the rules allow is deleted."""
        return storage.delete_file(self, file_list)

    # --- used by the faces --------------------------------------------------------------

    def require(self, since: tuple[int, ...], api: str) -> None:
        """Base-library gates: before 2.9.4 ``where().update/remove`` failed like this."""
        if self._version < since:
            raise assertion_error(
                f"{api} is only available in server SDK / API"
                if api.startswith("query.")
                else f"{api} needs base library {'.'.join(map(str, since))} or later "
                f"(this client runs {self.base_library})",
                -1,
            )

    def substitute(self, query: Mapping[str, Any]) -> dict[str, Any]:
        fields = self.cloud.permissions.options.placeholder_fields
        return substitute(query, self.openid, fields)

    def grant(self, request: Request) -> Grant:
        """The permission check; the collection must exist first, as the backend checks."""
        self._require_login(request.operation, f"collection {request.collection!r}")
        service = self.cloud.database_service
        if not service.exists(request.collection):
            raise backend_error(
                DatabaseError(
                    -502005,
                    "[ResourceNotFound] Db or Table not exist. Please check your request, but if "
                    "the problem cannot be solved, contact us.",
                )
            )
        return self.cloud.permissions.authorize(request, self.openid)

    def check_storage(self, call: str, path: str, owner: str | None) -> Decision:
        """The storage check for one file (-501023 first when 未登录模式 is off)."""
        self._require_login(call, f"file {path!r}")
        return self.cloud.permissions.check_storage(call, path, owner, self.openid)

    def _require_login(self, operation: str, target: str) -> None:
        permissions = self.cloud.permissions
        if self.openid is None and not permissions.options.allow_unauthenticated:
            decision = Decision(
                operation,
                target,
                None,
                "the environment",
                False,
                reason="未登录模式 is off: unauthenticated clients are refused before any rule "
                "(cloud.permissions.configure(allow_unauthenticated=True) turns it on)",
            )
            permissions.decisions.append(decision)
            raise unauthenticated(decision)

    def stamp(self, collection: str, data: Mapping[str, Any]) -> dict[str, Any]:
        """Data as the client writes it: ``_openid`` is the caller's, never the caller's choice."""
        openid = self.openid
        if "_openid" in data:
            setting = self.cloud.permissions._settings.get(collection)
            lenient = self.cloud.permissions.options.client_openid == "allow_equal"
            if isinstance(setting, Preset) or not lenient or data["_openid"] != openid:
                raise assertion_error("invalid key name: _openid", -501007)
        stamped = {k: v for k, v in data.items() if k != "_openid"}
        if openid is not None:
            stamped["_openid"] = openid
        return stamped

    def run(self, operation: Callable[[DatabaseService], _T]) -> _T:
        try:
            return operation(self.cloud.database_service)
        except DatabaseError as exc:
            raise backend_error(exc) from None


__all__ = ["DEFAULT_BASE_LIBRARY", "Client"]
