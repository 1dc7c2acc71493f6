"""Provenance: where a table's numbers come from (responses, design, weights, versions, when).

Every Dataset carries one (``analysis.dataset.dataset``), every SummaryTable shows it in its
notes (``Provenance.lines``), and a page says ``Provenance.sentence`` ("1,234
responses, the last at 14:05 WIB").
"""

from __future__ import annotations

import tomllib
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Mapping

import pandas as pd

from analysis.messages import Message
from survey.locale import number, pick, wib_datetime

_PYPROJECT = Path(__file__).resolve().parents[2] / "pyproject.toml"


def project_version() -> str:
    """The project's version (pyproject.toml), or "unknown"."""
    try:
        return str(tomllib.loads(_PYPROJECT.read_text())["project"]["version"])
    except (OSError, KeyError, tomllib.TOMLDecodeError):
        return "unknown"


@dataclass(frozen=True)
class Provenance:
    """Where the numbers come from: what went in, which design and weights, when."""

    instrument: str
    instrument_version: int                   # the questionnaire's current version
    data_versions: tuple[int, ...]            # versions the analysed responses were entered with
    responses: int                            # responses in the analysis (main table rows)
    rows: Mapping[str, int]                   # rows per table (members too)
    stored: int                               # responses read from the store
    excluded: Mapping[str, int]               # reason -> responses left out ("status: rejected", ...)
    last_submitted_at: pd.Timestamp | None    # UTC, of the newest response in the analysis
    statuses: tuple[str, ...]
    design: Mapping[str, str]                 # {lang: text}, the main table's design
    weights: Mapping[str, Mapping[str, str]]  # table -> {lang: how its weights were made}
    weighted: bool                            # False after Dataset.unweighted() (or no weights)
    notes: tuple[Message, ...]                # fallbacks and problems, for people
    filters: Mapping[str, Any]                # the domain in force (Dataset.filter)
    project_version: str
    built_at: pd.Timestamp
    in_filter: int | None = None              # responses in the filters' domain (None: no filter)

    def sentence(self, lang: str) -> str:
        """"1,234 responses, the last at 7 Dec 2026 14:05 WIB" (with the filter's count when one is in force),
        or that there are none yet."""
        return sentence(self.responses, self.last_submitted_at, lang, self.in_filter)

    def lines(self, lang: str) -> list[str]:
        """The provenance as short lines for a table's notes or a file's notes block."""
        id_ = lang == "id"
        out = [self.sentence(lang),
               ("Desain: " if id_ else "Design: ") + pick(self.design, lang)]
        out += [("Bobot " if id_ else "Weights ") + f"({table}): " + pick(text, lang)
                for table, text in self.weights.items()]
        out.append(("Status: " if id_ else "Statuses: ") + ", ".join(self.statuses))
        if self.filters:
            shown = "; ".join(f"{k} = {_shown(v)}" for k, v in self.filters.items())
            out.append(("Filter: " if id_ else "Filters: ") + shown)
        if self.excluded:
            shown = ", ".join(f"{k}: {number(v, lang, 0)}" for k, v in self.excluded.items())
            out.append(("Tidak diikutkan: " if id_ else "Left out: ") + shown)
        out += [note.text(lang) for note in self.notes]
        version = ", ".join(map(str, self.data_versions)) or "–"
        out.append((f"Kuesioner {self.instrument} versi {self.instrument_version} (data: versi {version}); "
                    f"versi proyek {self.project_version}") if id_ else
                   (f"Questionnaire {self.instrument} version {self.instrument_version} (data: version "
                    f"{version}); project version {self.project_version}"))
        return out


def sentence(responses: int, last_submitted_at: pd.Timestamp | None, lang: str, in_filter: int | None = None) -> str:
    """:meth:`Provenance.sentence` of so many responses, the last submitted then (the monitor says it
    without building a Dataset)."""
    n = number(responses, lang, 0)
    if last_submitted_at is None:
        return "Belum ada respons" if lang == "id" else "No responses yet"
    at = wib_datetime(last_submitted_at, lang)
    if lang == "id":
        inside = "" if in_filter is None else f" ({number(in_filter, lang, 0)} dalam filter)"
        return f"{n} respons{inside}, terakhir pada {at}"
    inside = "" if in_filter is None else f" ({number(in_filter, lang, 0)} in the filter)"
    return f"{n} responses{inside}, the last at {at}"


def unique_notes(notes) -> list[Message]:
    """Each note once, in order (a Dataset's provenance, in memory or out of core, lists them so)."""
    seen, out = set(), []
    for note in notes:
        key = (note.code, tuple(sorted(note.texts.items())))
        if key not in seen:
            seen.add(key)
            out.append(note)
    return out


def _shown(value) -> str:
    if isinstance(value, (list, tuple, set, frozenset)):
        return ", ".join(map(str, value))
    return str(value)
