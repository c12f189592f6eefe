"""``$project`` and ``$addFields``: a field spec parsed once into a tree, applied per document.

``$project`` is either an *inclusion* (``1``/``true``/any non-zero number, plus computed fields)
or an *exclusion* (``0``/``false``) projection; mixing the two is MongoDB's error, except that
``_id`` may always be excluded. ``_id`` is kept unless excluded. Nested specs (``{"a": {"b": 1}}``
or ``"a.b"``) apply to every document element of an array. ``$addFields`` specs only compute; a
nested spec merges into the existing sub-document.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from ..values import MISSING
from .expressions import compile_expression
from .support import Evaluator, fail, show

INCLUDE = "include"
EXCLUDE = "exclude"


class Node:
    """One level of a projection: field name -> INCLUDE | EXCLUDE | Evaluator | Node."""

    __slots__ = ("children", "has_computed")

    def __init__(self) -> None:
        self.children: dict[str, Any] = {}
        self.has_computed = False


def _kind_of(value: Any, computing_only: bool) -> str:
    """'include', 'exclude', 'nested' or 'computed' for one spec value."""
    cls = value.__class__
    if cls is dict and value and not any(str(k).startswith("$") for k in value):
        return "nested"
    if computing_only:
        return "computed"
    if cls is bool:
        return INCLUDE if value else EXCLUDE
    if cls is int or cls is float:
        return INCLUDE if value else EXCLUDE
    if cls is dict and not value:
        raise fail("An empty sub-projection is not a valid value. Found empty object at path")
    return "computed"


def parse_spec(
    stage: str, spec: Any, variables: frozenset[str], computing_only: bool
) -> tuple[Node, str | None]:
    """The tree for ``spec`` and its mode (INCLUDE, EXCLUDE, or None for $addFields)."""
    if spec.__class__ is not dict:
        raise fail(f"{stage} specification must be an object, got {show(spec)}")
    if not spec:
        if computing_only:
            return Node(), None
        raise fail(
            f"Invalid {stage} :: caused by :: projection specification must have at least one field"
        )
    root = Node()
    modes: set[str] = set()
    _parse_into(stage, root, spec, "", variables, computing_only, modes, top=True)
    if computing_only:
        return root, None
    if INCLUDE in modes and EXCLUDE in modes:
        raise fail(_mixed_message(stage, spec))
    if modes == {EXCLUDE} or (not modes and root.children.get("_id") is EXCLUDE):
        return root, EXCLUDE
    return root, INCLUDE


def _mixed_message(stage: str, spec: Mapping[str, Any]) -> str:
    for key, value in spec.items():
        if key != "_id" and _kind_of(value, False) == EXCLUDE:
            return f"Invalid {stage} :: caused by :: Cannot do exclusion on field {key} in inclusion projection"
    return f"Invalid {stage} :: caused by :: Cannot do inclusion in exclusion projection"


def _parse_into(
    stage: str,
    node: Node,
    spec: Mapping[str, Any],
    prefix: str,
    variables: frozenset[str],
    computing_only: bool,
    modes: set[str],
    top: bool,
) -> None:
    for key, value in spec.items():
        if not isinstance(key, str) or not key:
            raise fail(
                f"Invalid {stage} :: caused by :: field names must be non-empty strings, got {key!r}"
            )
        parts = key.split(".")
        for part in parts:
            if not part:
                raise fail(
                    f"Invalid {stage} :: caused by :: FieldPath field names may not be empty strings ({key!r})"
                )
            if part.startswith("$"):
                raise fail(
                    f"Invalid {stage} :: caused by :: FieldPath field names may not start with '$' ({key!r})"
                )
        target = node
        for i, part in enumerate(parts[:-1]):
            existing = target.children.get(part)
            if existing is None:
                existing = target.children[part] = Node()
            elif not isinstance(existing, Node):
                raise fail(
                    f"Invalid {stage} :: caused by :: Path collision at {prefix}{'.'.join(parts[: i + 1])}"
                )
            target = existing
        last = parts[-1]
        path = prefix + key
        kind = _kind_of(value, computing_only)
        if kind == "nested":
            existing = target.children.get(last)
            if existing is None:
                existing = target.children[last] = Node()
            elif not isinstance(existing, Node):
                raise fail(f"Invalid {stage} :: caused by :: Path collision at {path}")
            _parse_into(
                stage, existing, value, path + ".", variables, computing_only, modes, top=False
            )
            if existing.has_computed:
                _mark_computed(node, parts[:-1])
                target.has_computed = True
            continue
        if last in target.children:
            raise fail(f"Invalid {stage} :: caused by :: Path collision at {path}")
        if kind == "computed":
            target.children[last] = compile_expression(value, variables)
            _mark_computed(node, parts[:-1])
            target.has_computed = True
            if not computing_only:
                modes.add(INCLUDE)
        else:
            target.children[last] = kind
            if not (top and path == "_id"):
                modes.add(kind)


def _mark_computed(node: Node, parts: list[str]) -> None:
    node.has_computed = True
    for part in parts:
        child = node.children[part]
        child.has_computed = True
        node = child


# --------------------------------------------------------------------------- applying


def project_document(
    doc: dict[str, Any], root: Node, mode: str, variables: Mapping[str, Any]
) -> dict[str, Any]:
    if mode == EXCLUDE:
        return _exclude(doc, root)
    out: dict[str, Any] = {}
    id_rule = root.children.get("_id", INCLUDE)
    if id_rule is INCLUDE and "_id" in doc:
        out["_id"] = doc["_id"]
    _include(doc, root, doc, variables, out)
    return out


def _include(
    value: dict[str, Any],
    node: Node,
    root: dict[str, Any],
    variables: Mapping[str, Any],
    out: dict[str, Any],
) -> None:
    children = node.children
    for key, item in value.items():
        rule = children.get(key)
        if rule is None or key in out:
            continue
        if rule is INCLUDE:
            out[key] = item
        elif isinstance(rule, Node):
            projected = _include_value(item, rule, root, variables)
            if projected is not MISSING:
                out[key] = projected
    if node.has_computed:
        for key, rule in children.items():
            if isinstance(rule, Node):
                if rule.has_computed and key not in value:
                    out[key] = _include_value(MISSING, rule, root, variables)
            elif rule is not INCLUDE and rule is not EXCLUDE:
                result = rule(root, variables)
                if result is MISSING:
                    out.pop(key, None)
                else:
                    out[key] = result


def _include_value(
    item: Any, node: Node, root: dict[str, Any], variables: Mapping[str, Any]
) -> Any:
    cls = item.__class__
    if cls is dict:
        sub: dict[str, Any] = {}
        _include(item, node, root, variables, sub)
        return sub
    if cls is list:
        out = []
        for element in item:
            projected = _include_value(element, node, root, variables)
            if projected is not MISSING:
                out.append(projected)
        return out
    if node.has_computed:
        sub = {}
        _include({}, node, root, variables, sub)
        return sub
    return MISSING


def _exclude(value: dict[str, Any], node: Node) -> dict[str, Any]:
    out: dict[str, Any] = {}
    children = node.children
    for key, item in value.items():
        rule = children.get(key)
        if rule is None or rule is INCLUDE:
            out[key] = item
        elif isinstance(rule, Node):
            out[key] = _exclude_value(item, rule)
    return out


def _exclude_value(item: Any, node: Node) -> Any:
    cls = item.__class__
    if cls is dict:
        return _exclude(item, node)
    if cls is list:
        return [_exclude_value(element, node) for element in item]
    return item


def add_fields(
    doc: dict[str, Any], node: Node, root: dict[str, Any], variables: Mapping[str, Any]
) -> dict[str, Any]:
    """``$addFields`` at one level: computed values replace, nested specs merge (copying)."""
    out = dict(doc)
    for key, rule in node.children.items():
        if isinstance(rule, Node):
            out[key] = _add_into(doc.get(key, MISSING), rule, root, variables)
        else:
            value: Evaluator = rule
            result = value(root, variables)
            if result is MISSING:
                out.pop(key, None)
            else:
                out[key] = result
    return out


def _add_into(item: Any, node: Node, root: dict[str, Any], variables: Mapping[str, Any]) -> Any:
    cls = item.__class__
    if cls is dict:
        return add_fields(item, node, root, variables)
    if cls is list:
        return [_add_into(element, node, root, variables) for element in item]
    return add_fields({}, node, root, variables)
