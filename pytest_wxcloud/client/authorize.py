"""The database permission check that runs between the client face and the database service.

Presets filter: they add ``_openid == caller`` to the operations client.md §2.3 lists and deny
the rest outright. Rules validate: the query itself must prove the rule (:mod:`.subset`), and
nothing is added. The service is only called after this check, as moto authorizes in its
response layer before the backend.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from ..database.values import MISSING
from .decisions import Decision
from .options import RuleOptions
from .presets import ADMINONLY, ADMINWRITE, PRIVATE
from .report import Coverage, outcome_name
from .rules_compile import CompiledExpression
from .rules_eval import (
    Bindings,
    ConcreteDoc,
    DocView,
    Outcome,
    QueryDoc,
    UnavailableDoc,
    evaluate,
)
from .ruleset import Preset, RuleSet, Setting
from .static_decisions import StaticDecision, StaticDecisions
from .subset import UNKNOWN, Branch, Constraint, TooManyBranches, branches


@dataclass(frozen=True)
class Request:
    """One client database operation, already in MongoDB form."""

    operation: str  # "collection.get", "document.update", ...
    kind: str  # read | create | update | delete | set
    collection: str
    query: Mapping[str, Any]
    doc_id: Any = None
    #: request.data: the caller's update or create data
    data: Any = MISSING
    #: create: the document as it will be stored (``_openid`` stamped)
    document: Mapping[str, Any] | None = None


@dataclass(frozen=True)
class Grant:
    """An allowed request: the query to run (a preset may have narrowed it) and the decision."""

    query: Mapping[str, Any]
    decision: Decision
    #: set: whether the document exists (the face creates or replaces accordingly)
    exists: bool = False


class Backend:
    """What the check reads from the database: admin reads, not subject to any rule."""

    def __init__(
        self,
        find_one: Callable[[str, Any], Mapping[str, Any] | None],
        count: Callable[[str, Mapping[str, Any]], int],
        now_ms: Callable[[], float],
        coverage: tuple[Coverage, ...],
        static: StaticDecisions | None = None,
    ) -> None:
        self.find_one = find_one
        self.count = count
        self.now_ms = now_ms
        self.coverage = coverage
        #: where decisions of rules that read nothing dynamic are kept for replay
        self.static = static


class Denied(Exception):
    def __init__(self, decision: Decision) -> None:
        super().__init__(decision.reason)
        self.decision = decision


def own(query: Mapping[str, Any], openid: str) -> dict[str, Any]:
    """``query`` narrowed to the caller's documents, as presets narrow it."""
    return {"$and": [dict(query), {"_openid": openid}]} if query else {"_openid": openid}


def authorize(
    setting: Setting,
    request: Request,
    caller: str | None,
    options: RuleOptions,
    backend: Backend,
) -> Grant:
    """A :class:`Grant`, or :class:`Denied` carrying the decision."""
    if isinstance(setting, Preset):
        return _preset(setting, request, caller, options, backend)
    return _rules(setting, request, caller, options, backend)


# --- presets ------------------------------------------------------------------------------


def _preset(
    preset: Preset, request: Request, caller: str | None, options: RuleOptions, backend: Backend
) -> Grant:
    def decide(allowed: bool, reason: str, added: Mapping[str, Any] | None = None) -> Decision:
        return Decision(
            request.operation,
            f"collection {request.collection!r}",
            caller,
            preset.describe(),
            allowed,
            added_filter=added,
            reason=reason,
        )

    tag, kind = preset.tag, request.kind
    if caller is None:
        raise Denied(decide(False, "presets never admit unauthenticated callers (CB-NOLOGIN)"))
    if tag == ADMINONLY or (tag == ADMINWRITE and kind != "read"):
        who = "nobody" if tag == ADMINONLY else "only cloud functions and the console"
        raise Denied(
            decide(False, f"under {tag} {who} may {'read' if kind == 'read' else 'write'}")
        )
    if kind == "read" and tag != PRIVATE:
        return Grant(request.query, decide(True, f"{tag}: everyone logged in reads"))
    if kind == "create":
        return Grant(request.query, decide(True, "creators own what they add (_openid stamped)"))
    filter_ = {"_openid": caller}
    if kind == "set":
        existing = backend.find_one(request.collection, request.doc_id)
        if existing is not None and existing.get("_openid") != caller:
            raise Denied(
                decide(
                    False,
                    f"document {request.doc_id!r} exists and belongs to "
                    f"{existing.get('_openid', 'nobody (created by a cloud function or the console)')!r}",
                )
            )
        return Grant(
            request.query, decide(True, "set on the caller's own id"), existing is not None
        )
    if kind == "delete" and options.preset_remove == "deny":
        foreign = backend.count(
            request.collection,
            {"$and": [dict(request.query), {"_openid": {"$ne": caller}}]},
        )
        if foreign:
            raise Denied(
                decide(
                    False,
                    f"the remove reaches {foreign} document(s) the caller did not create "
                    "(preset_remove='deny'; with 'filter' they would be skipped)",
                )
            )
    return Grant(
        own(request.query, caller),
        decide(True, f"{tag}: narrowed to the caller's own documents", filter_),
    )


# --- security rules -----------------------------------------------------------------------


def _rules(
    rules: RuleSet, request: Request, caller: str | None, options: RuleOptions, backend: Backend
) -> Grant:
    kind = request.kind
    exists = False
    if kind == "set":
        exists = backend.find_one(request.collection, request.doc_id) is not None
        kind = "update" if exists else "create"
    key, rule = rules.rule_for(kind)
    target = f"collection {request.collection!r}"

    def decide(
        allowed: bool,
        reason: str,
        expression: str | None = None,
        branch_log: tuple[tuple[str, str], ...] = (),
        reads: tuple[str, ...] = (),
    ) -> Decision:
        return Decision(
            request.operation,
            target,
            caller,
            rules.describe(),
            allowed,
            key,
            expression,
            None,
            reason,
            branch_log,
            reads,
        )

    if rule is True:
        return Grant(request.query, decide(True, f"rule {key!r} is true"), exists)
    if rule is False:
        reason = (
            f"rule {key!r} is false"
            if key is not None
            else f"no {kind!r} (or 'write') key: absent keys deny"
        )
        raise Denied(decide(False, reason))
    replayable = backend.static is not None and kind != "create"
    if request.doc_id is not None and options.doc_id_mode == "fetch":
        replayable = False  # decided on the stored document, which may change
    cache_key = None
    if replayable:
        assert backend.static is not None
        cache_key = backend.static.key(rule, key, kind, caller, options, request.query)
    if cache_key is not None:
        assert backend.static is not None
        seen = backend.static.get(cache_key, rule)
        if seen is not None:
            for outcome in seen.outcomes:
                for coverage in backend.coverage:
                    coverage.record(request.collection, str(key), rule, outcome)
            if not seen.allowed:
                raise Denied(decide(False, seen.reason, rule.source, seen.branches))
            return Grant(request.query, decide(True, "", rule.source, seen.branches), exists)
    auth = None if caller is None else {"openid": caller}
    bindings = Bindings(
        auth,
        request_data=request.data,
        now_ms=backend.now_ms() if rule.reads_now else 0.0,
        read=lambda collection, doc_id: backend.find_one(collection, doc_id),
    )
    try:
        views = _views(request, kind, options, backend)
    except TooManyBranches as exc:
        raise Denied(decide(False, str(exc), rule.source)) from None
    if views is None:
        raise Denied(
            decide(
                False,
                f"doc_id_mode='fetch': there is no document {request.doc_id!r} to check the rule on",
                rule.source,
            )
        )
    log: list[tuple[str, str]] = []
    outcomes: list[Outcome] = []
    failure = ""
    for label, view in views:
        bindings.doc = view
        outcome = evaluate(rule, bindings)
        outcomes.append(outcome)
        for coverage in backend.coverage:
            coverage.record(request.collection, str(key), rule, outcome)
        log.append((label, outcome_name(outcome.value)))
        if outcome.value is not True and not failure:
            failure = _why(rule, outcome.value, outcome.error, outcome.atoms, options)
    reads = tuple(bindings.reads)
    if cache_key is not None:
        assert backend.static is not None
        backend.static.put(
            cache_key, StaticDecision(rule, not failure, failure, tuple(log), tuple(outcomes))
        )
    if failure:
        raise Denied(decide(False, failure, rule.source, tuple(log), reads))
    return Grant(request.query, decide(True, "", rule.source, tuple(log), reads), exists)


def _views(
    request: Request, kind: str, options: RuleOptions, backend: Backend
) -> list[tuple[str, DocView]] | None:
    if kind == "create":
        if options.create_doc_binding == "request_only":
            return [("(created data)", UnavailableDoc())]
        return [("(created data)", ConcreteDoc(request.document or {}))]
    if request.doc_id is not None and options.doc_id_mode == "fetch":
        stored = backend.find_one(request.collection, request.doc_id)
        if stored is None:
            return None
        return [(f"(stored document {request.doc_id!r})", ConcreteDoc(stored))]
    return [(_branch_text(b), QueryDoc(b)) for b in branches(request.query)]


def _branch_text(branch: Branch) -> str:
    if not branch:
        return "{} (no condition)"
    return "{" + ", ".join(f"{path} {_constraint_text(c)}" for path, c in branch.items()) + "}"


def _constraint_text(c: Constraint) -> str:
    if c.values is not None:
        return f"== {c.values[0]!r}" if len(c.values) == 1 else f"in {list(c.values)!r}"
    parts = []
    if c.low is not None:
        parts.append(f"{'>=' if c.low_inclusive else '>'} {c.low!r}")
    if c.high is not None:
        parts.append(f"{'<=' if c.high_inclusive else '<'} {c.high!r}")
    parts.extend(f"!= {x!r}" for x in c.excluded)
    return " and ".join(parts) or "(any)"


def _why(
    rule: CompiledExpression,
    value: Any,
    error: str | None,
    atoms: dict[int, Any],
    options: RuleOptions,
) -> str:
    if error is not None:
        return f"evaluating the rule failed: {error}"
    if value is False:
        return "the rule is false for every document this query can match"
    if value is not UNKNOWN:
        return f"the rule yields {value!r}, not true"
    open_atoms = [a for a in rule.atoms if atoms.get(id(a)) in (UNKNOWN, False)]
    needs = "; ".join(repr(rule.text(a)) for a in open_atoms) or repr(rule.source)
    hint = ""
    text = " ".join(rule.text(a) for a in open_atoms)
    if "doc." in text and "auth.openid" in text:
        fields = sorted(
            {_doc_field(rule.text(a)) for a in open_atoms if "auth.openid" in rule.text(a)}
        )
        shown = ", ".join(
            f"{f}: '{{openid}}'"
            if f == "_openid" or options.placeholder_fields == "any"
            else f"{f}: <caller's openid>"
            for f in fields
            if f
        )
        if shown:
            hint = f"; e.g. .where({{{shown}, ...}})"
    return (
        "rules validate, they do not filter: the query must prove the rule for every document it "
        f"can match, and it leaves {needs} undecided. Constrain those doc fields in the query{hint}"
    )


def _doc_field(atom: str) -> str:
    for token in atom.replace("(", " ").replace(")", " ").split():
        if token.startswith("doc."):
            return token[4:]
    return ""


__all__ = ["Backend", "Denied", "Grant", "Request", "authorize", "own"]
