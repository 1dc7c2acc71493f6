"""SummaryTable: an immutable table spec that every view, chart and file renders.

In the style of great-tables (a table is data plus a spec, built by calls that each
return a new object, rendered in one final step): a SummaryTable holds

* ``data``: a DataFrame of raw values, one row per estimate (long form): numbers as
  numbers (percentages 0-100), category columns as choice *names*;
* ``columns``: the columns shown, in order, each a :class:`Column` with its label
  ``{lang: text}`` and its kind (``percent``, ``points``, ``count``, ``integer``,
  ``number``, ``ratio``, ``idr``, ``pvalue``, ``text``; ``row`` / ``row_se``: the
  row's own ``kind`` column decides, for tables mixing percentages and rupiah);
* ``value_labels``: column -> stored value -> ``{lang: text}`` (a tuple value is
  labelled element by element);
* ``title``, ``subtitle``, ``notes`` (each ``{lang: text}``), ``provenance`` (an
  :class:`analysis.dataset.dataset.Provenance`), ``stats`` (test statistics and other
  numbers a renderer may show), ``keys`` (the columns that name a row) and ``kind``.

``with_*`` methods return new tables; ``to_frame(lang)`` gives the labelled table
(raw numbers, or text formatted for the language with ``formatted=True``), and
``note_lines(lang)`` the notes and provenance, so a CSV, XLSX or HTML renderer and a
chart need no recomputation.  The builders are :mod:`analysis.tables.question_tables` (a
question's estimates, cross-tabs) and :mod:`analysis.indicators.sections` (indicators,
e-government stages, leadership).

Every estimate row carries ``estimate, se, ci_low, ci_high, df, n, deff, rse,
reliability``: the relative standard error ``rse = 100 * se / |estimate|`` and BPS's
rule for publishing it (RSE up to 25% reliable, 25-50% use with caution, above 50%
unreliable; BPS, *Pedoman* Susenas), explained in :data:`RELIABILITY_NOTE`.
"""

from __future__ import annotations

from dataclasses import dataclass
from types import MappingProxyType
from typing import Any, Iterable, Mapping

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from survey import locale as formatting
from survey.locale import LANGUAGES, pick

Texts = Mapping[str, str]

RELIABILITY = ("reliable", "caution", "unreliable", "too_few")
RELIABILITY_LABELS: Mapping[str, Texts] = MappingProxyType({
    "reliable": {"id": "Andal", "en": "Reliable"},
    "caution": {"id": "Hati-hati", "en": "Use with caution"},
    "unreliable": {"id": "Tidak andal", "en": "Unreliable"},
    "too_few": {"id": "Terlalu sedikit responden", "en": "Too few respondents"},
    "": {"id": "–", "en": "–"},
})
RELIABILITY_MARKS = MappingProxyType({"reliable": "", "caution": "*", "unreliable": "**", "too_few": "", "": ""})
# A group's estimate from fewer respondents is not shown: one or two answers give no usable
# SE (one gives 0, an interval of one point) and could be read back to the people who gave them.
MIN_RESPONDENTS = 3
TOO_FEW_NOTE: Texts = MappingProxyType({
    "en": f"Too few respondents: a group with fewer than {MIN_RESPONDENTS} has no estimate (–), not a zero.",
    "id": f"Terlalu sedikit responden: kelompok dengan kurang dari {MIN_RESPONDENTS} responden tidak diberi "
          "estimasi (–), bukan nol.",
})
RELIABILITY_NOTE: Texts = MappingProxyType({
    "en": "Reliability (BPS): relative standard error (RSE = SE / estimate) up to 25% reliable; "
          "25-50% use with caution (*); above 50% unreliable (**). No RSE where the estimate is 0.",
    "id": "Keandalan (BPS): galat baku relatif (RSE = galat baku / estimasi) sampai 25% andal; "
          "25-50% gunakan dengan hati-hati (*); di atas 50% tidak andal (**). Tanpa RSE bila estimasi 0.",
})
# A moment (a timestamp; naive ones are UTC) written in Western Indonesian Time, to the minute or the
# second: survey.locale.wib_stamps writes a whole column at once (a review queue holds thousands).
WIB_KINDS = ("wib", "wib_seconds")
ESTIMATE_FIELDS = ("estimate", "se", "ci_low", "ci_high", "df", "n", "deff", "rse", "reliability")


@dataclass(frozen=True)
class Column:
    """A shown column: its label and how its values are written."""

    label: Texts
    kind: str = "text"          # a formatting kind, or "row" / "row_se" (the row's ``kind`` column)
    decimals: int | None = None


def _texts(value: Any) -> Texts | None:
    if value is None:
        return None
    if isinstance(value, str):
        return MappingProxyType({lang: value for lang in LANGUAGES})
    return MappingProxyType(dict(value))


def _frozen(mapping: Mapping | None) -> Mapping:
    return MappingProxyType(dict(mapping or {}))


class SummaryTable:
    """An immutable table spec (see the module docstring)."""

    __slots__ = ("_data", "title", "columns", "value_labels", "notes", "provenance", "subtitle", "kind", "stats",
                 "keys")

    def __init__(self, data: pd.DataFrame, title: Texts, columns: Mapping[str, Column], *,
                 value_labels: Mapping[str, Mapping[Any, Texts]] | None = None, notes: Iterable[Texts] = (),
                 provenance=None, subtitle: Texts | None = None, kind: str = "estimates",
                 stats: Mapping[str, Any] | None = None, keys: Iterable[str] = ()):
        absent = [c for c in columns if c not in data.columns]
        if absent:
            raise ValueError(f"SummaryTable columns {absent} are not in the data ({list(data.columns)})")
        keys = tuple(keys)
        if any(k not in data.columns for k in keys):
            raise ValueError(f"SummaryTable keys {keys} must be columns of the data")
        set_ = object.__setattr__
        set_(self, "_data", data.reset_index(drop=True).copy(deep=False))
        set_(self, "title", _texts(title))
        set_(self, "columns", _frozen(columns))
        set_(self, "value_labels", _frozen({k: _frozen(v) for k, v in (value_labels or {}).items()}))
        set_(self, "notes", tuple(_texts(n) for n in notes))
        set_(self, "provenance", provenance)
        set_(self, "subtitle", _texts(subtitle))
        set_(self, "kind", kind)
        set_(self, "stats", _frozen(stats))
        set_(self, "keys", keys)

    def __setattr__(self, name, value):
        raise AttributeError("a SummaryTable is immutable; use its with_* methods")

    def __reduce__(self):
        """Pickled (the app's cache keeps tables pickled) as the constructor's arguments,
        read-only mappings as plain ones: the constructor freezes them again."""
        columns = {name: Column(dict(c.label), c.kind, c.decimals) for name, c in self.columns.items()}
        value_labels = {k: {v: dict(t) for v, t in labels.items()} for k, labels in self.value_labels.items()}
        fields = dict(value_labels=value_labels, notes=tuple(dict(n) for n in self.notes), provenance=self.provenance,
                      subtitle=None if self.subtitle is None else dict(self.subtitle), kind=self.kind,
                      stats=dict(self.stats), keys=self.keys)
        return _rebuild, (self._data, dict(self.title), columns, fields)

    def __repr__(self) -> str:
        return (f"SummaryTable(kind={self.kind!r}, title={pick(self.title, 'en')!r}, rows={len(self._data)}, "
                f"columns={list(self.columns)})")

    @property
    def data(self) -> pd.DataFrame:
        """The raw values (a copy: editing it changes nothing here)."""
        return self._data.copy(deep=False)

    def __len__(self) -> int:
        return len(self._data)

    # ---- new tables --------------------------------------------------------------------
    def _replace(self, **changes) -> "SummaryTable":
        fields = {name: getattr(self, name) for name in self.__slots__ if name != "_data"}
        fields["data"] = self._data
        fields.update(changes)
        data, title, columns = fields.pop("data"), fields.pop("title"), fields.pop("columns")
        return SummaryTable(data, title, columns, **fields)

    def with_title(self, title: Texts) -> "SummaryTable":
        return self._replace(title=title)

    def with_subtitle(self, subtitle: Texts | None) -> "SummaryTable":
        return self._replace(subtitle=subtitle)

    def with_notes(self, notes: Iterable[Texts]) -> "SummaryTable":
        """The table with these notes in place of its own."""
        return self._replace(notes=tuple(notes))

    def with_note(self, note: Texts) -> "SummaryTable":
        """The table with one more note."""
        return self._replace(notes=(*self.notes, note))

    def with_column_labels(self, **labels: Texts) -> "SummaryTable":
        columns = dict(self.columns)
        for name, label in labels.items():
            columns[name] = Column(_texts(label), columns[name].kind, columns[name].decimals)
        return self._replace(columns=columns)

    def with_columns(self, columns: Mapping[str, Column]) -> "SummaryTable":
        """The table showing these columns (labels, kinds), in this order."""
        return self._replace(columns=columns)

    def with_value_labels(self, column: str, labels: Mapping[Any, Texts]) -> "SummaryTable":
        value_labels = dict(self.value_labels)
        value_labels[column] = {**value_labels.get(column, {}), **labels}
        return self._replace(value_labels=value_labels)

    def with_rows(self, rows) -> "SummaryTable":
        """The table of these rows only (positions or a mask), everything else kept."""
        rows = np.asarray(rows)
        return self._replace(data=self._data.iloc[np.flatnonzero(rows) if rows.dtype == bool else rows])

    def with_provenance(self, provenance) -> "SummaryTable":
        return self._replace(provenance=provenance)

    def with_stats(self, **stats) -> "SummaryTable":
        return self._replace(stats={**self.stats, **stats})

    # ---- reading -------------------------------------------------------------------------
    def label(self, column: str, lang: str) -> str:
        return pick(self.columns[column].label, lang) if column in self.columns else column

    def value_label(self, column: str, value: Any, lang: str) -> str:
        """The label of a stored value (a tuple: its elements' labels, comma-separated)."""
        labels = self.value_labels.get(column, {})
        if isinstance(value, tuple):
            return ", ".join(self.value_label(column, v, lang) for v in value)
        if value in labels:
            return pick(labels[value], lang)
        return formatting.MISSING if value is None or (isinstance(value, float) and np.isnan(value)) else str(value)

    def kinds(self, column: str) -> np.ndarray:
        """The formatting kind of each row's value in ``column``."""
        kind = self.columns[column].kind
        if kind not in ("row", "row_se"):
            return np.full(len(self._data), kind, dtype=object)
        rows = self._data["kind"].to_numpy(dtype=object) if "kind" in self._data else \
            np.full(len(self._data), "number", dtype=object)
        if kind == "row_se":
            rows = np.where(rows == "percent", "points", rows)
        return rows

    def to_frame(self, lang: str, formatted: bool = False) -> pd.DataFrame:
        """The shown columns with labels in ``lang``: raw numbers (labelled categories), or,
        ``formatted=True``, every cell as text for ``lang`` with the interval as one range."""
        out = {}
        shown = list(self.columns)
        joined = formatted and "ci_low" in shown and "ci_high" in shown
        for column in shown:
            values = self._data[column]
            if joined and column == "ci_high":
                continue
            if joined and column == "ci_low":
                kinds = self.kinds("ci_low")
                out[self._ci_label(lang)] = [
                    formatting.interval(lo, hi, k, lang, self.columns["ci_low"].decimals)
                    for lo, hi, k in zip(values, self._data["ci_high"], kinds)]
                continue
            header = self.label(column, lang)
            if column in self.value_labels or values.dtype == object and values.map(
                    lambda v: isinstance(v, tuple)).any():
                out[header] = self._labels_of(column, values, lang)
            elif self.columns[column].kind in WIB_KINDS:
                out[header] = formatting.wib_stamps(values, lang, self.columns[column].kind == "wib_seconds") \
                    if formatted else values.to_numpy()
            elif formatted and self.columns[column].kind == "text":   # whole columns at once: a queue is long
                out[header] = _text_column(values)
            elif formatted:
                out[header] = _written(values.tolist(), self.kinds(column), lang, self.columns[column].decimals)
            else:
                out[header] = values.to_numpy()
        return pd.DataFrame(out)

    def _labels_of(self, column: str, values: pd.Series, lang: str):
        """Each value's label, each distinct value labelled once (a queue repeats a few statuses)."""
        distinct = _distinct(values)
        if distinct is not None:   # labels of the distinct values, taken per row in Arrow (no Python string a row)
            codes, uniques = distinct
            labels = [self.value_label(column, v, lang) for v in uniques]
            if (codes >= 0).all():
                return _as_str(pa.array(labels, pa.large_string()).take(pa.array(codes)))
        return self._labels_one_by_one(column, values, lang)

    def _labels_one_by_one(self, column: str, values: pd.Series, lang: str) -> list[str]:
        seen: dict = {}
        out = []
        for v in values.tolist():   # plain values: iterating an Arrow-backed column one by one is slow
            try:
                out.append(seen[v])
            except (KeyError, TypeError):
                text = self.value_label(column, v, lang)
                try:
                    seen[v] = text
                except TypeError:   # an unhashable value: labelled every time
                    pass
                out.append(text)
        return out

    def _ci_label(self, lang: str) -> str:
        level = self.stats.get("level", 0.95)
        percent = formatting.number(100 * level, lang, 0)
        return f"{percent}% CI" if lang == "en" else f"SK {percent}%"

    def note_lines(self, lang: str) -> list[str]:
        """The notes, then the provenance's lines, in ``lang``."""
        lines = [pick(n, lang) for n in self.notes]
        if self.provenance is not None:
            lines += self.provenance.lines(lang)
        return lines


def _distinct(values: pd.Series) -> tuple[np.ndarray, list] | None:
    """(each row's code, the distinct values as Python values) of a column of text or of other objects
    (tuples), or None: other dtypes (pandas and Python tell -0.0 and 0.0, 1 and True apart differently),
    unhashable values, or none at all (an empty list makes an object column, not text)."""
    if not len(values) or not (isinstance(values.dtype, pd.StringDtype) or values.dtype == object):
        return None
    try:
        if isinstance(values.dtype, pd.StringDtype):
            codes, uniques = values.array.factorize()
        else:   # a plain array: pd.factorize of a Series of tuples would make a MultiIndex of them
            codes, uniques = pd.factorize(values.to_numpy(dtype=object))
    except TypeError:
        return None
    uniques = list(uniques)
    if any(type(v) not in (str, tuple) for v in uniques):   # numbers, None and NaN: labelled as before
        return None
    return np.asarray(codes), uniques


def _as_str(array: pa.Array) -> pd.api.extensions.ExtensionArray:
    """Arrow text as the pandas ``str`` column a list of Python strings becomes in a DataFrame."""
    return pd.array(array, dtype=pd.StringDtype("pyarrow", na_value=np.nan))


def _text_column(values: pd.Series):
    """A column written as text: missing values as formatting.MISSING, the rest as ``str()`` writes them;
    text columns in Arrow (their 100,000 strings never made Python objects and back)."""
    if isinstance(values.dtype, pd.StringDtype) and values.dtype.storage == "pyarrow" and len(values):
        return _as_str(pc.fill_null(pa.array(values.array), formatting.MISSING))
    if isinstance(values.dtype, np.dtype) and values.dtype.kind in "iu" and len(values):
        # numpy's whole numbers (never missing; not Int64's): Arrow writes them as str() does
        return _as_str(pc.cast(pa.array(values.to_numpy()), pa.large_string()))
    return values.astype(object).where(values.notna(), formatting.MISSING).map(str).to_numpy()


def _written(values: list, kinds, lang: str, decimals: int | None) -> list[str]:
    """``formatting.value`` of each value, each distinct (type, value, kind) written once: a table per
    PSU repeats a few counts thousands of times (NaN, never equal to itself, is written each time;
    a zero is known by its repr, so -0.0 is never taken for 0.0)."""
    seen: dict = {}
    out = []
    for v, k in zip(values, kinds):
        try:
            key = (type(v), v, k) if v else (type(v), repr(v), k)
            out.append(seen[key])
        except KeyError:
            seen[key] = text = formatting.value(v, k, lang, decimals)
            out.append(text)
        except TypeError:   # an unhashable value, or pd.NA (no truth value)
            out.append(formatting.value(v, k, lang, decimals))
    return out


def _rebuild(data: pd.DataFrame, title: Texts, columns: Mapping[str, Column], fields: Mapping) -> SummaryTable:
    return SummaryTable(data, title, columns, **fields)


# ---- estimate columns ---------------------------------------------------------------------
def reliability(estimate, se) -> tuple[np.ndarray, np.ndarray]:
    """(RSE in percent, BPS's flag) per row: "" where the RSE cannot be computed."""
    est = np.asarray(estimate, dtype=float)
    se = np.asarray(se, dtype=float)
    with np.errstate(divide="ignore", invalid="ignore"):
        rse = np.where((est != 0) & np.isfinite(est) & np.isfinite(se), 100 * se / np.abs(est), np.nan)
    flag = np.where(np.isnan(rse), "", np.where(rse <= 25, "reliable", np.where(rse <= 50, "caution", "unreliable")))
    return rse, flag.astype(object)


def with_reliability(frame: pd.DataFrame, min_respondents: int | None = None) -> pd.DataFrame:
    """``frame`` with its RSE and BPS's flag; with ``min_respondents``, rows of fewer respondents
    (``n``) lose their numbers and are flagged "too_few" (see :data:`MIN_RESPONDENTS`)."""
    rse, flag = reliability(frame["estimate"], frame["se"])
    out = frame.assign(rse=rse, reliability=flag)
    if min_respondents is None:
        return out
    few = pd.to_numeric(out["n"], errors="coerce").to_numpy(dtype=float) < min_respondents
    numbers = [c for c in ("estimate", "se", "ci_low", "ci_high", "deff", "rse", "alpha") if c in out]
    for column in numbers:
        out[column] = out[column].astype(float).mask(few)
    out["reliability"] = np.where(few, "too_few", out["reliability"].to_numpy(dtype=object))
    return out


def estimate_columns(level: float = 0.95) -> dict[str, Column]:
    """The shown estimate columns, labelled, with the row's kind deciding the format."""
    pct = {lang: formatting.number(100 * level, lang, 0) for lang in LANGUAGES}
    return {
        "estimate": Column({"id": "Estimasi", "en": "Estimate"}, "row"),
        "se": Column({"id": "Galat baku", "en": "SE"}, "row_se", None),
        "ci_low": Column({"id": f"Batas bawah SK {pct['id']}%", "en": f"{pct['en']}% CI, lower"}, "row"),
        "ci_high": Column({"id": f"Batas atas SK {pct['id']}%", "en": f"{pct['en']}% CI, upper"}, "row"),
        "n": Column({"id": "n", "en": "n"}, "count"),
        "deff": Column({"id": "Efek desain", "en": "Design effect"}, "ratio"),
        "rse": Column({"id": "RSE", "en": "RSE"}, "percent"),
        "reliability": Column({"id": "Keandalan", "en": "Reliability"}, "text"),
    }
