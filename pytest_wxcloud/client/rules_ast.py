"""The parsed form of a security-rule expression: frozen nodes, each knowing its source span.

Spans let a denial quote the exact part of the rule that failed and let the coverage report count
true/false outcomes per sub-expression, as the Firebase emulator's report does.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any


@dataclass(frozen=True, slots=True)
class Node:
    start: int = field(compare=False)
    end: int = field(compare=False)


@dataclass(frozen=True, slots=True)
class Literal(Node):
    """A string, number, ``true``/``false``, ``null`` or ``undefined`` (``MISSING``)."""

    value: Any


@dataclass(frozen=True, slots=True)
class Name(Node):
    """A top-level variable: ``auth``, ``doc``, ``request``, ``now``, ``resource``, ``get``."""

    name: str


@dataclass(frozen=True, slots=True)
class Member(Node):
    obj: Node
    name: str


@dataclass(frozen=True, slots=True)
class Index(Node):
    obj: Node
    index: Node


@dataclass(frozen=True, slots=True)
class Call(Node):
    callee: Node
    args: tuple[Node, ...]


@dataclass(frozen=True, slots=True)
class ArrayLiteral(Node):
    items: tuple[Node, ...]


@dataclass(frozen=True, slots=True)
class Template(Node):
    """A back-tick string: literal text and ``${expr}`` parts, in order."""

    parts: tuple[str | Node, ...]


@dataclass(frozen=True, slots=True)
class RegexLiteral(Node):
    """``/pattern/flags`` (storage rules: ``/^public\\//.test(resource.path)``)."""

    pattern: str
    flags: str


@dataclass(frozen=True, slots=True)
class Not(Node):
    operand: Node


@dataclass(frozen=True, slots=True)
class Logic(Node):
    """``&&`` or ``||``, evaluated left to right with short-circuit, as JavaScript does."""

    op: str
    left: Node
    right: Node


@dataclass(frozen=True, slots=True)
class Compare(Node):
    """``== != === !== > >= < <= in``: the atoms a query is checked against."""

    op: str
    left: Node
    right: Node


@dataclass(frozen=True, slots=True)
class Concat(Node):
    """``a + b``: string concatenation (a vendor-reported extension)."""

    left: Node
    right: Node


def children(node: Node) -> tuple[Node, ...]:
    """The direct sub-expressions of ``node``, for walks that check limits or count nodes."""
    if isinstance(node, Member):
        return (node.obj,)
    if isinstance(node, Index):
        return (node.obj, node.index)
    if isinstance(node, Call):
        return (node.callee, *node.args)
    if isinstance(node, ArrayLiteral):
        return node.items
    if isinstance(node, Template):
        return tuple(part for part in node.parts if isinstance(part, Node))
    if isinstance(node, Not):
        return (node.operand,)
    if isinstance(node, (Logic, Compare, Concat)):
        return (node.left, node.right)
    return ()


def walk(node: Node) -> list[Node]:
    """Every node of the tree, parents before children."""
    out: list[Node] = []
    stack = [node]
    while stack:
        current = stack.pop()
        out.append(current)
        stack.extend(reversed(children(current)))
    return out
