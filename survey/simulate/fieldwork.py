"""Fieldwork as it happens: visit outcomes, interview lengths and deliberately bad interviews.

* Visit outcomes (``with_outcomes``): every sampled household is visited once; by
  kecamatan a share refuses, is not at home, turns out vacant or not found, ends for
  another reason, or refuses consent at the door (``OUTCOME_RATES``: refusals are
  more common in the better-off Laweyan and in Banjarsari's shop-houses, absences in
  Jebres with its students and boarding houses). Those are stored as short records:
  the visit outcome (and consent) and the identifying answers (date, kecamatan,
  kelurahan, RW, RT, PSU), as the entry form stores them.
* Interview lengths (``minutes``): a completed household interview takes about
  22 + 4.5 minutes per member (25-70), a civil servant's 10-25, an agency's 20-45, a
  short record 1-5 minutes.
* Interview times (``field_times``): between 07:00 and 21:00 WIB (``FIELD_HOURS``).
  Submitted one by one, an interview ends now when that leaves it inside the field
  hours; at night or early in the morning it is placed in the evening of the last
  field day (ending 17:00-21:00), with its start and submission time at that moment,
  so neither the odd-hour flag nor the interview's length depends on when the
  simulator runs.
* Bad interviews (``Plan.add_bad``, the command line's ``--bad N``): N two-minute
  household interviews (``too_fast``), N extra civil servants whose leadership block
  is straight-lined (``straightlining``) and N households entered a second time by
  the same enumerator (``duplicate_household``), so the monitor's flags can be
  checked against a count by hand.

Every draw comes from its own stream (``random_stream``), so outcomes, lengths and
bad interviews never change the answers a seed gives.
"""

from __future__ import annotations

import copy
import datetime as dt
from dataclasses import dataclass, field
from typing import Any, Callable, Iterable

from survey.locale import WIB
from survey.simulate._draws import random_stream, weighted

# Kecamatan -> probability of each outcome of a visit (the rest complete the interview).
OUTCOME_RATES: dict[str, dict[str, float]] = {
    "laweyan": {"refused": 0.07, "nobody_home": 0.06, "vacant_or_not_found": 0.03, "other": 0.01, "consent_no": 0.03},
    "serengan": {"refused": 0.04, "nobody_home": 0.05, "vacant_or_not_found": 0.02, "other": 0.01, "consent_no": 0.02},
    "pasar_kliwon": {"refused": 0.03, "nobody_home": 0.05, "vacant_or_not_found": 0.04, "other": 0.01,
                     "consent_no": 0.02},
    "jebres": {"refused": 0.05, "nobody_home": 0.09, "vacant_or_not_found": 0.05, "other": 0.02, "consent_no": 0.03},
    "banjarsari": {"refused": 0.06, "nobody_home": 0.07, "vacant_or_not_found": 0.03, "other": 0.01,
                   "consent_no": 0.03},
}
IDENTIFYING = ("interview_date", "kecamatan", "kelurahan", "rw", "rt", "psu")
LEADERSHIP = ("lead_vision", "lead_budget", "lead_example", "lead_policy", "lead_monitoring", "lead_infrastructure")
BAD_KINDS = ("too_fast", "straightlining", "duplicate_household")
TOO_FAST_MINUTES = 2.0
FIELD_HOURS = (dt.time(7), dt.time(21))   # WIB: when a field team interviews
EVENING_HOURS = 4                          # out of hours: the interview ends in the last 4 field hours


def outcome(rng, kecamatan: str) -> str:
    """The outcome of one visit: completed, consent_no or one of the non-interviews."""
    rates = OUTCOME_RATES[kecamatan]
    return weighted(rng, [*rates.items(), ("completed", 1 - sum(rates.values()))])


def short_record(answers: dict[str, Any], result: str) -> dict[str, Any]:
    """What the entry form stores for a visit that ended before the interview."""
    record = {name: answers[name] for name in IDENTIFYING if name in answers}
    if result == "consent_no":
        return {"visit_outcome": "completed", "consent": "no", **record}
    return {"visit_outcome": result, **record}


def with_outcomes(households: Iterable[dict[str, Any]], seed: int) -> list[dict[str, Any]]:
    """Each sampled household as its visit ended: the interview, or a short record."""
    rng = random_stream(seed, "visit-outcomes")
    out = []
    for answers in households:
        result = outcome(rng, answers["kecamatan"])
        out.append(answers if result == "completed" else short_record(answers, result))
    return out


def is_interview(answers: dict[str, Any]) -> bool:
    return answers.get("visit_outcome", "completed") == "completed" and answers.get("consent", "yes") == "yes"


def minutes(rng, instrument_id: str, answers: dict[str, Any]) -> float:
    """How long the visit took, in minutes (see the module docstring)."""
    if not is_interview(answers):
        return rng.uniform(1, 5)
    if instrument_id == "household":
        return min(70.0, max(25.0, 22 + 4.5 * answers["hh_size"] + rng.gauss(0, 4)))
    if instrument_id == "civil_servant":
        return min(25.0, max(10.0, rng.gauss(16, 3)))
    return rng.uniform(20, 45)


def field_times(now: dt.datetime, minutes: float, rng) -> tuple[dt.datetime, dt.datetime]:
    """(start, submission) in UTC of an interview ``minutes`` long submitted at ``now`` or, when
    that is outside the field hours, in the evening of the last field day (module docstring)."""
    local = now.astimezone(WIB)
    length = dt.timedelta(minutes=minutes)
    opens, closes = (dt.datetime.combine(local.date(), hour, WIB) for hour in FIELD_HOURS)
    if opens <= local - length and local < closes:
        end = local
    else:
        day = local.date() if local >= closes else local.date() - dt.timedelta(days=1)
        evening = dt.datetime.combine(day, FIELD_HOURS[1], WIB) - dt.timedelta(hours=EVENING_HOURS)
        end = evening + dt.timedelta(seconds=rng.randrange(EVENING_HOURS * 3600))
    return (end - length).astimezone(dt.timezone.utc), end.astimezone(dt.timezone.utc)


@dataclass
class Record:
    """One planned submission."""

    answers: dict[str, Any]
    enumerator: str
    minutes: float
    bad: str | None = None           # the kind of deliberately bad interview, if it is one


@dataclass
class Plan:
    """The submissions of a simulated fieldwork, per instrument, in the order of their ids."""

    records: dict[str, list[Record]] = field(default_factory=dict)

    def add(self, instrument_id: str, rows: list[dict[str, Any]], enumerator: Callable[[int], str],
            seed: int) -> None:
        rng = random_stream(seed, f"durations/{instrument_id}")
        self.records[instrument_id] = [Record(answers, enumerator(i), minutes(rng, instrument_id, answers))
                                       for i, answers in enumerate(rows)]

    def add_bad(self, n: int, seed: int, civil_servants: Callable[[int, int], list[dict[str, Any]]],
                enumerator: Callable[[int], str]) -> None:
        """``n`` bad interviews of each kind (see the module docstring)."""
        if n <= 0:
            return
        rng = random_stream(seed, "bad-interviews")
        households = self.records.setdefault("household", [])
        complete = [r for r in households if is_interview(r.answers)]
        picked = rng.sample(complete, min(2 * n, len(complete)))
        for record in picked[:n]:
            record.minutes, record.bad = TOO_FAST_MINUTES + rng.uniform(-0.5, 0.5), "too_fast"
        for record in picked[n:2 * n]:
            households.append(Record(copy.deepcopy(record.answers), record.enumerator,
                                     minutes(rng, "household", record.answers), "duplicate_household"))
        staff = self.records.setdefault("civil_servant", [])
        start = len(staff)
        for i, answers in enumerate(civil_servants(n, seed + 7919)):
            answer = weighted(rng, [("5", 4), ("4", 4), ("3", 2), ("1", 1)])
            answers.update({item: answer for item in LEADERSHIP})
            staff.append(Record(answers, enumerator(start + i), minutes(rng, "civil_servant", answers),
                                "straightlining"))

    def interleaved(self, instrument_id: str) -> list[int]:
        """Record positions in the order a field team submits them: every enumerator
        works through their own list, all of them at the same time."""
        queues: dict[str, list[int]] = {}
        for i, record in enumerate(self.records.get(instrument_id, [])):
            queues.setdefault(record.enumerator, []).append(i)
        order, depth = [], 0
        while any(depth < len(q) for q in queues.values()):
            order += [q[depth] for q in queues.values() if depth < len(q)]
            depth += 1
        return order
