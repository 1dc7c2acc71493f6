"""The store's rows of the side-by-side benchmark (``--store``; issue 22, section 1).

* durable submit latency (p50/p95/p99/max of ``ResponseStore.submit``, one interview after
  another as :mod:`survey.store.submit_bench` does) into an empty store and into one already
  holding 100,000 households;
* reading 100,000 and 1,000,000 stored households (``read_inputs``: households, members, frame
  and population, as an analysis page reads them), best and median of 3 first reads of a new
  store object (files in the OS cache, the process warm), with the CPU time of the best.

The big stores are written once by ``python -m survey.simulate --bulk`` into ``folder``, compacted
once (a bulk load's parts are in no order; compaction rewrites them in the read's order, as it does
an app's store) and reused by later runs (1,000,000 households take a while and several GB of disk).
"""

from __future__ import annotations

import shutil
import statistics
import subprocess
import sys
import time
from pathlib import Path

SUBMITS = 500


def _bulk(folder: Path, households: int) -> Path:
    out = folder / f"bulk_{households}"
    if not (out / "responses").exists():
        shutil.rmtree(out, ignore_errors=True)
        subprocess.run([sys.executable, "-m", "survey.simulate", "--households", str(households),
                        "--bulk", "--out", str(out)], check=True, stdout=subprocess.DEVNULL)
    from survey.store.response_store import ResponseStore
    ResponseStore(out, audit=False).compact()   # once: later runs find its parts in order
    return out


def _percentiles(times: list[float]) -> dict:
    ordered = sorted(times)
    at = lambda q: ordered[min(len(ordered) - 1, int(len(ordered) * q))]  # noqa: E731
    return {"n": len(times), "p50": at(0.5), "p95": at(0.95), "p99": at(0.99), "max": ordered[-1]}


def submit_latency(root: Path, submits: int = SUBMITS, seed: int = 7) -> dict:
    """Percentiles of ``submits`` durable submits into the store at ``root`` (made when absent)."""
    from survey.simulate import generate
    from survey.store.response_store import ResponseStore

    store = ResponseStore(root, audit=False)
    times = []
    for i, one in enumerate(generate("household", submits, seed=seed)):
        start = time.perf_counter()
        store.submit("household", one, enumerator=f"enum{i % 20:02d}", response_id=f"side-{seed}-{i:07d}")
        times.append(time.perf_counter() - start)
    getattr(store, "wait_for_compaction", lambda: True)()
    return _percentiles(times)


def read_time(root: Path, repeat: int = 3) -> dict:
    """Best and median of ``repeat`` first reads of the household instrument's inputs, each by a
    new ResponseStore (a store keeps its last read: a second read by the same one costs nothing),
    with the CPU time of the best (all threads of the process)."""
    from analysis.dataset.dataset import read_inputs
    from survey import ResponseStore

    times, cpu = [], []
    for _ in range(repeat):
        store = ResponseStore(root, audit=False)
        store.instrument("household")
        start, started_cpu = time.perf_counter(), time.process_time()
        read_inputs(store, "household")
        times.append(time.perf_counter() - start)
        cpu.append(time.process_time() - started_cpu)
    return {"best": min(times), "median": statistics.median(times), "cpu of best": cpu[times.index(min(times))]}


def store_rows(folder: Path, sizes=(100_000, 1_000_000), submits: int = SUBMITS) -> dict:
    """Every store row, printed and returned."""
    folder.mkdir(parents=True, exist_ok=True)
    empty = folder / "empty"
    shutil.rmtree(empty, ignore_errors=True)
    rows = {"submit into an empty store": submit_latency(empty, submits)}
    for n in sizes:
        rows[f"read {n:,} households"] = read_time(_bulk(folder, n))
    if 100_000 in sizes:   # a copy, so the read rows keep their store as written
        full = folder / "submit_100000"
        shutil.rmtree(full, ignore_errors=True)
        shutil.copytree(_bulk(folder, 100_000), full)
        rows["submit into 100,000 households"] = submit_latency(full, submits)
    for label, r in rows.items():
        print(f"{label:>32}: " + "  ".join(f"{k} {v:.4f} s" if isinstance(v, float) else f"{k} {v}"
                                             for k, v in r.items()))
    return rows
