"""Property tests: whatever text arrives, parsing and replaying either succeed or raise the
documented :class:`QueryLanguageError` — never an IndexError, RecursionError or the like — and
every JSON-like value written in any JavaScript style reads back as itself."""

from __future__ import annotations

import contextlib
import math
import re
from datetime import datetime, timezone
from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from pytest_wxcloud.http.jsparse import MAX_QUERY_LENGTH, Program, QueryLanguageError, parse
from pytest_wxcloud.http.query_language import run

from .recorder import Recorder
from .test_parser import plain

_NOW = datetime(2024, 1, 1, tzinfo=timezone.utc)
FUZZ = settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])


def parses_or_fails_cleanly(text: str) -> Program | None:
    try:
        return parse(text)
    except QueryLanguageError as error:
        assert error.line >= 1 and error.column >= 1
        assert str(error).startswith("query: ")
        return None


def runs_or_fails_cleanly(text: str) -> None:
    program = parses_or_fails_cleanly(text)
    if program is None:
        return
    with contextlib.suppress(QueryLanguageError):
        run(program, Recorder(), now=lambda: _NOW)


# --------------------------------------------------------------------------- garbage in


@FUZZ
@given(st.text(max_size=300))
def test_random_text(text: str) -> None:
    runs_or_fails_cleanly(text)


@FUZZ
@given(
    st.binary(max_size=300),
    st.sampled_from([("utf-8", "replace"), ("utf-8", "surrogateescape"), ("latin-1", "strict")]),
)
def test_random_bytes_decoded(raw: bytes, decoding: tuple[str, str]) -> None:
    runs_or_fails_cleanly(raw.decode(*decoding))


def test_raw_surrogates_in_the_source() -> None:
    # json.loads of a request body can hand us lone surrogates
    program = parse("db.collection('a\ud800').where({'\udc00': '\ud83d\ude00'}).get()")
    recorder = Recorder()
    run(program, recorder)
    assert recorder.calls[0] == "db.collection('a\ufffd')"
    assert recorder.arguments[1][1] == ({"\ufffd": "😀"},)


_TOKENS = [
    "db",
    "_",
    "$",
    "Date",
    "new",
    "const",
    "let",
    "x",
    "=",
    ";",
    ".",
    ",",
    ":",
    "(",
    ")",
    "{",
    "}",
    "[",
    "]",
    "collection",
    "where",
    "orderBy",
    "get",
    "count",
    "update",
    "add",
    "doc",
    "remove",
    "aggregate",
    "end",
    "match",
    "gt",
    "and",
    "or",
    "in",
    "inc",
    "data",
    "multi",
    "'s'",
    '"d"',
    "`t`",
    "'\\u00e9'",
    "1",
    "-1",
    "1.5e3",
    "0x1f",
    "1e999",
    "true",
    "null",
    "undefined",
    "/re/i",
    "/",
    "//c\n",
    "/*c*/",
    "\n",
    " ",
    "Geo",
    "Point",
    "RegExp",
    "serverDate",
    "command",
    "__class__",
    "constructor",
    "=>",
    "...",
    "?.",
    "+",
    "-",
    "'",
    '"',
    "\\",
    "`",
    "${",
    "NaN",
    "Infinity",
]


@FUZZ
@given(st.lists(st.sampled_from(_TOKENS), max_size=60), st.sampled_from(["", " "]))
def test_js_like_token_soup(tokens: list[str], glue: str) -> None:
    runs_or_fails_cleanly(glue.join(tokens))


@FUZZ
@given(
    st.lists(
        st.sampled_from(["[", "{a:", "(", "f(", "new ", "- ", "_.and(", "db.collection("]),
        min_size=1,
        max_size=8,
    ),
    st.integers(min_value=0, max_value=3000),
)
def test_deep_nesting(openers: list[str], depth: int) -> None:
    text = "".join(openers[i % len(openers)] for i in range(depth)) + "1"
    runs_or_fails_cleanly(text)
    runs_or_fails_cleanly(f"db.collection('c').where({text}).get()")


@FUZZ
@given(
    st.text(alphabet="0123456789", min_size=1, max_size=2000),
    st.sampled_from(["", ".5", "e999", "e-999", "e+21", "n", "_1", "."]),
    st.sampled_from(["", "-", "0x", "0b", "0o", "."]),
)
def test_huge_and_odd_numbers(digits: str, suffix: str, prefix: str) -> None:
    program = parses_or_fails_cleanly(f"f({prefix}{digits}{suffix})")
    if program is not None:
        value = plain(program.body.args[0])  # type: ignore[attr-defined]
        assert isinstance(value, (int, float))
        if isinstance(value, int):
            assert abs(value) < 2**63


@settings(max_examples=5, deadline=None)
@given(st.sampled_from(["'", '"', "`"]), st.integers(min_value=100_000, max_value=300_000))
def test_very_long_strings(quote: str, length: int) -> None:
    body = "é\\n" * (length // 3)
    program = parse(f"db.collection('c').add({{data: {{s: {quote}{body}{quote}}}}})")
    recorder = Recorder()
    run(program, recorder)
    assert recorder.arguments[-1][2]["data"]["s"] == "é\n" * (length // 3)


def test_longest_accepted_query_and_one_more() -> None:
    filler = "x" * (MAX_QUERY_LENGTH - len("db.collection('').get()"))
    assert parses_or_fails_cleanly(f"db.collection('{filler}').get()") is not None
    assert parses_or_fails_cleanly(f"db.collection('{filler}x').get()") is None


# --------------------------------------------------------------------------- values round-trip

_IDENTIFIER = re.compile(r"[A-Za-z_$][A-Za-z0-9_$]*\Z")

json_values = st.recursive(
    st.none()
    | st.booleans()
    | st.integers(min_value=-(2**53), max_value=2**53)
    | st.floats(allow_nan=False, allow_infinity=False)
    | st.text(max_size=20),
    lambda children: (
        st.lists(children, max_size=4) | st.dictionaries(st.text(max_size=8), children, max_size=4)
    ),
    max_leaves=25,
)


@st.composite
def rendered(draw: st.DrawFn, value: Any) -> str:
    """``value`` written as JavaScript source, in a randomly chosen style."""
    space = draw(st.sampled_from(["", " ", "\n  ", " /* c */ ", " // c\n"]))
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int):
        if value >= 0 and draw(st.booleans()):
            return hex(value)
        return str(value)
    if isinstance(value, float):
        return repr(value)
    if isinstance(value, str):
        return draw(string_literal(value))
    if isinstance(value, list):
        items = [draw(rendered(item)) for item in value]
        trailing = "," if items and draw(st.booleans()) else ""
        return "[" + space + ("," + space).join(items) + trailing + "]"
    entries = []
    for key, item in value.items():
        if _IDENTIFIER.match(key) and draw(st.booleans()):
            written_key = key
        else:
            written_key = draw(string_literal(key))
        entries.append(f"{written_key}{space}:{space}{draw(rendered(item))}")
    trailing = "," if entries and draw(st.booleans()) else ""
    return "{" + space + ("," + space).join(entries) + trailing + "}"


@st.composite
def string_literal(draw: st.DrawFn, text: str) -> str:
    quote = draw(st.sampled_from(["'", '"', "`"]))
    out = []
    for char in text:
        code = ord(char)
        raw_ok = char not in (quote, "\\", "\n", "\r", "\u2028", "\u2029", "$")
        style = (
            draw(st.sampled_from(["raw", "u", "brace"]))
            if raw_ok
            else draw(st.sampled_from(["u", "brace"]))
        )
        if style == "raw":
            out.append(char)
        elif style == "brace" or code > 0xFFFF:
            out.append(f"\\u{{{code:x}}}")
        else:
            out.append(f"\\u{code:04x}")
    return quote + "".join(out) + quote


def expected_value(value: Any) -> Any:
    """What JavaScript makes of ``value``: whole doubles are integers."""
    if isinstance(value, float):
        if (
            value.is_integer()
            and abs(value) < 2**63
            and not (value == 0 and math.copysign(1, value) < 0)
        ):
            return int(value)
        return value
    if isinstance(value, list):
        return [expected_value(item) for item in value]
    if isinstance(value, dict):
        return {key: expected_value(item) for key, item in value.items()}
    return value


@FUZZ
@given(st.data(), json_values)
def test_any_json_value_in_any_js_style_reads_back(data: st.DataObject, value: Any) -> None:
    source = data.draw(rendered(value))
    program = parse(f"f({source})")
    parsed = plain(program.body.args[0])  # type: ignore[attr-defined]
    assert parsed == expected_value(value)
    assert _same_types(parsed, expected_value(value))


def _same_types(a: Any, b: Any) -> bool:
    if type(a) is not type(b):
        return False
    if isinstance(a, list):
        return all(_same_types(x, y) for x, y in zip(a, b))
    if isinstance(a, dict):
        return all(_same_types(a[k], b[k]) for k in a)
    return True
