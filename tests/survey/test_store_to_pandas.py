"""frames.to_pandas makes integers itself (issue 22, section 3, reading the store): the frame is
pandas' own conversion of the same table, chunk by chunk, with gaps and slices."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pyarrow as pa
import pytest

from survey.store import frames


def pandas_own(table: pa.Table) -> pd.DataFrame:
    """What pyarrow and pandas make of the integers (as to_pandas did before)."""
    ints = [f.name for f in table.schema if pa.types.is_integer(f.type)]
    for name in ints:
        table = table.set_column(table.schema.get_field_index(name), name, table.column(name).cast(pa.int64()))
    return table.to_pandas(types_mapper=lambda t: pd.Int64Dtype() if pa.types.is_int64(t) else None)


@pytest.mark.parametrize("beside", [False, True])
def test_integer_columns_are_pandas_own_int64(monkeypatch, beside):
    monkeypatch.setattr(frames, "BESIDE_ROWS", 1 if beside else 10 ** 9)
    table = pa.table({
        "a": pa.chunked_array([pa.array([1, None, 3], pa.int32()), pa.array([], pa.int32()),
                               pa.array([9, 5, 6], pa.int32()).slice(1)]),
        "b": pa.chunked_array([pa.nulls(2, pa.int64()), pa.array([2 ** 62, -7, 0], pa.int64())]),
        "c": pa.array([None] * 5, pa.int16()),
        "d": pa.chunked_array([pa.array([-1, 2**31 - 1], pa.int32()), pa.array([None, 0, -2**31], pa.int32())]),
        "u": pa.array([1, 2, 3, None, 255], pa.uint8()),
        "x": [0.5, None, 1.5, 2.0, 3.0]})
    got = frames.to_pandas(table)
    pd.testing.assert_frame_equal(got, pandas_own(table), check_exact=True)
    assert all(str(t) == "Int64" for t in got.dtypes[:-1])
    empty = table.slice(0, 0)
    pd.testing.assert_frame_equal(frames.to_pandas(empty), pandas_own(empty), check_exact=True)


def test_rows_put_in_order_by_to_pandas_are_the_frame_of_the_rows_taken_first():
    """to_pandas(table, order) takes the columns but the lists before the conversion (text kept
    as dictionary, each chunk with its own, moves its codes) and the lists' codes after it."""
    rng = np.random.default_rng(3)
    chunks = []
    for c in range(4):
        n = 50
        words = [f"w{(i * 7 + c) % 5}" if i % 9 else None for i in range(n)]
        chunks.append(pa.table({
            "k": pa.array(rng.integers(0, 1000, n), pa.int32()),
            "t": pa.array(words).dictionary_encode(),
            "s": [f"s{i}" for i in range(n)],
            "l": pa.array([None if i % 4 == 0 else [f"c{(i + c) % 3}", "d"][: i % 3] for i in range(n)],
                          pa.list_(pa.string()))}))
    table = pa.concat_tables(chunks)
    order = rng.permutation(table.num_rows)
    expected = frames.to_pandas(table.take(pa.array(order)))
    pd.testing.assert_frame_equal(frames.to_pandas(table, order), expected, check_exact=True)
    assert frames.sorted_frame(table, ["k", "s"])["k"].is_monotonic_increasing
