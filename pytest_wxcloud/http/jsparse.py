"""A parser for the JavaScript subset the HTTP API's ``query`` strings are written in.

The real service runs ``query`` as a small JavaScript program (reference http-api.md §4.1). We
never evaluate it: this module turns the text into a small immutable AST, and
:mod:`.query_language` replays that AST as calls on the Python database API.

Accepted (http-api.md §4.3): ``const``/``let``/``var`` bindings, one final expression, both quote
styles and templates without substitutions, every JS string escape, ``//`` and ``/* */`` comments,
numbers in every JS notation (read as IEEE doubles, as JavaScript does), ``true``/``false``/
``null``/``undefined``, arrays and objects (unquoted, quoted and numeric keys, shorthand
properties, trailing commas), regular-expression literals, member access, calls, ``new`` and unary
``-``/``+``. Everything else is rejected with a :class:`QuerySyntaxError` that names the line,
the column, what was found and what was expected.

Input is bounded: at most :data:`MAX_QUERY_LENGTH` characters and :data:`MAX_DEPTH` levels of
nesting, so no query can exhaust memory or the Python stack.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass
from decimal import Decimal
from typing import Any, NamedTuple, NoReturn, TypeAlias

from ..database.values import MISSING, RegExp

#: Longest accepted query, in characters. Far above any real request body (the largest are
#: ``add`` calls carrying a batch of documents); the densest possible query of this size (a flat
#: array of one-digit numbers) takes about 2.5 s of CPU to parse, so no input can take longer.
MAX_QUERY_LENGTH = 1_000_000

#: Deepest accepted nesting of arrays, objects, calls and parentheses. MongoDB refuses documents
#: nested deeper than 100 levels, so no storable value needs more.
MAX_DEPTH = 100


# --------------------------------------------------------------------------- errors


class QueryLanguageError(Exception):
    """A ``query`` string the emulator cannot run; carries where in the text the problem is.

    ``str()`` reads ``query: <detail> at line L column C[, expected <expected>]``; the parts are
    available as attributes. :func:`.query_language.error_response` turns it into the HTTP API's
    ``errcode`` / ``errmsg``.
    """

    def __init__(self, detail: str, source: str, offset: int, expected: str | None = None) -> None:
        self.detail = detail
        self.expected = expected
        self.offset = offset
        self.line, self.column = line_and_column(source, offset)
        hint = f", expected {expected}" if expected else ""
        super().__init__(f"query: {detail} at line {self.line} column {self.column}{hint}")


class QuerySyntaxError(QueryLanguageError):
    """The text is not valid JavaScript, or uses syntax outside the supported subset."""


_LINE_BREAK = re.compile(r"\r\n|[\n\r\u2028\u2029]")


def line_and_column(source: str, offset: int) -> tuple[int, int]:
    """1-based line and column of ``offset``, counting line breaks as JavaScript does."""
    offset = max(0, min(offset, len(source)))
    line, start = 1, 0
    for match in _LINE_BREAK.finditer(source, 0, offset):
        line, start = line + 1, match.end()
    return line, offset - start + 1


# --------------------------------------------------------------------------- AST


@dataclass(frozen=True, slots=True)
class Literal:
    """A number, string, boolean, ``null`` (None) or ``undefined`` (``MISSING``)."""

    value: Any
    offset: int


@dataclass(frozen=True, slots=True)
class RegexLiteral:
    value: RegExp
    offset: int


@dataclass(frozen=True, slots=True)
class ArrayLiteral:
    items: tuple[Expr, ...]
    offset: int


@dataclass(frozen=True, slots=True)
class ObjectLiteral:
    """Entries in source order; a repeated key keeps its first position and last value (as JS)."""

    entries: tuple[tuple[str, Expr], ...]
    offset: int


@dataclass(frozen=True, slots=True)
class Name:
    name: str
    offset: int


@dataclass(frozen=True, slots=True)
class Member:
    """``target.name``; ``offset`` points at ``name``."""

    target: Expr
    name: str
    offset: int


@dataclass(frozen=True, slots=True)
class Call:
    """``callee(args)``; ``offset`` points at the opening parenthesis."""

    callee: Expr
    args: tuple[Expr, ...]
    offset: int


@dataclass(frozen=True, slots=True)
class New:
    """``new callee(args)``; ``offset`` points at ``new``."""

    callee: Expr
    args: tuple[Expr, ...]
    offset: int


@dataclass(frozen=True, slots=True)
class Unary:
    """``-x`` or ``+x`` on something that is not a number literal (those are folded)."""

    operator: str
    operand: Expr
    offset: int


Expr: TypeAlias = (
    Literal | RegexLiteral | ArrayLiteral | ObjectLiteral | Name | Member | Call | New | Unary
)


@dataclass(frozen=True, slots=True)
class Binding:
    """``const name = value;`` (also ``let`` / ``var``)."""

    name: str
    value: Expr
    offset: int


@dataclass(frozen=True, slots=True)
class Program:
    """Bindings run in order, then ``body`` — the database operation — is the query's value."""

    source: str
    bindings: tuple[Binding, ...]
    body: Expr


# --------------------------------------------------------------------------- tokens

# Token kinds. Punctuation and operators use their own text as kind.
NAME, NUMBER, STRING, REGEX, EOF = "name", "number", "string", "regex", "eof"


class Token(NamedTuple):
    kind: str
    value: Any
    offset: int
    end: int
    newline_before: bool


_NEWLINE = re.compile(r"[\n\r\u2028\u2029]")
_NUMBER = re.compile(
    r"0[xX](?P<hex>[0-9a-fA-F](?:_?[0-9a-fA-F])*)"
    r"|0[oO](?P<oct>[0-7](?:_?[0-7])*)"
    r"|0[bB](?P<bin>[01](?:_?[01])*)"
    r"|(?P<dec>(?:(?:0|[1-9](?:_?[0-9])*)(?:\.(?:[0-9](?:_?[0-9])*)?)?|\.[0-9](?:_?[0-9])*)"
    r"(?:[eE][+-]?[0-9](?:_?[0-9])*)?)"
)
_DIGITS_AFTER_ZERO = re.compile(r"0[0-9_]")
_STRING = {
    '"': re.compile(r'"(?:[^"\\\n\r]|\\(?:\r\n|[\s\S]))*"'),
    "'": re.compile(r"'(?:[^'\\\n\r]|\\(?:\r\n|[\s\S]))*'"),
    "`": re.compile(r"`(?:[^`\\$]|\\[\s\S]|\$(?!\{))*`"),
}
_REGEX_BODY = re.compile(
    r"/((?:[^/\\\[\n\r\u2028\u2029]|\\[^\n\r\u2028\u2029]|\[(?:[^\]\\\n\r\u2028\u2029]|\\[^\n\r\u2028\u2029])*\])+)/"
)
_REGEX_FLAGS = re.compile(r"(?:\w|\$)*")
_JS_REGEX_FLAGS = "dgimsuyv"
#: Flags the database can store (db.RegExp options); ``g``/``u`` are accepted and carry no meaning.
_STORABLE_REGEX_FLAGS = "gimsu"
_PUNCTUATION = frozenset("(){}[],.;:=")
_OPERATORS = re.compile(
    r">>>=|\.\.\.|===|!==|\*\*=|<<=|>>=|>>>|\?\?=|&&=|\|\|=|=>|==|!=|<=|>=|&&|\|\||\?\?|\?\."
    r"|\+\+|--|\+=|-=|\*=|/=|%=|&=|\|=|\^=|\*\*|<<|>>|[-+*/%!?<>&|^~@#]"
)
#: One match per token: the group that matched says what it is. Strings, numbers other than
#: small integers and slashes (regex or division?) are finished by dedicated scanners.
_TOKEN = re.compile(
    r"(?P<space>(?:[\t\v\f \u00a0\ufeff\u1680\u2000-\u200a\u202f\u205f\u3000]"
    r"|[\n\r\u2028\u2029]|//[^\n\r\u2028\u2029]*|/\*.*?\*/)+)"
    r"|(?P<name>(?:[^\W\d]|\$)(?:\w|\$)*)"
    r"|(?P<int>(?:0|[1-9][0-9]{0,14})(?![\w$.]))"
    r"|(?P<number>[0-9]|\.[0-9])"
    r"|(?P<punctuation>[(){}\[\],;:]|\.(?!\.\.)|=(?![=>]))"
    r"|(?P<string>[\"'`])"
    r"|(?P<slash>/)"
    r"|(?P<operator>" + _OPERATORS.pattern + ")",
    re.DOTALL,
)
_ESCAPE = re.compile(
    r"\\(?:(?P<simple>[nrtbfv])|x(?P<x>[0-9a-fA-F]{2})|u(?P<u>[0-9a-fA-F]{4})"
    r"|u\{(?P<cp>[0-9a-fA-F]+)\}|(?P<zero>0(?![0-9]))|(?P<continuation>\r\n|[\n\r\u2028\u2029])"
    r"|(?P<bad>[0-9xu])|(?P<other>[\s\S]))"
)
_SIMPLE_ESCAPES = {"n": "\n", "r": "\r", "t": "\t", "b": "\b", "f": "\f", "v": "\v"}
_SURROGATE = re.compile("[\ud800-\udfff]")

#: Words that cannot name a binding or start an expression (they may still follow a dot, as in
#: ``_.in`` or ``$.switch``).
RESERVED_WORDS = frozenset(
    [
        "await",
        "break",
        "case",
        "catch",
        "class",
        "const",
        "continue",
        "debugger",
        "default",
        "delete",
        "do",
        "else",
        "enum",
        "export",
        "extends",
        "false",
        "finally",
        "for",
        "function",
        "if",
        "implements",
        "import",
        "in",
        "instanceof",
        "interface",
        "let",
        "new",
        "null",
        "package",
        "private",
        "protected",
        "public",
        "return",
        "static",
        "super",
        "switch",
        "this",
        "throw",
        "true",
        "try",
        "typeof",
        "var",
        "void",
        "while",
        "with",
        "yield",
    ]
)
#: After these words a ``/`` starts a regular expression, not a division.
_REGEX_AFTER_WORDS = frozenset(
    ["return", "typeof", "case", "do", "else", "in", "instanceof", "new", "delete", "void", "throw"]
)
_LITERAL_KINDS = frozenset({NUMBER, STRING})
_LIST_ENDS = frozenset({",", "]", "}", ")"})
_VALUE_ENDS = frozenset({NUMBER, STRING, REGEX, ")", "]", "}"})


def _describe(token: Token) -> str:
    if token.kind == EOF:
        return "end of input"
    if token.kind == NAME:
        return f"identifier '{_shorten(token.value)}'"
    if token.kind == NUMBER:
        return f"number {_shorten(js_number_to_string(token.value))}"
    if token.kind == STRING:
        return f"string {_shorten(repr(token.value))}"
    if token.kind == REGEX:
        return f"regular expression /{_shorten(token.value.pattern)}/"
    return f"token '{token.kind}'"


def _shorten(text: str, limit: int = 40) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"


class _Tokenizer:
    def __init__(self, source: str) -> None:
        self.source = source
        self.tokens: list[Token] = []

    def fail(self, detail: str, offset: int) -> NoReturn:
        raise QuerySyntaxError(detail, self.source, offset)

    def run(self) -> list[Token]:
        source, tokens = self.source, self.tokens
        append, match_token = tokens.append, _TOKEN.match
        pos, newline = 0, False
        while True:
            match = match_token(source, pos)
            if match is None:
                if pos >= len(source):
                    append(Token(EOF, None, pos, pos, newline))
                    return tokens
                self._bad_character(pos)
            kind, end = match.lastgroup, match.end()
            if kind == "space":
                newline = newline or _NEWLINE.search(source, pos, end) is not None
                pos = end
                continue
            if kind == "name":
                append(Token(NAME, match.group(), pos, end, newline))
            elif kind == "punctuation":
                append(Token(match.group(), None, pos, end, newline))
            elif kind == "int":
                append(Token(NUMBER, int(match.group()), pos, end, newline))
            elif kind == "string":
                end = self._string(pos, source[pos], newline)
            elif kind == "number":
                end = self._number(pos, newline)
            elif kind == "slash":
                end = self._slash(pos, newline)
            else:
                append(Token(match.group(), None, pos, end, newline))
            pos, newline = end, False

    def _bad_character(self, pos: int) -> NoReturn:
        char = self.source[pos]
        if char == "\\":
            self.fail("unicode escapes in identifiers are not supported", pos)
        self.fail(f"unexpected character {char!r} (U+{ord(char):04X})", pos)

    def _slash(self, pos: int, newline: bool) -> int:
        if self.source.startswith("/*", pos):
            self.fail("unterminated /* comment", pos)
        if self._regex_allowed():
            return self._regex(pos, newline)
        operator = _OPERATORS.match(self.source, pos)
        assert operator is not None  # '/' alone is an operator
        self.tokens.append(Token(operator.group(), None, pos, operator.end(), newline))
        return operator.end()

    def _regex_allowed(self) -> bool:
        if not self.tokens:
            return True
        last = self.tokens[-1]
        if last.kind == NAME:
            return last.value in _REGEX_AFTER_WORDS
        return last.kind not in _VALUE_ENDS

    def _string(self, pos: int, quote: str, newline: bool) -> int:
        match = _STRING[quote].match(self.source, pos)
        if match is None:
            if quote == "`" and self._template_has_substitution(pos):
                self.fail("template literals with ${...} substitutions are not supported", pos)
            self.fail("unterminated string literal", pos)
        raw = match.group()[1:-1]
        if quote == "`":
            raw = raw.replace("\r\n", "\n").replace("\r", "\n")
        value = decode_escapes(raw, self.source, pos + 1)
        self.tokens.append(Token(STRING, value, pos, match.end(), newline))
        return match.end()

    def _template_has_substitution(self, pos: int) -> bool:
        end = self.source.find("`", pos + 1)
        return "${" in self.source[pos : end if end != -1 else len(self.source)]

    def _number(self, pos: int, newline: bool) -> int:
        source = self.source
        match = _NUMBER.match(source, pos)
        if match is None:  # pragma: no cover - a digit always matches
            self.fail("malformed number", pos)
        end = match.end()
        if match.group("dec") is not None and _DIGITS_AFTER_ZERO.match(source, pos):
            self.fail("numbers must not start with 0 (legacy octal literals are not allowed)", pos)
        follower = source[end : end + 1]
        if follower == "n":
            self.fail("BigInt literals are not supported", pos)
        if follower and (follower.isalnum() or follower in "_$."):
            self.fail(f"malformed number {source[pos : end + 1]!r}", pos)
        self.tokens.append(Token(NUMBER, _number_value(match), pos, end, newline))
        return end

    def _regex(self, pos: int, newline: bool) -> int:
        body = _REGEX_BODY.match(self.source, pos)
        if body is None:
            self.fail("unterminated regular expression literal", pos)
        flags_match = _REGEX_FLAGS.match(self.source, body.end())
        flags = flags_match.group() if flags_match else ""
        for index, flag in enumerate(flags):
            if flag not in _JS_REGEX_FLAGS or flag in flags[:index]:
                self.fail(f"invalid regular expression flags {flags!r}", body.end())
            if flag not in _STORABLE_REGEX_FLAGS:
                self.fail(
                    f"regular expression flag {flag!r} is not supported by the database; "
                    f"accepted flags: i, m, s (g and u are ignored)",
                    body.end() + index,
                )
        end = body.end() + len(flags)
        value = RegExp(body.group(1), flags)
        self.tokens.append(Token(REGEX, value, pos, end, newline))
        return end


def _number_value(match: re.Match[str]) -> int | float:
    """The literal's value as a JavaScript double, then as the int the SDK would send if whole."""
    for group, base in (("hex", 16), ("oct", 8), ("bin", 2)):
        digits = match.group(group)
        if digits is not None:
            try:
                return js_number(float(int(digits.replace("_", ""), base)))
            except OverflowError:
                return math.inf
    return js_number(float(match.group("dec").replace("_", "")))


def js_number(value: float) -> int | float:
    """A JS number in the Python form the database stores: whole values as ``int``.

    JavaScript has one number type; the SDK serialises whole numbers as integers (sdk.md §3.9),
    so ``10``, ``10.0`` and ``1e1`` all store as ``10``. ``-0``, non-finite values and whole
    values beyond 64 bits stay floats.
    """
    if (
        value.is_integer()
        and abs(value) < 2**63
        and not (value == 0 and math.copysign(1, value) < 0)
    ):
        return int(value)
    return value


def js_number_to_string(value: int | float) -> str:
    """``Number.prototype.toString()``: how a numeric object key becomes a property name."""
    if isinstance(value, int):
        return str(value)
    if math.isnan(value):
        return "NaN"
    if math.isinf(value):
        return "Infinity" if value > 0 else "-Infinity"
    if value == 0:
        return "0"
    _sign, digit_tuple, exponent = Decimal(repr(abs(value))).normalize().as_tuple()
    digits = "".join(map(str, digit_tuple))
    assert isinstance(exponent, int)
    k, n = len(digits), exponent + len(digits)
    prefix = "-" if value < 0 else ""
    if k <= n <= 21:
        return prefix + digits + "0" * (n - k)
    if 0 < n <= 21:
        return prefix + digits[:n] + "." + digits[n:]
    if -6 < n <= 0:
        return prefix + "0." + "0" * -n + digits
    mantissa = digits[0] + ("." + digits[1:] if k > 1 else "")
    return f"{prefix}{mantissa}e{'+' if n - 1 >= 0 else '-'}{abs(n - 1)}"


def decode_escapes(raw: str, source: str, offset: int) -> str:
    """The value of a string literal's body; ``offset`` locates ``raw`` in ``source`` for errors.

    Surrogate pairs written as two ``\\uXXXX`` escapes (as PHP's ``json_encode`` writes emoji)
    become one character; a lone surrogate, which UTF-8 storage cannot hold, becomes U+FFFD.
    """
    if "\\" in raw:

        def replace(match: re.Match[str]) -> str:
            kind = match.lastgroup
            if kind == "simple":
                return _SIMPLE_ESCAPES[match.group("simple")]
            if kind in ("x", "u"):
                return chr(int(match.group(kind), 16))
            if kind == "cp":
                code = int(match.group("cp"), 16)
                if code > 0x10FFFF:
                    raise QuerySyntaxError(
                        "\\u{...} escape beyond U+10FFFF", source, offset + match.start()
                    )
                return chr(code)
            if kind == "zero":
                return "\0"
            if kind == "continuation":
                return ""
            if kind == "bad":
                letter = match.group("bad")
                what = (
                    "octal escape sequences are not allowed"
                    if letter.isdigit()
                    else f"malformed \\{letter} escape sequence"
                )
                raise QuerySyntaxError(what, source, offset + match.start())
            return match.group("other")

        raw = _ESCAPE.sub(replace, raw)
    if _SURROGATE.search(raw):
        raw = raw.encode("utf-16-le", "surrogatepass").decode("utf-16-le", "replace")
    return raw


# --------------------------------------------------------------------------- parser


class _Parser:
    def __init__(self, source: str, tokens: list[Token]) -> None:
        self.source = source
        self.tokens = tokens
        self.index = 0
        self.depth = 0

    # ---- helpers

    @property
    def token(self) -> Token:
        return self.tokens[self.index]

    def advance(self) -> Token:
        token = self.tokens[self.index]
        if token.kind != EOF:
            self.index += 1
        return token

    def accept(self, kind: str) -> Token | None:
        if self.tokens[self.index].kind == kind:
            return self.advance()
        return None

    def expect(self, kind: str, expected: str) -> Token:
        if self.tokens[self.index].kind == kind:
            return self.advance()
        self.unexpected(expected)

    def unexpected(self, expected: str, token: Token | None = None) -> NoReturn:
        token = token or self.token
        raise QuerySyntaxError(
            f"unexpected {_describe(token)}", self.source, token.offset, expected
        )

    def fail(self, detail: str, offset: int) -> NoReturn:
        raise QuerySyntaxError(detail, self.source, offset)

    # ---- statements

    def program(self) -> Program:
        bindings: list[Binding] = []
        declared: set[str] = set()
        body: Expr | None = None
        while self.token.kind != EOF:
            if self.accept(";"):
                continue
            if body is not None:
                self.fail(
                    "only one expression is allowed, and it must be the last statement "
                    "(the database operation)",
                    self.token.offset,
                )
            if self.token.kind == NAME and self.token.value in ("const", "let", "var"):
                for binding in self.declaration():
                    if binding.name in declared:
                        self.fail(f"'{binding.name}' has already been declared", binding.offset)
                    declared.add(binding.name)
                    bindings.append(binding)
            else:
                body = self.expression()
            self.end_of_statement()
        if body is None:
            self.fail(
                "the query must end with a database operation such as db.collection('name').get()",
                self.token.offset,
            )
        return Program(self.source, tuple(bindings), body)

    def declaration(self) -> list[Binding]:
        self.advance()
        bindings = []
        while True:
            token = self.token
            if token.kind != NAME or token.value in RESERVED_WORDS:
                self.unexpected("a name to declare")
            self.advance()
            if self.token.kind != "=":
                self.unexpected(f"'=' and a value for '{token.value}'")
            self.advance()
            bindings.append(Binding(token.value, self.expression(), token.offset))
            if not self.accept(","):
                return bindings

    def end_of_statement(self) -> None:
        token = self.token
        if token.kind in (";", EOF) or token.newline_before:
            self.accept(";")
            return
        self.unexpected("';' or the end of the query")

    # ---- expressions

    def expression(self) -> Expr:
        tokens, index = self.tokens, self.index
        token = tokens[index]
        if token.kind in _LITERAL_KINDS and tokens[index + 1].kind in _LIST_ENDS:
            # fast path for the bulk of data-heavy queries: a plain literal in a list or object
            self.index = index + 1
            return Literal(token.value, token.offset)
        self.depth += 1
        if self.depth > MAX_DEPTH:
            self.fail(f"nesting deeper than {MAX_DEPTH} levels", self.token.offset)
        try:
            return self.unary()
        finally:
            self.depth -= 1

    def unary(self) -> Expr:
        signs: list[Token] = []
        while self.token.kind in ("-", "+"):
            signs.append(self.advance())
        if self.token.kind == "!":
            self.fail("the '!' operator is not supported; write true or false", self.token.offset)
        operand = self.postfix()
        for sign in reversed(signs):
            operand = _apply_sign(sign, operand)
        self.reject_operator()
        return operand

    def reject_operator(self) -> None:
        token = self.token
        kind = token.kind
        if kind == "/":
            self.fail("division is not supported in queries", token.offset)
        if kind in ("?.", "??"):
            self.fail(f"the '{kind}' operator is not supported", token.offset)
        if kind not in _PUNCTUATION and kind not in (NAME, NUMBER, STRING, REGEX, EOF):
            self.fail(
                f"the '{kind}' operator is not supported: queries are built from literals, "
                "names and method calls",
                token.offset,
            )

    def postfix(self) -> Expr:
        node = self.new_or_primary()
        while True:
            kind = self.token.kind
            if kind == ".":
                node = self.member(node)
            elif kind == "(":
                start = self.advance()
                node = Call(node, self.arguments(), start.offset)
            elif kind == "[":
                self.fail(
                    "computed member access obj[...] is not supported; use obj.name",
                    self.token.offset,
                )
            else:
                return node

    def member(self, node: Expr) -> Member:
        self.advance()
        name = self.token
        if name.kind != NAME:
            self.unexpected("a property name after '.'")
        self.advance()
        return Member(node, name.value, name.offset)

    def new_or_primary(self) -> Expr:
        token = self.token
        if token.kind == NAME and token.value == "new":
            self.advance()
            self.depth += 1
            if self.depth > MAX_DEPTH:
                self.fail(f"nesting deeper than {MAX_DEPTH} levels", token.offset)
            try:
                callee = self.new_or_primary()
                while self.token.kind == ".":
                    callee = self.member(callee)
            finally:
                self.depth -= 1
            args: tuple[Expr, ...] = ()
            if self.token.kind == "(":
                self.advance()
                args = self.arguments()
            return New(callee, args, token.offset)
        return self.primary()

    def arguments(self) -> tuple[Expr, ...]:
        args: list[Expr] = []
        while not self.accept(")"):
            if self.token.kind == "...":
                self.fail("spread arguments are not supported", self.token.offset)
            args.append(self.expression())
            if not self.accept(","):
                self.expect(")", "',' or ')'")
                break
        return tuple(args)

    def primary(self) -> Expr:
        token = self.token
        kind = token.kind
        if kind in (NUMBER, STRING):
            self.advance()
            return Literal(token.value, token.offset)
        if kind == REGEX:
            self.advance()
            return RegexLiteral(token.value, token.offset)
        if kind == NAME:
            return self.word(token)
        if kind == "[":
            return self.array()
        if kind == "{":
            return self.object()
        if kind == "(":
            self.advance()
            if self.token.kind == ")":
                self.fail("arrow functions are not supported", token.offset)
            inner = self.expression()
            if self.token.kind == ",":
                self.fail("the comma operator is not supported", self.token.offset)
            self.expect(")", "')'")
            return inner
        self.unexpected("an expression")

    def word(self, token: Token) -> Expr:
        value = token.value
        self.advance()
        if value == "true" or value == "false":
            return Literal(value == "true", token.offset)
        if value == "null":
            return Literal(None, token.offset)
        if value == "undefined":
            return Literal(MISSING, token.offset)
        if value in RESERVED_WORDS:
            self.fail(f"'{value}' is not supported in queries", token.offset)
        if self.token.kind == "=>":
            self.fail("arrow functions are not supported", self.token.offset)
        if self.token.kind == "=":
            self.fail("assignment is not supported; declare names with const", self.token.offset)
        return Name(value, token.offset)

    def array(self) -> ArrayLiteral:
        start = self.advance()
        items: list[Expr] = []
        while not self.accept("]"):
            if self.token.kind == ",":
                self.fail("array holes ([1, , 2]) are not supported", self.token.offset)
            if self.token.kind == "...":
                self.fail("spread elements are not supported", self.token.offset)
            items.append(self.expression())
            if not self.accept(","):
                self.expect("]", "',' or ']'")
                break
        return ArrayLiteral(tuple(items), start.offset)

    def object(self) -> ObjectLiteral:
        start = self.advance()
        entries: dict[str, Expr] = {}
        while not self.accept("}"):
            key, value = self.property()
            entries[key] = value
            if not self.accept(","):
                self.expect("}", "',' or '}'")
                break
        return ObjectLiteral(tuple(entries.items()), start.offset)

    def property(self) -> tuple[str, Expr]:
        token = self.token
        kind = token.kind
        if kind in (NAME, STRING):
            key = token.value
        elif kind == NUMBER:
            key = js_number_to_string(token.value)
        elif kind == "[":
            self.fail("computed property names are not supported", token.offset)
        elif kind == "...":
            self.fail("object spread is not supported", token.offset)
        else:
            self.unexpected("a property name")
        self.advance()
        if self.accept(":"):
            return key, self.expression()
        if kind == NAME and self.token.kind in (",", "}"):
            if key in RESERVED_WORDS:
                self.fail(f"'{key}' cannot be used as a shorthand property", token.offset)
            return key, Name(key, token.offset)
        if self.token.kind == "(":
            self.fail("methods in object literals are not supported", self.token.offset)
        self.unexpected(f"':' after property name {key!r}")


def _apply_sign(sign: Token, operand: Expr) -> Expr:
    if isinstance(operand, Literal) and operand.value.__class__ in (int, float):
        value = operand.value
        if sign.kind == "-":
            value = js_number(-float(value)) if value == 0 else -value
        return Literal(value, sign.offset)
    return Unary(sign.kind, operand, sign.offset)


def parse(source: str) -> Program:
    """Parse a ``query`` string; raises :class:`QuerySyntaxError` with line and column."""
    if not isinstance(source, str):
        raise TypeError(f"query must be a string, got {type(source).__name__}")
    if len(source) > MAX_QUERY_LENGTH:
        raise QuerySyntaxError(
            f"the query is {len(source)} characters long; at most {MAX_QUERY_LENGTH} are accepted",
            source,
            MAX_QUERY_LENGTH,
        )
    tokens = _Tokenizer(source).run()
    parser = _Parser(source, tokens)
    try:
        return parser.program()
    except RecursionError:
        # MAX_DEPTH keeps well inside the default limit; this guards callers already deep.
        raise QuerySyntaxError(
            "nesting too deep for the available stack", source, parser.token.offset
        ) from None


__all__ = [
    "MAX_DEPTH",
    "MAX_QUERY_LENGTH",
    "ArrayLiteral",
    "Binding",
    "Call",
    "Expr",
    "Literal",
    "Member",
    "Name",
    "New",
    "ObjectLiteral",
    "Program",
    "QueryLanguageError",
    "QuerySyntaxError",
    "RegexLiteral",
    "Unary",
    "parse",
]
