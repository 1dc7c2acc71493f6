"""Crash safety: a writer killed with SIGKILL at random moments loses nothing it
acknowledged, never leaves a row twice or a torn file visible, and a resubmission
of what it acknowledged is a no-op.

The writer is a subprocess (tests/support/store_worker.py) that prints each
response id after submit() returned; the parent kills it while it writes, while
it compacts (a small compaction threshold, plus explicit compactions), then
checks the store.
"""

from __future__ import annotations

import datetime as dt
import random
import signal
import subprocess
import sys
import threading
import time
from collections import Counter
from pathlib import Path

from survey.store.response_store import ResponseStore
from tests.support import store_worker as worker

EPOCH = dt.datetime(1970, 1, 1, tzinfo=dt.timezone.utc)


class Child:
    """A worker process whose output lines are collected by a thread."""

    def __init__(self, root: Path, start: int, stop: int, *options: str):
        self.lines: list[str] = []
        self.stderr = open(root / f"worker-{start}.err", "w+")
        self.proc = subprocess.Popen(
            [sys.executable, worker.SCRIPT, str(root), str(start), str(stop), *options],
            stdout=subprocess.PIPE, stderr=self.stderr, text=True, bufsize=1,
        )
        self.reader = threading.Thread(target=self._read, daemon=True)
        self.reader.start()

    def _read(self) -> None:
        for line in self.proc.stdout:
            if line.endswith("\n"):  # a line cut by the kill was not acknowledged
                self.lines.append(line.rstrip("\n"))

    def wait_for(self, predicate, timeout: float = 60.0) -> None:
        deadline = time.monotonic() + timeout
        while not predicate(self.lines) and self.proc.poll() is None:
            assert time.monotonic() < deadline, "worker too slow"
            time.sleep(0.002)

    def kill(self) -> None:
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGKILL)
        self.proc.wait(timeout=30)
        self.reader.join(timeout=30)
        self.stderr.seek(0)
        errors = self.stderr.read()
        self.stderr.close()
        assert "Traceback" not in errors, errors

    def acknowledged(self) -> dict[str, int]:
        out = {}
        for line in self.lines:
            parts = line.split()
            if len(parts) == 3 and parts[0].startswith("r"):
                out[parts[0]] = int(parts[1])
        return out


def test_sigkill_at_random_moments_never_loses_or_doubles_an_acknowledged_submission(tmp_path):
    rng = random.Random(20240501)
    acked: dict[str, int] = {}
    rounds = [
        # (start, stop, options, how many acknowledgements to wait for, wait for "compacting"?)
        (0, 60, ["--threshold", "3"], 7, False),
        (30, 90, ["--threshold", "3", "--compact-every", "5"], 0, True),
        (10, 100, ["--threshold", "2"], 12, False),
        (50, 120, ["--threshold", "64", "--compact-every", "4"], 0, True),
        (0, 130, ["--threshold", "3"], 20, False),
    ]
    for n, (start, stop, options, wait_acks, during_compaction) in enumerate(rounds):
        child = Child(tmp_path, start, stop, *options, "--seed", str(n))
        try:
            if during_compaction:
                skip = rng.randrange(3)
                child.wait_for(lambda lines: lines.count("compacting") > skip)
                time.sleep(rng.uniform(0, 0.03))
            else:
                child.wait_for(lambda lines: len(lines) > wait_acks)
                time.sleep(rng.uniform(0, 0.05))
        finally:
            child.kill()
        for rid, us in child.acknowledged().items():
            assert acked.setdefault(rid, us) == us, f"{rid}: two different receipts"
    assert len(acked) > 20

    store = ResponseStore(tmp_path / "data", instruments_dir=tmp_path / "instruments")
    attempted = {worker.response_id(i) for i in range(130)}

    def check() -> list[str]:
        df = store.read("hh")
        got = list(df["_response_id"])
        counts = Counter(got)
        assert [rid for rid, c in counts.items() if c > 1] == []  # never twice
        assert set(acked) <= set(got)  # nothing acknowledged is lost
        assert set(got) <= attempted  # nothing foreign (no temp file, no torn row)
        for _, row in df.iterrows():
            i = int(row["_response_id"][1:])
            assert row["head_name"] == f"head {i}" and row["hh_size"] == i % 4
        members = store.read("hh_members")
        assert not members.duplicated(["_response_id", "_member_index"]).any()
        per_response = Counter(members["_response_id"])
        for rid in got:
            assert per_response.get(rid, 0) == int(rid[1:]) % 4, rid
        assert set(per_response) <= set(got)
        assert store.count("hh") == len(got) and store.count("hh_members") == len(members)
        return got

    stored = check()
    # every acknowledged submission, submitted again, is a no-op with the same receipt
    for rid, us in sorted(acked.items()):
        receipt = store.submit("hh", worker.answers(int(rid[1:])), enumerator="again", response_id=rid)
        assert receipt.duplicate
        assert (receipt.submitted_at - EPOCH) // dt.timedelta(microseconds=1) == us
    assert sorted(check()) == sorted(stored)
    # finishing any interrupted compaction changes nothing either
    store.compact()
    assert sorted(check()) == sorted(stored)
    folders = [tmp_path / "data" / "responses" / t for t in ("hh", "hh_members")]
    assert not any((f / "_compacting").exists() for f in folders)
    # ids that were never acknowledged can still be submitted, once
    unacknowledged = sorted(attempted - set(acked))
    late = rng.sample(unacknowledged, min(10, len(unacknowledged))) + sorted(set(stored) - set(acked))[:5]
    for rid in late:
        store.submit("hh", worker.answers(int(rid[1:])), enumerator="late", response_id=rid)
    assert sorted(check()) == sorted(set(stored) | set(late))
