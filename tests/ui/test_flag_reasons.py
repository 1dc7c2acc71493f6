"""The flags of each response (the monitor's list, the review queue's column) worked out in arrays:
the same as the loop over every flag that built them before, for many combinations of flags."""

from types import SimpleNamespace

import numpy as np
import pandas as pd

from survey.fieldwork.quality import FLAGS
from ui.supervision.monitor_data import flag_reasons, oldest_first, review_queue


def _by_loop(flagged: pd.DataFrame) -> dict:
    out: dict = {}
    for rid, flag in zip(flagged["_response_id"].tolist(), flagged["flag"].tolist()):
        if flag not in out.setdefault(rid, []):
            out[rid].append(flag)
    return {rid: tuple(flags) for rid, flags in out.items()}


def _flags(n: int, seed: int) -> pd.DataFrame:
    """Flags of ``n`` responses in a mixed order: every combination and order of the six flags, repeats."""
    rng = np.random.default_rng(seed)
    rows = []
    for i in range(n):
        for flag in rng.permutation(FLAGS)[:rng.integers(0, len(FLAGS) + 1)]:
            rows += [(f"r{i:05d}", str(flag), "detail")] * int(rng.integers(1, 3))
    rows = [rows[k] for k in rng.permutation(len(rows))]
    return pd.DataFrame(rows, columns=["_response_id", "flag", "detail"])


def test_each_response_has_its_flags_in_the_order_raised():
    flagged = _flags(3000, 1)
    found = flag_reasons(flagged)
    assert found == _by_loop(flagged) and list(found) == list(_by_loop(flagged))
    assert len({len(v) for v in found.values()}) == len(FLAGS)   # the test has combinations of every size
    same = {}
    for flags in found.values():   # one tuple per combination, shared
        assert same.setdefault(flags, flags) is flags
    assert flag_reasons(flagged.iloc[:0]) == {}


def test_flags_past_one_number_still_come_in_order():
    # 40 distinct flags on one response: too many digits for one number, tuples one by one
    flagged = pd.DataFrame({"_response_id": ["a"] * 40 + ["b", "a"], "flag": [f"f{k}" for k in range(40)] + ["f3", "f1"]})
    assert flag_reasons(flagged) == _by_loop(flagged)


def _queue_by_loop(records, times, raised) -> pd.DataFrame:
    by_id = _by_loop(raised)
    ids = records["_response_id"].astype(str)
    out = pd.DataFrame({
        "_response_id": ids.to_numpy(), "_enumerator": records["_enumerator"].astype(str).to_numpy(),
        "_status": records["_status"].astype(str).to_numpy(), "_revision": records["_revision"].astype(int).to_numpy(),
        "area": records["kec"].astype("string").to_numpy(),
        "submitted_at": times.set_index("_response_id").reindex(ids)["submitted_at"].array,
        "flags": [by_id.get(rid, ()) for rid in ids.tolist()]})
    return out.take(oldest_first(out)).reset_index(drop=True)


def test_the_review_queue_is_the_one_the_loop_made():
    raised = _flags(400, 2)
    rng = np.random.default_rng(3)
    n = 500   # a hundred responses without a flag, one without a time
    ids = [f"r{i:05d}" for i in rng.permutation(n)]
    records = pd.DataFrame({"_response_id": pd.Series(ids, dtype="str"),
                            "_enumerator": pd.Series(rng.choice(["e1", "e2", None], n), dtype="str"),
                            "_status": pd.Series(rng.choice(["submitted", "on_hold", "approved"], n), dtype="str"),
                            "_revision": rng.integers(1, 4, n), "kec": rng.choice(["010", "020", None], n)})
    moments = pd.Series(pd.to_datetime(rng.integers(1.7e9, 1.8e9, n), unit="s", utc=True)).astype("datetime64[us, UTC]")
    times = pd.DataFrame({"_response_id": pd.Series(ids[1:], dtype="str"),
                          "submitted_at": moments[1:].reset_index(drop=True)})
    inst = SimpleNamespace(design=SimpleNamespace(strata="kec", census=None))
    pd.testing.assert_frame_equal(review_queue(inst, records, times, raised), _queue_by_loop(records, times, raised))
