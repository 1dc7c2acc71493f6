"""Tests for survey.questionnaire.expressions: the XLSForm expression parser and evaluator."""
from __future__ import annotations

import dataclasses
import math
import pickle
import re
from datetime import date, datetime
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from survey.questionnaire import expression_parser, expressions
from survey.questionnaire.expressions import MAX_DEPTH, Expression, ExpressionError, evaluate, parse, truthy

TODAY = date(2026, 11, 27)
NAN = object()  # expected value: a float NaN
INF = math.inf

VALUES = {
    "age": 7, "age_s": "7", "name": "Budi", "empty": "", "none": None, "x": 2.5, "zero": 0,
    "uses": ["web", "email"], "uses_s": "web email", "none_used": [],
    "dob": date(2020, 1, 15), "dob_s": "2020-01-15", "born_at": datetime(2020, 1, 15, 8, 30),
    "yes": True, "no": False, "kecamatan": "laweyan", "bad_pattern": "[",
}
DAYS_OLD = (TODAY - date(2020, 1, 15)).days
TODAY_DAYS = (TODAY - date(1970, 1, 1)).days

# (expression, expected) evaluated with VALUES and today=TODAY
CASES = [
    # literals and references
    ("'text'", "text"), ('"it\'s"', "it's"), ("12", 12), ("3.5", 3.5), (".5", 0.5), ("5.", 5.0),
    ("${name}", "Budi"), ("${age}", 7), ("${missing}", ""), ("${none}", ""),
    ("${uses}", ["web", "email"]), ("${dob}", date(2020, 1, 15)), ("${born_at}", date(2020, 1, 15)),
    # arithmetic
    ("1 + 2", 3), ("5 - 7", -2), ("3 * 4", 12), ("7 div 2", 3.5), ("7 mod 3", 1),
    ("-7 mod 3", -1), ("7 mod -3", 1), ("5.5 mod 2", 1.5), ("1 div 0", INF), ("-1 div 0", -INF),
    ("0 div 0", NAN), ("5 mod 0", NAN), ("-${age}", -7), ("- - 3", 3), ("--3", 3), ("---3", -3),
    ("${x} * 2", 5), ("${age_s} + 1", 8), ("'abc' + 1", NAN), ("${yes} + 1", 2),
    ("1 div 0 - 1 div 0", NAN), ("a-b", ""),  # XPath: a-b is one name (a column here)
    # comparison
    ("1 = 1", True), ("1 != 1", False), ("1 = 1.0", True), ("0.1 + 0.2 = 0.3", True),
    ("'a' = 'a'", True), ("'a' != 'b'", True), ("'a' = 'A'", False),
    ("2 < 3", True), ("3 <= 3", True), ("4 > 3", True), ("3 >= 4", False), ("3 > 3", False),
    ("'b' > 'a'", False),  # XPath: strings are compared as numbers (NaN) by < >
    ("'10' > '9'", True), ("${age_s} = 7", True), ("${age_s} = '7'", True), ("${age_s} > 5", True),
    ("${name} > 5", False), ("${name} != 5", True), ("${age} = '7.0'", True), ("'07' = '7'", False),
    ("true() and false()", False), ("true() or false()", True), ("false() or false()", False),
    ("1 and 'x'", True), ("0 or ''", False),
    # precedence and associativity
    ("1 + 2 * 3", 7), ("(1 + 2) * 3", 9), ("10 - 4 - 3", 3), ("10 - (4 - 3)", 9),
    ("100 div 10 div 5", 2), ("2 * 3 mod 4", 2), ("2 + 3 mod 2", 3), ("-2 * 3", -6), ("- 2 + 3", 1),
    ("1 + 2 = 3", True), ("1 < 2 = 2 < 3", True), ("1 < 2 = true()", True), ("3 > 2 > 1", False),
    ("1 = 1 = 1", True), ("1 = 1 and 2 = 3 or 4 = 4", True), ("true() or true() and false()", True),
    ("(true() or true()) and false()", False), ("false() and false() or true()", True),
    ("not(true()) or true()", True), ("1 + 1 + 1 + 1 + 1", 5), ("2 * 3 + 4 * 5", 26),
    ("${age} >= 5 and selected(${uses}, 'web')", True),
    # unanswered is ''; NaN comparisons are false, != is its negation
    ("${missing} = ''", True), ("${none} = ''", True), ("${empty} = ''", True),
    ("${missing} != ''", False), ("${missing} > 5", False), ("${missing} < 5", False),
    ("${missing} >= 0", False), ("${missing} = 5", False), ("${missing} != 5", True),
    ("${missing} + 1", NAN), ("${missing} = 0", False), ("not(${missing})", True),
    ("string-length(${missing})", 0), ("count-selected(${missing})", 0),
    ("selected(${missing}, 'web')", False), ("${missing} = ${none}", True),
    # booleans are compared as booleans first
    ("${yes} = 'anything'", True), ("${yes} = 1", True), ("${yes} = 5", True), ("${no} = ''", True),
    ("${no} = 0", True), ("${yes} = true()", True), ("true() = 'false'", True), ("false() = 0", True),
    # select_multiple
    ("selected(${uses}, 'web')", True), ("selected(${uses}, 'sms')", False),
    ("selected(${uses}, ' email ')", True), ("selected(${uses}, 'we')", False),
    ("selected(${uses_s}, 'email')", True), ("count-selected(${uses})", 2),
    ("count-selected(${uses_s})", 2), ("count-selected(${none_used})", 0),
    ("${uses} = 'web email'", True), ("${none_used} = ''", True), ("string(${uses})", "web email"),
    ("string-length(${uses})", 9), ("selected(${age}, '7')", True), ("selected(${age}, 7)", True),
    # functions
    ("not(0)", True), ("not('')", True), ("not('a')", False), ("not(1 = 2)", True),
    ("string-length('héllo')", 5), ("string-length(12.5)", 4),
    ("regex('12345', '[0-9]+')", True), ("regex('12a', '[0-9]+')", False),
    ("regex('abc', 'b')", False), ("regex('abc', '.*b.*')", True), ("regex('', '[0-9]*')", True),
    ("regex('AB_123', '^[A-Z]{2}_[0-9]{3}$')", True), ("regex(123, '[0-9]{3}')", True),
    ("regex('abc', ${bad_pattern})", False), ("regex(${missing}, '')", True),
    ("if(${age} > 5, 'old', 'young')", "old"), ("if(${missing}, 1, 2)", 2),
    ("if(1, 'a', 1 div 0)", "a"), ("today()", TODAY),
    ("number('12')", 12), ("number(' 3.5 ')", 3.5), ("number('-.5')", -0.5), ("number('1e3')", NAN),
    ("number('+5')", NAN), ("number('abc')", NAN), ("number('')", NAN), ("number('1,5')", NAN),
    ("number(true())", 1), ("number(false())", 0), ("number(${dob})", (date(2020, 1, 15) - date(1970, 1, 1)).days),
    ("int(3.7)", 3), ("int(-3.7)", -3), ("int('abc')", NAN), ("int(1 div 0)", INF), ("int('42.9')", 42),
    ("round(2.5)", 3), ("round(-2.5)", -2), ("round(2.4)", 2), ("round(3.14159, 2)", 3.14),
    ("round(1.005, 2)", 1.01), ("round(1234.5, -2)", 1200), ("round(-1.5, 0)", -1),
    ("round('x', 1)", NAN), ("round(2.5, 50)", NAN), ("round(1 div 0, 2)", INF), ("round(2.567, 'x')", 3),
    ("string(1)", "1"), ("string(2.50)", "2.5"), ("string(6 div 3)", "2"), ("string(10 div 4)", "2.5"),
    ("string(1 div 100000)", "0.00001"), ("string(0.1 + 0.2)", "0.30000000000000004"),
    ("string(1 div 0)", "Infinity"), ("string(-1 div 0)", "-Infinity"), ("string(0 div 0)", "NaN"),
    ("string(true())", "true"), ("string(${dob})", "2020-01-15"), ("string(${missing})", ""),
    ("concat('a')", "a"), ("concat('a', 1, true(), ${missing}, ${uses})", "a1trueweb email"),
    ("concat(${name}, ' (', ${age}, ')')", "Budi (7)"),
    ("coalesce(${missing}, 'x')", "x"), ("coalesce(${name}, 'x')", "Budi"),
    ("coalesce(0 div 0, 5)", 5), ("coalesce(0, 5)", 0), ("coalesce(${none_used}, 'none')", "none"),
    ("true()", True), ("false()", False), ("boolean('')", False), ("boolean('0')", True),
    ("boolean(0)", False), ("boolean(0 div 0)", False), ("boolean(-0.5)", True),
    ("boolean(${uses})", True), ("boolean(${none_used})", False), ("boolean(${dob})", True),
    ("contains('Surakarta', 'kart')", True), ("contains('abc', '')", True),
    ("contains(${uses}, 'mail')", True), ("contains('abc', 'd')", False),
    ("starts-with('Surakarta', 'Sura')", True), ("starts-with('Surakarta', 'kart')", False),
    ("starts-with(${missing}, 'a')", False),
    ("selected (${uses}, 'web')", True),  # whitespace before '(' is allowed, as in XPath
    # dates (today() is 2026-11-27)
    ("${dob} < today()", True), ("${dob} > today()", False), ("today() - ${dob}", DAYS_OLD),
    ("${dob_s} < today()", True), ("today() - ${dob_s}", DAYS_OLD),
    ("${dob} = '2020-01-15'", True), ("${dob} = ${dob_s}", True), ("${dob_s} = ${dob}", True),
    ("${dob} != '2020-01-16'", True), ("${dob} = 'not a date'", False), ("${dob} = '2020-02-30'", False),
    ("${dob} = ''", False), ("${dob} = ${born_at}", True), ("today() > '2026-01-01'", True),
    ("today() <= '2026-11-27'", True), ("today() = '2026-11-27'", True),
    ("today() = %d" % TODAY_DAYS, True), ("today() - 7 > ${dob}", True),
    ("int((today() - ${dob}) div 365.25)", 6), ("${dob_s} < '2021-01-01'", False),
    ("${missing} < today()", False), ("${missing} = today()", False), ("today() - ${missing}", NAN),
    ("${dob} < 'soon'", False),
]


def _same(actual, expected) -> bool:
    if expected is NAN:
        return isinstance(actual, float) and math.isnan(actual)
    if isinstance(expected, bool):
        return actual is expected
    if isinstance(expected, (int, float)):
        return isinstance(actual, (int, float)) and not isinstance(actual, bool) and actual == expected
    return type(actual) is type(expected) and actual == expected


@pytest.mark.parametrize(("text", "expected"), CASES, ids=[c[0] for c in CASES])
def test_evaluate(text, expected):
    result = evaluate(parse(text), VALUES, today=TODAY)
    assert _same(result, expected), f"{text!r} gave {result!r}, expected {expected!r}"


KELURAHAN = [
    {"name": "pajang", "kecamatan": "laweyan"},
    {"name": "kerten", "kecamatan": "laweyan"},
    {"name": "kepatihan", "kecamatan": "jebres", "kode-pos": "57129"},
]


@pytest.mark.parametrize(("text", "values", "names"), [
    ("kecamatan = ${kecamatan}", {"kecamatan": "laweyan"}, ["pajang", "kerten"]),
    ("kecamatan = ${kecamatan}", {"kecamatan": "jebres"}, ["kepatihan"]),
    ("kecamatan = ${kecamatan}", {}, []),
    ("${kecamatan} = '' or kecamatan = ${kecamatan}", {}, ["pajang", "kerten", "kepatihan"]),
    ("name != 'kerten' and kecamatan = 'laweyan'", {}, ["pajang"]),
    ("kode-pos = '57129'", {}, ["kepatihan"]),
    ("missing_column = ''", {}, ["pajang", "kerten", "kepatihan"]),
])
def test_choice_filter_columns(text, values, names):
    e = parse(text)
    kept = [c["name"] for c in KELURAHAN if truthy(evaluate(e, values, choice=c))]
    assert kept == names


@pytest.mark.parametrize(("text", "current", "expected"), [
    (". >= 0 and . <= 120", 30, True),
    (". >= 0 and . <= 120", -1, False),
    (". >= 0 and . <= 120", None, False),
    (". = ''", None, True),
    ("regex(., '^08[0-9]{8,11}$')", "081234567890", True),
    ("regex(., '^08[0-9]{8,11}$')", "+6281234567890", False),
    ("string-length(.) <= 3", "abcd", False),
    ("count-selected(.) <= 2", ["a", "b", "c"], False),
    (". <= today()", date(2026, 11, 28), False),
    (". <= today()", "2026-11-27", True),
    (". > ${age}", 8, True),
    ("selected(., 'none') and count-selected(.) > 1", ["none", "web"], True),
])
def test_current_value(text, current, expected):
    assert evaluate(parse(text), VALUES, current=current, today=TODAY) is expected


def test_expression_metadata():
    e = parse("${age} >= 5 and selected(${uses}, 'web') or kecamatan = ${kec} and . != ''")
    assert isinstance(e, Expression)
    assert e.text == "${age} >= 5 and selected(${uses}, 'web') or kecamatan = ${kec} and . != ''"
    assert e.references == frozenset({"age", "uses", "kec"})
    assert e.columns == frozenset({"kecamatan"})
    assert e.uses_current is True
    plain = parse("concat('${not_a_ref}', today())")
    assert plain.references == frozenset() and plain.columns == frozenset()
    assert plain.uses_current is False
    assert parse(".5 + 1").uses_current is False  # .5 is a number, not '.'


def test_expression_is_immutable_and_equal_by_value():
    e = parse("${a} + 1")
    with pytest.raises(dataclasses.FrozenInstanceError):
        e.text = "other"
    assert parse("${a} + 1") == e
    assert hash(parse("${a} + 1")) == hash(e)


def test_today_defaults_to_the_real_date():
    assert evaluate(parse("today()"), {}) == date.today()


# (text, position, part of the message)
MALFORMED = [
    ("", 0, "unexpected end of expression"),
    ("   ", 3, "unexpected end of expression"),
    ("(1 + 2", 6, "expected ')'"),
    ("1 + 2)", 5, "unexpected ')'"),
    ("(1))", 3, "unexpected ')'"),
    ("()", 1, "unexpected ')'"),
    ("(${a} +)", 7, "unexpected ')'"),
    ("'abc", 0, "unterminated string"),
    ('${a} = "x', 7, "unterminated string"),
    ("'it''s'", 4, "unexpected"),
    ("${", 2, "expected a name after '${'"),
    ("${}", 2, "expected a name after '${'"),
    ("${1a}", 2, "expected a name after '${'"),
    ("${ a}", 2, "expected a name after '${'"),
    ("${a", 3, "expected '}'"),
    ("${a b}", 3, "expected '}'"),
    ("${a-b}", 3, "expected '}'"),
    ("$a", 1, "expected '{' after '$'"),
    ("1 + $", 5, "expected '{' after '$'"),
    ("foo(1)", 0, "unknown function 'foo'"),
    ("1 + bar(2)", 4, "unknown function 'bar'"),
    ("Today()", 0, "unknown function 'Today'"),
    ("selected(${a})", 0, "selected() takes 2 arguments, got 1"),
    ("if(1, 2)", 0, "if() takes 3 arguments, got 2"),
    ("1 + not(1, 2)", 4, "not() takes 1 argument, got 2"),
    ("today(1)", 0, "today() takes 0 arguments, got 1"),
    ("concat()", 0, "concat() takes at least 1 argument, got 0"),
    ("round(1, 2, 3)", 0, "round() takes 1 or 2 arguments, got 3"),
    ("1 2", 2, "unexpected '2'"),
    ("${a} ${b}", 5, "unexpected '${b}'"),
    ("1 +", 3, "unexpected end of expression"),
    ("-", 1, "unexpected end of expression"),
    ("* 2", 0, "unexpected '*'"),
    ("1 == 2", 3, "unexpected '='"),
    ("!= 1", 0, "unexpected '!='"),
    ("a and", 5, "unexpected end of expression"),
    ("and", 0, "unexpected 'and'"),
    ("1 div div 2", 6, "unexpected 'div'"),
    ("1 & 2", 2, "unexpected character '&'"),
    ("1 ! 2", 2, "unexpected character '!'"),
    ("/data/x", 0, "unexpected character '/'"),
    ("${a}[1]", 4, "unexpected character '['"),
    ("..", 1, "unexpected '.'"),
    ("not ${x}", 4, "unexpected '${x}'"),
    ("selected(${a}, 'x'", 18, "expected ')'"),
    ("selected(${a} 'x')", 14, "expected ')'"),
    ("not(,)", 4, "unexpected ','"),
    ("concat('a',)", 11, "unexpected ')'"),
    ("1 +\u00a02", 3, "unexpected character"),
    ("12abc", 2, "unexpected 'abc'"),
]


@pytest.mark.parametrize(("text", "position", "message"), MALFORMED, ids=[m[0] for m in MALFORMED])
def test_malformed(text, position, message):
    with pytest.raises(ExpressionError) as info:
        parse(text)
    err = info.value
    assert err.position == position, str(err)
    assert message in err.message
    assert err.text == text
    assert str(err) == f"{err.message} at position {position}"


def test_error_reads_well_and_is_a_value_error():
    with pytest.raises(ValueError) as info:
        parse("(${a} +)")
    assert str(info.value) == "unexpected ')' at position 7"
    assert info.value.message == "unexpected ')'"


def test_error_survives_pickling():
    with pytest.raises(ExpressionError) as info:
        parse("1 +")
    copy = pickle.loads(pickle.dumps(info.value))
    assert (copy.message, copy.position, copy.text) == (info.value.message, 3, "1 +")
    assert str(copy) == str(info.value)


def test_wrong_types_raise_type_error():
    with pytest.raises(TypeError):
        evaluate("1 + 1", {})
    with pytest.raises(TypeError):
        parse(5)


@pytest.mark.parametrize("text", [
    "(" * 5000,
    "(" * 5000 + "1" + ")" * 5000,
    "not(" * 3000 + "1" + ")" * 3000,
    "concat(" * 3000,
    "(" * 80 + "1" + " * 1 + 1 = 1 < 1 and 1 or 1)" * 80,  # height grows 6 per parenthesis
    "1" + " + (1" * 3000 + ")" * 3000,
])
def test_deep_nesting_is_an_expression_error_not_recursion_error(text):
    with pytest.raises(ExpressionError) as info:
        parse(text)
    assert "nested too deeply" in info.value.message
    assert 0 <= info.value.position <= len(text)


def test_nesting_up_to_the_limit_parses_and_evaluates():
    ok = "not(" * (MAX_DEPTH - 1) + "1" + ")" * (MAX_DEPTH - 1)
    assert evaluate(parse(ok), {}) is False  # an odd number of not()s
    with pytest.raises(ExpressionError):
        parse("not(" * (MAX_DEPTH + 1) + "1" + ")" * (MAX_DEPTH + 1))


def test_long_flat_chains_need_no_recursion():
    assert evaluate(parse(" + ".join(["1"] * 5000)), {}) == 5000
    assert evaluate(parse(" and ".join(["${a} = 1"] * 3000)), {"a": 1}) is True
    assert evaluate(parse(" or ".join(["${a} = 2"] * 3000)), {"a": 1}) is False
    assert evaluate(parse("-" * 5001 + "4"), {}) == -4


def test_evaluate_tolerates_odd_values():
    class NAType:  # behaves like pandas.NA: no truth value, no equality
        def __bool__(self):
            raise TypeError("boolean value of NA is ambiguous")

        def __eq__(self, other):
            raise TypeError

        __hash__ = object.__hash__

    class Unprintable:
        def __str__(self):
            raise RuntimeError("no")

    odd = {"na": NAType(), "obj": Unprintable(), "nan": float("nan"), "big": 10**5000,
           "nested": [["a", "b"], None, 3], "tuple": ("web",), "set": {"web"}}
    assert evaluate(parse("${na} = ''"), odd) is True
    assert evaluate(parse("${obj} = ''"), odd) is True
    assert evaluate(parse("${nan} = ${nan}"), odd) is False
    assert evaluate(parse("${big} > 5"), odd) is True
    assert evaluate(parse("string(${big})"), odd) == "Infinity"
    assert evaluate(parse("count-selected(${nested})"), odd) == 2
    assert evaluate(parse("selected(${tuple}, 'web') and selected(${set}, 'web')"), odd) is True
    assert evaluate(parse("${a} = ''"), None) is True
    assert evaluate(parse("${a} = ''"), ["not", "a", "mapping"]) is True
    assert evaluate(parse("kecamatan = ''"), {}, choice=None) is True
    assert evaluate(parse("today() = '2026-01-02'"), {}, today="2026-01-02") is True


@pytest.mark.parametrize(("value", "expected"), [
    (True, True), (False, False), (1, True), (0, False), (-0.0, False), (float("nan"), False),
    (float("inf"), True), ("x", True), ("", False), ("false", True), (["a"], True), ([], False),
    (date(2020, 1, 1), True), (None, False),
])
def test_truthy(value, expected):
    assert truthy(value) is expected


def test_source_never_evaluates_python_and_stays_plain():
    for module in (expressions, expression_parser):
        source = Path(module.__file__).read_text(encoding="utf-8")
        assert not re.search(r"(?<![\w.])(eval|exec|compile)\(|literal_eval|import streamlit", source)


# --- properties ----------------------------------------------------------------

TOKENS = [
    "${a}", "${b}", "${c}", ".", "(", ")", ",", "and", "or", "div", "mod", "'x'", '"y"', "'", '"',
    "1", "2.5", ".5", "0", "+", "-", "*", "=", "!=", "<", "<=", ">", ">=", "selected(",
    "count-selected(", "if(", "not(", "regex(", "'[0-9]+'", "'['", "concat(", "round(", "int(",
    "number(", "string(", "coalesce(", "today()", "true()", "false()", "string-length(",
    "contains(", "starts-with(", "boolean(", "kecamatan", "${", "}", "$", "foo(", "'2020-01-15'",
]
token_soup = st.builds(lambda toks, sep: sep.join(toks),
                       st.lists(st.sampled_from(TOKENS), max_size=30), st.sampled_from(["", " "]))

answers = st.one_of(
    st.none(), st.text(max_size=20), st.integers(), st.floats(), st.booleans(), st.dates(),
    st.sampled_from(["", "7", "2020-01-15", "web email", " 3.5 ", "NaN", "-0"]),
    st.lists(st.one_of(st.text(max_size=5), st.sampled_from(["web", "email"]), st.integers(), st.none()),
             max_size=4),
)
value_maps = st.dictionaries(st.sampled_from(["a", "b", "c", "kecamatan"]), answers)
LEAVES = ["${a}", "${b}", "${c}", ".", "kecamatan", "'x'", "'web'", "'2020-01-15'", "''", "1", "0",
          "2.5", ".5", "today()", "true()", "false()"]
BINARY = ["and", "or", "=", "!=", "<", "<=", ">", ">=", "+", "-", "*", "div", "mod"]
FUNCTIONS = {"not": 1, "selected": 2, "count-selected": 1, "string-length": 1, "regex": 2, "if": 3,
             "number": 1, "int": 1, "round": 2, "string": 1, "concat": 3, "coalesce": 2,
             "boolean": 1, "contains": 2, "starts-with": 2}


def _grow(children):
    calls = [st.lists(children, min_size=n, max_size=n).map(lambda args, f=f: f"{f}({', '.join(args)})")
             for f, n in FUNCTIONS.items()]
    return st.one_of(
        st.tuples(children, st.sampled_from(BINARY), children).map(" ".join),
        st.tuples(children, st.sampled_from(BINARY), children).map(lambda t: "(%s %s %s)" % t),
        children.map(lambda c: "-" + c),
        *calls,
    )


valid_expressions = st.recursive(st.sampled_from(LEAVES), _grow, max_leaves=12)
PLAIN_RESULTS = (bool, int, float, str, date, list)


def _check_parse(text):
    try:
        e = parse(text)
    except ExpressionError as err:
        assert isinstance(err.message, str) and err.message
        assert err.text == text
        assert isinstance(err.position, int) and 0 <= err.position <= len(text)
        return None
    assert isinstance(e, Expression) and e.text == text
    return e


@settings(max_examples=300, deadline=None)
@given(st.text())
def test_any_text_parses_or_raises_expression_error(text):
    _check_parse(text)


@settings(max_examples=500, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(token_soup, value_maps, answers, answers, st.one_of(st.none(), st.dates()))
def test_token_soup_parses_or_raises_expression_error(text, values, current, column, today):
    e = _check_parse(text)
    if e is not None:
        result = evaluate(e, values, current=current, choice={"kecamatan": column}, today=today)
        assert isinstance(result, PLAIN_RESULTS)
        truthy(result)


@settings(max_examples=500, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(valid_expressions, value_maps, answers, answers, st.one_of(st.none(), st.dates()))
def test_parsed_expressions_evaluate_without_raising(text, values, current, column, today):
    e = parse(text)  # the grammar strategy only builds valid expressions
    result = evaluate(e, values, current=current, choice={"kecamatan": column}, today=today)
    assert isinstance(result, PLAIN_RESULTS)
    assert isinstance(truthy(result), bool)


# --- patterns (RE2) --------------------------------------------------------------


@pytest.mark.parametrize(("text", "position", "fragment"), [
    ("regex(., '^([A-Z]{3}-[0-9]{3}$')", 11, "missing )"),  # an unclosed group
    ("regex(., '[')", 10, "unterminated character set"),
    ("regex(., 'a{2,1}')", 12, "min repeat greater than max"),
    (r"regex(., '(a)\1')", 10, "backreference"),  # fine for Python, impossible in linear time
    ("regex(., '(?=a)a')", 10, "lookahead"),
    ("regex(., 'a{1001}')", 10, "above 1000"),
])
def test_a_literal_pattern_that_does_not_compile_is_a_parse_error_with_its_position(text, position, fragment):
    with pytest.raises(ExpressionError) as err:
        parse(text)
    assert err.value.position == position and fragment in err.value.message
    assert 0 <= err.value.position <= len(text)


def test_catastrophic_patterns_run_in_linear_time():
    # With backtracking, each extra character doubles the work: 60 characters take
    # minutes. RE2 answers at once; the loop would not finish otherwise.
    for pattern in ["^([a-z]+)+$", "^(a|a)*$", "^(a*)*b$", "^(\\w+\\s?)+$"]:
        e = parse(f"regex(., '{pattern}')")
        for n in (30, 60, 2000):
            assert evaluate(e, {}, current="a" * n + "!") is False
    assert evaluate(parse("regex(., '^([a-z]+)+$')"), {}, current="a" * 60) is True


@pytest.mark.parametrize(("pattern", "value", "expected"), [
    ("[0-9]+", "12345", True), ("[0-9]+", "12345\n", False),  # a whole match, as ODK's Pattern.matches
    ("abc", "xabcx", False), ("^08[0-9]{8,11}$", "081234567890", True),
    ("[0-9]+", "\u0663", False),  # \d and classes are ASCII, as in Java
    ("\\p{L}+", "Surakarta\u00e9", True),  # Unicode classes are available
    ("(?i)solo", "SOLO", True), (".", "\U0001F642", True),
])
def test_pattern_semantics(pattern, value, expected):
    assert evaluate(parse(f"regex(., '{pattern}')"), {}, current=value) is expected


def test_a_computed_pattern_that_does_not_compile_is_false():
    assert evaluate(parse("regex('abc', ${p})"), {"p": "("}) is False
    assert evaluate(parse("regex('abc', ${p})"), {"p": "a.c"}) is True
    assert evaluate(parse("regex(${t}, 'a')"), {"t": "\ud800"}) is False  # text that is not UTF-8
