"""One table of question types: how each is stored, coerced and described.

Everything type-specific is looked up here (as pyxform's question_type_dictionary
does) rather than spread over `if` chains: the validator's coercion, the Arrow
type of the Parquet column, the SPSS measurement level of exports, and the entry
widget (the UI keeps its own widget table keyed by the same names).

Coercion accepts exactly what can be stored and read back unchanged: numpy and
Decimal numbers become Python ones, integers fit int64, decimals are finite, text
can be written as UTF-8 (no unpaired surrogates).
"""

from __future__ import annotations

import datetime as dt
import decimal
import math
import numbers
import re
from dataclasses import dataclass
from typing import Any, Callable

import numpy as np
import pyarrow as pa


class CoercionError(ValueError):
    """An answer that cannot be read as its question's type."""


class OutOfRange(CoercionError):
    """A number that is a number, but too large to be stored (beyond int64, or not finite)."""


INT64_MIN, INT64_MAX = -(2**63), 2**63 - 1


def has_surrogate(text: str) -> bool:
    """True when `text` holds an unpaired surrogate (it cannot be written as UTF-8)."""
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        return True
    return False


def _plain_text(value: str) -> str:
    if has_surrogate(value):
        raise CoercionError("an unpaired surrogate")
    return str(value)  # a str subclass (numpy.str_) as a plain str


def _is_number(value: Any) -> bool:
    return isinstance(value, (numbers.Real, decimal.Decimal)) and not isinstance(value, (bool, np.bool_))


def _to_text(value: Any) -> str:
    if isinstance(value, str):
        return _plain_text(value)
    if _is_number(value):  # a number typed into a text question; numpy scalars included
        if isinstance(value, numbers.Integral):
            return str(int(value))
        if isinstance(value, decimal.Decimal):
            if not value.is_finite():
                raise CoercionError("not text")
            return str(value)
        number = float(value)
        if not math.isfinite(number):
            raise CoercionError("not text")
        return repr(number)
    raise CoercionError("not text")


def _to_integer(value: Any) -> int:
    if isinstance(value, (bool, np.bool_)):
        raise CoercionError("not a whole number")
    if isinstance(value, numbers.Integral):
        number = int(value)
    elif isinstance(value, (numbers.Real, decimal.Decimal)):
        try:
            if not math.isfinite(value):
                raise CoercionError("not a whole number")
            if value != int(value):
                raise CoercionError("not a whole number")
            number = int(value)
        except (OverflowError, ValueError, ArithmeticError):
            raise CoercionError("not a whole number") from None
    elif isinstance(value, str) and re.fullmatch(r"\s*[+-]?[0-9]{1,18}\s*", value):
        number = int(value)
    else:
        raise CoercionError("not a whole number")
    if not INT64_MIN <= number <= INT64_MAX:
        raise OutOfRange("beyond int64")
    return number


_DECIMAL = re.compile(r"\s*[+-]?(?:[0-9]+(?:[.,][0-9]*)?|[.,][0-9]+)\s*")  # ASCII digits only


def _to_decimal(value: Any) -> float:
    if isinstance(value, (bool, np.bool_)):
        raise CoercionError("not a number")
    try:
        if _is_number(value):
            number = float(value)
        elif isinstance(value, str) and _DECIMAL.fullmatch(value):
            number = float(value.strip().replace(",", "."))
        else:
            raise CoercionError("not a number")
    except (OverflowError, ArithmeticError):
        raise OutOfRange("too large") from None
    except ValueError:  # a signalling NaN
        raise CoercionError("not a number") from None
    if math.isnan(number):
        raise CoercionError("not a number")
    if not math.isfinite(number):
        raise OutOfRange("not a finite number")
    return number


def _to_choice(value: Any) -> str:
    if isinstance(value, str):
        return _plain_text(value)
    if isinstance(value, numbers.Integral) and not isinstance(value, (bool, np.bool_)):
        return str(int(value))
    raise CoercionError("not a choice name")


def _to_choices(value: Any) -> list[str]:
    if isinstance(value, str):  # ODK's space-separated form
        return _plain_text(value).split()
    if isinstance(value, (list, tuple)):
        return [_to_choice(v) for v in value]
    raise CoercionError("not a list of choice names")


_ISO_DATE = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}")


def _to_date(value: Any) -> dt.date:
    if isinstance(value, dt.datetime):
        try:
            return dt.date(value.year, value.month, value.day)  # a pandas Timestamp too
        except (TypeError, ValueError):  # NaT
            raise CoercionError("not a date (YYYY-MM-DD)") from None
    if isinstance(value, dt.date):
        return dt.date(value.year, value.month, value.day)
    if isinstance(value, str) and _ISO_DATE.fullmatch(value.strip()):
        try:
            return dt.date.fromisoformat(value.strip())
        except ValueError:  # e.g. 2026-02-30
            raise CoercionError("not a date (YYYY-MM-DD)") from None
    raise CoercionError("not a date (YYYY-MM-DD)")


_GEOPOINT = re.compile(
    r"\s*(-?[0-9]{1,2}(?:\.[0-9]+)?)\s+(-?[0-9]{1,3}(?:\.[0-9]+)?)(?:\s+-?[0-9]+(?:\.[0-9]+)?){0,2}\s*", re.ASCII
)


def _to_geopoint(value: Any) -> str:
    if isinstance(value, (list, tuple)) and 2 <= len(value) <= 4 and all(_is_number(v) or isinstance(v, str) for v in value):
        value = " ".join(_plain_number(v) if _is_number(v) else v for v in value)
    match = _GEOPOINT.fullmatch(value) if isinstance(value, str) else None
    if not match or abs(float(match[1])) > 90 or abs(float(match[2])) > 180:
        raise CoercionError("not a location 'latitude longitude'")
    return " ".join(str(value).split())


def _plain_number(value: Any) -> str:
    """A number without an exponent (1e-05 -> 0.00001), as a coordinate is written."""
    try:
        return format(decimal.Decimal(repr(float(value))), "f")
    except (ValueError, OverflowError, decimal.InvalidOperation):
        return str(value)


@dataclass(frozen=True)
class QuestionType:
    name: str
    arrow_type: pa.DataType | None  # None: not stored (notes, repeats get their own table)
    coerce: Callable[[Any], Any] | None
    spss_measure: str | None  # nominal | ordinal | scale
    stores_answer: bool = True
    # Stata storage type as pyreadstat writes it: long (int32; double for values beyond its range),
    # double, str (str#, strL past 2045 bytes); select_one is its numeric code, select_multiple one
    # 0/1 column per choice, date a %td double.
    stata_type: str | None = None
    xlsform_type: str | None = None  # the XLSForm `type` column (select types add the list name)


QUESTION_TYPES: dict[str, QuestionType] = {
    t.name: t
    for t in [
        QuestionType("text", pa.string(), _to_text, "nominal", stata_type="str", xlsform_type="text"),
        QuestionType("integer", pa.int64(), _to_integer, "scale", stata_type="long", xlsform_type="integer"),
        QuestionType("decimal", pa.float64(), _to_decimal, "scale", stata_type="double", xlsform_type="decimal"),
        QuestionType("select_one", pa.string(), _to_choice, "nominal", stata_type="long", xlsform_type="select_one"),
        QuestionType("select_multiple", pa.list_(pa.string()), _to_choices, "nominal", stata_type="long", xlsform_type="select_multiple"),
        QuestionType("date", pa.date32(), _to_date, "scale", stata_type="double", xlsform_type="date"),
        QuestionType("geopoint", pa.string(), _to_geopoint, "nominal", stata_type="str", xlsform_type="geopoint"),
        QuestionType("calculate", pa.string(), _to_text, "nominal", stata_type="str", xlsform_type="calculate"),
        QuestionType("note", None, None, None, stores_answer=False, xlsform_type="note"),
        QuestionType("repeat", None, None, None, stores_answer=False, xlsform_type="begin_repeat"),
    ]
}
