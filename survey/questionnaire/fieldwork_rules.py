"""The questions that say how a visit went: the YAML ``fieldwork:`` block -> frozen FieldworkRules.

Which answer makes a visit record a completed interview (the outcome question and
its "completed" choice), how its other outcomes count for the response rates (AAPOR
dispositions), which answer is the respondent's agreement (the consent question and
its "yes" choice), which question holds the interview's date, and which answers tell an
enumerator's interviews apart on a phone (``identify``: a name, an address). The analysis keeps
only completed, consented interviews (analysis.dataset.dataset), the response rates
sort every record by them (analysis.dataset.response_rates), the quality checks compare
completed interviews (survey.fieldwork.quality) and the monitor counts a visit on its
date (analysis.monitoring.progress) and "My submissions" lists each interview by its
identifying answers (ui.entry.submissions). The format is documented in docs/instruments.md
("Fieldwork").

Without a block every record is a completed interview, dated by its submission. The
block is checked when the instrument loads (each question is a select_one of the main
form, or a date for ``date``, or for ``identify`` a question of the main form that
stores an answer; each choice is one of its list), and it changes nothing
that is stored, so editing it needs no new version.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from types import MappingProxyType
from typing import Any, Callable, Mapping

DISPOSITIONS = ("refusal", "noncontact", "ineligible")   # of an outcome other than completed; the rest: other
_KEYS = {"outcome", "consent", "date", "identify"}
_OUTCOME_KEYS = {"question", "completed", *DISPOSITIONS}
_CONSENT_KEYS = {"question", "agreed"}


@dataclass(frozen=True)
class FieldworkRules:
    """A frozen ``fieldwork:`` block (see the module docstring and docs/instruments.md)."""

    outcome: str | None = None        # the select_one recording the visit's outcome ...
    completed: str | None = None      # ... and its choice for "the interview went ahead"
    dispositions: Mapping[str, str] = field(default_factory=lambda: MappingProxyType({}))  # other choice -> case
    consent: str | None = None        # the select_one recording consent ...
    agreed: str | None = None         # ... and its choice for "yes"
    date: str | None = None           # the interview's date question
    identify: tuple[str, ...] = ()    # the answers that tell interviews apart (the first ones given)

    @property
    def completion(self) -> tuple[tuple[str, str], ...]:
        """(question, choice) pairs of a completed, consented interview: a record answering
        another choice is none (a record of a version that did not ask is one)."""
        pairs = [(self.outcome, self.completed)] if self.outcome else []
        return tuple(pairs + ([(self.consent, self.agreed)] if self.consent else []))


def parse_fieldwork(raw: Any, main: Mapping[str, Any], fail: Callable[[str], Exception]) -> FieldworkRules:
    """Checked FieldworkRules from the raw block; ``main``: the main form's questions by name."""
    if raw is None:
        return FieldworkRules()
    if not isinstance(raw, dict):
        raise fail("'fieldwork' must be a mapping (outcome, consent, date, identify)")
    _known(raw, _KEYS, "fieldwork", fail)
    out: dict[str, Any] = {}
    if raw.get("outcome") is not None:
        outcome = _block(raw["outcome"], "outcome", _OUTCOME_KEYS, "completed", main, fail)
        choices = main[outcome["question"]].choices
        dispositions: dict[str, str] = {}
        for case in DISPOSITIONS:
            names = outcome.get(case, [])
            if not isinstance(names, list) or not all(isinstance(n, str) for n in names):
                raise fail(f"fieldwork.outcome.{case} lists choices of {outcome['question']}, e.g. [refused]")
            for name in names:
                if name not in choices or name == outcome["completed"] or name in dispositions:
                    raise fail(f"fieldwork.outcome.{case}: {name!r} is not another choice of "
                               f"{outcome['question']} (nor listed twice)")
                dispositions[name] = case
        out.update(outcome=outcome["question"], completed=outcome["completed"],
                   dispositions=MappingProxyType(dispositions))
    if raw.get("consent") is not None:
        consent = _block(raw["consent"], "consent", _CONSENT_KEYS, "agreed", main, fail)
        out.update(consent=consent["question"], agreed=consent["agreed"])
    date = raw.get("date")
    if date is not None:
        if not isinstance(date, str) or date not in main or not main[date].kind.is_date:
            raise fail(f"fieldwork.date must name a date question of the main form, not {date!r}")
        out["date"] = date
    identify = raw.get("identify")
    if identify is not None:
        if not isinstance(identify, list) or not identify or not all(
                isinstance(n, str) and n in main and main[n].stores_answer for n in identify):
            raise fail(f"fieldwork.identify lists questions of the main form, e.g. [respondent_name, address], "
                       f"not {identify!r}")
        out["identify"] = tuple(identify)
    return FieldworkRules(**out)


def _known(raw: dict, keys: set[str], where: str, fail) -> None:
    unknown = sorted(set(raw) - keys)
    if unknown:
        raise fail(f"{where}: unknown key(s) {', '.join(unknown)} (known: {', '.join(sorted(keys))})")


def _block(raw: Any, key: str, keys: set[str], choice_key: str, main: Mapping[str, Any], fail) -> dict:
    """{question: a select_one of the main form, <choice_key>: one of its choices, ...}."""
    where = f"fieldwork.{key}"
    if not isinstance(raw, dict) or "question" not in raw or choice_key not in raw:
        raise fail(f"{where} is {{question: <a select_one>, {choice_key}: <its choice>}}")
    _known(raw, keys, where, fail)
    question = raw["question"]
    q = main.get(question) if isinstance(question, str) else None
    if q is None or q.kind.choices != "one":
        raise fail(f"{where}.question must name a select_one question of the main form, not {question!r}")
    choice = raw[choice_key]
    if not isinstance(choice, str) or choice not in q.choices:
        raise fail(f"{where}.{choice_key} must be a choice of {question} (quote it: \"yes\"), not {choice!r}")
    return raw
