"""Our expressions in ODK's syntax: what differs between survey.questionnaire.expressions and ODK.

The expression language is a subset of ODK XPath (docs/instruments.md): the same
``${name}`` references, ``.``, operators and functions, so an expression is copied
unchanged -- except for regular expressions. Our ``regex(x, p)`` is true when ``p``
matches the *whole* text, as in ODK Collect (JavaRosa: ``Pattern.matches``); Enketo
(web forms) only searches, so a pattern is anchored as ``^(?:p)$`` unless it already
is (``^...$`` with no top-level ``|``), which keeps the meaning in both and leaves the
usual anchored patterns as they are. Syntax that Java and JavaScript spell otherwise
is translated: a named group ``(?P<n>`` is ``(?<n>``, ``\\A`` is ``^``.
"""

from __future__ import annotations

import re

_TOKEN = re.compile(r"""'[^']*'|"[^"]*"|[A-Za-z_][A-Za-z0-9_]*(?:-[A-Za-z0-9_]+)*|\$\{[^}]*\}|[(),]|\s+|.""")


def _scan(pattern: str):
    """(index, character, escaped, in a class, group depth) for each character."""
    depth, in_class, i = 0, False, 0
    while i < len(pattern):
        ch = pattern[i]
        if ch == "\\" and i + 1 < len(pattern):
            yield i, pattern[i: i + 2], True, in_class, depth
            i += 2
            continue
        if in_class:
            if ch == "]":
                in_class = False
        elif ch == "[":
            # "[]...]" and "[^]...]": a ] right after the opening is a literal
            opening = "[^" if pattern[i + 1: i + 2] == "^" else "["
            if pattern[i + len(opening): i + len(opening) + 1] == "]":
                opening += "]"
            yield i, opening, False, False, depth
            i += len(opening)
            in_class = True
            continue
        elif ch == "(":
            depth += 1
        elif ch == ")":
            depth -= 1
        yield i, ch, False, in_class, depth
        i += 1


def _translate(pattern: str) -> str:
    out, i = [], 0
    for start, piece, escaped, in_class, _ in _scan(pattern):
        if start < i:
            continue
        if escaped and not in_class and piece == "\\A":
            out.append("^")
        elif not escaped and not in_class and pattern.startswith("(?P<", start):
            out.append("(?<")
            i = start + 4
            continue
        else:
            out.append(piece)
        i = start + len(piece)
    return "".join(out)


def is_anchored(pattern: str) -> bool:
    """True when searching for `pattern` can only match the whole text."""
    if not pattern.startswith("^") or not pattern.endswith("$"):
        return False
    pieces = list(_scan(pattern))
    last = pieces[-1]
    if last[2]:  # ends in an escaped \$
        return False
    return not any(p[1] == "|" and not p[2] and not p[3] and p[4] == 0 for p in pieces)


def odk_regex(pattern: str) -> str:
    """`pattern` for ODK Collect and Enketo alike (full-match meaning)."""
    translated = _translate(pattern)
    return translated if is_anchored(translated) else f"^(?:{translated})$"


def odk_expression(text: str) -> str:
    """`text` (an expression of ours) in ODK XPath: regex patterns rewritten, all else as is."""
    tokens = [(m.start(), m.group()) for m in _TOKEN.finditer(text)]
    significant = [t for t in tokens if not t[1].isspace()]
    replacements: dict[int, str] = {}
    for k, (_, tok) in enumerate(significant):
        if tok != "regex" or k + 1 >= len(significant) or significant[k + 1][1] != "(":
            continue
        depth, j = 0, k + 1
        while j < len(significant):
            if significant[j][1] == "(":
                depth += 1
            elif significant[j][1] == ")":
                depth -= 1
                if depth == 0:
                    break
            elif significant[j][1] == "," and depth == 1:
                break
            j += 1
        if j + 2 < len(significant) and significant[j][1] == ",":
            position, literal = significant[j + 1]
            if literal[:1] in "'\"" and len(literal) >= 2 and significant[j + 2][1] == ")":
                quote = literal[0]
                replacements[position] = quote + odk_regex(literal[1:-1]) + quote
    if not replacements:
        return text
    return "".join(replacements.get(start, tok) for start, tok in tokens)
