"""What the store accepts from a caller: ids, notes, times and people, checked before anything is written.

Each check returns the value as stored, or raises ValueError saying what is wrong
(InstrumentError, a ValueError, for an instrument id). Ids name folders and files,
and every other value lands in every row, so nothing unchecked reaches a file.
"""

from __future__ import annotations

import datetime as dt
import numbers
import re
import unicodedata
from typing import Any

import pandas as pd

from survey.questionnaire.model import InstrumentError

_RESPONSE_ID = re.compile(r"[A-Za-z0-9_-]{1,64}")
NAME = re.compile(r"[a-z][a-z0-9_]*")  # instrument ids and table names
MAX_ID_LENGTH = 64  # instrument ids: they name folders and files
MAX_TABLE_LENGTH = 128  # table names (instrument id + repeat name): folder names
MAX_NOTE_LENGTH = 2000
MAX_INSTANCE_ID_LENGTH = 1000
_EARLIEST = dt.datetime(2000, 1, 1, tzinfo=dt.timezone.utc)


def check_response_id(response_id: Any) -> str:
    """The id itself, or ValueError: ids name files, so only [A-Za-z0-9_-]{1,64}."""
    if not isinstance(response_id, str) or not _RESPONSE_ID.fullmatch(response_id):
        raise ValueError(f"a response id is 1-64 letters, digits, '-' or '_'; got {response_id!r:.80}")
    return response_id


def check_note(note: Any) -> str | None:
    """A review or edit note as stored (None for none), or ValueError saying what is wrong.

    Text of at most MAX_NOTE_LENGTH characters; line breaks are kept, other control
    characters and unpaired surrogates are refused (they break files and screens).
    """
    if note is None:
        return None
    if not isinstance(note, str):
        raise ValueError(f"a note must be text, got {type(note).__name__}")
    if len(note) > 2 * MAX_NOTE_LENGTH + 100:  # before any work on megabytes; the exact check is below
        raise ValueError(f"a note is at most {MAX_NOTE_LENGTH} characters, this one has {len(note)}")
    note = note.replace("\r\n", "\n").replace("\r", "\n").strip()
    if len(note) > MAX_NOTE_LENGTH:
        raise ValueError(f"a note is at most {MAX_NOTE_LENGTH} characters, this one has {len(note)}")
    for char in note:
        if char != "\n" and (unicodedata.category(char) == "Cc" or "\ud800" <= char <= "\udfff"):
            raise ValueError(f"a note cannot contain the control character U+{ord(char):04X}")
    return note or None


def check_instance_id(value: Any) -> str | None:
    """An ODK instanceID as stored in ``_instance_id`` (None for none), or ValueError: printable text
    of at most MAX_INSTANCE_ID_LENGTH characters, kept exactly as sent."""
    if value is None:
        return None
    if not isinstance(value, str) or not value.strip():
        raise ValueError("an instance id must be non-empty text")
    if len(value) > MAX_INSTANCE_ID_LENGTH or not value.isprintable():
        raise ValueError(f"an instance id is at most {MAX_INSTANCE_ID_LENGTH} printable characters, got {value[:70]!r}")
    return value


def check_started_at(value: Any) -> dt.datetime | None:
    """When the interview started, as an aware UTC datetime (None for unknown), or ValueError.

    A datetime (naive ones are taken as UTC) or ISO 8601 text, from 2000 up to a
    day ahead of this clock.
    """
    if value is None:
        return None
    if isinstance(value, str):
        if len(value) > 40:
            raise ValueError("started_at must be an ISO date and time, e.g. 2026-11-27T08:30:00+07:00")
        try:
            value = dt.datetime.fromisoformat(value.strip())
        except ValueError:
            raise ValueError(f"started_at {value!r} is not an ISO date and time") from None
    if not isinstance(value, dt.datetime) or value is pd.NaT:
        raise ValueError(f"started_at must be a datetime, got {type(value).__name__}")
    try:
        value = value.replace(tzinfo=dt.timezone.utc) if value.tzinfo is None else value.astimezone(dt.timezone.utc)
    except (OverflowError, ValueError):
        raise ValueError(f"started_at {value!r} is out of range") from None
    if not _EARLIEST <= value <= dt.datetime.now(dt.timezone.utc) + dt.timedelta(days=1):
        raise ValueError(f"started_at {value.isoformat()} is not a plausible start of an interview")
    return value


def check_revision(value: Any) -> int | None:
    """A base revision as an int (None for none), or ValueError."""
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, numbers.Integral) or not 1 <= value <= 2**31 - 1:
        raise ValueError(f"base_revision must be a revision number (1, 2, ...), got {value!r:.40}")
    return int(value)


def check_instrument_id(instrument_id: Any) -> str:
    """The id itself, or ValueError: lower-case letters, digits and _, at most 64 characters."""
    if not isinstance(instrument_id, str) or len(instrument_id) > MAX_ID_LENGTH or not NAME.fullmatch(instrument_id):
        raise InstrumentError(f"{instrument_id!r:.80}", None,
                              f"an instrument id is 1-{MAX_ID_LENGTH} lower-case letters, digits and _")
    return instrument_id


def check_person(value: Any, what: str) -> str:
    """An enumerator or editor id: printable, at most 64 characters (it lands in every row)."""
    if not isinstance(value, str) or not value.strip():
        raise ValueError(f"{what} must be a non-empty string")
    value = value.strip()
    if len(value) > 64 or not value.isprintable():
        raise ValueError(f"{what} must be at most 64 printable characters, got {value[:70]!r}")
    return value
