"""The analysis pages' benchmark: ``python -m ui.bench --data DIR [--repeat 3] [--pages ...]``.

Each page module runs in Streamlit's AppTest as an administrator's session (the
script a browser's visit runs, without the network and the drawing in the browser,
which do not grow with the data): first with empty caches (the first visit after
the server starts; "computed ahead" is when what the page computes in the background
for the next choice is done), then again (a rerun, or a refresh with nothing new
stored), then with another choice (a new table from the cached dataset), and last the first
visit of a new session after one more household was submitted (the store, the dataset and the
quality checks brought up to date with it; the benchmark submits a simulated household
into the store at DIR for this, ``--no-submit`` leaves the store as it is).  Streamlit's scan
of the installed packages for components (0.3-0.8 s) is done once before the clock and shared
by every session, as a server does it once when it starts: AppTest would otherwise repeat it in
each new session's first run, which no visit of a real server pays.  The compiled page script is
shared the same way (a server compiles a page once for every session, AppTest once per run).
Times are the best and the median of ``--repeat`` rounds, in seconds, wall clock; a second line per page gives the
process's CPU time of the same steps (every thread: on a shared machine it moves less than the wall time).  Make a large store first:
``python -m survey.simulate --households 100000 --civil-servants 2000 --agencies 30
--bulk --out DIR``.  Speed targets are measured here, never in timed tests.
"""

from __future__ import annotations

import argparse
import os
import statistics
import time
from pathlib import Path
from typing import Callable, Sequence

PAGES_DIR = Path(__file__).resolve().parent / "pages"
# page -> (what the other choice is, how to make it)
CHOICES: dict[str, tuple[str, Callable]] = {
    "explore": ("another question", lambda at: at.selectbox(key="explore_question").set_value("has_internet")),
    "crosstab": ("percent of each row, as a heatmap",
                 lambda at: (at.radio(key="crosstab_percent").set_value("row"),
                             at.radio(key="crosstab_style").set_value("heatmap"))),
    "indicators": ("the individual indicators (HH5-HH18)",
                   lambda at: at.radio(key="indicators_section").set_value("individual")),
    "monitor": ("the civil servants' questionnaire",
                lambda at: at.selectbox(key="monitor_instrument").set_value("civil_servant")),
    "review": ("only the approved interviews",
               lambda at: at.multiselect(key="review_status").set_value(["approved"])),
    "design": ("the civil servants' design", lambda at: at.selectbox(key="design_instrument").set_value(
        "civil_servant")),
}


def _quiet() -> None:
    import streamlit.logger
    streamlit.logger.set_log_level("error")   # AppTest has no server, and Streamlit warns about it each run


CPU: list[float] = []   # the CPU seconds of each _run, in order (main() prints them beside the wall times)


def _run(at, timeout: float) -> float:
    _quiet()
    start, cpu = time.perf_counter(), time.process_time()
    at.run(timeout=timeout)
    took = time.perf_counter() - start
    CPU.append(time.process_time() - cpu)
    if at.exception:
        raise RuntimeError(f"the page failed: {at.exception[0].value}")
    return took


_COMPONENTS: list = []   # the one component registry of the process, as a server's


def _components():
    """Streamlit's registry of installed components, scanned once (a server scans at start, not per visit)."""
    if not _COMPONENTS:
        from streamlit.components.v2.component_manager import BidiComponentManager

        manager = BidiComponentManager()
        manager.discover_and_register_components(start_file_watching=False)
        _COMPONENTS.append(manager)
    return _COMPONENTS[0]


_BYTECODE: list = []   # the one cache of compiled page scripts of the process, as a server's


def _bytecode():
    """Streamlit's cache of compiled page scripts, shared by every session and run.  A server's
    runtime compiles each page once and hands the bytecode to every session; AppTest makes a new
    cache for each run (its LocalScriptRunner), so without this each new session and each rerun
    would compile the page again (0.1-0.15 s for the review page): a measurement artefact, not page
    work.  measure() empties it first, so a first visit still pays the compilation a server's does."""
    if not _BYTECODE:
        from streamlit.runtime.scriptrunner.script_cache import ScriptCache
        from streamlit.testing.v1 import local_script_runner

        _BYTECODE.append(ScriptCache())
        local_script_runner.ScriptCache = lambda: _BYTECODE[0]   # the module's name LocalScriptRunner calls
    return _BYTECODE[0]


def _session(page: str, timeout: float):
    from streamlit.testing.v1 import AppTest

    at = AppTest.from_file(str(PAGES_DIR / f"{page}.py"), default_timeout=timeout)
    at._bidi_component_manager = _components()   # AppTest's own attribute: skip its per-session scan
    at.session_state["_auth_user"], at.session_state["_auth_role"] = "bench", "admin"
    return at


def submit_one(root: Path) -> None:
    """One more simulated household, as an enumerator's submission (what the pages then catch up with)."""
    from survey import ResponseStore
    from survey.simulate import generate

    answers = generate("household", 1, seed=time.time_ns() % 1_000_000)[0]
    ResponseStore(root, audit=False).submit("household", answers, enumerator="bench01")


def measure(page: str, timeout: float, root: Path | None) -> tuple[float, ...]:
    """(first visit with empty caches, what it computes ahead in the background done,
    rerun, another choice, first visit after a new submission) of one page, in seconds
    (the last NaN without ``root``).  The rerun and the other choice come
    once the background work is done, as a person reads the first result before choosing."""
    import streamlit as st

    from analysis.monitoring import quality_state
    from ui.results import out_of_core_pages
    from ui.supervision import monitor_data

    _quiet()
    from ui.results import data_cache as data
    st.cache_data.clear()
    st.cache_resource.clear()
    quality_state.forget()   # and what else a server that just started has not made yet
    monitor_data.forget()
    out_of_core_pages.forget()
    _bytecode().clear()   # a server that just started has compiled nothing yet
    at = _session(page, timeout)
    start = time.perf_counter()
    first = _run(at, timeout)
    data.wait_for_prefetch(timeout)
    ahead = time.perf_counter() - start
    again = _run(at, timeout)
    CHOICES[page][1](at)
    other = _run(at, timeout)
    after = float("nan")
    if root is not None:
        submit_one(root)
        after = _run(_session(page, timeout), timeout)
        data.wait_for_prefetch(timeout)
    return first, ahead, again, other, after


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m ui.bench", description=__doc__.splitlines()[0])
    parser.add_argument("--data", type=Path, default=Path(os.environ.get("SURVEY_DATA_DIR", "data")))
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--pages", nargs="+", default=list(CHOICES), choices=list(CHOICES))
    parser.add_argument("--timeout", type=float, default=300.0)
    parser.add_argument("--no-submit", action="store_true", help="do not add a household to measure a visit after it")
    args = parser.parse_args(argv)
    os.environ["SURVEY_DATA_DIR"] = str(args.data)
    # AppTest runs pages without a server: Streamlit's warnings about that mean nothing here.

    from survey import ResponseStore

    store = ResponseStore(args.data, audit=False)
    rows = {table: store.count(table) for table in ("household", "household_members", "civil_servant", "agency")}
    print(f"data: {args.data}  rows: {rows}  repeat: {args.repeat}")
    print(f"{'page':<11} {'first visit':>19} {'computed ahead':>19} {'rerun / refresh':>19} {'another choice':>19}"
          f" {'after a submission':>19}   (best / median, s)")
    for page in args.pages:
        rounds, cpus = [], []
        for _ in range(args.repeat):
            CPU.clear()
            rounds.append(measure(page, args.timeout, None if args.no_submit else args.data))
            first, again, other, *after = CPU
            cpus.append((first, float("nan"), again, other, after[0] if after else float("nan")))
        for label, values in ((page, rounds), ("  CPU", cpus)):
            cells = [f"{min(r[i] for r in values):7.2f} / {statistics.median(r[i] for r in values):7.2f}"
                     for i in range(5)]
            print(f"{label:<11} {cells[0]:>19} {cells[1]:>19} {cells[2]:>19} {cells[3]:>19} {cells[4]:>19}"
                  + (f"   another choice: {CHOICES[page][0]}" if label == page else ""))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
