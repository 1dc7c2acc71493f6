"""The Dataset build's faster pieces (issue 22, section 3) give what the plain versions gave."""

import numpy as np
import pandas as pd

from analysis.dataset.answer_columns import _distinct_lists, _identities
from analysis.dataset.design_weights import rows_in
from analysis.dataset.response_rates import _per_key


def test_identities_are_the_ids_of_every_element_even_of_a_strided_array():
    shared = [["a"], ["b", "c"], None, "x y"]
    values = np.empty(41, dtype=object)
    for i in range(len(values)):
        values[i] = shared[i % 4] if i % 5 else ["fresh", str(i)]
    strided = values[::3]
    assert not strided.flags.c_contiguous
    assert _identities(strided).tolist() == [id(v) for v in strided]
    codes, distinct = _distinct_lists(strided)
    assert [distinct[c] for c in codes] == [None if v is None else (v.split() if isinstance(v, str) else list(v))
                                            for v in strided]


def test_rows_in_matches_a_multiindex_lookup_of_every_row():
    table = pd.DataFrame({"s": ["a", "a", "b", "c"], "p": ["1", "2", "1", "9"]})
    raw = pd.DataFrame({"s": pd.array(["b", "a", "a", "zz", "b", None, "a"], dtype="str"),
                        "p": pd.array(["1", "2", "2", "1", "1", "1", "1"], dtype="str")})
    plain = pd.MultiIndex.from_frame(table.astype(str)).get_indexer(pd.MultiIndex.from_frame(raw.astype(str)))
    np.testing.assert_array_equal(rows_in(table, raw, ["s", "p"]), plain)
    np.testing.assert_array_equal(rows_in(table, raw, ["s", "p"]), [2, 1, 1, -1, 2, -1, 0])


def test_per_key_sums_and_positions_match_a_groupby():
    rng = np.random.default_rng(3)
    table = pd.DataFrame({"s": rng.choice(["b", "a", "c"], 500), "p": rng.choice([str(i) for i in range(12)], 500),
                          "other": np.arange(500)})
    values = rng.integers(0, 3, 500)
    sums, position = _per_key(table, ["s", "p"], values)
    expected = pd.Series(values).groupby([table["s"], table["p"]]).sum()
    assert sums.index.tolist() == expected.index.tolist()
    np.testing.assert_array_equal(sums.to_numpy(), expected.to_numpy())
    keys = list(zip(table["s"], table["p"]))
    assert [sums.index[i] for i in position] == keys
