"""One table of question types: how each is stored, coerced and described.

Everything type-specific is looked up here (as pyxform's question_type_dictionary
does) rather than spread over `if` chains: the validator's coercion, the Arrow
type of the Parquet column, the SPSS measurement level of exports, and the entry
widget (the UI keeps its own widget table keyed by the same names).
"""

from __future__ import annotations

import datetime as dt
import math
import re
from dataclasses import dataclass
from typing import Any, Callable

import pyarrow as pa


class CoercionError(ValueError):
    """An answer that cannot be read as its question's type."""


def _to_text(value: Any) -> str:
    if isinstance(value, (list, dict, set, tuple)):
        raise CoercionError("not text")
    return str(value)


def _to_integer(value: Any) -> int:
    if isinstance(value, bool):
        raise CoercionError("not a whole number")
    if isinstance(value, int):
        return value
    if isinstance(value, float):
        if math.isfinite(value) and value.is_integer():
            return int(value)
        raise CoercionError("not a whole number")
    if isinstance(value, str) and re.fullmatch(r"\s*[+-]?[0-9]{1,18}\s*", value):
        return int(value)
    raise CoercionError("not a whole number")


_DECIMAL = re.compile(r"\s*[+-]?(?:[0-9]+(?:[.,][0-9]*)?|[.,][0-9]+)\s*")  # ASCII digits only


def _to_decimal(value: Any) -> float:
    if isinstance(value, bool):
        raise CoercionError("not a number")
    if isinstance(value, (int, float)):
        number = float(value)
    elif isinstance(value, str) and _DECIMAL.fullmatch(value):
        number = float(value.strip().replace(",", "."))
    else:
        raise CoercionError("not a number")
    if not math.isfinite(number):
        raise CoercionError("not a finite number")
    return number


def _to_choice(value: Any) -> str:
    if not isinstance(value, (str, int)) or isinstance(value, bool):
        raise CoercionError("not a choice name")
    return str(value)


def _to_choices(value: Any) -> list[str]:
    if isinstance(value, str):  # ODK's space-separated form
        return value.split()
    if isinstance(value, (list, tuple)) and all(
        isinstance(v, (str, int)) and not isinstance(v, bool) for v in value
    ):
        return [str(v) for v in value]
    raise CoercionError("not a list of choice names")


_ISO_DATE = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}")


def _to_date(value: Any) -> dt.date:
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
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
    if isinstance(value, (list, tuple)) and len(value) >= 2:
        value = " ".join(str(v) for v in value)
    match = _GEOPOINT.fullmatch(str(value)) if isinstance(value, (str, list, tuple)) else None
    if not match or abs(float(match[1])) > 90 or abs(float(match[2])) > 180:
        raise CoercionError("not a location 'latitude longitude'")
    return " ".join(str(value).split())


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
