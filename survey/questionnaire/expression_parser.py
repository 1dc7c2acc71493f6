"""Parsing the XLSForm expression subset: tokens, a syntax tree of frozen dataclasses, and
the RE2 check of regex patterns (how expressions are evaluated, and the type rules they
follow, are in :mod:`survey.questionnaire.expressions`).

Nothing is ever passed to ``eval``. Input text is tokenized, then parsed by precedence
climbing into a small tree of frozen dataclasses. Nesting is capped (``MAX_DEPTH``), so
neither parse nor evaluate can hit Python's recursion limit.
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache
from typing import Any, NamedTuple

import re2

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


_RE2_OPTIONS = re2.Options()
_RE2_OPTIONS.log_errors = False  # a bad pattern is reported by pattern_problem, not on stderr


@lru_cache(maxsize=256)
def compile_pattern(pattern: str) -> Any:
    """The RE2 program of `pattern`, or None when RE2 cannot compile it."""
    try:
        return re2.compile(pattern, _RE2_OPTIONS)
    except Exception:  # re2.error, an unencodable pattern ...
        return None


def pattern_problem(pattern: str) -> tuple[str, int | None] | None:
    """(what is wrong, 0-based offset in the pattern or None) when RE2 cannot compile it."""
    if compile_pattern(pattern) is not None:
        return None
    try:
        re.compile(pattern)  # Python's parser says where a malformed pattern goes wrong
    except re.error as exc:
        return f"does not compile: {exc.msg}", exc.pos
    except Exception:
        return "does not compile", None
    return ("uses what RE2 cannot run in linear time (a backreference such as \\1, lookahead (?= (?!, "
            "lookbehind (?<= (?<!, a possessive quantifier, or a repeat count above 1000)"), None
