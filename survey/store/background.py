"""Compaction after the acknowledgement: a submit never waits for a merge.

Each ResponseStore has one Compactor: a daemon thread, started when a submit asks
for compaction and gone after a few idle seconds, that compacts the requested
tables one at a time (the table lock in survey.store.compaction still keeps one
compaction per table across threads and processes), on one core at a lower
priority, so that the submissions it runs beside keep the rest of the machine. ``wait()`` lets a caller
(a test, a bulk load, a script about to exit) wait until nothing is pending.

Compaction is crash-safe, so a process that dies (or exits) in the middle of one
loses nothing: the next compaction finishes or undoes it. At a normal exit the
interpreter waits a little for a running compaction, so that it is not cut off.
"""

from __future__ import annotations

import atexit
import logging
import os
import threading
import weakref
from typing import Callable, Iterable

from survey.store.reading import one_core_for_this_thread

log = logging.getLogger(__name__)

IDLE_SECONDS = 5.0  # the thread ends after this long without work
EXIT_WAIT_SECONDS = 30.0

_live: weakref.WeakSet[Compactor] = weakref.WeakSet()


class Compactor:
    """Runs `run(table)` for requested tables in one background thread, in request order."""

    def __init__(self, run: Callable[[str], None], name: str = "compaction"):
        self._run = run
        self._name = name
        self._pending: dict[str, None] = {}  # ordered set
        self._busy = False
        self._thread: threading.Thread | None = None
        self._keep: object = None
        self._cond = threading.Condition()
        _live.add(self)

    def request(self, tables: Iterable[str], keep: object = None) -> None:
        """Compact `tables` soon, in the background; returns at once. `keep` (the store, whose
        `run` holds it only weakly) stays alive until the thread has nothing left to do."""
        with self._cond:
            if keep is not None:
                self._keep = keep
            for table in tables:
                self._pending[table] = None
            if self._thread is None:
                self._thread = threading.Thread(target=self._loop, name=self._name, daemon=True)
                self._thread.start()
            self._cond.notify_all()

    def wait(self, timeout: float | None = None) -> bool:
        """Wait until every requested compaction has run; False when `timeout` passed first."""
        with self._cond:
            return self._cond.wait_for(lambda: not self._pending and not self._busy, timeout)

    def _loop(self) -> None:
        _yield_to_requests()
        while True:
            with self._cond:
                if not self._pending and not self._cond.wait_for(lambda: self._pending, IDLE_SECONDS):
                    self._thread = None
                    self._keep = None
                    return
                table = next(iter(self._pending))
                del self._pending[table]
                self._busy = True
            try:
                self._run(table)
            except Exception:  # the submissions are stored; the next compaction tries again
                log.exception("background compaction of %s failed", table)
            finally:
                with self._cond:
                    self._busy = False
                    self._cond.notify_all()


def _yield_to_requests() -> None:
    """This thread compacts on one core at a lower priority than the submissions beside it."""
    one_core_for_this_thread()
    try:
        os.setpriority(os.PRIO_PROCESS, threading.get_native_id(), 10)  # Linux: a thread's own nice value
    except (AttributeError, OSError):
        pass


@atexit.register
def _finish_running() -> None:
    for compactor in list(_live):
        compactor.wait(EXIT_WAIT_SECONDS)
