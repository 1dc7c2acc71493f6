"""What the out-of-core tests share: the warnings they ignore, the household Dataset in memory and
its rows from the store (to compare the two engines), and a guard that fails a test that builds the
in-memory Dataset."""

from __future__ import annotations

from contextlib import contextmanager

import numpy as np
import pytest

import analysis.dataset.dataset
from analysis.dataset.dataset import load_dataset
from analysis.outofcore import store_data, store_source
from survey import ResponseStore
from ui.results import data_cache

# DuckDB's and Ibis' deprecations, which the out-of-core path meets in libraries, not in our code
WARNINGS = [pytest.mark.filterwarnings("ignore:The 'future.infer_string' option is deprecated"),
            pytest.mark.filterwarnings("ignore:fetch_arrow_table\\(\\) is deprecated"),
            pytest.mark.filterwarnings("ignore::DeprecationWarning")]


def no_dataset(monkeypatch) -> None:
    """From now on building the in-memory Dataset fails the test."""
    def refuse(*args, **kwargs):
        raise AssertionError("the in-memory Dataset was built")

    monkeypatch.setattr(analysis.dataset.dataset, "load_dataset", refuse)
    monkeypatch.setattr(data_cache, "load_dataset", refuse)


def household_dataset(root):
    """The household questionnaire's Dataset, in memory (English labels)."""
    return load_dataset(ResponseStore(root, audit=False), "household", lang="en")


@contextmanager
def household_rows(root):
    """The same questionnaire's rows from the store, out of core (StoreData), removed afterwards."""
    store = ResponseStore(root, audit=False)
    rows = store_source.build(store, "household")
    try:
        yield store_data.build(rows, store.instrument("household"), "en")
    finally:
        rows.close()


def same_frame(mine, theirs, rtol: float = 1e-9, atol: float = 1e-9) -> None:
    """Two result frames agree: the same columns and rows, numbers to the tolerance, the rest as text."""
    assert list(mine.columns) == list(theirs.columns) and len(mine) == len(theirs)
    for col in theirs.columns:
        if theirs[col].dtype.kind in "fi":
            np.testing.assert_allclose(mine[col].astype(float), theirs[col].astype(float), rtol=rtol, atol=atol,
                                       err_msg=col)
        else:
            assert list(map(str, mine[col])) == list(map(str, theirs[col])), col


def same_tests(mine, theirs) -> None:
    """A cross-tab's tests (``stats["tests"]``, one dict per layer) agree to 1e-9."""
    assert len(mine) == len(theirs)
    for a, b in zip(mine, theirs):
        assert set(a) == set(b)
        for key in a:
            x, y = a[key], b[key]
            if key in ("wald", "adj_wald", "lincom", "saddlepoint"):
                x, y = (x.statistic, x.p_value), (y.statistic, y.p_value)
            if isinstance(x, (tuple, float)):
                np.testing.assert_allclose(np.asarray(x, dtype=float), np.asarray(y, dtype=float), rtol=1e-9,
                                           err_msg=key)
            else:
                assert x == y, key
