"""The tokenizer and parser: every lexical form http-api.md §4.3 lists, and clear syntax errors."""

from __future__ import annotations

import math

import pytest

from pytest_wxcloud.database.values import MISSING, RegExp
from pytest_wxcloud.http.jsparse import (
    MAX_DEPTH,
    MAX_QUERY_LENGTH,
    ArrayLiteral,
    Call,
    Literal,
    Member,
    Name,
    New,
    ObjectLiteral,
    QuerySyntaxError,
    RegexLiteral,
    parse,
)


def value_of(text: str) -> object:
    """The literal value of ``text`` used as the argument of a call."""
    body = parse(f"f({text})").body
    assert isinstance(body, Call)
    return plain(body.args[0])


def plain(node: object) -> object:
    """An AST of literals as the Python value it denotes (for compact assertions)."""
    if isinstance(node, Literal):
        return node.value
    if isinstance(node, RegexLiteral):
        return node.value
    if isinstance(node, ArrayLiteral):
        return [plain(item) for item in node.items]
    if isinstance(node, ObjectLiteral):
        return {key: plain(value) for key, value in node.entries}
    return node


def syntax_error(text: str) -> QuerySyntaxError:
    with pytest.raises(QuerySyntaxError) as info:
        parse(text)
    return info.value


# --------------------------------------------------------------------------- strings


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ('"double"', "double"),
        ("'single'", "single"),
        ("'it\\'s'", "it's"),
        ('"say \\"hi\\""', 'say "hi"'),
        (r"'a\nb\tc\rd\be\ff\vg'", "a\nb\tc\rd\be\ff\vg"),
        (r"'\x41\x7a'", "Az"),
        (r"'\u4e2d\u6587'", "中文"),
        (r"'\u{1F600}'", "😀"),
        (r"'\0'", "\0"),
        (r"'http:\/\/x'", "http://x"),  # PHP json_encode escapes '/'
        (r"'line\u000anext'", "line\nnext"),  # how [teacher] sends newlines
        ("'a\\\nb'", "ab"),  # line continuation
        (r"'\q'", "q"),  # identity escape
        ("`template`", "template"),
        ("`two\nlines`", "two\nlines"),
    ],
)
def test_string_literals_decode_every_js_escape(text: str, expected: str) -> None:
    assert value_of(text) == expected


def test_surrogate_pair_escapes_become_one_character() -> None:
    # PHP's json_encode writes emoji as two \u escapes
    assert value_of(r"'\ud83d\ude00'") == "😀"


def test_lone_surrogate_becomes_replacement_character() -> None:
    # UTF-8 storage cannot hold a lone surrogate; the JSON answer must stay encodable
    value = value_of(r"'a\ud800b'")
    assert value == "a\ufffdb"
    assert isinstance(value, str)
    value.encode("utf-8")


@pytest.mark.parametrize(
    ("text", "detail"),
    [
        ("f('abc", "unterminated string literal"),
        ("f('abc\ndef')", "unterminated string literal"),
        (r"f('\x4')", "malformed \\x escape sequence"),
        (r"f('\u12')", "malformed \\u escape sequence"),
        (r"f('\101')", "octal escape sequences are not allowed"),
        (r"f('\u{110000}')", "\\u{...} escape beyond U+10FFFF"),
        ("f(`a${b}`)", "template literals with ${...} substitutions are not supported"),
    ],
)
def test_bad_strings_are_rejected_where_they_start(text: str, detail: str) -> None:
    error = syntax_error(text)
    assert error.detail == detail
    assert error.line == 1


# --------------------------------------------------------------------------- numbers


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("0", 0),
        ("42", 42),
        ("-7", -7),
        ("+7", 7),
        ("12.5", 12.5),
        ("-0.25", -0.25),
        (".5", 0.5),
        ("1e3", 1000),
        ("1E-3", 0.001),
        ("2.5e+2", 250),
        ("10.0", 10),  # JavaScript has one number type: whole values store as integers
        ("0x1F", 31),
        ("0o17", 15),
        ("0b101", 5),
        ("1_000_000", 1_000_000),
        ("9007199254740993", 9007199254740992),  # rounded to the nearest double, as in JS
        ("1e18", 10**18),
        ("- - 3", 3),
    ],
)
def test_numbers_follow_javascript_double_semantics(text: str, expected: object) -> None:
    value = value_of(text)
    assert value == expected
    assert type(value) is type(expected)


def test_huge_numbers_behave_as_javascript_doubles() -> None:
    assert value_of("1e400") == math.inf
    assert value_of("-1e400") == -math.inf
    assert value_of("0x" + "f" * 300) == math.inf
    assert value_of("1e20") == 10**20
    beyond_int64 = value_of("1e19")  # a whole double that no 64-bit integer can hold
    assert beyond_int64 == 1e19
    assert isinstance(beyond_int64, float)


def test_negative_zero_stays_a_float() -> None:
    value = value_of("-0")
    assert isinstance(value, float)
    assert math.copysign(1, value) == -1


@pytest.mark.parametrize(
    ("text", "detail"),
    [
        ("f(012)", "numbers must not start with 0 (legacy octal literals are not allowed)"),
        ("f(10n)", "BigInt literals are not supported"),
        ("f(3in)", "malformed number '3i'"),
        ("f(1.2.3)", "malformed number '1.2.'"),
    ],
)
def test_malformed_numbers_are_rejected(text: str, detail: str) -> None:
    assert syntax_error(text).detail == detail


# --------------------------------------------------------------------------- objects and arrays


def test_object_keys_unquoted_quoted_dotted_and_numeric() -> None:
    value = value_of(
        """{done: true, "a": 1, 'orderInfo.orderState': 'SUCCESS', 2: 'two', 1.50: 'x', $x: 0, in: 1}"""
    )
    assert value == {
        "done": True,
        "a": 1,
        "orderInfo.orderState": "SUCCESS",
        "2": "two",
        "1.5": "x",
        "$x": 0,
        "in": 1,
    }


def test_trailing_commas_in_objects_and_arrays() -> None:
    # [xmu] sends {..., 'x': _.gte('...'),} and {newRoot: {record: '$goodsInfo.record',}}
    assert value_of("{newRoot: {record: '$goodsInfo.record',},}") == {
        "newRoot": {"record": "$goodsInfo.record"}
    }
    assert value_of("[1, 2,]") == [1, 2]
    assert value_of("[]") == []
    assert value_of("{}") == {}


def test_repeated_key_keeps_first_position_and_last_value() -> None:
    assert list(value_of("{a: 1, b: 2, a: 3}").items()) == [("a", 3), ("b", 2)]  # type: ignore[attr-defined]


def test_literals_true_false_null_undefined() -> None:
    assert value_of("[true, false, null, undefined]") == [True, False, None, MISSING]


def test_shorthand_property_refers_to_a_name() -> None:
    value = value_of("{offset}")
    assert isinstance(value, dict)
    assert isinstance(value["offset"], Name)
    assert value["offset"].name == "offset"


def test_nested_arrays_and_objects() -> None:
    assert value_of("{a: [{b: [1, {c: null}]}]}") == {"a": [{"b": [1, {"c": None}]}]}


# --------------------------------------------------------------------------- regex literals


def test_regex_literal_where_an_expression_is_expected() -> None:
    assert value_of("/^ab+c$/i") == RegExp("^ab+c$", "i")
    assert value_of("{title: /x\\/y[/]z/m}") == {"title": RegExp("x\\/y[/]z", "m")}
    assert value_of("[/a/, /b/s]") == [RegExp("a", ""), RegExp("b", "s")]


def test_slash_after_a_value_is_division_which_is_not_supported() -> None:
    error = syntax_error("f(a / 2)")
    assert error.detail == "division is not supported in queries"
    assert error.column == 5


@pytest.mark.parametrize(
    ("text", "detail"),
    [
        ("f(/abc)", "unterminated regular expression literal"),
        ("f(/a/gg)", "invalid regular expression flags 'gg'"),
        ("f(/a/q)", "invalid regular expression flags 'q'"),
        (
            "f(/a/y)",
            "regular expression flag 'y' is not supported by the database; accepted flags: "
            "i, m, s (g and u are ignored)",
        ),
    ],
)
def test_bad_regex_literals(text: str, detail: str) -> None:
    assert syntax_error(text).detail == detail


# --------------------------------------------------------------------------- statements


def test_const_let_var_bindings_then_the_operation() -> None:
    program = parse(
        "const _ = db.command; let Point = db.Geo.Point\nvar a = 1, b = 'x';\n"
        "db.collection('x').doc('id').update({data: {n: _.inc(1)}})"
    )
    assert [binding.name for binding in program.bindings] == ["_", "Point", "a", "b"]
    assert isinstance(program.body, Call)
    assert isinstance(program.body.callee, Member)
    assert program.body.callee.name == "update"


def test_comments_whitespace_and_semicolons() -> None:
    program = parse(
        "// header comment\n/* block\n comment */\n  db.collection( 'x' ) // trailing\n"
        "    .where({ a: 1 /* inline */ })\n    .get() ;;\n"
    )
    assert isinstance(program.body, Call)


def test_statements_on_one_line_need_semicolons() -> None:
    error = syntax_error("const a = 1 db.collection('x').get()")
    assert (
        str(error)
        == "query: unexpected identifier 'db' at line 1 column 13, expected ';' or the end of the query"
    )


def test_only_one_expression_and_it_comes_last() -> None:
    error = syntax_error("db.collection('a').get(); db.collection('b').get()")
    assert error.detail.startswith("only one expression is allowed")
    assert syntax_error("const a = 1;").detail.startswith(
        "the query must end with a database operation"
    )
    assert syntax_error("").detail.startswith("the query must end with a database operation")


def test_duplicate_declaration_is_rejected() -> None:
    error = syntax_error("const a = 1; let a = 2; db.collection('x').get()")
    assert error.detail == "'a' has already been declared"
    assert error.column == 18


def test_new_with_and_without_arguments() -> None:
    program = parse("f(new Date, new Date(), new db.Geo.Point(113, 23))")
    assert isinstance(program.body, Call)
    first, second, third = program.body.args
    assert isinstance(first, New) and first.args == ()
    assert isinstance(second, New) and second.args == ()
    assert isinstance(third, New) and isinstance(third.callee, Member)
    assert third.callee.name == "Point"
    assert [plain(arg) for arg in third.args] == [113, 23]


def test_ast_is_immutable_and_hashable() -> None:
    program = parse("db.collection('x').where({a: [1, /b/]}).get()")
    hash(program)
    with pytest.raises(AttributeError):
        program.body = program.body  # type: ignore[misc]


# --------------------------------------------------------------------------- errors


def test_error_names_line_column_token_and_expectation() -> None:
    query = 'db.collection("books").where({a:}).get()'
    error = syntax_error(query)
    assert str(error) == "query: unexpected token '}' at line 1 column 33, expected an expression"
    assert (error.line, error.column) == (1, 33)
    assert query[error.offset] == "}"


def test_error_position_on_later_lines() -> None:
    error = syntax_error(
        "const _ = db.command;\r\ndb.collection('x')\n  .where({a: 1 b: 2})\n  .get()"
    )
    assert (error.line, error.column) == (3, 16)
    assert error.detail == "unexpected identifier 'b'"
    assert error.expected == "',' or '}'"


@pytest.mark.parametrize(
    ("text", "detail"),
    [
        (
            "f(a * 2)",
            "the '*' operator is not supported: queries are built from literals, names and method calls",
        ),
        (
            "f(a ? 1 : 2)",
            "the '?' operator is not supported: queries are built from literals, names and method calls",
        ),
        ("f(!0)", "the '!' operator is not supported; write true or false"),
        ("f(a?.b)", "the '?.' operator is not supported"),
        ("f(x => 1)", "arrow functions are not supported"),
        ("f(() => 1)", "arrow functions are not supported"),
        ("f(function () {})", "'function' is not supported in queries"),
        ("f(this)", "'this' is not supported in queries"),
        ("f(a[0])", "computed member access obj[...] is not supported; use obj.name"),
        ("f({[k]: 1})", "computed property names are not supported"),
        ("f({...a})", "object spread is not supported"),
        ("f(...a)", "spread arguments are not supported"),
        ("f([1, , 2])", "array holes ([1, , 2]) are not supported"),
        ("f({a() {}})", "methods in object literals are not supported"),
        ("x = 1", "assignment is not supported; declare names with const"),
        ("f((1, 2))", "the comma operator is not supported"),
        ("f(#)", "unexpected token '#'"),
        ("f(--a)", "unexpected token '--'"),
        ("f(\u00a7)", "unexpected character '§' (U+00A7)"),
        ("f(1) /* open", "unterminated /* comment"),
        ("const if = 1; f()", "unexpected identifier 'if'"),
    ],
)
def test_unsupported_syntax_is_named(text: str, detail: str) -> None:
    assert syntax_error(text).detail == detail


def test_nesting_up_to_the_limit_parses() -> None:
    depth = MAX_DEPTH - 2
    parse("f(" + "[" * depth + "]" * depth + ")")


@pytest.mark.parametrize(
    ("opener", "closer"), [("[", "]"), ("{a:", "}"), ("(", ")"), ("f(", ")"), ("new ", "")]
)
def test_deep_nesting_is_a_syntax_error_not_a_crash(opener: str, closer: str) -> None:
    error = syntax_error("g(" + opener * 5000 + "1" + closer * 5000 + ")")
    assert error.detail == f"nesting deeper than {MAX_DEPTH} levels"


def test_deep_signs_do_not_nest() -> None:
    assert value_of("- " * 5000 + "1") == 1
    assert value_of("- " * 5001 + "1") == -1


def test_nesting_limit_message() -> None:
    error = syntax_error("f(" + "[" * 200 + "]" * 200 + ")")
    assert error.detail == f"nesting deeper than {MAX_DEPTH} levels"


def test_huge_input_is_refused_before_parsing() -> None:
    error = syntax_error("f('" + "x" * MAX_QUERY_LENGTH + "')")
    assert error.detail.startswith(f"the query is {MAX_QUERY_LENGTH + 5} characters long")


def test_non_string_query_is_a_type_error() -> None:
    with pytest.raises(TypeError):
        parse(b"db.collection('x').get()")  # type: ignore[arg-type]
