"""The ODK server's settings an administrator changes: which questionnaires take anonymous submissions.

Kept in ``<data>/odk/settings.json`` (the owner's only, replaced atomically), as
``{"anonymous": ["agency", ...]}``. Off for every questionnaire until an admin turns it on
(Administration page); each change is in the audit log. A questionnaire with anonymous
submission on can be downloaded and submitted without an account (the enumerator is then
ANONYMOUS); see api/odk.py for the routes.
"""

from __future__ import annotations

import fcntl
import json
import os
from contextlib import contextmanager
from pathlib import Path

from survey.fieldwork.audit_log import AuditLog
from survey.odk.inbox import private_folder
from survey.store.durable import replace_with_json
from survey.store.inputs import check_instrument_id, check_person

ANONYMOUS = "anonymous"  # the enumerator of a submission sent without an account
SETTINGS = "odk/settings.json"


def _path(root: str | os.PathLike) -> Path:
    return Path(root) / SETTINGS


def _read(path: Path) -> dict:
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        return {}
    except (OSError, ValueError):  # a damaged file turns nothing on: anonymous access stays closed
        return {}
    return data if isinstance(data, dict) else {}


def anonymous_forms(root: str | os.PathLike) -> frozenset[str]:
    """The questionnaires that take submissions without an account (none unless an admin said so)."""
    names = _read(_path(root)).get("anonymous")
    return frozenset(n for n in names if isinstance(n, str)) if isinstance(names, list) else frozenset()


@contextmanager
def _locked(root: str | os.PathLike):
    """One change at a time (two admins toggling at once both count)."""
    private_folder(Path(root) / "odk")
    with open(Path(root) / "odk" / "settings.lock", "a") as handle:
        fcntl.flock(handle, fcntl.LOCK_EX)
        yield


def set_anonymous(root: str | os.PathLike, instrument_id: str, on: bool, by: str) -> None:
    """Turn anonymous submission of `instrument_id` on or off; the change is in the audit log."""
    instrument_id, by = check_instrument_id(instrument_id), check_person(by, "by")
    with _locked(root):
        path = _path(root)
        data = _read(path)
        names = set(anonymous_forms(root))
        if (instrument_id in names) == bool(on):
            return
        names = names | {instrument_id} if on else names - {instrument_id}
        replace_with_json(path, {**data, "anonymous": sorted(names)}, mode=0o600)
    AuditLog(root).record("odk_anonymous", user=by, object=instrument_id, outcome="on" if on else "off")
