"""Replaying queries on a recording stand-in: which Python calls each JavaScript chain makes."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone

import pytest

from pytest_wxcloud.database.values import MISSING, RegExp
from pytest_wxcloud.http.query_language import (
    QUERY_ERRCODE,
    QueryEvaluationError,
    QueryLanguageError,
    QuerySyntaxError,
    error_response,
    parse_query,
    python_name,
    run,
)

from .recorder import Recorder

UTC = timezone.utc
NOW = datetime(2024, 5, 1, 8, 30, 0, 123000, tzinfo=UTC)


def replay(query: str) -> Recorder:
    result = run(query, Recorder(), now=lambda: NOW)
    assert isinstance(result, Recorder)
    return result


def python_of(query: str) -> str:
    return replay(query).source


def evaluation_error(query: str) -> QueryEvaluationError:
    with pytest.raises(QueryEvaluationError) as info:
        run(query, Recorder(), now=lambda: NOW)
    return info.value


def first_argument(query: str) -> object:
    """The value passed to ``where`` in ``db.collection('c').where(<expr>).get()``."""
    recorder = Recorder()
    run(f"db.collection('c').where({query}).get()", recorder, now=lambda: NOW)
    (value,) = next(args for callee, args, _ in recorder.arguments if callee.endswith(".where"))
    return value


# --------------------------------------------------------------------------- name mapping


@pytest.mark.parametrize(
    ("js", "py"),
    [
        ("orderBy", "order_by"),
        ("elemMatch", "elem_match"),
        ("addToSet", "add_to_set"),
        ("pullAll", "pull_all"),
        ("geoNear", "geo_near"),
        ("maxDistance", "max_distance"),
        ("serverDate", "server_date"),
        ("concatArrays", "concat_arrays"),
        ("strLenCP", "str_len_cp"),
        ("log10", "log10"),
        ("in", "in_"),
        ("and", "and_"),
        ("or", "or_"),
        ("not", "not_"),
        ("Geo", "Geo"),
        ("RegExp", "RegExp"),
        ("LineString", "LineString"),
    ],
)
def test_js_names_map_mechanically_to_python_names(js: str, py: str) -> None:
    assert python_name(js) == py


# --------------------------------------------------------------------------- chains


def test_query_chain_becomes_the_same_python_chain() -> None:
    assert python_of(
        'db.collection("books").where({price: _.gt(10)}).orderBy("price","desc").limit(10).get()'
    ) == (
        "db.collection('books').where({'price': db.command.gt(10)})"
        ".order_by('price', 'desc').limit(10).get()"
    )


def test_methods_in_any_order_and_repeated_order_by() -> None:
    # [D-export]: .skip(..).limit(..).orderBy(..).orderBy(..).field(..)
    assert python_of(
        "db.collection('c').skip(5).limit(20).orderBy('a','asc').orderBy('b','desc')"
        ".field({a: true}).where({x: 1}).get()"
    ) == (
        "db.collection('c').skip(5).limit(20).order_by('a', 'asc').order_by('b', 'desc')"
        ".field({'a': True}).where({'x': 1}).get()"
    )


def test_options_objects_become_keyword_arguments() -> None:
    assert python_of("db.collection('c').where({a: 1}).update({data: {b: 2}, multi: false})") == (
        "db.collection('c').where({'a': 1}).update(data={'b': 2}, multi=False)"
    )
    assert python_of("db.collection('c').add({data: [{a: 1}, {a: 2}]})") == (
        "db.collection('c').add(data=[{'a': 1}, {'a': 2}])"
    )
    assert python_of("db.collection('c').doc('x').set({data: {a: 1}})") == (
        "db.collection('c').doc('x').set(data={'a': 1})"
    )
    assert python_of("db.collection('c').where({a: 1}).remove()") == (
        "db.collection('c').where({'a': 1}).remove()"
    )
    assert python_of("db.collection('c').doc(7).remove({})") == "db.collection('c').doc(7).remove()"


def test_undefined_options_are_left_out() -> None:
    assert python_of("db.collection('c').where({}).update({data: {a: 1}, multi: undefined})") == (
        "db.collection('c').where({}).update(data={'a': 1})"
    )


def test_commands_with_python_keyword_names() -> None:
    value = first_argument("{a: _.in([1, 2]), b: _.nin([3]), c: _.not(_.eq(1))}")
    assert repr(value) == (
        "{'a': db.command.in_([1, 2]), 'b': db.command.nin([3]), "
        "'c': db.command.not_(db.command.eq(1))}"
    )
    assert repr(first_argument("_.or([{a: 1}, {b: 2}])")) == "db.command.or_([{'a': 1}, {'b': 2}])"
    assert repr(first_argument("_.and({a: 1}, {b: 2})")) == "db.command.and_({'a': 1}, {'b': 2})"


def test_chained_logic_on_a_command() -> None:
    # [D-export]: _.gt(10).and(_.lt(20)); [xmu]: db.command.gte(a).and(db.command.lt(b))
    assert repr(first_argument("{n: _.gt(10).and(_.lt(20)).or(_.eq(0))}")) == (
        "{'n': db.command.gt(10).and_(db.command.lt(20)).or_(db.command.eq(0))}"
    )
    assert repr(first_argument("{n: db.command.gte(1).and(db.command.lt(5))}")) == (
        "{'n': db.command.gte(1).and_(db.command.lt(5))}"
    )


def test_geo_commands_take_options_as_keywords() -> None:
    value = first_argument(
        "{loc: _.geoNear({geometry: db.Geo.Point(113, 23), maxDistance: 5000, minDistance: 0})}"
    )
    assert repr(value) == (
        "{'loc': db.command.geo_near(geometry=db.Geo.Point(113, 23), max_distance=5000, "
        "min_distance=0)}"
    )
    value = first_argument("{loc: _.geoWithin({centerSphere: [[113, 23], 0.1]})}")
    assert repr(value) == "{'loc': db.command.geo_within(center_sphere=[[113, 23], 0.1])}"


def test_update_commands_in_update_data() -> None:
    assert python_of(
        "db.collection('c').doc('x').update({data: {n: _.inc(1), t: _.push({each: [1], position: 0}),"
        " u: _.addToSet('a'), v: _.pullAll([1]), w: _.remove(), 'a.b': _.set({c: 1})}})"
    ) == (
        "db.collection('c').doc('x').update(data={'n': db.command.inc(1), "
        "'t': db.command.push(each=[1], position=0), 'u': db.command.add_to_set('a'), "
        "'v': db.command.pull_all([1]), 'w': db.command.remove(), "
        "'a.b': db.command.set({'c': 1})})"
    )


def test_push_forms() -> None:
    # sdk.md §3.7: only an object with an `each` key is the modifier form
    value = first_argument(
        "{a: _.push(1), b: _.push(1, 2), c: _.push([1, 2]), d: _.push({x: 1}),"
        " e: _.push({each: [3], sort: {n: 1}, slice: -5})}"
    )
    assert repr(value) == (
        "{'a': db.command.push(1), 'b': db.command.push(1, 2), 'c': db.command.push([1, 2]), "
        "'d': db.command.push({'x': 1}), 'e': db.command.push(each=[3], sort={'n': 1}, slice=-5)}"
    )


def test_projection_commands() -> None:
    assert python_of("db.collection('c').field({tags: _.project.slice(2)}).get()") == (
        "db.collection('c').field({'tags': db.command.project.slice(2)}).get()"
    )


def test_dollar_is_the_aggregate_command_namespace() -> None:
    # [xmu]: $.sum('$feeInfo.deliverFee'), $.concatArrays([...]), $.in([...])
    assert python_of(
        "db.collection('c').aggregate().group({_id: null, fee: $.sum('$feeInfo.deliverFee'),"
        " all: $.concatArrays(['$a', '$b']), has: $.in(['x', '$tags'])}).end()"
    ) == (
        "db.collection('c').aggregate().group({'_id': None, "
        "'fee': db.command.aggregate.sum('$feeInfo.deliverFee'), "
        "'all': db.command.aggregate.concat_arrays(['$a', '$b']), "
        "'has': db.command.aggregate.in_(['x', '$tags'])}).end()"
    )


def test_aggregate_stages_and_lookup_pipeline() -> None:
    assert python_of(
        "db.collection('orders').aggregate().match({tags: 'cloud'})"
        ".lookup({from: 'goods', let: {id: '$gid'}, pipeline: $.pipeline().match(_.expr($.eq(['$_id', '$$id'])))"
        ".project({name: 1}).done(), as: 'goods'}).replaceRoot({newRoot: '$goods'}).sortByCount('$x').limit(10).end()"
    ) == (
        "db.collection('orders').aggregate().match({'tags': 'cloud'}).lookup({'from': 'goods', "
        "'let': {'id': '$gid'}, 'pipeline': db.command.aggregate.pipeline()"
        ".match(db.command.expr(db.command.aggregate.eq(['$_id', '$$id'])))"
        ".project({'name': 1}).done(), 'as': 'goods'}).replace_root({'newRoot': '$goods'})"
        ".sort_by_count('$x').limit(10).end()"
    )


def test_db_command_aggregate_spelled_out() -> None:
    assert repr(first_argument("_.expr(db.command.aggregate.gt(['$a', 1]))")) == (
        "db.command.expr(db.command.aggregate.gt(['$a', 1]))"
    )


def test_const_bindings_hold_api_objects_and_values() -> None:
    assert (
        python_of(
            "const _ = db.command; const Point = db.Geo.Point; const books = db.collection('books');"
            "const cond = {price: _.gt(1), at: new Point(1, 2)};"
            "books.where(cond).get()"
        )
        == "db.collection('books').where({'price': db.command.gt(1), 'at': db.Geo.Point(1, 2)}).get()"
    )


# --------------------------------------------------------------------------- values


def test_geo_with_and_without_new() -> None:
    assert repr(first_argument("{a: db.Geo.Point(113, 23), b: new db.Geo.Point(113, 23)}")) == (
        "{'a': db.Geo.Point(113, 23), 'b': db.Geo.Point(113, 23)}"
    )
    assert (
        repr(first_argument("{a: new db.Geo.LineString([db.Geo.Point(1, 2), db.Geo.Point(3, 4)])}"))
        == "{'a': db.Geo.LineString([db.Geo.Point(1, 2), db.Geo.Point(3, 4)])}"
    )


def test_regexp_forms() -> None:
    value = first_argument(
        "{a: /^x/i, b: db.RegExp({regexp: '^y', options: 'm'}), c: new db.RegExp({regexp: 'z'})}"
    )
    assert repr(value) == (
        "{'a': RegExp(pattern='^x', options='i'), 'b': db.RegExp(regexp='^y', options='m'), "
        "'c': db.RegExp(regexp='z')}"
    )
    assert isinstance(value, dict)
    assert value["a"] == RegExp("^x", "i")


def test_server_date() -> None:
    assert repr(first_argument("{a: db.serverDate(), b: db.serverDate({offset: -1000})}")) == (
        "{'a': db.server_date(), 'b': db.server_date(offset=-1000)}"
    )


def test_undefined_values_reach_the_api_as_missing() -> None:
    assert first_argument("{a: undefined, b: 1}") == {"a": MISSING, "b": 1}


def test_infinity_and_nan_are_predefined() -> None:
    value = first_argument("{a: Infinity, b: -Infinity, c: NaN}")
    assert isinstance(value, dict)
    assert value["a"] == float("inf") and value["b"] == float("-inf")
    assert value["c"] != value["c"]


# --------------------------------------------------------------------------- dates


@pytest.mark.parametrize(
    ("expr", "expected"),
    [
        ("new Date()", NOW),
        ("new Date", NOW),
        ("new Date(0)", datetime(1970, 1, 1, tzinfo=UTC)),
        ("new Date(1714552200123)", datetime(2024, 5, 1, 8, 30, 0, 123000, tzinfo=UTC)),
        ("new Date(-86400000)", datetime(1969, 12, 31, tzinfo=UTC)),
        ("new Date('2019-09-09')", datetime(2019, 9, 9, tzinfo=UTC)),
        ("new Date('2019-09')", datetime(2019, 9, 1, tzinfo=UTC)),
        ("new Date('2019')", datetime(2019, 1, 1, tzinfo=UTC)),
        ("new Date('2019-09-09T10:20:30Z')", datetime(2019, 9, 9, 10, 20, 30, tzinfo=UTC)),
        (
            "new Date('2019-09-09T10:20:30.5Z')",
            datetime(2019, 9, 9, 10, 20, 30, 500000, tzinfo=UTC),
        ),
        (
            "new Date('2019-09-09T10:20:30.123456Z')",
            datetime(2019, 9, 9, 10, 20, 30, 123000, tzinfo=UTC),
        ),
        ("new Date('2019-09-09T18:00:00+08:00')", datetime(2019, 9, 9, 10, 0, tzinfo=UTC)),
        ("new Date('2019-09-09T02:00:00-0130')", datetime(2019, 9, 9, 3, 30, tzinfo=UTC)),
        # no offset: local time, and cloud functions run in UTC (sdk.md §3.9)
        ("new Date('2019-09-09T10:00:00')", datetime(2019, 9, 9, 10, 0, tzinfo=UTC)),
        ("new Date('2019-09-09 10:00')", datetime(2019, 9, 9, 10, 0, tzinfo=UTC)),
        ("new Date('2019/9/9')", datetime(2019, 9, 9, tzinfo=UTC)),
        # components: months from 0, interpreted in UTC; overflow carries over
        ("new Date(2020, 0)", datetime(2020, 1, 1, tzinfo=UTC)),
        ("new Date(2020, 0, 31, 1, 2, 3, 4)", datetime(2020, 1, 31, 1, 2, 3, 4000, tzinfo=UTC)),
        ("new Date(2020, 12, 1)", datetime(2021, 1, 1, tzinfo=UTC)),
        ("new Date(2020, 1, 30)", datetime(2020, 3, 1, tzinfo=UTC)),
        ("new Date(2020, -1, 1)", datetime(2019, 12, 1, tzinfo=UTC)),
        ("new Date(99, 0)", datetime(1999, 1, 1, tzinfo=UTC)),
        ("new Date(2020, 0, 1, 25)", datetime(2020, 1, 2, 1, tzinfo=UTC)),
        ("new Date(new Date(5))", datetime(1970, 1, 1, 0, 0, 0, 5000, tzinfo=UTC)),
        ("new Date(null)", datetime(1970, 1, 1, tzinfo=UTC)),
    ],
)
def test_new_date_forms(expr: str, expected: datetime) -> None:
    assert first_argument(f"{{at: {expr}}}") == {"at": expected}


def test_new_date_uses_the_clock_on_every_run() -> None:
    moments = iter([NOW, NOW + timedelta(days=1)])
    program = parse_query("db.collection('c').where({at: new Date()}).get()")
    seen = []
    for _ in range(2):
        now = next(moments)
        recorder = Recorder()
        run(program, recorder, now=lambda now=now: now)  # type: ignore[misc]
        seen.append(recorder.calls[1])
    assert seen == [
        f"db.collection('c').where({{'at': {NOW!r}}})",
        f"db.collection('c').where({{'at': {NOW + timedelta(days=1)!r}}})",
    ]


@pytest.mark.parametrize(
    ("expr", "detail"),
    [
        ("new Date('yesterday')", "new Date('yesterday'): unsupported date string"),
        ("new Date('2019-02-30')", "new Date('2019-02-30') gives an Invalid Date"),
        ("new Date('2019-13-01')", "new Date('2019-13-01') gives an Invalid Date"),
        ("new Date(NaN)", "new Date(...) gives an Invalid Date"),
        ("new Date(8.64e15 + 1)", None),  # parse error: '+' is not supported
        ("new Date(9e15)", "new Date(...) gives an Invalid Date"),
        ("new Date(-1e15)", "new Date(...) is outside the years 1 to 9999"),
        ("new Date({})", "new Date() cannot take an object"),
        ("new Date(undefined)", "new Date() cannot take undefined"),
        ("Date()", "Date() without new returns a string; write new Date(...)"),
        ("Date.now()", "Date.now is not supported; new Date() gives the cloud's current time"),
    ],
)
def test_bad_dates_are_rejected(expr: str, detail: str | None) -> None:
    with pytest.raises(QueryLanguageError) as info:
        run(f"db.collection('c').where({{at: {expr}}}).get()", Recorder(), now=lambda: NOW)
    if detail is None:
        assert isinstance(info.value, QuerySyntaxError)
    else:
        assert info.value.detail.startswith(detail)


def test_new_date_without_a_clock_is_an_error_not_real_time() -> None:
    with pytest.raises(QueryEvaluationError, match="needs the cloud's clock"):
        run("db.collection('c').add({data: {at: new Date()}})", Recorder())


# --------------------------------------------------------------------------- the whitelist


@pytest.mark.parametrize(
    ("query", "detail"),
    [
        (
            "db.__class__",
            "'__class__' is not a property or method of db; accepted: Geo, RegExp, collection, command, serverDate",
        ),
        ("db._runtime.store", "'_runtime' is not a property or method of db"),
        (
            "db.collection('c').constructor.name",
            "'constructor' is not a property or method of db.collection(...)",
        ),
        (
            "db.collection('c').__init__()",
            "'__init__' is not a property or method of db.collection(...)",
        ),
        ("db.runTransaction()", "'runTransaction' is not a property or method of db"),
        ("db.collection('c').watch()", "'watch' is not a property or method of db.collection(...)"),
        (
            "db.collection('c').doc('x').where({}).get()",
            "'where' is not a property or method of db.collection(...).doc(...)",
        ),
        (
            "db.collection('c').where({}).doc('x').get()",
            "'doc' is not a property or method of a query",
        ),
        (
            "db.collection('c').where({a: _.inc(1).and(_.lt(2))}).get()",
            "cannot read property 'and' of a Recorder",
        ),
        (
            "db.collection('c').where({a: _.foo(1)}).get()",
            "'foo' is not a property or method of db.command",
        ),
        (
            "db.collection('c').where({a: _.eval(1)}).get()",
            "'eval' is not a property or method of db.command",
        ),
        ("'abc'.split('b')", "cannot read property 'split' of a string"),
        ("[1].map(x)", "cannot read property 'map' of an array"),
        ("({a: 1}).a", "cannot read property 'a' of an object"),
        (
            "require('fs').readFileSync('/etc/passwd')",
            "'require' is not defined; predefined names are db, _, $, Date, Infinity, NaN",
        ),
        ("process.exit()", "'process' is not defined"),
        ("globalThis.db", "'globalThis' is not defined"),
    ],
)
def test_only_whitelisted_members_are_reachable(query: str, detail: str) -> None:
    assert evaluation_error(query).detail.startswith(detail)


def test_whitelisted_name_missing_from_the_api_is_reported() -> None:
    class NoPipeline(Recorder):
        def __getattr__(self, name: str) -> Recorder:
            if name == "pipeline":
                raise AttributeError(name)
            return super().__getattr__(name)

    with pytest.raises(QueryEvaluationError) as info:
        run(
            "db.collection('c').aggregate().lookup({pipeline: $.pipeline().done()}).end()",
            NoPipeline(),
        )
    assert info.value.detail == "db.command.aggregate.pipeline is not supported by this emulator"


@pytest.mark.parametrize(
    ("query", "detail"),
    [
        (
            "db.collection('c')",
            "the query must end with a database operation such as .get() or .update(...); it ends with .collection(...)",
        ),
        (
            "db.collection('c').where({})",
            "the query must end with a database operation such as .get() or .update(...); it ends with .where(...)",
        ),
        (
            "db.command",
            "the query must end with a database operation such as .get() or .update(...); it ends with db.command",
        ),
        (
            "'text'",
            "the query must end with a database operation such as .get() or .update(...); it ends with a string",
        ),
        (
            "const r = db.collection('c').get(); db.collection('c').count()",
            ".get() runs the database operation, so it must be the last call of the query",
        ),
        (
            "db.collection('c').where({n: db.collection('d').count()}).get()",
            ".count() runs the database operation, so it must be the last call of the query",
        ),
        (
            "db.collection('c').get().data",
            ".get() runs the database operation, so it must be the last call of the query",
        ),
    ],
)
def test_the_operation_is_the_last_call_and_nothing_runs_before_it(query: str, detail: str) -> None:
    recorder = Recorder()
    with pytest.raises(QueryEvaluationError) as info:
        run(query, recorder, now=lambda: NOW)
    assert info.value.detail == detail
    assert not any(call.endswith(("get()", "count()")) for call in recorder.calls)


@pytest.mark.parametrize(
    ("query", "detail"),
    [
        (
            "db.collection('c').update({data: {a: 1}, upsert: true})",
            "unknown option 'upsert' in db.collection(...).update(); accepted: data, multi",
        ),
        (
            "db.collection('c').doc('x').remove({multi: true})",
            "unknown option 'multi' in db.collection(...).doc(...).remove(); it takes none",
        ),
        (
            "db.collection('c').add({a: 1}, {b: 2})",
            "db.collection(...).add() takes one options object {data}; got an object, an object",
        ),
        (
            "db.collection('c').add([{a: 1}])",
            "db.collection(...).add() takes one options object {data}; got an array",
        ),
        (
            "db.collection('c').where({a: db.serverDate(5)}).get()",
            "db.serverDate() takes one options object {offset}; got a number",
        ),
    ],
)
def test_options_objects_are_checked(query: str, detail: str) -> None:
    assert evaluation_error(query).detail == detail


@pytest.mark.parametrize(
    ("query", "detail"),
    [
        ("db.collection(db).get()", "db cannot be used as a value"),
        (
            "db.collection('c').where({a: db.collection('d')}).get()",
            "db.collection(...) cannot be used as a value",
        ),
        (
            "db.collection('c').where({a: db.Geo.Point}).get()",
            "db.Geo.Point cannot be used as a value (missing call?)",
        ),
        (
            "db.collection('c').where({a: Date}).get()",
            "Date cannot be used as a value (missing call?)",
        ),
        ("db.collection('c').where({a: _}).get()", "db.command cannot be used as a value"),
        ("db.collection('c').where({a: -'1'}).get()", "unary - needs a number, got a string"),
        (
            "db.collection('c').where({a: new db.collection('x')}).get()",
            "db.collection is not a constructor",
        ),
        ("db.collection('c').where({a: new _.gt(1)}).get()", "db.command.gt is not a constructor"),
        ("db.collection('c').where({a: (1)(2)}).get()", "a number is not a function"),
        ("db()", "db is not a function"),
        ("undefinedName.get()", "'undefinedName' is not defined"),
    ],
)
def test_misused_values(query: str, detail: str) -> None:
    assert evaluation_error(query).detail.startswith(detail)


def test_unary_minus_on_a_bound_number() -> None:
    recorder = Recorder()
    run("const n = 5; db.collection('c').skip(+n).limit(-n).get()", recorder)
    assert recorder.calls[-1] == "db.collection('c').skip(5).limit(-5).get()"


# --------------------------------------------------------------------------- errors and cache


def test_error_response_gives_the_production_errcode_and_the_position() -> None:
    # http-api.md §3.14: an unparsable query is answered with -502002
    with pytest.raises(QuerySyntaxError) as info:
        run("db.collection('c').where({a:}).get()", Recorder())
    errcode, errmsg = error_response(info.value)
    assert errcode == QUERY_ERRCODE == -502002
    assert errmsg == (
        "database invalid command. query: unexpected token '}' at line 1 column 29, "
        "expected an expression"
    )
    error = evaluation_error("db.collection('c').nope()")
    assert error_response(error) == (
        -502002,
        "database invalid command. query: 'nope' is not a property or method of "
        "db.collection(...); accepted: add, aggregate, count, doc, field, get, limit, orderBy, "
        "remove, skip, update, where at line 1 column 20",
    )


def test_parsed_queries_are_cached_by_text() -> None:
    query = "db.collection('cache-test').where({a: 1}).get()"
    assert parse_query(query) is parse_query(query)
    assert parse_query(query) is not parse_query(query + " ")


def test_huge_queries_are_not_kept_in_the_cache() -> None:
    query = "db.collection('c').add({data: {s: '" + "x" * 70_000 + "'}})"
    assert parse_query(query) is not parse_query(query)


def test_a_cached_program_runs_independently_each_time() -> None:
    query = "const d = {tags: ['a']}; db.collection('c').add({data: d})"
    first, second = Recorder(), Recorder()
    run(query, first)
    run(query, second)
    assert (
        first.calls
        == second.calls
        == ["db.collection('c')", "db.collection('c').add(data={'tags': ['a']})"]
    )
