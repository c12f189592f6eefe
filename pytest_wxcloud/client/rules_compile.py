"""Set-time checks of one rule expression: production's limits and the names it knows.

The console refuses a rule it cannot run (``InvalidParameter, rule invalid``); the double refuses
the same things when the rule is set, so a typo never becomes a silently open (or silently closed)
collection: over-long expressions, unknown variables, fields and functions, more than three
``get()`` calls, ``get`` nested deeper than two, and the unconfirmed syntax extensions unless
they were switched on.
"""

from __future__ import annotations

import difflib
from collections.abc import Iterable
from dataclasses import dataclass

from .rules_ast import (
    Call,
    Compare,
    Concat,
    Logic,
    Member,
    Name,
    Node,
    Not,
    RegexLiteral,
    children,
    walk,
)
from .rules_parser import RulesError, parse

#: characters per expression (TC-SR)
MAX_EXPRESSION_LENGTH = 1024
#: ``get()`` calls per expression and their nesting depth (CB-FN)
MAX_GET_CALLS = 3
MAX_GET_NESTING = 2

DATABASE_VARIABLES = ("auth", "doc", "request", "now", "get")
STORAGE_VARIABLES = ("auth", "resource", "now")
KNOWN_FIELDS = {
    "auth": ("openid", "uid", "loginType"),
    "request": ("data",),
    "resource": ("openid", "path"),
}


@dataclass(frozen=True, slots=True)
class CompiledExpression:
    """One checked expression: its text, its tree, and its atoms (the parts coverage counts)."""

    source: str
    tree: Node
    atoms: tuple[Node, ...]
    #: whether the value can change with the same query and caller: the rule reads the clock
    #: (``now``), another document (``get()``) or the request's data
    dynamic: bool = True
    #: whether it reads ``now`` (the cloud clock is only consulted for those)
    reads_now: bool = True

    def text(self, node: Node) -> str:
        return self.source[node.start : node.end]


def compile_expression(
    source: str, *, storage: bool = False, extensions: bool = False
) -> CompiledExpression:
    """Parse and check ``source``; raises :class:`RulesError` with what is wrong and allowed."""
    if len(source) > MAX_EXPRESSION_LENGTH:
        raise RulesError(
            f"the expression is {len(source)} characters long; production accepts at most "
            f"{MAX_EXPRESSION_LENGTH} per expression"
        )
    tree = parse(source)
    _check_names(tree, source, STORAGE_VARIABLES if storage else DATABASE_VARIABLES)
    _check_calls(tree, source, storage)
    if not extensions:
        _check_extensions(tree, source)
    names = {node.name for node in walk(tree) if isinstance(node, Name)}
    return CompiledExpression(
        source,
        tree,
        tuple(_atoms(tree)),
        dynamic=bool(names & {"now", "get", "request"}),
        reads_now="now" in names,
    )


def _atoms(node: Node) -> list[Node]:
    """The conditions ``&&``, ``||`` and ``!`` combine: what coverage counts true and false."""
    if isinstance(node, Logic):
        return [*_atoms(node.left), *_atoms(node.right)]
    if isinstance(node, Not):
        return _atoms(node.operand)
    return [node]


def _where(source: str, node: Node) -> str:
    return f"{source[node.start : node.end]!r} (column {node.start + 1})"


def _closest(name: str, accepted: Iterable[str]) -> str:
    names = list(accepted)
    close = difflib.get_close_matches(name, names, n=1)
    hint = f"; did you mean {close[0]!r}?" if close else ""
    return f"accepted: {', '.join(names)}{hint}"


def _check_names(tree: Node, source: str, variables: tuple[str, ...]) -> None:
    for node in walk(tree):
        if isinstance(node, Name) and node.name not in variables:
            raise RulesError(
                f"unknown variable {_where(source, node)}; {_closest(node.name, variables)}"
            )
        if isinstance(node, Member) and isinstance(node.obj, Name):
            fields = KNOWN_FIELDS.get(node.obj.name)
            if fields is not None and node.name not in fields:
                raise RulesError(
                    f"unknown field {_where(source, node)} of {node.obj.name}; "
                    f"{_closest(node.name, fields)}"
                )
    owners = {id(node.obj) for node in walk(tree) if isinstance(node, Member)}
    for node in walk(tree):
        if (
            isinstance(node, Name)
            and node.name in ("request", "resource")
            and id(node) not in owners
        ):
            raise RulesError(
                f"{_where(source, node)} is an object; use one of its fields "
                f"({', '.join(KNOWN_FIELDS[node.name])})"
            )


def _check_calls(tree: Node, source: str, storage: bool) -> None:
    gets = 0
    for node in walk(tree):
        if isinstance(node, Call):
            callee = node.callee
            if isinstance(callee, Name) and callee.name == "get":
                gets += 1
                if len(node.args) != 1:
                    raise RulesError(
                        f"get() takes one path like 'database.<collection>.<id>', got "
                        f"{len(node.args)} arguments at {_where(source, node)}"
                    )
                if _get_depth(node) > MAX_GET_NESTING:
                    raise RulesError(
                        f"get() is nested more than {MAX_GET_NESTING} deep at "
                        f"{_where(source, node)}; production allows get(get(...)) at most"
                    )
            elif (
                isinstance(callee, Member)
                and isinstance(callee.obj, RegexLiteral)
                and callee.name == "test"
            ):
                if len(node.args) != 1:
                    raise RulesError(f"/re/.test() takes one string at {_where(source, node)}")
            else:
                raise RulesError(
                    f"unknown function {_where(source, callee)}; rules call only get(path)"
                    + (" and /regex/.test(value)" if storage else "")
                )
        if isinstance(node, Name) and node.name == "get" and not _called(tree, node):
            raise RulesError(
                f"{_where(source, node)} must be called: get('database.<collection>.<id>')"
            )
        if isinstance(node, RegexLiteral) and not storage:
            raise RulesError(
                f"regular expression literal at {_where(source, node)}: only storage rules "
                "accept /regex/.test(...)"
            )
        if isinstance(node, RegexLiteral) and not _tested(tree, node):
            raise RulesError(
                f"a regular expression at {_where(source, node)} is only usable as "
                "/regex/.test(value)"
            )
    if gets > MAX_GET_CALLS:
        raise RulesError(
            f"the expression calls get() {gets} times; production allows at most "
            f"{MAX_GET_CALLS} per expression"
        )


def _called(tree: Node, name: Node) -> bool:
    return any(isinstance(node, Call) and node.callee is name for node in walk(tree))


def _tested(tree: Node, regex: Node) -> bool:
    return any(
        isinstance(node, Call) and isinstance(node.callee, Member) and node.callee.obj is regex
        for node in walk(tree)
    )


def _get_depth(node: Node) -> int:
    inner = max((_get_depth(child) for child in children(node)), default=0)
    is_get = isinstance(node, Call) and isinstance(node.callee, Name) and node.callee.name == "get"
    return inner + (1 if is_get else 0)


def _check_extensions(tree: Node, source: str) -> None:
    for node in walk(tree):
        if isinstance(node, Concat) or (isinstance(node, Compare) and node.op in ("===", "!==")):
            what = "'+'" if isinstance(node, Concat) else f"'{node.op}'"  # type: ignore[attr-defined]
            raise RulesError(
                f"{what} at {_where(source, node)} is not confirmed for WeChat database rules "
                "(only vendor examples use it); use == / != and template strings, or accept it "
                "with cloud.permissions.configure(rule_extensions=True)"
            )


__all__ = [
    "MAX_EXPRESSION_LENGTH",
    "MAX_GET_CALLS",
    "MAX_GET_NESTING",
    "CompiledExpression",
    "compile_expression",
]
