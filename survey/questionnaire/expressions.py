r"""Safe parser and evaluator for the XLSForm expression subset used by instruments.

Used for ``relevant``, ``constraint``, ``calculation``, ``choice_filter`` and
``repeat_count`` (see docs/instruments.md, "Expressions"). The grammar and the
type rules follow the ODK XForms specification, which builds on XPath 1.0
(https://getodk.github.io/xforms-spec/, https://www.w3.org/TR/xpath-10/), as
implemented by ODK Collect's engine, JavaRosa:

* An unanswered value (``None`` or a missing key) is the empty string ``''``.
  A select_multiple answer (a list) is its choice names joined by spaces.
* ``=`` / ``!=``: if either side is a boolean, both are compared as booleans;
  else if either is a number, both are compared as numbers; else if either is a
  date, as dates (an ISO ``YYYY-MM-DD`` string on the other side is read as a
  date); else as strings. Numbers are equal within 1e-12, as in JavaRosa.
  ``!=`` is the negation of ``=``, so with NaN (an empty
  or non-numeric value in number context) ``${x} = 5`` is false and
  ``${x} != 5`` is true, as in XPath 1.0.
* ``< <= > >=`` and arithmetic work on numbers; a date is its days since
  1970-01-01 (an ISO date string too, when the other side is a date). NaN
  makes every ordering comparison false. ``div`` by zero gives +-Infinity or
  NaN; ``mod`` takes the sign of the dividend.
* ``regex(x, p)`` is true when ``p`` matches the *whole* string, as in ODK
  Collect (JavaRosa calls Java's ``Pattern.matches``). Enketo only searches for
  the pattern, so anchor it with ``^...$`` to get the same result in both.
  Patterns run on RE2 (google-re2), whose matching time is linear in the text:
  no pattern, however written, can hang a submission (``^([a-z]+)+$`` is as fast
  as ``^[a-z]+$``). RE2 has no backreferences and no lookaround, and ``\d``,
  ``\w``, ``\s``, ``\b`` are ASCII, as in Java (docs/instruments.md). A literal
  pattern that does not compile is a parse error, with its position; a pattern
  computed from answers that does not compile is just false.

Nothing is ever passed to ``eval``. Input text is tokenized, then parsed by
precedence climbing into a small tree of frozen dataclasses
(:mod:`survey.questionnaire.expression_parser`), then evaluated here.
Nesting is capped (``MAX_DEPTH``), so neither parse nor evaluate can hit
Python's recursion limit.
"""
from __future__ import annotations

import math
import numbers
import operator
import re
from datetime import date
from decimal import ROUND_HALF_DOWN, ROUND_HALF_UP, Context, Decimal
from typing import Any, Mapping, NamedTuple

from survey.questionnaire.expression_parser import (
    MAX_DEPTH,
    ChoiceColumn,
    Current,
    Expression,
    ExpressionError,
    Literal,
    Negate,
    Operation,
    Ref,
    compile_pattern,
    naming_current,
    parse,
    pattern_problem,
)

__all__ = ["Expression", "ExpressionError", "parse", "evaluate", "truthy", "naming_current", "pattern_problem",
           "MAX_DEPTH"]

# --- values and conversions (XPath string(), number(), boolean()) ------------

_EPOCH = date(1970, 1, 1)
_NUMBER = re.compile(r"[ \t\r\n]*-?(?:[0-9]+(?:\.[0-9]*)?|\.[0-9]+)[ \t\r\n]*")
_ISO_DATE = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}")
_DECIMAL = Context(prec=400)


def _value(v: Any) -> Any:
    """Bring an answer into one of: str, bool, int, float, date, list of str."""
    try:
        if v is None:
            return ""
        if isinstance(v, (str, bool)):
            return v
        if isinstance(v, date):  # datetime too; its time of day is dropped
            return date(v.year, v.month, v.day)
        if isinstance(v, numbers.Integral):
            return int(v)
        if isinstance(v, numbers.Real):
            return float(v)
        if isinstance(v, (list, tuple, set, frozenset)):
            return [x if isinstance(x, str) else _to_string(_value(x)) for x in v if x is not None]
        kind = type(v).__name__
        if kind in ("bool_", "bool8"):  # numpy booleans
            return bool(v)
        return "" if kind in ("NAType", "NaTType") else str(v)  # pandas NA/NaT: unanswered
    except Exception:  # anything unreadable counts as unanswered
        return ""


def _lookup(mapping: Any, name: str) -> Any:
    try:
        return _value(mapping.get(name)) if mapping is not None else ""
    except Exception:
        return ""


def _to_string(v: Any) -> str:
    if isinstance(v, bool):
        return "true" if v else "false"
    if isinstance(v, int):
        try:
            return str(v)
        except ValueError:  # more digits than Python will print
            return "Infinity" if v > 0 else "-Infinity"
    if isinstance(v, float):
        if math.isnan(v):
            return "NaN"
        if math.isinf(v):
            return "Infinity" if v > 0 else "-Infinity"
        if v.is_integer():
            return str(int(v))
        return format(Decimal(repr(v)), "f")  # 1e-05 -> 0.00001, as XPath
    if isinstance(v, date):
        return v.isoformat()
    if isinstance(v, list):
        return " ".join(v)
    return v if isinstance(v, str) else ""


def _to_number(v: Any) -> float:
    if isinstance(v, bool):
        return 1.0 if v else 0.0
    if isinstance(v, int):
        try:
            return float(v)
        except OverflowError:
            return math.inf if v > 0 else -math.inf
    if isinstance(v, float):
        return v
    if isinstance(v, date):
        return float((v - _EPOCH).days)
    text = _to_string(v)
    return float(text) if _NUMBER.fullmatch(text) else math.nan


def truthy(value: Any) -> bool:
    """XPath boolean() of a value (how relevant and constraint results are read)."""
    v = _value(value)
    if isinstance(v, bool):
        return v
    if isinstance(v, (int, float)):
        return not math.isnan(v) and v != 0
    if isinstance(v, date):
        return True
    return len(v) > 0  # str or list


def _as_date(v: Any) -> Any:
    """An ISO 'YYYY-MM-DD' string as a date; anything else unchanged."""
    if isinstance(v, str) and _ISO_DATE.fullmatch(v.strip()):
        try:
            return date.fromisoformat(v.strip())
        except ValueError:
            pass
    return v


def _date_pair(a: Any, b: Any) -> tuple[Any, Any]:
    if isinstance(a, date) and not isinstance(b, date):
        b = _as_date(b)
    elif isinstance(b, date) and not isinstance(a, date):
        a = _as_date(a)
    return a, b


def _equal(a: Any, b: Any) -> bool:
    if isinstance(a, bool) or isinstance(b, bool):
        return truthy(a) == truthy(b)
    if isinstance(a, (int, float)) or isinstance(b, (int, float)):  # bools are gone
        if isinstance(a, int) and isinstance(b, int):
            return a == b
        x, y = _to_number(a), _to_number(b)
        return x == y or abs(x - y) < 1e-12  # NaN is equal to nothing
    a, b = _date_pair(a, b)
    if isinstance(a, date) and isinstance(b, date):
        return a == b
    return _to_string(a) == _to_string(b)


def _divide(x: float, y: float) -> float:
    if y == 0:
        if x == 0 or math.isnan(x):
            return math.nan
        return math.copysign(math.inf, x) * math.copysign(1.0, y)
    return x / y


def _mod(x: float, y: float) -> float:
    try:
        return math.fmod(x, y)  # truncated: the result has the dividend's sign
    except ValueError:  # y == 0 or x infinite
        return math.nan


_NUMERIC = {"<": operator.lt, "<=": operator.le, ">": operator.gt, ">=": operator.ge,
            "+": operator.add, "-": operator.sub, "*": operator.mul,
            "div": _divide, "mod": _mod}


def _binary(op: str, a: Any, b: Any) -> Any:
    if op == "=":
        return _equal(a, b)
    if op == "!=":
        return not _equal(a, b)
    a, b = _date_pair(a, b)
    return _NUMERIC[op](_to_number(a), _to_number(b))  # comparisons with NaN are False


# --- functions -----------------------------------------------------------------


def _regex(value: Any, pattern: Any) -> bool:
    compiled = compile_pattern(_to_string(pattern))
    if compiled is None:
        return False
    try:
        return compiled.fullmatch(_to_string(value)) is not None
    except (UnicodeError, TypeError):  # text that cannot be UTF-8 never matches
        return False


def _items(v: Any) -> list[str]:
    return v if isinstance(v, list) else _to_string(v).split()


def _int(v: Any) -> float:
    x = _to_number(v)
    return float(math.trunc(x)) if math.isfinite(x) else x


def _round(v: Any, digits: Any = 0) -> float:
    x, places = _to_number(v), _to_number(digits)
    if not math.isfinite(x):
        return x
    if math.isnan(places):
        places = 0.0
    if abs(places) > 30:
        return math.nan
    # XPath round(): halves go towards positive infinity (2.5 -> 3, -2.5 -> -2)
    mode = ROUND_HALF_UP if x >= 0 else ROUND_HALF_DOWN
    try:
        step = Decimal(1).scaleb(-int(places))
        return float(Decimal(repr(x)).quantize(step, rounding=mode, context=_DECIMAL))
    except Exception:
        return x


def _is_empty(v: Any) -> bool:
    return v == "" or v == [] or (isinstance(v, float) and math.isnan(v))


_CALLS = {  # functions whose arguments are all evaluated first
    "not": lambda x: not truthy(x),
    "selected": lambda x, choice: _to_string(choice).strip() in _items(x),
    "count-selected": lambda x: len(_items(x)),
    "string-length": lambda x: len(_to_string(x)),
    "regex": _regex,
    "number": _to_number,
    "int": _int,
    "round": _round,
    "string": _to_string,
    "concat": lambda *xs: "".join(_to_string(x) for x in xs),
    "true": lambda: True,
    "false": lambda: False,
    "boolean": truthy,
    "contains": lambda a, b: _to_string(b) in _to_string(a),
    "starts-with": lambda a, b: _to_string(a).startswith(_to_string(b)),
}


# --- evaluation ----------------------------------------------------------------

class _Context(NamedTuple):
    values: Any
    current: Any
    choice: Any
    today: Any


def _eval(node: Any, ctx: _Context) -> Any:
    if isinstance(node, Literal):
        return node.value
    if isinstance(node, Ref):
        return _lookup(ctx.values, node.name)
    if isinstance(node, ChoiceColumn):
        return _lookup(ctx.choice, node.name)
    if isinstance(node, Current):
        return _value(ctx.current)
    if isinstance(node, Negate):
        return -_to_number(_eval(node.operand, ctx))
    if isinstance(node, Operation):
        if node.ops[0] in ("and", "or"):  # short-circuit, left to right
            stop = node.ops[0] == "or"
            for operand in node.operands:
                if truthy(_eval(operand, ctx)) == stop:
                    return stop
            return not stop
        result = _eval(node.operands[0], ctx)
        for op, operand in zip(node.ops, node.operands[1:]):
            result = _binary(op, result, _eval(operand, ctx))
        return result
    # Call
    if node.name == "if":
        cond, then, other = node.args
        return _eval(then if truthy(_eval(cond, ctx)) else other, ctx)
    if node.name == "coalesce":
        first = _eval(node.args[0], ctx)
        return _eval(node.args[1], ctx) if _is_empty(first) else first
    if node.name == "today":
        return _value(date.today() if ctx.today is None else ctx.today)
    args = []
    for arg in node.args:  # a plain loop: one stack frame per tree level
        args.append(_eval(arg, ctx))
    return _CALLS[node.name](*args)


def evaluate(e: Expression, values: Mapping[str, Any] | None, current: Any = None,
             choice: Mapping[str, Any] | None = None, today: date | None = None) -> Any:
    """Evaluate a parsed expression. Never raises for any values: type problems
    give NaN, '' or False as XPath would. Raises TypeError if ``e`` is not an
    Expression."""
    if not isinstance(e, Expression):
        raise TypeError(f"evaluate() needs an Expression from parse(), not {type(e).__name__}")
    return _eval(e.tree, _Context(values, current, choice, today))
