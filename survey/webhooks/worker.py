"""The app's delivery thread: one per data folder, started with the app's store, never in a request.

It first recovers the events a crash may have cut off (survey.webhooks.events.recover), then runs
delivery passes: at once when this process queues an event, when the earliest retry is due, and at
least every POLL_SECONDS for events queued by other processes (an ODK upload, a cron export).
"""

from __future__ import annotations

import logging
import threading
import time
from pathlib import Path
from typing import Any, Callable

from survey.webhooks import delivery, events

log = logging.getLogger(__name__)

POLL_SECONDS = 15.0
_workers: dict[str, "Worker"] = {}
_guard = threading.Lock()


class Worker:
    def __init__(self, root: Path, store: Any = None, clock: Callable[[], float] = time.time):
        self.root = root
        self.store = store
        self.clock = clock
        self._wake = threading.Event()
        self._stop = threading.Event()
        self.thread = threading.Thread(target=self._loop, name=f"webhooks {root.name}", daemon=True)

    def wake(self, root: Path) -> None:
        if Path(root).resolve() == self.root:
            self._wake.set()

    def stop(self) -> None:
        self._stop.set()
        self._wake.set()
        self.thread.join(5)

    def _loop(self) -> None:
        if self.store is not None:
            try:
                events.recover(self.root, self.store)
            except Exception:
                log.exception("recovering the webhook events of %s failed", self.root)
        while not self._stop.is_set():
            try:
                delivery.deliver(self.root, self.clock())
                due = delivery.next_due(self.root)
            except Exception:  # a broken file must not end the thread; the next pass tries again
                log.exception("a webhook delivery pass on %s failed", self.root)
                due = None
            wait = POLL_SECONDS if due is None else min(POLL_SECONDS, max(due - self.clock(), 0.05))
            self._wake.wait(wait)
            self._wake.clear()


def start(root: str | Path, store: Any = None) -> Worker:
    """The data folder's worker, started on the first call (later calls return the same one)."""
    root = Path(root).resolve()
    with _guard:
        worker = _workers.get(str(root))
        if worker is None or not worker.thread.is_alive():
            worker = _workers[str(root)] = Worker(root, store)
            events._listeners.append(worker.wake)
            worker.thread.start()
        return worker
