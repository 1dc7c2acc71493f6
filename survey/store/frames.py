"""Arrow tables of stored rows: sorting, shaping to a schema, and conversion to pandas.

to_pandas gives the dtypes that ResponseStore.read() promises (see survey.store.response_store):
nullable ``Int64`` for integers, ``string`` for text, and select_multiple
answers as Python lists built fast by sharing one list per distinct combination.
"""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
from typing import Any, Mapping

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

MAX_RUNS = 1024   # more sorted runs than this: one take() gathers the rows instead of slices
BESIDE_ROWS = 100_000   # from this many rows, to_pandas decodes the text in a thread beside the lists' one


def sorted_rows(table: pa.Table | None, keys: list[str]) -> pa.Table | None:
    """`table` sorted by `keys` (ascending, stable); untouched when it already is.

    Compacted parts are stored in this order, so a read is mostly sorted runs: an
    ordered table is found so by comparing neighbours (no sort), and a few runs (a part and
    the newer small files) are put in order by zero-copy slices instead of a take() of
    every column (the costliest step of a big read)."""
    indices = _order(table, keys)
    if indices is None:
        return table
    return _runs(table, indices) or table.take(indices)


def sorted_frame(table: pa.Table, keys: list[str]) -> pd.DataFrame:
    """to_pandas(sorted_rows(table, keys)), the same frame; rows in no usable order are put in
    order by to_pandas (see there)."""
    indices = _order(table, keys)
    if indices is None:
        return to_pandas(table)
    runs = _runs(table, indices)
    if runs is not None:
        return to_pandas(runs)
    return to_pandas(table, indices)


def _order(table: pa.Table | None, keys: list[str]) -> np.ndarray | None:
    """The sorting permutation of `table` by `keys`, or None when it is in order already."""
    if table is None or table.num_rows < 2 or _in_order(table, keys):
        return None
    return pc.sort_indices(table, [(k, "ascending") for k in keys]).to_numpy()


def _runs(table: pa.Table, indices: np.ndarray) -> pa.Table | None:
    """The rows in the order of `indices` as slices of `table`, when it makes few of them."""
    starts = np.flatnonzero(np.r_[True, np.diff(indices) != 1])
    if len(starts) > MAX_RUNS:
        return None
    ends = np.r_[starts[1:], len(indices)]
    return pa.concat_tables([table.slice(int(indices[s]), int(e - s)) for s, e in zip(starts, ends)])


def _in_order(table: pa.Table, keys: list[str]) -> bool:
    """Whether each row's keys are <= the next row's, compared as tuples (no gaps in them)."""
    columns = [table.column(k) for k in keys]
    if any(c.null_count for c in columns):
        return False
    n = table.num_rows
    ordered = None
    for column in reversed(columns):
        before, after = column.slice(0, n - 1), column.slice(1)
        if ordered is None:
            ordered = pc.less_equal(before, after)
        else:
            ordered = pc.or_(pc.less(before, after), pc.and_(pc.equal(before, after), ordered))
    return bool(pc.all(ordered).as_py())


def replace_columns(table: pa.Table, values: Mapping[str, Any]) -> pa.Table:
    """`table` with the named columns set to one value on every row (types kept)."""
    for name, value in values.items():
        i = table.schema.get_field_index(name)
        column = pa.array([value] * table.num_rows, type=table.schema.field(name).type)
        table = table.set_column(i, table.schema.field(name), column)
    return table


def arrange(rows: pa.Table | None, schema: pa.Schema) -> pa.Table:
    """Columns of `schema` first (cast to its types; all-null when absent), then extras."""
    if rows is None:
        return schema.empty_table()
    columns, fields = [], []
    for f in schema:
        if f.name in rows.column_names:
            column = rows.column(f.name)
            if _encoded(column.type, f.type):   # kept encoded: to_pandas makes the same text and lists
                f = pa.field(f.name, column.type, f.nullable)
            elif not column.type.equals(f.type):
                try:
                    column = column.cast(f.type)
                except (pa.ArrowInvalid, pa.ArrowNotImplementedError):
                    f = pa.field(f.name, column.type)
        else:
            column = pa.nulls(rows.num_rows, type=f.type)
        columns.append(column)
        fields.append(f)
    for name in rows.column_names:
        if name not in schema.names:
            columns.append(rows.column(name))
            fields.append(rows.schema.field(name))
    return pa.Table.from_arrays(columns, schema=pa.schema(fields))


def to_pandas(table: pa.Table, order: np.ndarray | None = None) -> pd.DataFrame:
    """The frame of `table` (the dtypes ResponseStore.read promises), its rows in `order` when given:
    the columns but the lists are put in order before the conversion (text kept as dictionary
    moves its codes only), the lists' rows after it (one take of their codes)."""
    for f in table.schema:
        if pa.types.is_unsigned_integer(f.type):
            table = table.set_column(table.schema.get_field_index(f.name), pa.field(f.name, pa.int64()), table.column(f.name).cast(pa.int64()))
    # select_multiple lists and integers are made here; the rest by pyarrow's to_pandas
    lists = [f.name for f in table.schema if pa.types.is_list(f.type) or pa.types.is_large_list(f.type)]
    rest = table.drop_columns(lists)
    if order is not None:
        rest = rest.take(pa.array(order))
    integers = [f.name for f in rest.schema if pa.types.is_signed_integer(f.type)]
    own = integers + lists
    plain = rest.drop_columns(integers)

    def made() -> dict:
        return {**{name: _integers(rest.column(name)) for name in integers},
                **{name: pd.Series(_lists(table.column(name), order), dtype=object, copy=False) for name in lists}}

    if not own or table.num_rows < BESIDE_ROWS:
        df = _plain_frame(plain)
        columns = made()
    else:   # the text (Arrow, without the GIL) is decoded in another thread while this one makes the lists
        with ThreadPoolExecutor(max_workers=1, thread_name_prefix="to-pandas") as pool:
            decoded = pool.submit(_plain_frame, plain)
            columns = made()
            df = decoded.result()
    for name, values in columns.items():
        df[name] = pd.Series(values, index=df.index, copy=False)
    return df[table.column_names]


def _integers(column: pa.ChunkedArray) -> pd.arrays.IntegerArray:
    """A signed integer column as pandas' Int64, copied once from Arrow's buffers (pandas' own
    conversion casts, joins the chunks and copies again)."""
    data = np.zeros(len(column), dtype=np.int64)
    missing = np.zeros(len(column), dtype=bool)
    at = 0
    for chunk in column.chunks:
        n = len(chunk)
        if chunk.null_count < n:
            kind = np.dtype(chunk.type.to_pandas_dtype())
            data[at:at + n] = np.frombuffer(chunk.buffers()[1], dtype=kind, count=n, offset=chunk.offset * kind.itemsize)
        if chunk.null_count:
            missing[at:at + n] = chunk.is_null().to_numpy(zero_copy_only=False)
        at += n
    return pd.arrays.IntegerArray(data, missing, copy=False)


def _plain_frame(table: pa.Table) -> pd.DataFrame:
    """The frame of a table without list columns; text kept as dictionary is decoded once, to the
    type pandas keeps."""
    for i, f in enumerate(table.schema):
        if pa.types.is_dictionary(f.type) and pa.types.is_string(f.type.value_type):
            table = table.set_column(i, pa.field(f.name, pa.large_string()), table.column(i).cast(pa.large_string()))
    return table.to_pandas(types_mapper=_pandas_type, date_as_object=False)


def _pandas_type(arrow_type: pa.DataType):
    if pa.types.is_integer(arrow_type):
        return pd.Int64Dtype()
    if pa.types.is_string(arrow_type) or pa.types.is_large_string(arrow_type) or pa.types.is_string_view(arrow_type):
        return pd.StringDtype()
    return None


def _encoded(stored: pa.DataType, expected: pa.DataType) -> bool:
    """Dictionary-encoded text where text is expected, or a list of it where a list of text is
    (survey.store.arrow_read reads them so)."""
    if pa.types.is_list(stored) and pa.types.is_list(expected):
        stored, expected = stored.value_type, expected.value_type
    return pa.types.is_dictionary(stored) and pa.types.is_string(stored.value_type) and pa.types.is_string(expected)


def _lists(column: pa.ChunkedArray, order: np.ndarray | None = None) -> np.ndarray:
    """A list<string> column (its values may be dictionary-encoded) as an object array of Python
    lists (None for null), its rows in `order` when given.

    Fast for a million rows: rows with the same choices share one list object
    (a select_multiple has few distinct combinations), so treat the lists as
    read-only (copy before mutating one). Each row's combination is numbered from the codes
    of its values among every chunk's values (no text is joined or hashed per row), each
    combination's list is spelled once from its number, and one take puts them in their rows.
    """
    chunks = [c for c in column.chunks if len(c)]
    names: dict[str, int] = {}   # every chunk's values, numbered from 1 (0: no value)
    pieces = []
    for chunk in chunks:
        offsets = chunk.offsets.to_numpy().astype(np.int64)
        values = chunk.values.slice(int(offsets[0]), int(offsets[-1] - offsets[0]))   # this chunk's (a slice's)
        if not pa.types.is_dictionary(values.type):
            values = pc.dictionary_encode(values if pa.types.is_string(values.type) else values.cast(pa.string()))
        if values.indices.null_count:
            return _plain_lists(column, order)
        digits = np.array([names.setdefault(name, len(names) + 1)
                           for name in values.dictionary.cast(pa.string()).to_pylist()] or [0], dtype=np.int64)
        pieces.append((chunk, offsets - offsets[0], values.indices.to_numpy(zero_copy_only=False), digits))
    base = len(names) + 1
    longest = max((int(np.diff(starts).max()) for _, starts, _, _ in pieces if len(starts) > 1), default=0)
    if longest and longest * np.log2(base) >= 62:   # too many choices in a row to number them exactly
        return _plain_lists(column, order)
    powers = base ** np.arange(max(longest, 1), dtype=np.int64)
    codes = np.empty(len(column), dtype=np.intp)
    numbers: dict[int, int] = {}   # a combination's number -> its code
    at = 0
    for chunk, starts, indices, digits in pieces:
        number = _numbers(starts, digits[indices], powers)
        if chunk.null_count:
            number[chunk.is_null().to_numpy(zero_copy_only=False)] = -1
        local, unique = pd.factorize(number)
        known = np.array([numbers.setdefault(n, len(numbers)) for n in unique.tolist()], dtype=np.intp)
        codes[at:at + len(chunk)] = known[local]
        at += len(chunk)
    spelled = [None, *names]   # digit d is the value spelled[d]
    lookup = np.empty(len(numbers), dtype=object)
    for number, code in numbers.items():
        if number >= 0:   # -1: null, left None
            row = []
            while number:
                number, digit = divmod(number, base)
                row.append(spelled[digit])
            lookup[code] = row
    return pd.api.extensions.take(lookup, codes if order is None else codes[order])


def _numbers(starts: np.ndarray, digits: np.ndarray, powers: np.ndarray) -> np.ndarray:
    """Each row's number: its values' digits (`digits`, 1 and up; `starts`: the rows' starts and
    the end) as the digits of a base-(values + 1) number, first value lowest, exact in int64
    (the caller checks that the longest row fits). `digits` is overwritten."""
    lengths = np.diff(starts)
    place = np.arange(len(digits), dtype=np.int64) - np.repeat(starts[:-1], lengths)
    digits *= powers[place]
    sums = np.zeros(len(digits) + 1, dtype=np.int64)   # wraps past 2**63: each row's difference stays exact
    np.cumsum(digits, out=sums[1:])
    return sums[starts[1:]] - sums[starts[:-1]]


def _plain_lists(column: pa.ChunkedArray, order: np.ndarray | None = None) -> np.ndarray:
    out = np.empty(len(column), dtype=object)
    for i, value in enumerate(column.to_pylist()):
        out[i] = value
    return out if order is None else out[order]
