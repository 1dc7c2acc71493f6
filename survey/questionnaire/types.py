"""One table of question types: every trait the code asks of a question's type.

Everything type-specific is looked up here (as pyxform's question_type_dictionary
does) rather than spread over `if` chains on type names: the validator's coercion,
the Arrow type of the Parquet column, whether it is a repeat group, computed, a
choice (one or many), a number or a date, what the analysis frame and the microdata
export make of it, the entry widget (a name: ui.entry.form keeps the functions,
keyed by it), how a stored cell becomes an answer again and how the review page
writes it. Code reads the traits (``question.kind.choices == "one"``), never the
type's name; only the questionnaire builder (model.py) and this table name types.

``calculate``: its value is the text its calculation returns (an age group such as
'15-24'), stored as a string; it has no choice list. The analysis tabulates it:
``analysis_kind`` "categorical", categories in the order the calculation's text
literals appear ('0-4', '5-14', ...), so a calculated grouping gives proportions
like a select_one. The exports write its value unchanged: ``export_kind`` "text" (a
string variable, SPSS measure nominal): with no choice list there are no codes or
value labels to give, and the codebook shows the calculation. Both are the one
reading "a nominal value kept as its text"; the analysis's categories are built from
the text, and a number-valued calculation is tabulated the same way.

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

from survey.questionnaire.limits import MAX_GEOPOINT_LENGTH


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


def _stored_text(value: Any) -> str:
    return str(value)


def _stored_integer(value: Any) -> int:
    return int(value)


def _stored_decimal(value: Any) -> float:
    return float(value)


def _stored_date(value: Any) -> dt.date:
    if isinstance(value, dt.date):
        return value
    import pandas as pd  # a stored timestamp only: loading a questionnaire does not need pandas

    return pd.Timestamp(value).date()


def _stored_choices(value: Any) -> list[str] | None:
    return [str(v) for v in value] or None


CHOICES = ("none", "one", "many")
# The analysis frame's column kinds (analysis.dataset.answer_columns) and the export's variable
# kinds (analysis.export.microdata.variables, which adds "timestamp" for metadata).
ANALYSIS_KINDS = ("categorical", "multiple", "number", "date", "text", "none")
EXPORT_KINDS = ("text", "integer", "decimal", "choice", "dummy", "date")
SHOWN_AS = ("choice", "choices", "number", "date", "text")


@dataclass(frozen=True)
class QuestionType:
    """Everything the code asks of a question's type; read as ``question.kind.<trait>``."""

    name: str
    arrow_type: pa.DataType | None  # None: not stored (notes; a repeat's items get their own table)
    coerce: Callable[[Any], Any] | None  # a raw answer -> its stored value (CoercionError when it cannot be)
    spss_measure: str | None = None  # nominal | ordinal | scale
    # Stata storage type as pyreadstat writes it: long (int32; double for values beyond its range),
    # double, str (str#, strL past 2045 bytes); select_one is its numeric code, select_multiple one
    # 0/1 column per choice, date a %td double.
    stata_type: str | None = None
    xlsform_type: str | None = None  # the XLSForm `type` column (select types add the list name)
    is_repeat: bool = False  # a group asked once per item (a roster): its questions fill their own table
    computed: bool = False  # its value is calculated from other answers, never entered
    choices: str = "none"  # none | one | many: how many of its choice list an answer picks
    numeric: bool = False  # a number (range checks, outliers, number widgets)
    whole_numbers: bool = False  # numbers without decimals (histogram bins on integers)
    is_date: bool = False
    free_text: bool = False  # typed text (multi-line appearance, a name or phone to match on)
    analysis_kind: str = "none"  # one of ANALYSIS_KINDS: what the analysis frame makes of it
    export_kind: str | None = None  # one of EXPORT_KINDS: its variable in microdata (None: none)
    widget: str | None = None  # the entry widget's name: ui.entry.form.WIDGETS maps it to a function
    answer_from_cell: Callable[[Any], Any] | None = None  # a stored cell (not missing) -> the answer
    shown_as: str | None = None  # one of SHOWN_AS: how the review page writes an answer
    max_chars: int | None = None  # the most characters an answer as text needs (None: limits.MAX_TEXT_LENGTH)

    @property
    def stores_answer(self) -> bool:
        """It has a column in its table (notes and repeat groups have none)."""
        return self.arrow_type is not None

    @property
    def entered(self) -> bool:
        """The enumerator enters its answer: stored and not computed."""
        return self.stores_answer and not self.computed


QUESTION_TYPES: dict[str, QuestionType] = {
    t.name: t
    for t in [
        QuestionType(
            "text", pa.string(), _to_text, "nominal", stata_type="str", xlsform_type="text",
            free_text=True, analysis_kind="text", export_kind="text", widget="text_box",
            answer_from_cell=_stored_text, shown_as="text"),
        QuestionType(
            "integer", pa.int64(), _to_integer, "scale", stata_type="long", xlsform_type="integer",
            numeric=True, whole_numbers=True, analysis_kind="number", export_kind="integer",
            widget="whole_number", answer_from_cell=_stored_integer, shown_as="number"),
        QuestionType(
            "decimal", pa.float64(), _to_decimal, "scale", stata_type="double", xlsform_type="decimal",
            numeric=True, analysis_kind="number", export_kind="decimal", widget="decimal_number",
            answer_from_cell=_stored_decimal, shown_as="number"),
        QuestionType(
            "select_one", pa.string(), _to_choice, "nominal", stata_type="long", xlsform_type="select_one",
            choices="one", analysis_kind="categorical", export_kind="choice", widget="one_choice",
            answer_from_cell=_stored_text, shown_as="choice"),
        QuestionType(
            "select_multiple", pa.list_(pa.string()), _to_choices, "nominal", stata_type="long",
            xlsform_type="select_multiple", choices="many", analysis_kind="multiple", export_kind="dummy",
            widget="many_choices", answer_from_cell=_stored_choices, shown_as="choices"),
        QuestionType(
            "date", pa.date32(), _to_date, "scale", stata_type="double", xlsform_type="date",
            is_date=True, analysis_kind="date", export_kind="date", widget="date_picker",
            answer_from_cell=_stored_date, shown_as="date"),
        QuestionType(
            "geopoint", pa.string(), _to_geopoint, "nominal", stata_type="str", xlsform_type="geopoint",
            analysis_kind="text", export_kind="text", widget="location",
            answer_from_cell=_stored_text, shown_as="text", max_chars=MAX_GEOPOINT_LENGTH),
        QuestionType(
            "calculate", pa.string(), _to_text, "nominal", stata_type="str", xlsform_type="calculate",
            computed=True, analysis_kind="categorical", export_kind="text", widget="calculated_value",
            answer_from_cell=_stored_text, shown_as="text"),
        QuestionType("note", None, None, xlsform_type="note", widget="note"),
        QuestionType("repeat", None, None, xlsform_type="begin_repeat", is_repeat=True),
    ]
}
