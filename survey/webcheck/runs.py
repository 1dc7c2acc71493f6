"""A run of the checker over several sites, stored as it goes, and the one background run per
data folder that the indicators page starts and watches (without waiting for it)."""

from __future__ import annotations

import datetime as dt
import os
import threading
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable, Sequence

from survey.webcheck import snapshots
from survey.webcheck.crawler import Limits, check_site


def check_sites(data_dir: str | os.PathLike, urls: Sequence[str] | None = None, limits: Limits = Limits(),
                cafile: str | None = None, progress: Callable[[int, int, str], None] | None = None,
                store: bool = True) -> list[dict]:
    """Check each address (default: every agency's address in the store), append each snapshot to
    the data folder as soon as it is made, and return them.  ``progress(done, total, url)``."""
    addresses = snapshots.agency_addresses(data_dir)
    urls = list(dict.fromkeys(urls)) if urls else list(addresses)
    results = []
    for i, url in enumerate(urls):
        if progress:
            progress(i, len(urls), url)
        snapshot = {**check_site(url, limits, cafile=cafile), "agency": addresses.get(url)}
        if store:
            snapshots.append(data_dir, snapshot)
        results.append(snapshot)
    if progress:
        progress(len(urls), len(urls), "")
    return results


@dataclass
class Run:
    """What the page shows of a background run."""

    started_at: dt.datetime
    done: int = 0
    total: int = 0
    current: str = ""
    finished: bool = False
    error: str | None = None
    sites: list[dict] = field(default_factory=list)


_RUNS: dict[str, Run] = {}
_LOCK = threading.Lock()


def background_run(data_dir: str | os.PathLike) -> Run | None:
    """The latest background run of this data folder (running or finished), or None."""
    return _RUNS.get(str(Path(data_dir).resolve()))


def start_background(data_dir: str | os.PathLike, limits: Limits = Limits(), cafile: str | None = None,
                     urls: Sequence[str] | None = None) -> Run:
    """Start checking every agency's site in a thread, unless a run of this folder is going on
    (then that one is returned): two runs would visit each site twice."""
    key = str(Path(data_dir).resolve())
    with _LOCK:
        running = _RUNS.get(key)
        if running is not None and not running.finished:
            return running
        run = _RUNS[key] = Run(dt.datetime.now(dt.timezone.utc))

    def progress(done: int, total: int, url: str) -> None:
        run.done, run.total, run.current = done, total, url

    def work() -> None:
        try:
            run.sites = check_sites(data_dir, urls, limits, cafile=cafile, progress=progress)
        except Exception as exc:     # reported on the page; the thread must not die silently
            run.error = f"{type(exc).__name__}: {exc}"
        finally:
            run.finished = True

    threading.Thread(target=work, name="webcheck", daemon=True).start()
    return run
