"""Languages and locale: the one shape of bilingual text, the helper that picks a language,
and numbers, percentages, intervals, money and times written for the chosen language.

Bilingual text is ``{lang: text}`` everywhere: questionnaire labels, problem messages,
interface texts, indicator and stage labels (as pyxform keeps every translated column
in one structure), so a page or an export never guesses how a text is stored.
Each layer keeps its own catalogue of texts, plain data ``{key: {lang: text}}``
(``survey.questionnaire.problems``, ``analysis.messages``, ``ui.i18n`` ...); :func:`text`
reads any of them in one language and :func:`texts` in all (for tables and messages that
keep both): pick the language (English when a text lacks it), fill the ``{placeholders}``.
tests/survey/test_locale.py checks every catalogue has both languages and the same
placeholders in each.

Formats, one helper for tables, charts' labels, pages and files:

* Bahasa Indonesia (``id``): thousands with ``.``, decimals with ``,``: ``1.234,5``,
  ``45,2%``, ``Rp1.234.500``, ``14.05 WIB``, ``1 Juli 2024`` (PUEBI, as BPS publishes).
* English (``en``): ``1,234.5``, ``45.2%``, ``IDR 1,234,500``, ``14:05 WIB``, ``1 July 2024``.

A moment a person reads is written with its date, the month as a word and the zone:
``7 Des 2026 03.58 WIB`` (id), ``7 Dec 2026 03:58 WIB`` (en), never ``07-12 03:58`` (7 December
or 12 July?); a day alone is ``7 Des 2026``.  UTC appears only in files made for machines,
and is labelled there.

Rupiah is written one way, by :func:`idr` (its symbol, :data:`CURRENCY`, also makes the
spreadsheet and chart formats).  Whether a number is money is the questionnaire's
``appearance: rupiah`` (``Question.money``), never guessed from a label.

Percent values are percentages (0-100), as every SummaryTable holds them; "points"
are percentage points (a percentage's SE or margin of error) and carry no ``%``.
Intervals are ranges with an en dash and the unit once: ``41,2–49,0%``.  A missing
or undefined value (None, NaN, an infinity) is written as an en dash.  The study's
time zone is WIB (UTC+7, Asia/Jakarta), defined here once.

pandas is imported only by the functions that need it, so that loading a questionnaire
(which reads :data:`LANGUAGES` and :func:`pick`) stays light.
"""

from __future__ import annotations

import math
from typing import TYPE_CHECKING, Any, Mapping
from zoneinfo import ZoneInfo

if TYPE_CHECKING:
    import numpy as np

LANGUAGES = ("id", "en")  # Bahasa Indonesia first: the study's language
DEFAULT_LANGUAGE = "en"
LANGUAGE_NAMES = {"en": "English", "id": "Bahasa Indonesia"}  # as the language switch offers them

Texts = Mapping[str, str]
Catalogue = Mapping[str, Texts]


def pick(texts: Texts | None, lang: str) -> str:
    """The text in `lang`; else English, else any language given; "" for None."""
    if not texts:
        return ""
    return texts.get(lang) or texts.get(DEFAULT_LANGUAGE) or next(iter(texts.values()), "")


def is_texts(value: Any) -> bool:
    """True for a bilingual text ``{lang: text}`` (a mapping keyed by languages only)."""
    if value is None or isinstance(value, (str, int, float)):   # most values: no ABC check (10,000 flags' texts)
        return False
    return isinstance(value, Mapping) and bool(value) and all(key in LANGUAGES for key in value)


def text(catalogue: Catalogue, key: str, lang: str, **values: Any) -> str:
    """The catalogue's text `key` in `lang` (English when it lacks `lang`), its placeholders
    filled with `values`; a value that is itself ``{lang: text}`` gives its text in `lang`."""
    return pick(catalogue[key], lang).format(**{name: pick(v, lang) if is_texts(v) else v
                                                 for name, v in values.items()})


def texts(catalogue: Catalogue, key: str, **values: Any) -> dict[str, str]:
    """:func:`text` in every language: ``{lang: text}``, for what keeps both (tables, messages)."""
    return {lang: text(catalogue, key, lang, **values) for lang in LANGUAGES}


KINDS = ("percent", "points", "count", "integer", "number", "ratio", "idr", "pvalue", "text")
DECIMALS = {"percent": 1, "points": 1, "count": 0, "integer": 0, "number": 1, "ratio": 2, "idr": 0}
MISSING = "–"
WIB = ZoneInfo("Asia/Jakarta")  # the study's time zone (Surakarta): Western Indonesian Time, UTC+7
SEPARATORS = {"id": (".", ","), "en": (",", ".")}  # (thousands, decimal): 1.234,5 and 1,234.5
CURRENCY = {"id": "Rp", "en": "IDR "}  # written before the amount: Rp1.234.500, IDR 1,234,500
_MONTHS = {
    "id": ("Januari", "Februari", "Maret", "April", "Mei", "Juni", "Juli", "Agustus", "September",
           "Oktober", "November", "Desember"),
    "en": ("January", "February", "March", "April", "May", "June", "July", "August", "September",
           "October", "November", "December"),
}
_SHORT_MONTHS = {
    "id": ("Jan", "Feb", "Mar", "Apr", "Mei", "Jun", "Jul", "Agu", "Sep", "Okt", "Nov", "Des"),
    "en": ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"),
}


def _missing(value: Any) -> bool:
    """None, NA, NaN, and infinities too (R's design effect of unit weights is Inf: undefined)."""
    import pandas as pd

    if value is None or value is pd.NA or value is pd.NaT:
        return True
    try:
        return not math.isfinite(value)
    except TypeError:
        return False


def number(value: Any, lang: str, decimals: int = 1) -> str:
    """``1.234,5`` (id) or ``1,234.5`` (en); an en dash when missing."""
    if _missing(value):
        return MISSING
    written = f"{float(value):,.{decimals}f}"
    if written.startswith("-") and float(written.replace(",", "")) == 0:
        written = written[1:]      # no "-0,0"
    thousands, decimal = SEPARATORS.get(lang, SEPARATORS[DEFAULT_LANGUAGE])
    return written.translate({ord(","): thousands, ord("."): decimal})


def percent(value: Any, lang: str, decimals: int = 1) -> str:
    """A percentage (0-100): ``45,2%`` (id) or ``45.2%`` (en)."""
    return MISSING if _missing(value) else f"{number(value, lang, decimals)}%"


def currency(lang: str) -> str:
    """The rupiah symbol written before an amount: ``Rp`` (id) or ``IDR `` (en)."""
    return CURRENCY.get(lang, CURRENCY[DEFAULT_LANGUAGE])


def idr(value: Any, lang: str, decimals: int = 0) -> str:
    """Rupiah: ``Rp1.234.500`` (id) or ``IDR 1,234,500`` (en), the one way an amount is written."""
    if _missing(value):
        return MISSING
    return currency(lang) + number(value, lang, decimals)


def number_locale(lang: str) -> dict[str, Any]:
    """The d3-format number locale of the charts (Vega-Lite, Altair), written as :func:`number`
    and :func:`idr` write: separators and the rupiah symbol."""
    thousands, decimal = SEPARATORS.get(lang, SEPARATORS[DEFAULT_LANGUAGE])
    return {"decimal": decimal, "thousands": thousands, "grouping": [3], "currency": [currency(lang), ""]}


def pvalue(value: Any, lang: str) -> str:
    """``p < 0,001`` or ``p = 0,034`` (three decimals, as journals write it)."""
    if _missing(value):
        return MISSING
    if value < 0.001:
        return f"p < {number(0.001, lang, 3)}"
    return f"p = {number(value, lang, 3)}"


def value(x: Any, kind: str, lang: str, decimals: int | None = None) -> str:
    """``x`` written as its kind (see KINDS); ``decimals`` overrides the kind's default."""
    if kind == "text":
        return MISSING if _missing(x) else str(x)
    if kind == "pvalue":
        return pvalue(x, lang)
    if kind not in DECIMALS:
        raise ValueError(f"unknown kind {kind!r}; one of {KINDS}")
    places = DECIMALS[kind] if decimals is None else decimals
    if kind == "percent":
        return percent(x, lang, places)
    if kind == "idr":
        return idr(x, lang, places)
    return number(x, lang, places)


def interval(low: Any, high: Any, kind: str, lang: str, decimals: int | None = None) -> str:
    """A confidence interval as a range, the unit once: ``41,2–49,0%``, ``Rp1.200–Rp1.900``."""
    if _missing(low) or _missing(high):
        return MISSING
    if kind == "percent":
        places = DECIMALS["percent"] if decimals is None else decimals
        return f"{number(low, lang, places)}–{number(high, lang, places)}%"
    return f"{value(low, kind, lang, decimals)}–{value(high, kind, lang, decimals)}"


def _clock(lang: str) -> str:
    return "%H.%M" if lang == "id" else "%H:%M"


def _in_wib(moment: Any):
    """A moment as a WIB timestamp; one without a time zone is taken as UTC, as the store keeps times."""
    import pandas as pd

    stamp = pd.Timestamp(moment)
    return (stamp if stamp.tzinfo is not None else stamp.tz_localize("UTC")).tz_convert(WIB)


def wib_time(moment: Any, lang: str) -> str:
    """The clock time in Western Indonesian Time: ``14.05 WIB`` (id) or ``14:05 WIB`` (en).

    A timestamp without a time zone is taken as UTC, as the store keeps times."""
    if _missing(moment):
        return MISSING
    return f"{_in_wib(moment).strftime(_clock(lang))} WIB"


def short_date(day: Any, lang: str) -> str:
    """A day that cannot be misread: ``7 Des 2026`` (id) or ``7 Dec 2026`` (en); a timestamp
    with a time zone is read in WIB."""
    import pandas as pd

    if _missing(day):
        return MISSING
    stamp = pd.Timestamp(day)
    if stamp.tzinfo is not None:
        stamp = stamp.tz_convert(WIB)
    return f"{stamp.day} {_SHORT_MONTHS.get(lang, _SHORT_MONTHS['en'])[stamp.month - 1]} {stamp.year}"


def short_months(lang: str) -> tuple[str, ...]:
    """The months' short names (Jan ... Des / Dec), as :func:`short_date` writes them."""
    return _SHORT_MONTHS.get(lang, _SHORT_MONTHS["en"])


def wib_datetime(moment: Any, lang: str, seconds: bool = False) -> str:
    """A moment as a person reads it: ``7 Des 2026 03.58 WIB`` (id), ``7 Dec 2026 03:58 WIB`` (en).

    A timestamp without a time zone is taken as UTC, as the store keeps times."""
    if _missing(moment):
        return MISSING
    return wib_stamps([moment], lang, seconds)[0]


def wib_stamps(moments: Any, lang: str, seconds: bool = False) -> np.ndarray:
    """A column of moments written as :func:`wib_datetime` writes one, all at once (a queue of
    interviews holds thousands); naive ones are UTC; missing ones are :data:`MISSING`."""
    import pandas as pd

    if isinstance(moments, pd.Series) and isinstance(moments.dtype, pd.DatetimeTZDtype):
        wib = moments.dt.tz_convert(WIB)   # already moments: not a Timestamp object per row, parsed back
    else:
        wib = pd.to_datetime(pd.Series(moments, dtype=object), utc=True, format="mixed").dt.tz_convert(WIB)
    months = pd.Series(_SHORT_MONTHS.get(lang, _SHORT_MONTHS["en"]), index=range(1, 13))
    clock = _clock(lang) + ((".%S" if lang == "id" else ":%S") if seconds else "")
    day, month, year = (part.astype("Int64") for part in (wib.dt.day, wib.dt.month, wib.dt.year))
    written = (day.astype("string") + " " + month.map(months).astype("string") + " "
               + year.astype("string") + " " + wib.dt.strftime(clock).astype("string") + " WIB")
    return written.astype(object).where(wib.notna(), MISSING).to_numpy(dtype=object)


def date(day: Any, lang: str) -> str:
    """``1 Juli 2024`` (id) or ``1 July 2024`` (en); a timestamp is read in WIB."""
    import pandas as pd

    if _missing(day):
        return MISSING
    stamp = pd.Timestamp(day)
    if stamp.tzinfo is not None:
        stamp = stamp.tz_convert(WIB)
    return f"{stamp.day} {_MONTHS.get(lang, _MONTHS['en'])[stamp.month - 1]} {stamp.year}"
