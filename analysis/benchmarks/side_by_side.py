"""``python -m analysis.bench --side-by-side [--rows 1000000] [--json FILE]``: our engine, svy and
R's survey on the same design, each in its own process, interleaved (issue 22, section 1).

1. :func:`analysis.benchmarks.generate.generate` writes the seeded design (Parquet; CSV for R).
2. Agreement: every tool runs each operation once; estimates and SEs must agree with R's to
   ``TOLERANCE`` relative (R is the reference; without R, with ours).  svy's logistic SEs differ
   from R's near 1e-8: svy takes the sandwich at its converged coefficients, R (and we) at the
   working weights of glm.fit's last iteration, so those are compared to ``LOGISTIC_SE`` and said;
   the Rao-Scott p-values agree when both are below ``P_FLOOR``.
3. Rounds: each round starts ours, svy, then R, one process each; a process times every
   operation ``calls`` times (5; R ``R_CALLS``, 2: its seconds per call add up), the best counts.
   The table shows per operation the best and the median over rounds of each round's best, the
   ratio of the others' medians to ours, and each tool's peak memory (load + every operation).
4. ``--store`` adds the store's rows (:mod:`analysis.benchmarks.store_rows`).

svy runs when importable (``pip install -r requirements-bench.txt``), R when ``Rscript`` is on
the PATH; a tool that is absent is left out with the reason printed.
"""

from __future__ import annotations

import importlib.util
import json
import shutil
import statistics
import subprocess
import sys
import tempfile
from pathlib import Path

from analysis.benchmarks.generate import ROWS, generate
from analysis.benchmarks.operations import LABELS, OPERATIONS

TOLERANCE = 1e-9
LOGISTIC_SE = 1e-7
P_FLOOR = 1e-15   # p-values below this agree (svy's F tail gives 0.0 where R gives 2e-185)
HERE = Path(__file__).parent
TOOLS = ("ours", "svy", "R")
R_CALLS = 2   # R takes seconds per call at 1,000,000 rows: best of 2 keeps a round within minutes


def available() -> dict[str, str | None]:
    """Each tool: None when it can run here, else why not."""
    return {
        "ours": None,
        "svy": None if importlib.util.find_spec("svy")
        else "svy is not installed (pip install -r requirements-bench.txt)",
        "R": None if shutil.which("Rscript") else "Rscript is not on the PATH",
    }


def run_tool(tool: str, parquet: Path, csv: Path, calls: int, out: Path, operations=()) -> dict:
    """One process of ``tool``: its JSON report (times, results, peak_mb)."""
    if tool == "R":
        cmd = ["Rscript", str(HERE / "run_r.R"), str(csv)]
    else:
        cmd = [sys.executable, "-m", f"analysis.benchmarks.run_{'ours' if tool == 'ours' else 'svy'}", str(parquet)]
    subprocess.run([*cmd, str(calls), str(out), *operations], check=True, cwd=HERE.parent.parent)
    report = json.loads(out.read_text())
    if isinstance(report["peak_mb"], list):   # R's jsonlite writes every number as a list
        report["peak_mb"] = report["peak_mb"][0]
    return report


def _relative(a: float, b: float) -> float:
    if a == b:
        return 0.0
    return abs(a - b) / max(abs(a), abs(b))


def disagreements(results: dict[str, dict]) -> list[str]:
    """Differences beyond the tolerance between each tool's results and the reference's (R's
    when present, else ours), one line each; empty when they agree."""
    reference = "R" if "R" in results else "ours"
    ref = results[reference]
    problems = []
    for tool, got in results.items():
        if tool == reference:
            continue
        for op, expected in ref.items():
            values = got.get(op, [])
            if len(values) != len(expected):
                problems.append(f"{tool} {op}: {len(values)} numbers, {reference} {len(expected)}")
                continue
            for i, (a, b) in enumerate(zip(values, expected)):
                if op == "crosstab" and i == len(expected) - 1 and max(abs(a), abs(b)) < P_FLOOR:
                    continue
                tol = LOGISTIC_SE if tool == "svy" and op == "logistic" and i >= len(expected) // 2 else TOLERANCE
                if _relative(a, b) > tol:
                    problems.append(f"{tool} {op}[{i}]: {a!r} vs {reference} {b!r} "
                                    f"(relative {_relative(a, b):.1e} > {tol:g})")
    return problems


def agreement(rows: int, folder: Path, tools=TOOLS) -> tuple[dict, list[str]]:
    """Run every available tool once on ``rows`` rows: (results per tool, disagreements)."""
    parquet, csv = generate(rows, folder)
    results = {}
    for tool in tools:
        report = run_tool(tool, parquet, csv, 1, folder / f"check_{tool}.json")
        results[tool] = {op: v for op, v in report["results"].items() if op != "design"}
    return results, disagreements(results)


def rounds(parquet: Path, csv: Path, tools, n_rounds: int, calls: int, folder: Path,
           r_calls: int = R_CALLS) -> dict:
    """Interleaved rounds: {tool: {"best": {op: [per round]}, "peak_mb": [per round]}}."""
    out = {t: {"best": {op: [] for op in OPERATIONS}, "peak_mb": []} for t in tools}
    for r in range(n_rounds):
        for tool in tools:
            n_calls = min(calls, r_calls) if tool == "R" else calls
            report = run_tool(tool, parquet, csv, n_calls, folder / f"round{r}_{tool}.json")
            for op, times in report["times"].items():
                out[tool]["best"][op].append(min(times))
            out[tool]["peak_mb"].append(report["peak_mb"])
            print(f"  round {r + 1}/{n_rounds}: {tool} done", file=sys.stderr)
    return out


def summary(timings: dict) -> list[dict]:
    """One row per operation: per tool best and median (seconds) and ratio to ours."""
    rows = []
    for op in OPERATIONS:
        row = {"operation": LABELS[op]}
        ours = statistics.median(timings["ours"]["best"][op])
        for tool, t in timings.items():
            row[f"{tool}_best"] = min(t["best"][op])
            row[f"{tool}_median"] = statistics.median(t["best"][op])
            if tool != "ours":
                row[f"{tool}_ratio"] = row[f"{tool}_median"] / ours
        rows.append(row)
    rows.append({"operation": "peak memory (GB)",
                 **{f"{tool}_median": max(t["peak_mb"]) / 1024 for tool, t in timings.items()}})
    return rows


def _fmt_time(s: float) -> str:
    return f"{s * 1000:,.0f} ms" if s < 1 else f"{s:,.2f} s"


def render(rows: list[dict], tools) -> str:
    head = "| operation | " + " | ".join(
        f"{t} best | {t} median" + (f" | {t} / ours" if t != "ours" else "") for t in tools) + " |"
    lines = [head, "|" + " --- |" * (head.count("|") - 1)]
    for row in rows:
        cells = []
        for t in tools:
            if row["operation"].startswith("peak"):
                cells += ["", f"{row[f'{t}_median']:.2f} GB"] + ([""] if t != "ours" else [])
                continue
            cells += [_fmt_time(row[f"{t}_best"]), _fmt_time(row[f"{t}_median"])]
            if t != "ours":
                cells.append(f"{row[f'{t}_ratio']:.1f}x")
        lines.append(f"| {row['operation']} | " + " | ".join(cells) + " |")
    return "\n".join(lines)


def main(rows: int = ROWS, json_path: Path | None = None, n_rounds: int = 3, calls: int = 5,
         folder: Path | None = None, store: bool = False, only=TOOLS) -> int:
    folder = folder or Path(tempfile.gettempdir()) / "side_by_side"
    reasons = available()
    tools = [t for t in TOOLS if reasons[t] is None and t in only]
    for t in TOOLS:
        if reasons[t]:
            print(f"{t}: left out, {reasons[t]}")
    parquet, csv = generate(rows, folder)
    print(f"data: {parquet} ({rows:,} rows); checking agreement ...", file=sys.stderr, flush=True)
    results = {}
    for tool in tools:
        report = run_tool(tool, parquet, csv, 1, folder / f"check_{tool}.json")
        results[tool] = {op: v for op, v in report["results"].items() if op != "design"}
    problems = disagreements(results)
    print("agreement: " + ("every estimate and SE within "
                           f"{TOLERANCE:g} relative (svy's logistic SEs within {LOGISTIC_SE:g})"
                           if not problems else f"{len(problems)} differences:\n  " + "\n  ".join(problems)))
    timings = rounds(parquet, csv, tools, n_rounds, calls, folder)
    table = summary(timings)
    print(f"{rows:,} rows, {n_rounds} interleaved rounds, best of {calls} calls each (R: {min(calls, R_CALLS)}); "
          "median = median over rounds of each round's best")
    print(render(table, tools))
    report = {"rows": rows, "rounds": n_rounds, "calls": calls, "tools": tools, "left_out": reasons,
              "agreement": problems, "table": table, "timings": timings}
    if store:
        from analysis.benchmarks.store_rows import store_rows
        report["store"] = store_rows(folder / "store")
    if json_path:
        json_path.write_text(json.dumps(report, indent=1))
    return 1 if problems else 0
