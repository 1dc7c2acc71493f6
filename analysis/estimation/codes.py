"""Integer codes: a column as sorted codes (R's ``factor``), and counting distinct codes.

The design, its variance and the estimators all work on integer codes so that grouping
is one ``np.bincount``; these helpers make and count them.

Sorting a text column is most of the cost of a domain estimate or a table, and every estimate
of a design asks for the same columns: the codes of a column held as an extension array (pandas'
``str`` columns, Arrow-backed, which a design's data shares with all its subsets) are kept
until that array goes, read-only.
"""

from __future__ import annotations

import weakref

import numpy as np
import pandas as pd
from pandas.api.extensions import ExtensionArray

_CODES: dict[int, tuple] = {}   # id(array) -> (weak reference, codes, labels)


def factor_codes(values: pd.Series) -> tuple[np.ndarray, pd.Index]:
    """Sorted integer codes for a column (categorical: category order; -1 = missing)."""
    if isinstance(values.dtype, pd.CategoricalDtype):   # unused categories dropped, by counting
        codes, categories = values.cat.codes.to_numpy().astype(np.int64), values.cat.categories
        used = np.bincount(codes + 1, minlength=len(categories) + 1)[1:] > 0
        if not used.all():
            codes = np.where(codes >= 0, (np.cumsum(used) - 1)[codes], -1)
            categories = categories[used]
        return codes, pd.Index(categories)
    dtype = values.dtype
    if isinstance(dtype, np.dtype) and (dtype.kind == "i" or (dtype.kind == "u" and dtype.itemsize < 8)) \
            and len(values):   # numpy integers in a short range: by counting
        raw = values.to_numpy()
        low, high = int(raw.min()), int(raw.max())
        if high - low <= 4 * len(raw) + (1 << 20):
            uniq, codes = dense(raw.astype(np.int64) - low, high - low + 1)
            return codes, pd.Index(uniq + low, dtype=values.dtype)
    array = values.array
    cached = _CODES.get(id(array))
    if cached is not None and cached[0]() is array:
        return cached[1], cached[2]
    try:
        codes, uniques = pd.factorize(values, sort=True)
    except TypeError:  # mixed types cannot be sorted: compare as text
        codes, uniques = pd.factorize(values.astype(str), sort=True)
    codes, labels = codes.astype(np.int64), pd.Index(uniques)
    if isinstance(array, ExtensionArray) and not isinstance(array, pd.arrays.NumpyExtensionArray):
        # (a numpy column's .array is a new wrapper at every read: nothing to key on)
        codes.flags.writeable = False
        key = id(array)
        _CODES[key] = (weakref.ref(array), codes, labels)
        weakref.finalize(array, _CODES.pop, key, None)
    return codes, labels


def dense(keys: np.ndarray, space: int) -> tuple[np.ndarray, np.ndarray]:
    """``np.unique(keys, return_inverse=True)`` for integer keys in ``[0, space)``: by
    counting when the space is small (no sort of the rows), else by sorting."""
    keys = np.asarray(keys, dtype=np.int64)
    if space <= 4 * len(keys) + (1 << 20):
        seen = np.bincount(keys, minlength=space) > 0
        rank = np.cumsum(seen) - 1
        return np.flatnonzero(seen), rank[keys]
    uniq, inverse = np.unique(keys, return_inverse=True)
    return uniq, inverse.reshape(-1)


def first_of(key: np.ndarray, count: int, values: np.ndarray) -> np.ndarray:
    """``values`` at the first row of each key ``0..count-1`` (every key present)."""
    first = np.empty(count, dtype=np.int64)
    first[key[::-1]] = np.arange(len(key) - 1, -1, -1)
    return values[first]


def units_in_groups(group: np.ndarray, unit: np.ndarray, n_groups: int) -> tuple[np.ndarray, np.ndarray]:
    """Codes of the (group, unit) pairs sorted by group then unit, per row, and each code's
    group: ``dense(group * n_units + unit)``.  When every unit lies in one group (PSUs in
    strata, as a design has them), by ordering the units instead of counting over the
    groups x units space."""
    n_units = int(unit.max()) + 1
    home = first_of(unit, n_units, group)
    if (np.bincount(unit, minlength=n_units) > 0).all() and (group == home[unit]).all():
        order = np.lexsort((np.arange(n_units), home))
        rank = np.empty(n_units, dtype=np.int64)
        rank[order] = np.arange(n_units)
        return rank[unit], home[order]
    uniq, code = dense(group * n_units + unit, n_groups * n_units)
    return code, uniq // n_units
