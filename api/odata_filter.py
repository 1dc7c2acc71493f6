"""OData v4 ``$filter`` and ``$orderby`` on Arrow rows: the small part of the grammar Excel, Power BI
and common clients send for a flat table.

    $filter   comparisons ``column op literal`` (or ``literal op column``), op one of eq ne gt ge lt le,
              joined by ``and`` / ``or`` (and binds tighter) and grouped with parentheses; literals are
              'text' (a quote doubled inside), numbers, true/false, null, dates 2026-01-31 and times
              2026-01-31T08:00:00Z or with an offset (+07:00; a '+' left unescaped in a URL reads as a space)
    $orderby  ``column [asc|desc]``, comma separated

Anything else (functions, arithmetic, ``not``, lambda operators) is FilterError, which the feed answers
with a 400 OData error. Comparisons follow OData's null rules: ``x eq null`` is true for a missing value,
any other comparison with a missing value is false.
"""

from __future__ import annotations

import datetime as dt
import re

import pyarrow as pa
import pyarrow.compute as pc

OPERATORS = {"eq": pc.equal, "ne": pc.not_equal, "gt": pc.greater, "ge": pc.greater_equal,
             "lt": pc.less, "le": pc.less_equal}
_FLIPPED = {"eq": "eq", "ne": "ne", "gt": "lt", "ge": "le", "lt": "gt", "le": "ge"}
_TOKEN = re.compile(r"""
    (?P<space>\s+)
  | (?P<string>'(?:[^']|'')*')
  | (?P<time>\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(?::\d{2}(?:\.\d{1,9})?)?(?:Z|[+\x20-]\d{2}:\d{2}))
  | (?P<date>\d{4}-\d{2}-\d{2})
  | (?P<number>-?\d+(?:\.\d+)?(?:[eE][+-]?\d+)?)
  | (?P<name>[A-Za-z_][A-Za-z0-9_]*)
  | (?P<paren>[()])
  | (?P<comma>,)
""", re.VERBOSE)


class FilterError(ValueError):
    """A $filter or $orderby this feed does not take; the message says what (in English, OData's)."""


class _Literal:
    def __init__(self, value, kind: str):
        self.value, self.kind = value, kind


def _tokens(text: str) -> list[tuple[str, str]]:
    out, at = [], 0
    while at < len(text):
        found = _TOKEN.match(text, at)
        if not found:
            raise FilterError(f"unexpected text at position {at}: {text[at:at + 20]!r}")
        at = found.end()
        if found.lastgroup != "space":
            out.append((found.lastgroup, found.group()))
    return out


def _literal(kind: str, raw: str) -> _Literal:
    if kind == "string":
        return _Literal(raw[1:-1].replace("''", "'"), "string")
    if kind == "time":
        raw = raw[:-6] + "+" + raw[-5:] if raw[-6] == " " else raw
        try:
            return _Literal(dt.datetime.fromisoformat(raw.replace("Z", "+00:00")), "time")
        except ValueError:
            raise FilterError(f"not a valid DateTimeOffset: {raw}") from None
    if kind == "date":
        try:
            return _Literal(dt.date.fromisoformat(raw), "date")
        except ValueError:
            raise FilterError(f"not a valid Date: {raw}") from None
    return _Literal(float(raw) if any(c in raw for c in ".eE") else int(raw), "number")


class _Parser:
    """Recursive descent: or_expr := and_expr ('or' and_expr)*; and_expr := term ('and' term)*;
    term := '(' or_expr ')' | operand op operand. Produces nested tuples."""

    def __init__(self, text: str):
        self.tokens, self.at = _tokens(text), 0

    def peek(self) -> tuple[str, str] | None:
        return self.tokens[self.at] if self.at < len(self.tokens) else None

    def take(self) -> tuple[str, str]:
        token = self.peek()
        if token is None:
            raise FilterError("the expression ends too early")
        self.at += 1
        return token

    def parse(self):
        tree = self.or_expr()
        if self.peek() is not None:
            raise FilterError(f"unexpected {self.peek()[1]!r}")
        return tree

    def _joined(self, word: str, part):
        tree = part()
        while (token := self.peek()) and token == ("name", word):
            self.at += 1
            tree = (word, tree, part())
        return tree

    def or_expr(self):
        return self._joined("or", self.and_expr)

    def and_expr(self):
        return self._joined("and", self.term)

    def operand(self):
        kind, raw = self.take()
        if kind == "name":
            if raw in ("true", "false"):
                return _Literal(raw == "true", "bool")
            if raw == "null":
                return _Literal(None, "null")
            if self.peek() == ("paren", "("):
                raise FilterError(f"the function {raw}() is not supported; use eq ne gt ge lt le, and, or")
            if raw in OPERATORS or raw in ("and", "or", "not"):
                raise FilterError(f"{raw!r} is not supported here")
            return raw
        if kind == "paren":
            raise FilterError("unexpected '('")
        return _literal(kind, raw)

    def term(self):
        if self.peek() == ("paren", "("):
            self.at += 1
            tree = self.or_expr()
            if self.take() != ("paren", ")"):
                raise FilterError("a ')' is missing")
            return tree
        left = self.operand()
        kind, op = self.take()
        if kind != "name" or op not in OPERATORS:
            raise FilterError(f"expected one of {', '.join(OPERATORS)} but found {op!r}")
        right = self.operand()
        if isinstance(left, _Literal) and isinstance(right, str):
            left, right, op = right, left, _FLIPPED[op]
        if not isinstance(left, str) or not isinstance(right, _Literal):
            raise FilterError("a comparison needs a property on one side and a literal on the other")
        return (op, left, right)


def parse_filter(text: str):
    """The parsed $filter (pass it to `mask`); FilterError if it is not of the supported forms."""
    return _Parser(text).parse()


def filter_columns(tree) -> set[str]:
    if tree[0] in ("and", "or"):
        return filter_columns(tree[1]) | filter_columns(tree[2])
    return {tree[1]}


def _scalar(column: pa.ChunkedArray, literal: _Literal, name: str) -> pa.Scalar:
    t = column.type
    fits = ((literal.kind == "string" and (pa.types.is_string(t) or pa.types.is_large_string(t)))
            or (literal.kind == "time" and pa.types.is_timestamp(t))
            or (literal.kind == "date" and pa.types.is_date(t))
            or (literal.kind == "number" and (pa.types.is_integer(t) or pa.types.is_floating(t)))
            or (literal.kind == "bool" and pa.types.is_boolean(t)))
    if not fits:
        raise FilterError(f"{name} ({t}) cannot be compared with a {literal.kind} literal")
    if literal.kind == "time":
        value = literal.value if literal.value.tzinfo else literal.value.replace(tzinfo=dt.timezone.utc)
        return pa.scalar(value.astimezone(dt.timezone.utc), type=pa.timestamp("us", tz="UTC"))
    return pa.scalar(literal.value)


def mask(rows: pa.Table, tree) -> pa.ChunkedArray:
    """Booleans (no nulls) saying which rows pass; FilterError for an unknown column or a type mismatch."""
    if tree[0] in ("and", "or"):
        join = pc.and_ if tree[0] == "and" else pc.or_
        return join(mask(rows, tree[1]), mask(rows, tree[2]))
    op, name, literal = tree
    if name not in rows.schema.names:
        raise FilterError(f"there is no property {name!r}")
    column = rows.column(name)
    if literal.kind == "null":
        if op not in ("eq", "ne"):
            raise FilterError("null can only be compared with eq or ne")
        return pc.is_null(column) if op == "eq" else pc.is_valid(column)
    if pa.types.is_null(column.type):  # a column with no value at all: no comparison holds
        return pa.chunked_array([pa.array([False] * rows.num_rows)])
    return pc.fill_null(OPERATORS[op](column, _scalar(column, literal, name)), False)


def parse_orderby(text: str, names: list[str]) -> list[tuple[str, str]]:
    """[(column, "ascending"|"descending")] for pyarrow's sort_by."""
    keys = []
    for part in text.split(","):
        words = part.split()
        if not 1 <= len(words) <= 2 or (len(words) == 2 and words[1] not in ("asc", "desc")):
            raise FilterError(f"$orderby takes 'property [asc|desc]', not {part.strip()!r}")
        if words[0] not in names:
            raise FilterError(f"there is no property {words[0]!r}")
        keys.append((words[0], "descending" if words[1:] == ["desc"] else "ascending"))
    return keys
