"""Drafts: interviews in progress, kept on the server so that nothing typed is lost.

A page reload, a dropped connection or a server restart ends a Streamlit session and
everything it held; a draft brings the interview back after the next login. One small
JSON file per interview, `<data folder>/drafts/<enumerator>/<instrument>.<response id>.draft.json`,
rewritten atomically on every change (temp file, fsync, rename, folder fsync, as
survey.store.durable does for every file of the store). Drafts are never part of the
analysis tables.

A draft keeps exactly what was typed, valid or not: the form's values by widget key
(dates as ISO text), the step on screen, when the interview started and, for a
correction of a stored response, the revision it is based on. Drafts older than
`STALE_DAYS` are listed as stale for the enumerator to resume or discard; only
`discard` (or a successful submission) removes one.

A draft is bounded (`MAX_DRAFT_BYTES`, `MAX_DRAFT_TEXT` characters a value): the form's
own widgets never come near, so a bigger one is refused (DraftTooLarge) rather than
letting one session fill the disk.

A draft file that cannot be read back (not JSON, nested too deep, the wrong shape,
larger than the bound, or not the interview its name says) is set aside, never
raised to the page: it is moved to `<data folder>/drafts_aside/<enumerator>/` (0700,
the file kept 0600), logged, and the Drafts object that found it lists it in
`set_aside_now` so the page can say so once.

The location an enumerator typed last is kept beside the drafts (`carry`), so the
next interview in the same block starts with it.

Drafts hold names and phone numbers: their folders are 0700 and their files 0600.
"""

from __future__ import annotations

import datetime as dt
import json
import logging
import os
import re
import stat
import time
from dataclasses import dataclass, field, replace
from pathlib import Path
from types import MappingProxyType
from typing import Any, Callable, Mapping

from survey.questionnaire.limits import MAX_ANSWERS, MAX_TEXT_LENGTH
from survey.store.durable import fsync_dir, replace_bytes, replace_with_json, unlink

STALE_DAYS = 30
_DAY = 86400.0
_PERSON = re.compile(r"(?!\.\.?$)[A-Za-z0-9._-]{1,64}")  # a login name; never "." or ".."
_INSTRUMENT = re.compile(r"[a-z][a-z0-9_]*")
_RESPONSE_ID = re.compile(r"[A-Za-z0-9_-]{1,64}")
_SUFFIX = ".draft.json"
ASIDE_DIR = "drafts_aside"
MAX_DRAFT_BYTES = 1_000_000  # a full household with 30 members is about 30 kB
MAX_DRAFT_TEXT = 2 * MAX_TEXT_LENGTH + 100  # characters of one value (the text boxes stop at MAX_TEXT_LENGTH)
log = logging.getLogger(__name__)


class DraftTooLarge(ValueError):
    """A draft past the bounds: it is not written (the interview stays on screen)."""


@dataclass(frozen=True)
class Draft:
    enumerator: str
    instrument: str
    response_id: str
    values: Mapping[str, Any] = field(default_factory=dict)  # widget key -> value as typed
    step: str | None = None  # the step on screen
    started_at: str | None = None  # ISO time (UTC) the interview started
    base_revision: int | None = None  # a correction (revise) of this revision; None: a new interview
    lang: str | None = None
    saved_at: float = 0.0  # seconds since the epoch, set by Drafts.save

    @property
    def is_correction(self) -> bool:
        return self.base_revision is not None

    def age_days(self, now: float) -> float:
        return (now - self.saved_at) / _DAY

    def is_stale(self, now: float) -> bool:
        return self.age_days(now) > STALE_DAYS


class Drafts:
    """The drafts of a data folder. `clock` gives seconds since the epoch (tests move it)."""

    def __init__(self, root: str | os.PathLike, clock: Callable[[], float] = time.time):
        self.folder = Path(root) / "drafts"
        self.aside = Path(root) / ASIDE_DIR
        self.clock = clock
        self.set_aside_now: list[str] = []  # file names of unreadable drafts this object moved aside

    def save(self, draft: Draft) -> Draft:
        """Write `draft` (replacing the one of the same interview); returns it as stored.

        DraftTooLarge (nothing written) past MAX_ANSWERS values, MAX_DRAFT_TEXT characters
        in one value or MAX_DRAFT_BYTES in all; checked before anything is encoded."""
        if len(draft.values) > MAX_ANSWERS:
            raise DraftTooLarge(f"a draft keeps at most {MAX_ANSWERS} values, this one has {len(draft.values)}")
        values = MappingProxyType({key: _plain(value) for key, value in draft.values.items()})
        saved = replace(draft, values=values, saved_at=self.clock())
        path = self._path(saved.enumerator, saved.instrument, saved.response_id)
        data = json.dumps({
            "enumerator": saved.enumerator, "instrument": saved.instrument, "response_id": saved.response_id,
            "values": dict(values),
            "step": saved.step, "started_at": saved.started_at, "base_revision": saved.base_revision,
            "lang": saved.lang, "saved_at": saved.saved_at,
        }).encode("utf-8")
        if len(data) > MAX_DRAFT_BYTES:
            raise DraftTooLarge(f"a draft is at most {MAX_DRAFT_BYTES} bytes, this one has {len(data)}")
        self._ensure(path.parent)
        replace_bytes(path, data, mode=0o600)  # names and phones: the owner's only
        return saved

    def load(self, enumerator: str, instrument: str, response_id: str) -> Draft | None:
        return self._read(self._path(enumerator, instrument, response_id))

    def list(self, enumerator: str) -> list[Draft]:
        """Every draft of `enumerator`, the most recently saved first (stale ones included)."""
        folder = self.folder / _checked(_PERSON, enumerator, "enumerator")
        if not folder.is_dir():
            return []
        found = [d for d in (self._read(path) for path in folder.glob(f"*{_SUFFIX}")) if d is not None]
        return sorted(found, key=lambda d: d.saved_at, reverse=True)

    def stale(self, enumerator: str) -> list[Draft]:
        now = self.clock()
        return [d for d in self.list(enumerator) if d.is_stale(now)]

    def discard(self, enumerator: str, instrument: str, response_id: str) -> bool:
        """Remove one draft; False when there was none."""
        path = self._path(enumerator, instrument, response_id)
        if not path.exists():
            return False
        unlink(path)
        fsync_dir(path.parent)
        return True

    def carry(self, enumerator: str, instrument: str, values: Mapping[str, Any]) -> None:
        """Remember answers that the enumerator's next interview of `instrument` starts with."""
        path = self._carry_path(enumerator, instrument)
        self._ensure(path.parent)
        replace_with_json(path, {key: _plain(value) for key, value in values.items()}, mode=0o600)

    def carried(self, enumerator: str, instrument: str) -> dict[str, Any]:
        path = self._carry_path(enumerator, instrument)
        try:
            data = json.loads(path.read_text(encoding="utf-8"))
        except FileNotFoundError:
            return {}
        except (OSError, ValueError, RecursionError):
            log.warning("cannot read %s; the next interview starts empty", path)
            return {}
        return data if isinstance(data, dict) else {}

    def _path(self, enumerator: str, instrument: str, response_id: str) -> Path:
        person = _checked(_PERSON, enumerator, "enumerator")
        name = f"{_checked(_INSTRUMENT, instrument, 'instrument')}.{_checked(_RESPONSE_ID, response_id, 'response id')}"
        return self.folder / person / f"{name}{_SUFFIX}"

    def _carry_path(self, enumerator: str, instrument: str) -> Path:
        person = _checked(_PERSON, enumerator, "enumerator")
        return self.folder / person / f"{_checked(_INSTRUMENT, instrument, 'instrument')}.carry.json"

    def _read(self, path: Path) -> Draft | None:
        """The draft in `path`; None when there is none, or when it is unreadable (then set aside)."""
        try:
            draft = _read(path)
        except FileNotFoundError:
            return None
        except OSError:
            log.warning("skipping the draft %s, which cannot be read now (it is kept)", path)
            return None
        except Unreadable as exc:
            self._set_aside(path, str(exc))
            return None
        if path.name != f"{draft.instrument}.{draft.response_id}{_SUFFIX}" or path.parent.name != draft.enumerator:
            self._set_aside(path, "it names another interview than its file name")
            return None
        return draft

    def _set_aside(self, path: Path, reason: str) -> None:
        """Move an unreadable draft to drafts_aside/<enumerator>/, owner-only, under a name not yet taken."""
        folder = self.aside / path.parent.name
        target = folder / path.name
        try:
            new = [p for p in (self.aside, folder) if not p.is_dir()]
            folder.mkdir(mode=0o700, parents=True, exist_ok=True)
            for made in new:
                os.chmod(made, 0o700)
                fsync_dir(made.parent)
            n = 1
            while target.exists():
                n += 1
                target = folder / f"{path.name}.{n}"
            os.chmod(path, 0o600)
            os.replace(path, target)
            fsync_dir(folder)
            fsync_dir(path.parent)
        except FileNotFoundError:
            return  # another session set it aside first
        except OSError:
            log.exception("the unreadable draft %s (%s) could not be set aside; it is skipped", path, reason)
            return
        log.warning("set the unreadable draft %s aside as %s: %s", path, target, reason)
        self.set_aside_now.append(path.name)

    def _ensure(self, folder: Path) -> None:
        """`folder` and drafts/ exist and are the owner's only (0700: drafts hold names and phones)."""
        missing = [p for p in (self.folder.parent, self.folder, folder) if not p.is_dir()]
        folder.mkdir(parents=True, exist_ok=True, mode=0o700)
        for path in (self.folder, folder):   # also folders made before drafts were private
            if stat.S_IMODE(path.stat().st_mode) != 0o700:
                os.chmod(path, 0o700)
        for path in missing:  # the new folders themselves must survive a power cut
            fsync_dir(path.parent)


def _checked(pattern: re.Pattern, value: Any, what: str) -> str:
    """Names become file names: only the characters that cannot escape the folder."""
    if not isinstance(value, str) or not pattern.fullmatch(value):
        raise ValueError(f"not a valid {what} for a draft: {value!r:.80}")
    return value


def _plain(value: Any) -> Any:
    """A widget value as JSON: dates as ISO text, selections as lists (DraftTooLarge for huge text)."""
    if isinstance(value, str) and len(value) > MAX_DRAFT_TEXT:
        raise DraftTooLarge(f"a draft value is at most {MAX_DRAFT_TEXT} characters, this one has {len(value)}")
    if value is None or isinstance(value, (str, bool, int, float)):
        return value
    if isinstance(value, (dt.date, dt.datetime)):
        return value.isoformat()
    if isinstance(value, (list, tuple)):
        if len(value) > MAX_ANSWERS:
            raise DraftTooLarge(f"a draft list is at most {MAX_ANSWERS} long, this one has {len(value)}")
        return [_plain(v) for v in value]
    raise TypeError(f"a draft cannot keep a {type(value).__name__}")


def why_unreadable(path: Path) -> str | None:
    """Why the draft file `path` could not be read back (None: it is a whole draft of the interview
    its name says). Read-only, for checks: the entry page's reader sets such a file aside instead."""
    try:
        draft = _read(path)
    except Unreadable as exc:
        return str(exc)
    except OSError as exc:
        return f"cannot be opened ({exc.strerror or type(exc).__name__})"
    if path.name != f"{draft.instrument}.{draft.response_id}{_SUFFIX}" or path.parent.name != draft.enumerator:
        return "it names another interview than its file name"
    return None


class Unreadable(ValueError):
    """A draft file that is not a draft: why, in a few words."""


_SCALAR = (str, bool, int, float, type(None))


def _read(path: Path) -> Draft:
    """The draft in `path`; OSError when it cannot be opened, Unreadable when it is not a draft."""
    with open(path, "rb") as handle:
        raw = handle.read(MAX_DRAFT_BYTES + 1)
    if len(raw) > MAX_DRAFT_BYTES:
        raise Unreadable(f"larger than {MAX_DRAFT_BYTES} bytes")
    try:
        data = json.loads(raw.decode("utf-8"))
    except (ValueError, RecursionError) as exc:  # RecursionError: nested thousands deep
        raise Unreadable(f"not JSON ({type(exc).__name__})") from None
    if not isinstance(data, dict):
        raise Unreadable("not a JSON object")
    values = data.get("values") or {}
    texts = {key: data.get(key) for key in ("enumerator", "instrument", "response_id")}
    optional = {key: data.get(key) for key in ("step", "started_at", "lang")}
    base, saved_at = data.get("base_revision"), data.get("saved_at") or 0.0
    if (not all(isinstance(v, str) for v in texts.values())
            or not all(v is None or isinstance(v, str) for v in optional.values())
            or not (base is None or (isinstance(base, int) and not isinstance(base, bool)))
            or isinstance(saved_at, bool) or not isinstance(saved_at, (int, float))
            or not isinstance(values, dict)
            or not all(isinstance(v, _SCALAR) or (isinstance(v, list) and all(isinstance(i, _SCALAR) for i in v))
                       for v in values.values())):
        raise Unreadable("not in the shape of a draft")
    return Draft(**texts, values=MappingProxyType(dict(values)), **optional, base_revision=base,
                 saved_at=float(saved_at))
