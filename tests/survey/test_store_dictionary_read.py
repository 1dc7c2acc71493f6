"""Text and select_multiple columns stored with a dictionary are read as dictionary and give the
same frame (values, dtypes, shared lists) as a plain read (issue 22, section 3, reading the store)."""

from __future__ import annotations

import random
import threading

import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from survey import ResponseStore
from survey.simulate import generate
from survey.store import arrow_read
from survey.store.frames import _lists

LISTS = [["a", "b"], None, [], ["b"], ["a", "b"], ["c", "a", "b"], None, ["b"], [], ["a\x1fz", "b"]]


def plain(column: pa.ChunkedArray) -> list:
    return [None if v is None else list(v) for v in column.to_pylist()]


@pytest.mark.parametrize("encode", [False, True])
@pytest.mark.parametrize("piece", [slice(0, 10), slice(3, 9), slice(5, 5)])
def test_lists_are_the_rows_lists_shared_per_combination(encode, piece):
    text = pa.list_(pa.string())
    column = pa.chunked_array([pa.array(LISTS * 3, text), pa.array(LISTS[::-1], text)])
    if encode:
        column = pa.chunked_array([pa.ListArray.from_arrays(c.offsets, c.values.dictionary_encode(), mask=c.is_null())
                                   for c in column.chunks])
    column = pa.chunked_array([c.slice(piece.start, piece.stop - piece.start) for c in column.chunks], column.type)
    got = _lists(column)
    assert got.tolist() == plain(column)
    same = [v for v in got[: piece.stop - piece.start] if v == ["a", "b"]]
    assert all(v is same[0] for v in same)   # one list object per combination in a chunk


def test_lists_with_more_choices_than_a_number_holds():
    many = [[f"c{i}" for i in range(80)], [f"c{i}" for i in range(79, -1, -1)], None, ["c1"]]
    column = pa.chunked_array([pa.array(many, pa.list_(pa.string()))])
    assert _lists(column).tolist() == many


def test_lists_of_chunks_numbered_or_not_each_land_in_their_rows():
    """Each chunk's lists go straight to their rows of one array (issue 22, section 3): a chunk
    too long to number between numbered ones, and empty chunks, keep every row in place."""
    many = [[f"c{i}" for i in range(80)], None, ["c1"]]
    text = pa.list_(pa.string())
    column = pa.chunked_array([pa.array(LISTS, text), pa.array([], text), pa.array(many, text),
                               pa.array(LISTS[::-1], text)])
    assert _lists(column).tolist() == LISTS + many + LISTS[::-1]


def test_a_read_of_parts_with_and_without_dictionaries_gives_the_plain_frame(tmp_path, monkeypatch):
    answers = generate("household", 24, seed=6)
    store = ResponseStore(tmp_path, audit=False, compact_threshold=10_000, part_bytes=1)   # two parts stay
    for i in range(24):
        store.submit("household", answers[i], enumerator=f"enum0{i % 3}", response_id=f"h-{i:02d}")
        if i in (11, 23):
            store.compact()
    expected = {t: ResponseStore(tmp_path, audit=False).read(t) for t in ("household", "household_members")}
    for table in expected:   # one part rewritten without dictionaries, the other with them (as pyarrow writes)
        first, second = sorted(store.table_folder(table).glob("part-*.parquet"))
        for path, dictionary in ((first, False), (second, True)):
            rows = pq.read_table(path)
            pq.write_table(rows, path, use_dictionary=dictionary)
    read_dictionary = []
    real = pq.read_table

    def spy(path, *args, **kwargs):
        read_dictionary.append(kwargs.get("read_dictionary"))
        return real(path, *args, **kwargs)

    monkeypatch.setattr(arrow_read.pq, "read_table", spy)
    for table, frame in expected.items():
        pd.testing.assert_frame_equal(ResponseStore(tmp_path, audit=False).read(table), frame, check_exact=True)
    assert not any(read_dictionary)   # a column is read as dictionary only when every file has one
    for table in expected:
        first = sorted(store.table_folder(table).glob("part-*.parquet"))[0]
        pq.write_table(pq.read_table(first), first, use_dictionary=True)
    for table, frame in expected.items():
        got = ResponseStore(tmp_path, audit=False).read(table)
        pd.testing.assert_frame_equal(got, frame, check_exact=True)
    assert any(read_dictionary)
    assert "internet_activities.list.element" in {c for cols in read_dictionary if cols for c in cols}


@pytest.mark.parametrize("seed", range(4))
def test_lists_of_chunks_with_their_own_dictionaries_are_the_plain_lists_one_object_per_combination(seed):
    """Each chunk (a row group) has its own dictionary: a combination is numbered from the values
    of every chunk, so its rows share one list across chunks too, and each row gets its own list
    (issue 22, section 3: one take for the column instead of one per chunk)."""
    rng = random.Random(seed)
    choices = ["a", "b", "c", "d", "e\x1fz"]
    encode = seed % 2 == 0
    chunks = []
    for _ in range(5):
        rows = [None if rng.random() < 0.2 else rng.sample(choices, rng.randrange(0, 4)) for _ in range(40)]
        chunk = pa.array(rows, pa.list_(pa.string()))
        if encode:   # a dictionary of this chunk's own, in its own order
            order = rng.sample(choices, len(choices))
            values = pa.DictionaryArray.from_arrays(
                pa.array([order.index(v) for v in chunk.values.to_pylist()], pa.int32()), pa.array(order))
            chunk = pa.ListArray.from_arrays(chunk.offsets, values, mask=chunk.is_null())
        start = rng.randrange(0, 10)
        chunks.append(chunk.slice(start, rng.randrange(0, 40 - start)))
    column = pa.chunked_array(chunks)
    got = _lists(column)
    assert got.tolist() == plain(column)
    by_value: dict = {}
    for v in got:
        if v is not None:
            assert by_value.setdefault(tuple(v), v) is v   # one list object per combination


def test_a_big_tables_text_decoded_beside_its_lists_gives_the_same_frame(monkeypatch):
    """From BESIDE_ROWS rows, to_pandas decodes the text in a thread while it makes the lists
    (issue 22, section 3): the frame is the one made in one thread."""
    from survey.store import frames

    n = 500
    rows = pa.table({"_response_id": [f"r{i:04d}" for i in range(n)], "k": pa.array(range(n), pa.int32()),
                     "sex": pa.array(["m" if i % 3 else None for i in range(n)]).dictionary_encode(),
                     "multi": pa.array((LISTS * n)[:n], pa.list_(pa.string())), "note": [f"n{i % 7}" for i in range(n)]})
    monkeypatch.setattr(frames, "BESIDE_ROWS", 10 ** 9)
    alone = frames.to_pandas(rows)
    monkeypatch.setattr(frames, "BESIDE_ROWS", 1)
    threads = []
    real = frames._plain_frame
    monkeypatch.setattr(frames, "_plain_frame", lambda t: threads.append(threading.current_thread()) or real(t))
    beside = frames.to_pandas(rows)
    assert threads and threads[0] is not threading.main_thread()
    pd.testing.assert_frame_equal(beside, alone, check_exact=True)
    assert list(beside.dtypes.astype(str)) == ["string", "Int64", "string", "object", "string"]
