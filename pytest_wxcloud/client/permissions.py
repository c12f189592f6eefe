"""``cloud.permissions``: each collection's preset or rules, the bucket's, the options for
unconfirmed behaviour, the decision log and rule coverage.

Settings are checked when they are set (``set``, ``set_storage``, ``load``), never when a request
arrives, so a typo fails the test that configures it instead of opening a collection.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from pathlib import Path
from typing import TYPE_CHECKING, Any

from ..clock import to_utc_ms
from .authorize import Backend, Denied, Grant, Request, authorize
from .decisions import Decision, database_denied, storage_denied
from .options import RuleOptions
from .presets import READONLY
from .report import SESSION, Coverage
from .rules_compile import CompiledExpression
from .rules_parser import RulesError
from .ruleset import Preset, RuleSet, Setting, make_setting
from .static_decisions import StaticDecisions
from .storage_rules import FileAccess, storage_decision

if TYPE_CHECKING:
    from ..cloud import WxCloud

FILE_KEYS = ("database", "storage")


class PermissionsNotSet(LookupError):
    """A client touched a collection nobody configured (production's default is unconfirmed)."""


class Permissions:
    def __init__(self, cloud: WxCloud) -> None:
        self._cloud = cloud
        self._settings: dict[str, Setting] = {}
        #: the bucket's setting; READONLY is the WeChat console's documented default (§6.1)
        self.storage: Setting = Preset(READONLY)
        self.options = RuleOptions()
        #: every client request's decision, in order
        self.decisions: list[Decision] = []
        #: this cloud's rule coverage (the plugin reports the whole session's)
        self.coverage = Coverage()
        self._static = StaticDecisions()

    def __repr__(self) -> str:
        shown = {name: s.describe() for name, s in self._settings.items()}
        return f"<Permissions {shown} storage={self.storage.describe()}>"

    # --- configuration ------------------------------------------------------------------

    def configure(self, **options: Any) -> None:
        """Choose behaviour client.md leaves unconfirmed (see docs/security-rules.md)."""
        self.options = self.options.changed(**options)

    def set(self, collection: str, preset_or_rules: Any) -> None:
        """``READONLY | PRIVATE | ADMINWRITE | ADMINONLY`` (or a console wording), or security
        rules: a dict, its JSON text, or ``{"AclTag": "CUSTOM", "Rule": "<json>"}``."""
        self._settings[collection] = self._check(collection, preset_or_rules)

    def set_storage(self, preset_or_rules: Any) -> None:
        """The bucket's preset or rules (keys ``read`` and ``write``)."""
        setting = self._compile("storage", preset_or_rules, storage=True)
        self._declare("storage", setting)
        self.storage = setting

    def load(self, path: str | Path) -> None:
        """All settings from one JSON file kept with the app's code::

            {"database": {"todos": "PRIVATE", "posts": {"read": true, "write": "..."}},
             "storage": "READONLY"}

        Collection values take every form :meth:`set` takes. Nothing is applied unless the whole
        file is valid."""
        source = Path(path)
        try:
            content = json.loads(source.read_text(encoding="utf-8"))
        except json.JSONDecodeError as exc:
            raise RulesError(
                f"{source}: not valid JSON ({exc.msg} at line {exc.lineno} column {exc.colno})"
            ) from None
        if not isinstance(content, Mapping) or set(content) - set(FILE_KEYS):
            extra = sorted(set(content) - set(FILE_KEYS)) if isinstance(content, Mapping) else []
            raise RulesError(
                f"{source}: the file holds an object with the keys 'database' (collection -> "
                f"preset or rules) and/or 'storage'; unexpected: {extra or content!r}"
            )
        collections = content.get("database", {})
        if not isinstance(collections, Mapping):
            raise RulesError(f"{source}: 'database' must map collection names to settings")
        staged = {}
        for name, value in collections.items():
            try:
                staged[name] = self._check(name, value)
            except RulesError as exc:
                raise RulesError(f"{source}: {exc}") from None
        storage = None
        if "storage" in content:
            try:
                storage = self._compile("storage", content["storage"], storage=True)
            except RulesError as exc:
                raise RulesError(f"{source}: {exc}") from None
        self._settings.update(staged)
        if storage is not None:
            self._declare("storage", storage)
            self.storage = storage

    def _check(self, collection: str, value: Any) -> Setting:
        if not isinstance(collection, str) or not collection:
            raise RulesError(f"a collection name is a non-empty string, got {collection!r}")
        if not self._cloud.database_service.exists(collection):
            raise RulesError(
                f"collection {collection!r} does not exist, so it has no permission to set; "
                f"create it first (cloud.seed({{{collection!r}: [...]}}) or "
                f"cloud.database().create_collection({collection!r})). Existing: "
                f"{', '.join(self._cloud.collections()) or 'none'}"
            )
        setting = self._compile(f"collection {collection!r}", value, storage=False)
        self._declare(collection, setting)
        return setting

    def _compile(self, what: str, value: Any, *, storage: bool) -> Setting:
        try:
            return make_setting(value, storage=storage, extensions=self.options.rule_extensions)
        except RulesError as exc:
            raise RulesError(f"{what}: {exc}") from None

    def _declare(self, scope: str, setting: Setting) -> None:
        if isinstance(setting, RuleSet):
            for key, rule in setting.rules.items():
                if isinstance(rule, CompiledExpression):
                    self.coverage.declare(scope, key, rule)
                    SESSION.declare(scope, key, rule)

    def setting(self, collection: str) -> Setting:
        """The collection's setting (or the configured default)."""
        found = self._settings.get(collection)
        if found is not None:
            return found
        if self.options.default_permission is not None:
            return Preset(self.options.default_permission)
        raise PermissionsNotSet(
            f"no permission is set for collection {collection!r}: set one with "
            f"cloud.permissions.set({collection!r}, 'PRIVATE') (or rules), or choose a default "
            "with cloud.permissions.configure(default_permission='PRIVATE'); production's default "
            "for new collections is not documented"
        )

    # --- checks -------------------------------------------------------------------------

    def authorize(self, request: Request, caller: str | None) -> Grant:
        """Log and return the grant, or raise the client SDK's -502003 with the explanation."""
        try:
            grant = authorize(
                self.setting(request.collection), request, caller, self.options, self._backend()
            )
        except Denied as exc:
            self.decisions.append(exc.decision)
            raise database_denied(exc.decision) from None
        self.decisions.append(grant.decision)
        return grant

    def check_storage(
        self, call: str, path: str, owner: str | None, caller: str | None
    ) -> Decision:
        """Decide one client storage call on a file; raises -503002 when denied.

        ``call`` is the wx.cloud name (uploadFile, downloadFile, getTempFileURL, deleteFile),
        ``owner`` the uploader's openid (None: uploaded by a cloud function or the console)."""
        decision = storage_decision(
            self.storage,
            FileAccess(call, path, owner),
            caller,
            self._now_ms,
            (self.coverage, SESSION),
        )
        self.decisions.append(decision)
        if not decision.allowed:
            raise storage_denied(decision)
        return decision

    def _now_ms(self) -> float:
        return to_utc_ms(self._cloud.clock.now()).timestamp() * 1000

    def _backend(self) -> Backend:
        service = self._cloud.database_service

        def find_one(collection: str, doc_id: Any) -> Mapping[str, Any] | None:
            if not service.exists(collection):
                return None
            found = service.find(collection, {"_id": doc_id}, limit=1)
            return found[0] if found else None

        return Backend(
            find_one, service.count, self._now_ms, (self.coverage, SESSION), self._static
        )


__all__ = ["Permissions", "PermissionsNotSet"]
