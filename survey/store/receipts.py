"""What a store call answers: a Receipt for a stored revision, or the error saying why not."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field


class ConflictError(RuntimeError):
    """A revision based on a revision that is no longer the current one."""


class UnknownResponse(LookupError):
    """No response with this id is stored for the instrument."""


@dataclass(frozen=True)
class Receipt:
    """Proof that a response (revision) is durably stored."""

    response_id: str
    instrument: str
    revision: int
    submitted_at: dt.datetime  # UTC, microseconds
    tables: tuple[str, ...]  # the instrument's tables: main first, then repeats
    duplicate: bool = field(default=False, compare=False)  # True: it was already stored
