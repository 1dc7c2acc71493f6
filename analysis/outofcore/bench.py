"""``python -m analysis.bench --out-of-core --rows N [--json FILE]``: the out-of-core benchmark.

Writes the speed benchmark's design (:mod:`analysis.outofcore.generate`) at N rows as
Parquet (in chunks, never whole in memory), then times through DuckDB (memory limit and
threads set): the design set-up (the PSU table), a mean with its SE, a mean by 5 domains,
the 2x5 cross-tab with its Rao-Scott tests and the median with its Woodruff CI.  It prints
the times and the peak memory (ru_maxrss of this process and of its children), then checks
the out-of-core results against the in-memory engine (``analysis.SurveyDesign``) on a
sample both can hold (``--sample-rows``, written by the same generator) and fails when they
differ by more than 1e-9 (relative).  ``--engine spark --master URL`` runs the same on Spark.
The Parquet files are deleted afterwards unless ``--keep``.
"""

from __future__ import annotations

import argparse
import json
import resource
import shutil
import tempfile
import time
from pathlib import Path
from typing import Sequence

import numpy as np

from analysis import outofcore
from analysis.outofcore.design import OutOfCoreDesign
from analysis.outofcore.engines import duckdb_connection, read_parquet, spark_connection
from analysis.outofcore.generate import write_design

DESIGN = {"weights": "weight", "strata": "stratum", "psu": "psu"}
TOLERANCE = 1e-9


def run(d, engine) -> dict:
    """The four analyses on design ``d`` with ``engine``'s functions (a module-like object
    with mean, crosstab, quantile): their results as {name: result}."""
    return {"mean": engine.mean(d, "income"),
            "mean_by": engine.mean(d, "income", by="kecamatan"),
            "crosstab": engine.crosstab(d, "has_internet", "education"),
            "median": engine.quantile(d, "income", [0.5])}


def numbers(results: dict) -> dict[str, np.ndarray]:
    """Every number of ``run``'s results, flattened, by name (for comparing engines)."""
    out = {}
    for name in ("mean", "mean_by", "median"):
        frame = results[name]
        for col in ("estimate", "se", "ci_low", "ci_high", "df", "n"):
            out[f"{name}.{col}"] = frame[col].to_numpy(dtype=float)
    ct = results["crosstab"]
    for part in ("counts", "counts_se", "row_percent", "row_percent_se", "col_percent",
                 "col_percent_se", "total_percent", "total_percent_se", "n"):
        out[f"crosstab.{part}"] = getattr(ct, part).to_numpy(dtype=float).ravel()
    for part in ("rao_scott", "chisq", "pearson"):
        out[f"crosstab.{part}"] = np.asarray(getattr(ct, part), dtype=float)
    out["crosstab.cramers_v"] = np.asarray([ct.cramers_v], dtype=float)
    for part in ("wald", "adj_wald", "saddlepoint"):   # R's other svychisq statistics
        test = getattr(ct, part)
        out[f"crosstab.{part}"] = np.asarray([test.statistic, test.p_value], dtype=float)
    return out


def differences(a: dict, b: dict) -> dict[str, float]:
    """Largest relative difference per number name (NaN in both counts as equal)."""
    out = {}
    for name, x in a.items():
        y = b[name]
        if x.shape != y.shape:
            out[name] = np.inf
            continue
        both_nan = np.isnan(x) & np.isnan(y)
        with np.errstate(invalid="ignore", divide="ignore"):
            rel = np.abs(x - y) / np.maximum(np.abs(y), np.finfo(float).tiny)
        out[name] = float(np.max(np.where(both_nan | (x == y), 0.0, rel), initial=0.0))
    return out


def _peak_mb() -> dict:
    """Peak resident memory of this process, of its finished children (ru_maxrss) and of the
    children still running (their VmHWM in /proc on Linux: Spark's JVM lives until exit)."""
    self_kb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    child_kb = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    return {"self_mb": round(self_kb / 1024, 1), "children_mb": round(child_kb / 1024, 1),
            "running_children_mb": round(sum(_hwm_kb(pid) for pid in _children()) / 1024, 1)}


def _children() -> list[str]:
    pids = []
    for task in Path("/proc/self/task").glob("*"):
        try:
            pids += (task / "children").read_text().split()
        except OSError:
            pass
    return pids


def _hwm_kb(pid: str) -> int:
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmHWM:"):
                return int(line.split()[1])
    except OSError:
        pass
    return 0


def _cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


def _timed(label: str, fn, times: dict, cpu: dict):
    """Wall time and CPU time (all threads of this process: on a busy machine the CPU
    time says what the work costs, the wall time what it took)."""
    start, start_cpu = time.perf_counter(), _cpu()
    result = fn()
    times[label] = round(time.perf_counter() - start, 4)
    cpu[label] = round(_cpu() - start_cpu, 4)
    print(f"{times[label]:9.3f} s wall {cpu[label]:9.3f} s CPU  {label}", flush=True)
    return result


def _connect(args):
    if args.engine == "spark":
        memory = args.memory_limit.lower().removesuffix("b")   # DuckDB's "1GB" is the JVM's "1g"
        return spark_connection(args.master, **{"spark.driver.memory": memory})
    return duckdb_connection(args.memory_limit, args.threads, args.dir)


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m analysis.bench --out-of-core",
                                     description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=10_000_000)
    parser.add_argument("--json", type=Path, help="also write the measurements to this JSON file")
    parser.add_argument("--dir", type=Path, help="folder for the Parquet files (default: a new temporary one)")
    parser.add_argument("--keep", action="store_true", help="keep the Parquet files")
    parser.add_argument("--sample-rows", type=int, default=500_000,
                        help="rows of the sample checked against the in-memory engine")
    parser.add_argument("--engine", choices=("duckdb", "spark"), default="duckdb")
    parser.add_argument("--master", default="local[2]", help="Spark master URL (with --engine spark)")
    parser.add_argument("--memory-limit", default="1GB", help="DuckDB memory_limit (Spark: driver memory)")
    parser.add_argument("--threads", type=int, default=2)
    args = parser.parse_args(argv)

    folder = Path(tempfile.mkdtemp(prefix="outofcore-", dir=args.dir))
    report = {"rows": args.rows, "engine": args.engine, "memory_limit": args.memory_limit,
              "threads": args.threads, "times_s": {}, "cpu_s": {}}
    times = (report["times_s"], report["cpu_s"])
    try:
        path = _timed(f"write {args.rows:,} rows as Parquet (streamed)",
                      lambda: write_design(folder / "design.parquet", args.rows), *times)
        report["parquet_mb"] = round(path.stat().st_size / 2**20, 1)
        con = _connect(args)
        d = _timed("design set-up (PSU table)", lambda: _design(con, path), *times)
        _timed("mean + SE", lambda: outofcore.mean(d, "income"), *times)
        _timed("mean by 5 domains", lambda: outofcore.mean(d, "income", by="kecamatan"), *times)
        _timed("2x5 cross-tab + Rao-Scott", lambda: outofcore.crosstab(d, "has_internet", "education"), *times)
        _timed("median with CI", lambda: outofcore.quantile(d, "income", [0.5]), *times)
        report["peak_out_of_core"] = _peak_mb()
        report["check"] = _check(con, path if args.rows <= args.sample_rows else
                                 write_design(folder / "sample.parquet", args.sample_rows), args.sample_rows)
        report["peak_end"] = _peak_mb()
    finally:
        if not args.keep:
            shutil.rmtree(folder, ignore_errors=True)
    ok = report["check"]["max_relative_difference"] <= TOLERANCE
    print(f"peak memory (ru_maxrss) after the out-of-core steps: {report['peak_out_of_core']}; "
          f"at the end (with the in-memory check): {report['peak_end']}")
    print(f"in-memory check on {report['check']['rows']:,} rows: largest relative difference "
          f"{report['check']['max_relative_difference']:.2e} ({report['check']['worst']}) "
          f"{'OK' if ok else 'FAILED'} (tolerance {TOLERANCE:g})")
    if args.json:
        args.json.write_text(json.dumps(report, indent=2) + "\n")
    return 0 if ok else 1


def _design(con, path) -> OutOfCoreDesign:
    d = OutOfCoreDesign(read_parquet(con, path), **DESIGN)
    d.degf  # the PSU table and degf: what every estimate needs
    return d


def _check(con, path, rows) -> dict:
    """Out-of-core against in-memory results on the file at ``path``."""
    import pandas as pd

    import analysis

    ours = numbers(run(_design(con, path), outofcore))
    frame = pd.read_parquet(path)
    theirs = numbers(run(analysis.SurveyDesign(frame, **DESIGN), analysis))
    diffs = differences(ours, theirs)
    worst = max(diffs, key=diffs.get)
    return {"rows": min(rows, len(frame)), "max_relative_difference": diffs[worst], "worst": worst}
