"""Every export goes into the data folder's audit log (survey.fieldwork.audit_log): who, what, how.

An export is recorded once its file is built and before it is handed over; one that
cannot be recorded (the log cannot be written) is not handed over. A bad request is
recorded as ``invalid``, one the user's role may not make as ``denied``, a crash as
``failed``.
"""

from __future__ import annotations

import logging
from contextlib import contextmanager
from typing import Any, Iterator

from analysis.export.errors import ExportDenied, ExportError
from survey.fieldwork.audit_log import AuditLog
from survey.webhooks.events import export_event

logger = logging.getLogger(__name__)


@contextmanager
def recorded(log: AuditLog | None, user: str, what: str, **detail: Any) -> Iterator[dict]:
    """Record the export done in the block (``what``: the table or file kind); the block
    may add details to the yielded dict (rows, bytes)."""
    extra: dict[str, Any] = {}
    try:
        yield extra
    except ExportError as exc:
        if log is not None:
            outcome = "denied" if isinstance(exc, ExportDenied) else "invalid"
            log.record("export", user, object=what, outcome=outcome, error=str(exc), **detail)
        raise
    except Exception as exc:
        if log is not None:
            log.record("export", user, object=what, outcome="failed", error=type(exc).__name__, **detail)
        raise
    if log is not None:
        log.record("export", user, object=what, outcome="ok", **detail, **extra)
        try:  # recorded: the export is made; its webhook goes out later (survey.webhooks)
            export_event(log.root, user, what, {**detail, **extra})
        except Exception:
            logger.exception("the webhook event of an export of %s could not be queued", what)
