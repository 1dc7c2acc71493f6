"""survey.locale: numbers written as each language writes them."""

import datetime as dt

import numpy as np
import pandas as pd
import pytest

from survey import locale as f


@pytest.mark.parametrize("value, lang, decimals, text", [
    (1234.5, "id", 1, "1.234,5"),
    (1234.5, "en", 1, "1,234.5"),
    (1234567, "id", 0, "1.234.567"),
    (-0.04, "en", 1, "0.0"),            # no negative zero
    (-1234.25, "id", 2, "-1.234,25"),
    (np.nan, "en", 1, "–"),
    (None, "id", 1, "–"),
    (pd.NA, "id", 1, "–"),
])
def test_number(value, lang, decimals, text):
    assert f.number(value, lang, decimals) == text


def test_percent_interval_money_and_p_values():
    assert f.percent(45.23, "id") == "45,2%" and f.percent(45.23, "en") == "45.2%"
    assert f.interval(41.234, 49.0, "percent", "id") == "41,2–49,0%"
    assert f.interval(41.234, 49.0, "percent", "en") == "41.2–49.0%"
    assert f.interval(1200, 1900, "idr", "id") == "Rp1.200–Rp1.900"
    assert f.interval(np.nan, 3, "number", "en") == "–"
    assert f.idr(1234500, "id") == "Rp1.234.500" and f.idr(1234500, "en") == "IDR 1,234,500"
    assert f.pvalue(0.0004, "id") == "p < 0,001" and f.pvalue(0.0341, "en") == "p = 0.034"
    assert f.value(2.5, "points", "id") == "2,5" and f.value(0.1234, "ratio", "en") == "0.12"
    assert f.value(12, "count", "en") == "12" and f.value("a'b", "text", "en") == "a'b"
    with pytest.raises(ValueError, match="unknown kind"):
        f.value(1, "money", "en")


def test_times_and_dates_in_wib():
    moment = pd.Timestamp("2024-07-01T07:05:00Z")
    assert f.wib_time(moment, "id") == "14.05 WIB" and f.wib_time(moment, "en") == "14:05 WIB"
    assert f.wib_time(pd.Timestamp("2024-07-01 07:05"), "en") == "14:05 WIB"     # naive = UTC, as stored
    assert f.date(dt.date(2024, 7, 1), "id") == "1 Juli 2024"
    assert f.date(pd.Timestamp("2024-06-30T20:00:00Z"), "en") == "1 July 2024"   # already July 1 in WIB


def test_wib_stamps_are_utc_moments_in_western_indonesian_time():
    moments = [pd.Timestamp("2026-12-01 23:40", tz="UTC"), None, pd.Timestamp("2026-12-01 10:05")]
    assert list(f.wib_stamps(moments, "en")) == ["2 Dec 2026 06:40 WIB", f.MISSING, "1 Dec 2026 17:05 WIB"]
    assert list(f.wib_stamps(moments, "id")) == ["2 Des 2026 06.40 WIB", f.MISSING, "1 Des 2026 17.05 WIB"]
    assert list(f.wib_stamps(moments[:1], "en", seconds=True)) == ["2 Dec 2026 06:40:00 WIB"]
    assert list(f.wib_stamps([], "en")) == []
    zoned = pd.Series(pd.to_datetime(moments, utc=True))   # a column of moments, as the review queue holds
    assert isinstance(zoned.dtype, pd.DatetimeTZDtype)
    assert list(f.wib_stamps(zoned, "en")) == ["2 Dec 2026 06:40 WIB", f.MISSING, "1 Dec 2026 17:05 WIB"]
    assert list(f.wib_stamps(zoned.dt.tz_convert(f.WIB), "id", seconds=True))[0] == "2 Des 2026 06.40.00 WIB"


def test_a_moment_reads_the_same_way_in_either_order_of_day_and_month():
    """7 Dec, never "07-12" (7 December or 12 July?); the zone always said."""
    moment = pd.Timestamp("2026-12-06T20:58:00Z")              # already 7 December in WIB
    assert f.wib_datetime(moment, "id") == "7 Des 2026 03.58 WIB"
    assert f.wib_datetime(moment, "en") == "7 Dec 2026 03:58 WIB"
    assert f.wib_datetime(dt.datetime(2026, 8, 17, 3, 0, tzinfo=f.WIB), "id") == "17 Agu 2026 03.00 WIB"
    assert f.wib_datetime("2026-12-06T20:58:00Z", "en") == "7 Dec 2026 03:58 WIB"   # the audit log's text
    assert f.wib_datetime(None, "en") == f.MISSING
    assert f.short_date(moment, "id") == "7 Des 2026" and f.short_date(dt.date(2026, 5, 1), "en") == "1 May 2026"
    assert f.short_date(dt.date(2026, 5, 1), "id") == "1 Mei 2026"
