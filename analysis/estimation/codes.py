"""Integer codes: a column as sorted codes (R's ``factor``), and counting distinct codes.

The design, its variance and the estimators all work on integer codes so that grouping
is one ``np.bincount``; these helpers make and count them.
"""

from __future__ import annotations

import numpy as np
import pandas as pd


def factor_codes(values: pd.Series) -> tuple[np.ndarray, pd.Index]:
    """Sorted integer codes for a column (categorical: category order; -1 = missing)."""
    if isinstance(values.dtype, pd.CategoricalDtype):
        values = values.cat.remove_unused_categories()
        return values.cat.codes.to_numpy(np.int64), pd.Index(values.cat.categories)
    try:
        codes, uniques = pd.factorize(values, sort=True)
    except TypeError:  # mixed types cannot be sorted: compare as text
        codes, uniques = pd.factorize(values.astype(str), sort=True)
    return codes.astype(np.int64), pd.Index(uniques)


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
