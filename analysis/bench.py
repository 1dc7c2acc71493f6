"""The analysis benchmark: ``python -m analysis.bench [--data DIR] [--repeat 3]``.

Times what an analysis page does on a store (make one with ``python -m
survey.simulate --households 100000 --bulk --out DIR``): read the household tables
and the data folder's files, build the Dataset (frames, weights, calibrated
designs), one question's estimate table, one cross-tab with its Rao-Scott test, and
the household and individual indicator tables. Each step runs ``--repeat`` times;
the best and the median time are printed, in seconds. Speed targets are measured
here, never in timed tests.

``--side-by-side [--rows 1000000] [--json FILE] [--store]`` instead times our estimators
against svy and R's survey on a generated design (:mod:`analysis.benchmarks.side_by_side`).
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import time
from pathlib import Path
from typing import Callable, Sequence

from analysis.dataset.dataset import build_dataset, read_inputs
from analysis.indicators.sections import household_indicator_table, individual_indicator_table
from analysis.tables.question_tables import crosstab_table, question_table


def _time(fn: Callable, repeat: int):
    times, result = [], None
    for _ in range(repeat):
        start = time.perf_counter()
        result = fn()
        times.append(time.perf_counter() - start)
    return result, min(times), statistics.median(times)


def main(argv: Sequence[str] | None = None) -> int:
    argv = list(sys.argv[1:] if argv is None else argv)
    if "--out-of-core" in argv:   # python -m analysis.bench --out-of-core --rows N: analysis/outofcore/bench.py
        from analysis.outofcore.bench import main as out_of_core

        return out_of_core([a for a in argv if a != "--out-of-core"])
    parser = argparse.ArgumentParser(prog="python -m analysis.bench", description=__doc__.splitlines()[0])
    parser.add_argument("--data", type=Path, default=Path(os.environ.get("SURVEY_DATA_DIR", "data")))
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--lang", default="en")
    parser.add_argument("--question", default="has_internet")
    parser.add_argument("--row", default="has_computer")
    parser.add_argument("--col", default="head_education")
    parser.add_argument("--side-by-side", action="store_true", help="ours vs svy vs R on a generated design")
    parser.add_argument("--rows", type=int, default=1_000_000, help="--side-by-side: rows to generate")
    parser.add_argument("--rounds", type=int, default=3, help="--side-by-side: interleaved rounds")
    parser.add_argument("--json", type=Path, help="--side-by-side: write the results here")
    parser.add_argument("--store", action="store_true", help="--side-by-side: add the store's rows")
    parser.add_argument("--tools", default="ours,svy,R", help="--side-by-side: which of ours,svy,R to run")
    args = parser.parse_args(argv)
    if args.side_by_side:
        from analysis.benchmarks.side_by_side import main as side_by_side
        return side_by_side(args.rows, args.json, args.rounds, store=args.store, only=args.tools.split(","))

    from survey import ResponseStore

    store = ResponseStore(args.data, audit=False)
    inst = store.instrument("household")
    inputs, *read = _time(lambda: read_inputs(store, "household"), args.repeat)
    data, *build = _time(lambda: build_dataset(inst, inputs.tables, inputs.frame, inputs.population,
                                               inputs.counts, lang=args.lang), args.repeat)
    steps = [("store read (household + members, frame, population)", read),
             ("dataset build (frames, weights, calibrated designs)", build)]
    for label, fn in (
            (f"estimate table: {args.question}", lambda: question_table(data, args.question)),
            (f"estimate table: {args.question} by kecamatan", lambda: question_table(data, args.question,
                                                                                    by="kecamatan")),
            (f"cross-tab: {args.row} x {args.col}", lambda: crosstab_table(data, args.row, args.col)),
            ("household indicators (HH1-HH16)", lambda: household_indicator_table(data)),
            ("individual indicators (HH5-HH18)", lambda: individual_indicator_table(data))):
        steps.append((label, _time(fn, args.repeat)[1:]))
    rows = {name: (0 if t.design is None else len(t.design)) for name, t in data.tables.items()}
    print(f"data: {args.data}  rows: {rows}  repeat: {args.repeat}")
    for label, (best, median) in steps:
        print(f"{best:8.3f} s best {median:8.3f} s median  {label}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
