"""The one shape of bilingual text, ``{lang: text}``, and the one helper that picks a language.

Questionnaire labels, problem messages, interface texts, indicator and stage labels
all use this shape (as pyxform keeps every translated column in one structure), so
a page or an export never guesses how a text is stored.
"""

from __future__ import annotations

from typing import Mapping

LANGUAGES = ("id", "en")  # Bahasa Indonesia first: the study's language
DEFAULT_LANGUAGE = "en"

Texts = Mapping[str, str]


def pick(texts: Texts | None, lang: str) -> str:
    """The text in `lang`; else English, else any language given; "" for None."""
    if not texts:
        return ""
    return texts.get(lang) or texts.get(DEFAULT_LANGUAGE) or next(iter(texts.values()), "")
