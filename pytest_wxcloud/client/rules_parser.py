"""A hand-written tokenizer and recursive-descent parser for the security-rule language.

The grammar is client.md §3.3's (``||`` over ``&&`` over ``!`` over one comparison over ``+`` over
member/index/call chains). User input is never handed to ``eval``: the parser builds the frozen
tree of :mod:`.rules_ast`, and anything it cannot read raises :class:`RuleSyntaxError` naming the
column and what was expected there.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from ..database.values import MISSING
from .rules_ast import (
    ArrayLiteral,
    Call,
    Compare,
    Concat,
    Index,
    Literal,
    Logic,
    Member,
    Name,
    Node,
    Not,
    RegexLiteral,
    Template,
)

#: parentheses, brackets and calls nested deeper than this are refused (a rule is <= 1024 chars)
MAX_NESTING = 64
MAX_TEMPLATE_NESTING = 4
COMPARISONS = ("===", "!==", "==", "!=", ">=", "<=", ">", "<")
_PUNCTUATION = ("&&", "||", "!", "+", "(", ")", "[", "]", ".", ",")
_IDENT = re.compile(r"[A-Za-z_$][A-Za-z0-9_$]*")
_NUMBER = re.compile(r"(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][+-]?\d+)?")
_DIGITS = "0123456789"
_KEYWORDS = {"true": True, "false": False, "null": None, "undefined": MISSING}
_ESCAPES = {"n": "\n", "t": "\t", "r": "\r", "b": "\b", "f": "\f", "v": "\v", "0": "\0"}


class RulesError(ValueError):
    """A rule or permission setting that production's console would refuse to save."""


class RuleSyntaxError(RulesError):
    """An expression that does not parse: where, what was expected, and what came instead."""

    def __init__(self, source: str, position: int, expected: str, found: str) -> None:
        self.source = source
        self.position = position
        self.expected = expected
        self.found = found
        pointer = " " * position + "^"
        super().__init__(
            f"expected {expected} at column {position + 1}, found {found}\n  {source}\n  {pointer}"
        )


@dataclass(frozen=True, slots=True)
class Token:
    kind: str  # "num" "str" "template" "regex" "ident" "op" "end"
    value: object
    start: int
    end: int

    def describe(self) -> str:
        if self.kind == "end":
            return "the end of the expression"
        return repr(self.value) if self.kind != "op" else f"'{self.value}'"


def tokenize(source: str, templates_open: int = 0) -> list[Token]:
    """The tokens of ``source``; a template's ``${...}`` parts are parsed into nodes here
    (``templates_open``: how many templates enclose ``source``, bounded like other nesting)."""
    tokens: list[Token] = []
    i, n = 0, len(source)
    while i < n:
        ch = source[i]
        if ch.isspace():
            i += 1
            continue
        start = i
        if ch in "'\"":
            text, i = _read_string(source, i)
            tokens.append(Token("str", text, start, i))
        elif ch == "`":
            parts, i = _read_template(source, i, templates_open)
            tokens.append(Token("template", parts, start, i))
        elif ch == "/":
            regex, i = _read_regex(source, i)
            tokens.append(Token("regex", regex, start, i))
        elif ch in _DIGITS or (ch == "." and i + 1 < n and source[i + 1] in _DIGITS):
            match = _NUMBER.match(source, i)
            assert match is not None
            i = match.end()
            tokens.append(Token("num", _number(match.group()), start, i))
        elif _IDENT.match(source, i):
            match = _IDENT.match(source, i)
            assert match is not None
            i = match.end()
            tokens.append(Token("ident", match.group(), start, i))
        else:
            for op in (*COMPARISONS, *_PUNCTUATION, "-"):
                if source.startswith(op, i):
                    i += len(op)
                    tokens.append(Token("op", op, start, i))
                    break
            else:
                hint = {"=": "'==' (a rule compares, it never assigns)", "&": "'&&'", "|": "'||'"}
                raise RuleSyntaxError(
                    source, i, hint.get(ch, "an operator, a value or a name"), repr(ch)
                )
    tokens.append(Token("end", None, n, n))
    return tokens


def _number(text: str) -> int | float:
    value = float(text)
    return int(value) if value.is_integer() and abs(value) < 2**53 else value


def _read_string(source: str, i: int) -> tuple[str, int]:
    quote = source[i]
    out: list[str] = []
    j = i + 1
    while j < len(source):
        ch = source[j]
        if ch == quote:
            return "".join(out), j + 1
        if ch == "\\":
            if j + 1 >= len(source):
                break
            nxt = source[j + 1]
            if nxt == "u":
                digits = source[j + 2 : j + 6]
                if len(digits) != 4 or not all(c in "0123456789abcdefABCDEF" for c in digits):
                    raise RuleSyntaxError(source, j, "four hex digits after \\u", repr(digits))
                out.append(chr(int(digits, 16)))
                j += 6
                continue
            out.append(_ESCAPES.get(nxt, nxt))
            j += 2
            continue
        out.append(ch)
        j += 1
    raise RuleSyntaxError(source, i, f"a closing {quote} for the string started here", "none")


def _read_template(source: str, i: int, templates_open: int) -> tuple[tuple[str | Node, ...], int]:
    if templates_open >= MAX_TEMPLATE_NESTING:
        raise RuleSyntaxError(
            source, i, f"at most {MAX_TEMPLATE_NESTING} templates inside each other", "another"
        )
    parts: list[str | Node] = []
    text: list[str] = []
    j = i + 1
    while j < len(source):
        ch = source[j]
        if ch == "`":
            if text:
                parts.append("".join(text))
            return tuple(parts), j + 1
        if ch == "\\" and j + 1 < len(source):
            text.append(_ESCAPES.get(source[j + 1], source[j + 1]))
            j += 2
            continue
        if source.startswith("${", j):
            close = _matching_brace(source, j + 2)
            if text:
                parts.append("".join(text))
                text = []
            inner = source[j + 2 : close]
            if not inner.strip():
                raise RuleSyntaxError(source, j + 2, "an expression inside ${}", "'}'")
            parts.append(_parse_embedded(source, j + 2, close, templates_open + 1))
            j = close + 1
            continue
        text.append(ch)
        j += 1
    raise RuleSyntaxError(source, i, "a closing ` for the template started here", "none")


def _matching_brace(source: str, j: int) -> int:
    depth = 0
    quote = ""
    while j < len(source):
        ch = source[j]
        if quote:
            if ch == "\\":
                j += 2
                continue
            if ch == quote:
                quote = ""
        elif ch in "'\"":
            quote = ch
        elif ch == "{":
            depth += 1
        elif ch == "}":
            if depth == 0:
                return j
            depth -= 1
        j += 1
    raise RuleSyntaxError(source, j, "'}' closing the ${ of the template", "none")


def _parse_embedded(source: str, start: int, end: int, templates_open: int) -> Node:
    """Parse ``source[start:end]`` in place, so positions in errors and spans stay absolute."""
    masked = " " * start + source[start:end]
    try:
        parser = _Parser(masked, templates_open)
        node = parser.expression()
        parser.expect_end()
    except RuleSyntaxError as exc:
        raise RuleSyntaxError(source, exc.position, exc.expected, exc.found) from None
    return node


def _read_regex(source: str, i: int) -> tuple[tuple[str, str], int]:
    j = i + 1
    in_class = False
    while j < len(source):
        ch = source[j]
        if ch == "\\":
            j += 2
            continue
        if ch == "[":
            in_class = True
        elif ch == "]":
            in_class = False
        elif ch == "/" and not in_class:
            pattern = source[i + 1 : j]
            k = j + 1
            while k < len(source) and source[k].isalpha():
                k += 1
            flags = source[j + 1 : k]
            if not pattern:
                raise RuleSyntaxError(source, i, "a regular expression between / and /", "'//'")
            bad = set(flags) - set("gimsuy")
            if bad:
                raise RuleSyntaxError(
                    source, j + 1, "regular expression flags among g i m s u y", repr(flags)
                )
            try:
                re.compile(pattern)
            except re.error as exc:
                raise RuleSyntaxError(
                    source, i + 1, "a valid regular expression", f"{pattern!r} ({exc})"
                ) from None
            return (pattern, flags), k
        j += 1
    raise RuleSyntaxError(source, i, "a closing / for the regular expression started here", "none")


def parse(source: str) -> Node:
    """The tree of one rule expression (the text inside a rule's JSON string)."""
    if not isinstance(source, str):
        raise TypeError(f"a rule expression is a string, got {source!r}")
    if not source.strip():
        raise RuleSyntaxError(source, 0, "an expression", "an empty string")
    parser = _Parser(source)
    node = parser.expression()
    parser.expect_end()
    return node


class _Parser:
    def __init__(self, source: str, templates_open: int = 0) -> None:
        self.source = source
        self.tokens = tokenize(source, templates_open)
        self.pos = 0
        self.depth = 0

    # --- token helpers ------------------------------------------------------------------

    @property
    def current(self) -> Token:
        return self.tokens[self.pos]

    def advance(self) -> Token:
        token = self.tokens[self.pos]
        if token.kind != "end":
            self.pos += 1
        return token

    def at_op(self, *ops: str) -> bool:
        token = self.current
        return token.kind == "op" and token.value in ops

    def expect_op(self, op: str, context: str) -> Token:
        if not self.at_op(op):
            self.fail(f"'{op}' {context}")
        return self.advance()

    def expect_end(self) -> None:
        if self.current.kind != "end":
            self.fail("an operator (&&, ||, ==, ...) or the end of the expression")

    def fail(self, expected: str) -> None:
        token = self.current
        raise RuleSyntaxError(self.source, token.start, expected, token.describe())

    def nest(self) -> None:
        self.depth += 1
        if self.depth > MAX_NESTING:
            raise RuleSyntaxError(
                self.source,
                self.current.start,
                f"at most {MAX_NESTING} levels of nesting",
                "deeper nesting",
            )

    # --- grammar ------------------------------------------------------------------------

    def expression(self) -> Node:
        self.nest()
        left = self.conjunction()
        while self.at_op("||"):
            self.advance()
            right = self.conjunction()
            left = Logic(left.start, right.end, "||", left, right)
        self.depth -= 1
        return left

    def conjunction(self) -> Node:
        left = self.unary()
        while self.at_op("&&"):
            self.advance()
            right = self.unary()
            left = Logic(left.start, right.end, "&&", left, right)
        return left

    def unary(self) -> Node:
        if self.at_op("!"):
            start = self.advance().start
            self.nest()
            operand = self.unary()
            self.depth -= 1
            return Not(start, operand.end, operand)
        return self.comparison()

    def comparison(self) -> Node:
        left = self.addition()
        token = self.current
        if (token.kind == "op" and token.value in COMPARISONS) or (
            token.kind == "ident" and token.value == "in"
        ):
            op = str(self.advance().value)
            right = self.addition()
            node: Node = Compare(left.start, right.end, op, left, right)
            after = self.current
            if (after.kind == "op" and after.value in COMPARISONS) or (
                after.kind == "ident" and after.value == "in"
            ):
                self.fail("'&&', '||' or ')' (comparisons do not chain; use parentheses)")
            return node
        return left

    def addition(self) -> Node:
        left = self.postfix()
        while self.at_op("+"):
            self.advance()
            right = self.postfix()
            left = Concat(left.start, right.end, left, right)
        return left

    def postfix(self) -> Node:
        node = self.primary()
        while True:
            if self.at_op("."):
                self.advance()
                token = self.current
                if token.kind != "ident":
                    self.fail("a property name after '.'")
                self.advance()
                node = Member(node.start, token.end, node, str(token.value))
            elif self.at_op("["):
                self.advance()
                index = self.expression()
                end = self.expect_op("]", "closing the index").end
                node = Index(node.start, end, node, index)
            elif self.at_op("("):
                self.advance()
                self.nest()
                args = self.arguments(")", "closing the call's arguments")
                self.depth -= 1
                node = Call(node.start, self.tokens[self.pos - 1].end, node, args)
            else:
                return node

    def arguments(self, closer: str, context: str) -> tuple[Node, ...]:
        items: list[Node] = []
        if self.at_op(closer):
            self.advance()
            return ()
        while True:
            items.append(self.expression())
            if self.at_op(","):
                self.advance()
                continue
            self.expect_op(closer, context)
            return tuple(items)

    def primary(self) -> Node:
        token = self.current
        if token.kind == "num":
            self.advance()
            return Literal(token.start, token.end, token.value)
        if token.kind == "op" and token.value == "-":
            self.advance()
            number = self.current
            if number.kind != "num":
                self.fail("a number after '-'")
            self.advance()
            value = number.value
            assert isinstance(value, (int, float))
            return Literal(token.start, number.end, -value)
        if token.kind == "str":
            self.advance()
            return Literal(token.start, token.end, token.value)
        if token.kind == "template":
            self.advance()
            parts = token.value
            assert isinstance(parts, tuple)
            return Template(token.start, token.end, parts)
        if token.kind == "regex":
            self.advance()
            assert isinstance(token.value, tuple)
            pattern, flags = token.value
            return RegexLiteral(token.start, token.end, str(pattern), str(flags))
        if token.kind == "ident":
            self.advance()
            name = str(token.value)
            if name in _KEYWORDS:
                return Literal(token.start, token.end, _KEYWORDS[name])
            if name == "in":
                raise RuleSyntaxError(self.source, token.start, "a value before 'in'", "'in'")
            return Name(token.start, token.end, name)
        if self.at_op("("):
            self.advance()
            node = self.expression()
            self.expect_op(")", "closing the parenthesis")
            return node
        if self.at_op("["):
            start = self.advance().start
            self.nest()
            items = self.arguments("]", "closing the array")
            self.depth -= 1
            return ArrayLiteral(start, self.tokens[self.pos - 1].end, items)
        self.fail("a value, a name, '(' or '['")
        raise AssertionError  # pragma: no cover - fail() always raises


__all__ = ["MAX_NESTING", "RuleSyntaxError", "RulesError", "parse", "tokenize"]
