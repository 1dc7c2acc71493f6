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
precedence climbing into a small tree of frozen dataclasses, then evaluated.
Nesting is capped (``MAX_DEPTH``), so neither parse nor evaluate can hit
Python's recursion limit.
"""
from __future__ import annotations

import math
import numbers
import operator
import re
from dataclasses import dataclass
from datetime import date
from decimal import ROUND_HALF_DOWN, ROUND_HALF_UP, Context, Decimal
from functools import lru_cache
from typing import Any, Mapping, NamedTuple

import re2

__all__ = ["Expression", "ExpressionError", "parse", "evaluate", "truthy", "naming_current", "MAX_DEPTH"]

MAX_DEPTH = 100  # cap on parenthesis nesting and on the height of the syntax tree


class ExpressionError(ValueError):
    """A malformed expression; ``position`` is a 0-based index into ``text``."""

    def __init__(self, message: str, position: int, text: str):
        super().__init__(f"{message} at position {position}")
        self.message = message
        self.position = position
        self.text = text

    def __reduce__(self):  # keep it picklable despite the custom __init__
        return type(self), (self.message, self.position, self.text)


# --- syntax tree -------------------------------------------------------------

@dataclass(frozen=True, slots=True)
class Literal:
    value: Any  # str, int or float


@dataclass(frozen=True, slots=True)
class Ref:  # ${name}
    name: str


@dataclass(frozen=True, slots=True)
class Current:  # .
    pass


@dataclass(frozen=True, slots=True)
class ChoiceColumn:  # bare identifier: a column of the choice list (choice_filter)
    name: str


@dataclass(frozen=True, slots=True)
class Negate:
    operand: Any


@dataclass(frozen=True, slots=True)
class Operation:
    """``operands[0] ops[0] operands[1] ops[1] ...``: operators of one precedence
    level, applied left to right (kept flat so long chains need no recursion)."""
    ops: tuple
    operands: tuple


@dataclass(frozen=True, slots=True)
class Call:
    name: str
    args: tuple


@dataclass(frozen=True)
class Expression:
    text: str
    tree: Any
    references: frozenset  # names used as ${name}
    columns: frozenset     # bare identifiers (choice filter columns)
    uses_current: bool     # '.' appears


# --- tokenizer ---------------------------------------------------------------

class _Token(NamedTuple):
    kind: str  # num str ref name op end
    text: str
    pos: int


_TOKEN = re.compile(r"""
    (?P<ws>[ \t\r\n]+)
  | (?P<num>[0-9]+(?:\.[0-9]*)?|\.[0-9]+)
  | (?P<str>'[^']*'|"[^"]*")
  | (?P<ref>\$\{[A-Za-z_][A-Za-z0-9_]*\})
  | (?P<name>[A-Za-z_][A-Za-z0-9_]*(?:-[A-Za-z0-9_]+)*)
  | (?P<op>!=|<=|>=|[=<>+\-*(),.])
""", re.VERBOSE)
_NAME = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")


def _tokenize(text: str) -> list[_Token]:
    tokens, pos = [], 0
    while pos < len(text):
        m = _TOKEN.match(text, pos)
        if m is None:
            ch = text[pos]
            if ch in "'\"":
                raise ExpressionError("unterminated string", pos, text)
            if text.startswith("${", pos):
                name = _NAME.match(text, pos + 2)
                if name is None:
                    raise ExpressionError("expected a name after '${'", pos + 2, text)
                raise ExpressionError("expected '}'", name.end(), text)
            if ch == "$":
                raise ExpressionError("expected '{' after '$'", pos + 1, text)
            raise ExpressionError(f"unexpected character {ch!r}", pos, text)
        if m.lastgroup != "ws":
            tokens.append(_Token(m.lastgroup, m.group(), pos))
        pos = m.end()
    tokens.append(_Token("end", "", len(text)))
    return tokens


# --- parser ------------------------------------------------------------------

_LEVELS = {"or": 0, "and": 1, "=": 2, "!=": 2, "<": 3, "<=": 3, ">": 3, ">=": 3,
           "+": 4, "-": 4, "*": 5, "div": 5, "mod": 5}
_KEYWORDS = {"or", "and", "div", "mod"}
# name -> (fewest, most) arguments; None = no upper limit. Implementations: _CALLS.
_ARITY = {
    "not": (1, 1), "selected": (2, 2), "count-selected": (1, 1),
    "string-length": (1, 1), "regex": (2, 2), "if": (3, 3), "today": (0, 0),
    "number": (1, 1), "int": (1, 1), "round": (1, 2), "string": (1, 1),
    "concat": (1, None), "coalesce": (2, 2), "true": (0, 0), "false": (0, 0),
    "boolean": (1, 1), "contains": (2, 2), "starts-with": (2, 2),
}


def _describe(tok: _Token) -> str:
    if tok.kind == "end":
        return "end of expression"
    return repr(tok.text if len(tok.text) <= 20 else tok.text[:17] + "...")


class _Parser:
    def __init__(self, text: str):
        self.text = text
        self.tokens = _tokenize(text)
        self.i = 0
        self.depth = 0
        self.references: set[str] = set()
        self.columns: set[str] = set()
        self.uses_current = False

    def peek(self) -> _Token:
        return self.tokens[self.i]

    def advance(self) -> _Token:
        tok = self.tokens[self.i]
        self.i += 1
        return tok

    def fail(self, message: str, tok: _Token):
        raise ExpressionError(message, tok.pos, self.text)

    def expect(self, text: str) -> None:
        tok = self.advance()
        if tok.kind != "op" or tok.text != text:
            self.fail(f"expected '{text}' but found {_describe(tok)}", tok)

    def level(self, tok: _Token) -> int | None:
        if tok.kind == "op" or (tok.kind == "name" and tok.text in _KEYWORDS):
            return _LEVELS.get(tok.text)
        return None

    def checked(self, node, height: int, tok: _Token):
        if height > MAX_DEPTH:
            self.fail("expression is nested too deeply", tok)
        return node, height

    # Each method returns (node, height of its tree); heights are capped so
    # that evaluating a tree can never exhaust the Python stack.
    def expression(self, min_level: int = 0):
        self.depth += 1
        if self.depth > MAX_DEPTH:
            self.fail("expression is nested too deeply", self.peek())
        node, height = self.unary()
        operands, ops, chain_level = [node], [], None
        while (level := self.level(self.peek())) is not None and level >= min_level:
            tok = self.advance()
            right, right_height = self.expression(level + 1)
            if level != chain_level and ops:  # a lower level: close the chain so far
                node, height = self.checked(Operation(tuple(ops), tuple(operands)), height + 1, tok)
                operands, ops = [node], []
            chain_level = level
            ops.append(tok.text)
            operands.append(right)
            height = max(height, right_height)
        self.depth -= 1
        if ops:
            return self.checked(Operation(tuple(ops), tuple(operands)), height + 1, tok)
        return node, height

    def unary(self):
        minus, first = 0, self.peek()
        while (tok := self.peek()).kind == "op" and tok.text == "-":
            self.advance()
            minus += 1
        node, height = self.primary()
        if minus % 2:
            return self.checked(Negate(node), height + 1, first)
        if minus:  # - - x is number(x)
            return self.checked(Call("number", (node,)), height + 1, first)
        return node, height

    def primary(self):
        tok = self.advance()
        if tok.kind == "num":
            if "." in tok.text or len(tok.text) > 300:
                return Literal(float(tok.text)), 1
            return Literal(int(tok.text)), 1
        if tok.kind == "str":
            return Literal(tok.text[1:-1]), 1
        if tok.kind == "ref":
            self.references.add(tok.text[2:-1])
            return Ref(tok.text[2:-1]), 1
        if tok.kind == "op" and tok.text == ".":
            self.uses_current = True
            return Current(), 1
        if tok.kind == "op" and tok.text == "(":
            result = self.expression()
            self.expect(")")
            return result
        if tok.kind == "name" and tok.text not in _KEYWORDS:
            nxt = self.peek()
            if nxt.kind == "op" and nxt.text == "(":
                return self.call(tok)
            self.columns.add(tok.text)
            return ChoiceColumn(tok.text), 1
        self.fail(f"unexpected {_describe(tok)}", tok)

    def call(self, name: _Token):
        if name.text not in _ARITY:
            self.fail(f"unknown function '{name.text}'", name)
        self.advance()  # (
        args, height, starts = [], 0, []
        if not (self.peek().kind == "op" and self.peek().text == ")"):
            while True:
                starts.append(self.peek())
                arg, arg_height = self.expression()
                args.append(arg)
                height = max(height, arg_height)
                if not ((tok := self.peek()).kind == "op" and tok.text == ","):
                    break
                self.advance()
        self.expect(")")
        low, high = _ARITY[name.text]
        if len(args) < low or (high is not None and len(args) > high):
            wanted = (f"at least {low}" if high is None else str(low) if low == high
                      else f"{low} or {high}")
            noun = "argument" if wanted.endswith(" 1") or wanted == "1" else "arguments"
            self.fail(f"{name.text}() takes {wanted} {noun}, got {len(args)}", name)
        if name.text == "regex" and isinstance(args[1], Literal) and isinstance(args[1].value, str):
            problem = pattern_problem(args[1].value)
            if problem is not None:
                where = starts[1].pos + 1 + (problem[1] or 0)  # 1: the opening quote
                self.fail(f"the regex pattern {args[1].value!r:.60} {problem[0]}", _Token("str", "", min(where, len(self.text))))
        return self.checked(Call(name.text, tuple(args)), height + 1, name)


@lru_cache(maxsize=2048)
def _parse(text: str) -> Expression:
    parser = _Parser(text)
    tree, _ = parser.expression()
    if parser.peek().kind != "end":
        parser.fail(f"unexpected {_describe(parser.peek())}", parser.peek())
    return Expression(text, tree, frozenset(parser.references),
                      frozenset(parser.columns), parser.uses_current)


def naming_current(e: Expression, name: str) -> str:
    """The expression's text with '.' written as ``${name}`` (for use on another question)."""
    out, last = [], 0
    for tok in _tokenize(e.text):
        if tok.kind == "op" and tok.text == ".":
            out.append(e.text[last:tok.pos] + "${" + name + "}")
            last = tok.pos + 1
    return "".join(out) + e.text[last:]


def parse(text: str) -> Expression:
    """Parse ``text``; raise ExpressionError (with a position) if it is malformed."""
    if not isinstance(text, str):
        raise TypeError(f"expression text must be str, not {type(text).__name__}")
    return _parse(text)


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

_RE2_OPTIONS = re2.Options()
_RE2_OPTIONS.log_errors = False  # a bad pattern is reported by pattern_problem, not on stderr


@lru_cache(maxsize=256)
def _compile(pattern: str) -> Any:
    """The RE2 program of `pattern`, or None when RE2 cannot compile it."""
    try:
        return re2.compile(pattern, _RE2_OPTIONS)
    except Exception:  # re2.error, an unencodable pattern ...
        return None


def pattern_problem(pattern: str) -> tuple[str, int | None] | None:
    """(what is wrong, 0-based offset in the pattern or None) when RE2 cannot compile it."""
    if _compile(pattern) is not None:
        return None
    try:
        re.compile(pattern)  # Python's parser says where a malformed pattern goes wrong
    except re.error as exc:
        return f"does not compile: {exc.msg}", exc.pos
    except Exception:
        return "does not compile", None
    return ("uses what RE2 cannot run in linear time (a backreference such as \\1, lookahead (?= (?!, "
            "lookbehind (?<= (?<!, a possessive quantifier, or a repeat count above 1000)"), None


def _regex(value: Any, pattern: Any) -> bool:
    compiled = _compile(_to_string(pattern))
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
