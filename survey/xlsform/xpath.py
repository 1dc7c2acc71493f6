"""ODK's XPath expressions in our expression language (survey.questionnaire.expressions).

Ours is the subset of ODK XPath that XLSForms use most: ``${name}``, ``.``, comparisons,
``and``/``or``/``not()``, arithmetic, ``selected``, ``count-selected``, ``string-length``,
``regex`` (a whole-text match in both), ``today()``, ``if``, ``concat`` ... with the same type
rules as JavaRosa, so a translated expression keeps its meaning and its text: only the
question names change (an ODK name such as ``HH-size`` becomes ``hh_size``). What has no
counterpart (paths such as ``../x`` or ``/data/x``, ``[predicates]``, ``jr:`` and other
functions we do not evaluate, ``${last-saved#x}``) raises Untranslatable with the reason."""

from __future__ import annotations

import re
from typing import Mapping

from survey.questionnaire.expressions import ExpressionError, parse

_TOKEN = re.compile(r"""
    (?P<str>'[^']*'|"[^"]*")
  | (?P<ref>\$\{[^}]*\})
  | (?P<path>\.\.|[/\[\]|@])
  | (?P<name>[A-Za-z_][A-Za-z0-9_.:-]*(?=\s*\())
  | (?P<other>.)
""", re.VERBOSE | re.DOTALL)


class Untranslatable(ValueError):
    """An ODK expression with no counterpart in ours; the message says what."""


def translate(text: str, names: Mapping[str, str], *, choice_columns: bool = False) -> str:
    """`text` with ODK names replaced by ours (`names`: ODK name -> ours), checked by our parser.
    Bare names are choice columns only in a choice filter (`choice_columns`); elsewhere they are
    XPath paths, which we do not follow."""
    out = []
    for m in _TOKEN.finditer(text):
        kind, token = m.lastgroup, m.group()
        if kind == "ref":
            name = token[2:-1].strip()
            if "#" in name:
                raise Untranslatable(f"'{token}' (another form's answer) is not supported")
            if name not in names:
                raise Untranslatable(f"'{token}' names no question of the form")
            token = "${" + names[name] + "}"
        elif kind == "path":
            raise Untranslatable(f"XPath paths ('{token}') are not supported; use ${{name}}")
        elif kind == "name" and ":" in token:
            raise Untranslatable(f"the function {token}() is not supported")
        out.append(token)
    ours = "".join(out).strip()
    try:
        expression = parse(ours)
    except ExpressionError as exc:
        raise Untranslatable(exc.message if "unknown function" not in exc.message
                             else f"{exc.message}: not supported") from None
    if expression.columns and not choice_columns:
        bare = ", ".join(sorted(expression.columns))
        raise Untranslatable(f"bare name(s) {bare} (XPath paths) are not supported; use ${{name}}")
    return ours
