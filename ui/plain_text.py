"""User-written text shown as text, never as Markdown.

Streamlit renders Markdown (with HTML-free GitHub extensions, LaTeX, `:color[...]`
directives) in st.markdown, st.caption, the alerts, st.table cells, expander, button
and widget labels and radio options. An answer, a member's name, a review comment or a
file name typed by anyone could otherwise show a link, load a remote image, set a
heading or emphasis on a supervisor's screen: `plain` puts a backslash before every
ASCII punctuation character, which CommonMark then shows as the character itself
(`[`, `]`, `(`, `!`, `#`, `*`, `_`, backtick, `~`, `|`, `>`, `<`, `$`, `:`, ...). What
arrives on the screen is the text as typed.

Escapes do not stop two things Streamlit finds in the text after parsing: bare web
and e-mail addresses (GitHub's autolinks: `http://`, `www.`, `name@host`), which it
turns into links, and `:shortcode:` emoji. An invisible WORD JOINER (U+2060) after
every `:` and `@` and between `www` and its `.` breaks those patterns; the text looks
the same.

Selectbox and multiselect options and st.dataframe cells are plain text already: they
take the value as it is (escaped, their backslashes would show).
"""

from __future__ import annotations

import re
from typing import Any

_PUNCTUATION = re.compile(r"([!-/:-@\[-`{-~])")   # every ASCII punctuation character
_LINE_BREAK = re.compile(r"\s*[\r\n]+\s*")
_AUTOLINK = re.compile(r"(?<=[:@])|(?i:(?<=www)(?=\.))")   # where an address or a shortcode would start
JOINER = "\u2060"


def _literal(text: str) -> str:
    return _PUNCTUATION.sub(r"\\\1", _AUTOLINK.sub(JOINER, text))


def plain(value: Any) -> str:
    """`value` as text that Markdown shows literally; line breaks stay line breaks."""
    text = "" if value is None else str(value)
    return "  \n".join(_literal(line) for line in _LINE_BREAK.split(text))


def plain_line(value: Any) -> str:
    """`value` as literal Markdown on one line: for titles, labels and table cells."""
    text = "" if value is None else str(value)
    return _literal(_LINE_BREAK.sub(" ", text))
