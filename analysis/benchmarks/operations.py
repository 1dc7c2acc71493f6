"""The operations every tool times, their names, and the shared timing loop.

Each tool's runner (one process per tool and round) loads the Parquet (or CSV) file, then
times each operation ``calls`` times, warm (the first call counts too, the best is reported),
and writes a JSON report: per operation the times in seconds and the results the agreement
check compares, and the process's peak resident memory.  Results are plain lists of numbers
in a fixed order, the same from every tool:

* ``design``: nothing (the set-up itself);
* ``mean``: [estimate, se] of ``y``;
* ``domains``: [estimate, se] of ``y`` in each of the domains d1..d5;
* ``crosstab``: the 10 cell shares of ``r2 x c5`` (rows fastest) and their SEs, then the
  Rao-Scott F, its numerator and denominator df and p-value (R's ``svychisq(statistic="F")``);
* ``logistic``: coefficients then SEs of ``b ~ x1 + x2 + x3 + x4`` (intercept first);
* ``median``: [estimate, ci_low, ci_high, se] of ``y`` (R's qrule "math", Woodruff interval).
"""

from __future__ import annotations

import json
import resource
import sys
import time
from pathlib import Path
from typing import Callable

OPERATIONS = ("design", "mean", "domains", "crosstab", "logistic", "median")
LABELS = {
    "design": "design set-up",
    "mean": "mean + SE",
    "domains": "mean by 5 domains",
    "crosstab": "2x5 cross-tab + Rao-Scott",
    "logistic": "logistic, 4 predictors",
    "median": "median with CI",
}


def peak_mb() -> float:
    """The process's peak resident memory in MB (Linux reports ru_maxrss in kB)."""
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def timed(fn: Callable, calls: int):
    """The last result of ``calls`` calls of ``fn`` and the time of each, in seconds."""
    times, result = [], None
    for _ in range(calls):
        start = time.perf_counter()
        result = fn()
        times.append(time.perf_counter() - start)
    return result, times


def run(load: Callable, design: Callable, steps: dict, argv: list[str]) -> None:
    """A runner's main: ``runner DATA CALLS OUT [OPERATION ...]``; writes the JSON report."""
    data_path, calls, out = Path(argv[0]), int(argv[1]), Path(argv[2])
    wanted = argv[3:] or list(OPERATIONS)
    data = load(data_path)
    des, times = timed(lambda: design(data), calls)
    report = {"times": {"design": times}, "results": {"design": []}}
    for name in wanted:
        if name == "design":
            continue
        result, times = timed(lambda: steps[name](des), calls)
        report["times"][name] = times
        report["results"][name] = [float(v) for v in result]
    report["peak_mb"] = peak_mb()
    out.write_text(json.dumps(report))


if __name__ == "__main__":
    sys.exit("run analysis.benchmarks.run_ours or run_svy")
