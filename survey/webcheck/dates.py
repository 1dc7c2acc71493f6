"""Dates a website shows: ISO, numeric day/month/year, and day-month-year with English or
Indonesian month names (``30 Nopember 2026``, ``3 Agt 2026``), in text, ``<time datetime>``,
``Last-Modified`` headers and sitemap ``<lastmod>``.

Only plausible dates count (from 1995, not after the day of the check): a site's future event
or a copyright year says nothing about when it was last updated.
"""

from __future__ import annotations

import datetime as dt
import re
from email.utils import parsedate_to_datetime
from typing import Iterable

MONTHS = {
    # English and Indonesian names and their usual short forms (Indonesian: Mei, Agustus/Agt, Oktober, Desember, Nopember)
    "january": 1, "januari": 1, "jan": 1, "february": 2, "februari": 2, "pebruari": 2, "feb": 2, "peb": 2,
    "march": 3, "maret": 3, "mar": 3, "april": 4, "apr": 4, "may": 5, "mei": 5, "june": 6, "juni": 6, "jun": 6,
    "july": 7, "juli": 7, "jul": 7, "august": 8, "agustus": 8, "aug": 8, "agu": 8, "agt": 8, "agst": 8,
    "september": 9, "sept": 9, "sep": 9, "october": 10, "oktober": 10, "oct": 10, "okt": 10,
    "november": 11, "nopember": 11, "nov": 11, "nop": 11, "december": 12, "desember": 12, "dec": 12, "des": 12,
}
_MONTH = "|".join(sorted(MONTHS, key=len, reverse=True))
_ISO = re.compile(r"\b((?:19|20)\d\d)-(\d\d)-(\d\d)")
_NUMERIC = re.compile(r"\b(\d{1,2})[/.-](\d{1,2})[/.-]((?:19|20)\d\d)\b")             # day first, as Indonesia writes
_DAY_MONTH = re.compile(rf"\b(\d{{1,2}})\s+({_MONTH})\.?,?\s+((?:19|20)\d\d)\b", re.IGNORECASE)
_MONTH_DAY = re.compile(rf"\b({_MONTH})\.?\s+(\d{{1,2}}),?\s+((?:19|20)\d\d)\b", re.IGNORECASE)
EARLIEST = dt.date(1995, 1, 1)


def _date(year: str, month, day: str) -> dt.date | None:
    try:
        return dt.date(int(year), month if isinstance(month, int) else int(month), int(day))
    except ValueError:
        return None


def dates_in(text: str) -> Iterable[dt.date]:
    """Every date written in ``text`` (unchecked: see :func:`newest`)."""
    for y, m, d in _ISO.findall(text):
        yield _date(y, m, d)
    for d, m, y in _NUMERIC.findall(text):
        yield _date(y, m, d)
    for d, m, y in _DAY_MONTH.findall(text):
        yield _date(y, MONTHS[m.lower()], d)
    for m, d, y in _MONTH_DAY.findall(text):
        yield _date(y, MONTHS[m.lower()], d)


def http_date(value: str | None) -> dt.date | None:
    """The date of an HTTP date header (``Last-Modified``), or None."""
    if not value:
        return None
    try:
        return parsedate_to_datetime(value).date()
    except (TypeError, ValueError, IndexError, OverflowError):
        return None


def newest(dates: Iterable[dt.date | None], today: dt.date) -> dt.date | None:
    """The newest plausible date: from 1995 up to ``today``."""
    plausible = [d for d in dates if d is not None and EARLIEST <= d <= today]
    return max(plausible, default=None)
