"""Reading analysis variables and domains out of a design's data.

Shared by the estimators: a variable is either numeric (float array, NaN =
missing) or categorical (integer codes, -1 = missing, with its levels); ``by=``
columns become domain codes sorted like R's ``svyby``: by the levels of
``interaction(byfactors)`` (each column's factor levels, else sorted values), in
which the first column varies fastest, so ``by=["sex", "kecamatan"]`` gives
female/A, male/A, female/B, ...; only combinations present in the data appear,
and the domains' key values keep their original dtype.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd
from pandas.api import types as ptypes

from analysis.estimation.codes import factor_codes
from analysis.estimation.variance import VarianceDesign


@dataclass(frozen=True)
class DesignVariable:
    """One analysis variable of a design: values per row and, when categorical, its levels."""

    name: str
    values: np.ndarray          # float (numeric) or int codes (categorical), per row
    levels: pd.Index | None     # None for numeric

    @property
    def missing(self) -> np.ndarray:
        return np.isnan(self.values) if self.levels is None else self.values < 0

    def indicators(self) -> np.ndarray:
        """(n, L) 0/1 matrix, NaN rows where missing (numeric: (n, 1) values)."""
        if self.levels is None:
            return self.values.reshape(-1, 1)
        out = (self.values[:, None] == np.arange(len(self.levels))[None, :]).astype(float)
        out[self.values < 0] = np.nan
        return out


def column(d: VarianceDesign, name: str) -> pd.Series:
    """A column of the design's data, or a KeyError listing the columns there are."""
    if name not in d.column_names:
        raise KeyError(f"Column {name!r} is not in the data; columns are {list(d.column_names)}")
    return d.column(name)


def _text_in_numbers(col: pd.Series) -> str | None:
    """An example of text in an otherwise numeric column, or None."""
    values = pd.unique(col.dropna().astype(object))  # judge distinct values: cheap on big data
    if len(values) == 0:
        return None
    parsed = np.array([_number_or_nan(v) for v in values], dtype=float)
    is_number = ~np.isnan(parsed)
    mixed_types = any(isinstance(v, (int, float, np.number)) and not isinstance(v, bool) for v in values)
    if is_number.all() or not (mixed_types or is_number.mean() >= 0.5):
        return None
    return values[np.flatnonzero(~is_number)[0]]


def _number_or_nan(v):
    if isinstance(v, (int, float, np.number)) and not isinstance(v, bool):
        return float(v)
    try:
        return float(str(v).strip().replace(",", ""))
    except ValueError:
        return np.nan


def variable(d: VarianceDesign, name: str, numeric_only: bool = False) -> DesignVariable:
    """A column as a numeric or categorical variable (see module docstring).

    Text is a categorical variable, except that a text column whose values are
    mostly numbers (or an object column mixing numbers and text) is an error
    naming an example of the bad value: it is a numeric question gone wrong.
    """
    col = column(d, name)
    if ptypes.is_bool_dtype(col.dtype) or ptypes.is_numeric_dtype(col.dtype):
        return DesignVariable(name, col.to_numpy(dtype=float, na_value=np.nan), None)
    if not isinstance(col.dtype, pd.CategoricalDtype):
        bad = _text_in_numbers(col)
        if bad is not None:
            row = col.index[(col == bad).to_numpy(dtype=bool, na_value=False)][0]
            raise ValueError(
                f"Column {name!r} holds numbers but also text, e.g. {bad!r} at index {row!r}; "
                "clean the value or convert the column with pd.to_numeric(..., errors='coerce').")
    if numeric_only:
        raise ValueError(f"Column {name!r} is {col.dtype}, but a numeric variable is needed here.")
    return _levels(col, name)


def categorical(d: VarianceDesign, name: str) -> DesignVariable:
    """A column as levels (any text is a level; numbers become sorted levels, int when whole)."""
    col = column(d, name)
    if not (ptypes.is_bool_dtype(col.dtype) or ptypes.is_numeric_dtype(col.dtype)):
        return _levels(col, name)
    codes, levels = pd.factorize(col.to_numpy(dtype=float, na_value=np.nan), sort=True,
                                 use_na_sentinel=True)
    values = np.asarray(levels, dtype=float)
    if len(values) and np.all(values == np.round(values)):
        levels = pd.Index(values.astype(np.int64))
    return DesignVariable(name, codes.astype(np.int64), pd.Index(levels))


def _levels(col: pd.Series, name: str) -> DesignVariable:
    if isinstance(col.dtype, pd.CategoricalDtype):   # every category, used or not, in order
        return DesignVariable(name, col.cat.codes.to_numpy(np.int64), pd.Index(col.cat.categories))
    codes, levels = factor_codes(col)
    return DesignVariable(name, codes, levels)


@dataclass(frozen=True)
class Domains:
    codes: np.ndarray     # per row: domain 0..K-1, -1 = outside the design's subset or by missing
    keys: pd.DataFrame    # K rows of by-column values (empty columns when by is None)

    @property
    def count(self) -> int:
        return len(self.keys)


def domains(d: VarianceDesign, by) -> Domains:
    """Domain codes for ``by`` (a column name, a list of names or None), in R's svyby order."""
    inside = d.in_subset
    if by is None:
        return Domains(np.where(inside, 0, -1), pd.DataFrame(index=range(1)))
    names = [by] if isinstance(by, str) else list(by)
    if len(names) == 1:
        codes, levels = factor_codes(column(d, names[0]))
        if len(levels) and (codes >= 0).all() and inside.all():   # every level present: codes are domains
            return Domains(codes, _first_rows(d, names, codes, len(levels)))
    ok = inside.copy()
    key = np.zeros(len(d), dtype=np.int64)
    space = 1
    # One mixed-radix key with the FIRST column least significant, so that sorting by it
    # gives R's svyby order: sort(unique(interaction(byfactors))), in whose levels the
    # first factor varies fastest (female.Banjarsari, male.Banjarsari, female.Jebres, ...).
    for name in reversed(names):
        codes, levels = factor_codes(column(d, name))
        ok &= codes >= 0
        space *= max(len(levels), 1)
        key = key * max(len(levels), 1) + np.maximum(codes, 0)
    if not ok.any():
        raise ValueError(f"by={by!r} leaves no domain: the column(s) are missing in every row "
                         "of the (sub)population; choose another grouping.")
    if space <= max(4 * len(d), 1 << 20):   # counting beats sorting
        seen = np.bincount(key[ok], minlength=space) > 0
        inv = (np.cumsum(seen) - 1)[key[ok]]
    else:
        inv = np.unique(key[ok], return_inverse=True)[1].reshape(-1)
    codes = np.full(len(d), -1)
    codes[ok] = inv
    return Domains(codes, _first_rows(d, names, codes, int(inv.max()) + 1))


def _first_rows(d: VarianceDesign, names: list, codes: np.ndarray, count: int) -> pd.DataFrame:
    """The by-columns' values at the first row of each domain (their dtype kept)."""
    if count <= 16:   # a few domains: one short scan each beats scattering every row
        first = np.array([np.argmax(codes == j) for j in range(count)], dtype=np.int64)
    else:
        rows = np.flatnonzero(codes >= 0)
        first = np.empty(count, dtype=np.int64)
        first[codes[rows[::-1]]] = rows[::-1]
    return pd.concat([column(d, name).iloc[first] for name in names], axis=1, keys=names).reset_index(drop=True)
