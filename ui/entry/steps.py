"""The steps of the entry form: one section at a time, one step per roster member, then review.

Sections come from the questionnaire (a question with a `section` starts one; a
repeat ends one, and its items follow as steps of their own). Which steps exist
follows the validated answers, as skip logic does: a section with no relevant
question is left out, a roster has as many member steps as its count, and after
an answer that ends the interview (`end_if`) only the review step follows. Plain
data, no Streamlit: the entry page draws a step, this module says what is in it.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Mapping

from survey.questionnaire.expressions import evaluate
from survey.questionnaire.model import Instrument, Question
from survey.questionnaire.validate import end_question, is_relevant

MAX_REPEAT_ITEMS = 30
REVIEW = "review"


@dataclass(frozen=True)
class FormStep:
    """One screen of the entry form: a section, a roster member, or the review."""

    id: str  # the first question's name; "<repeat>__<index>" for a roster member; "review"
    title: Mapping[str, str] | None  # the section's label; None for a member and the review
    questions: tuple[Question, ...] = ()  # main-form questions of a section (a repeat among them)
    repeat: Question | None = None  # a member step: the roster ...
    index: int | None = None  # ... and the member's index from 0

    @property
    def is_review(self) -> bool:
        return self.id == REVIEW

    @property
    def is_member(self) -> bool:
        return self.repeat is not None


def repeat_size(repeat: Question, answers: Mapping[str, Any]) -> int:
    """How many roster items the answers call for (0 while the count is unanswered)."""
    if repeat.repeat_count is None:
        return 1
    count = evaluate(repeat.repeat_count, answers)
    if isinstance(count, (int, float)) and count == count and count >= 1:
        return min(int(count), MAX_REPEAT_ITEMS)
    return 0


def sections(inst: Instrument) -> list[FormStep]:
    """The questionnaire cut into sections (before any answer is known)."""
    groups: list[list[Question]] = []
    titles: list[Mapping[str, str] | None] = []
    for q in inst.questions:
        after_repeat = bool(groups) and groups[-1][-1].kind.is_repeat
        if not groups or q.section is not None or after_repeat:
            groups.append([])
            titles.append(q.section if q.section is not None else (titles[-1] if titles else None))
        groups[-1].append(q)
    return [FormStep(group[0].name, title, tuple(group)) for group, title in zip(groups, titles)]


def steps(inst: Instrument, cleaned: Mapping[str, Any]) -> list[FormStep]:
    """The steps for the answers so far (`cleaned`, as survey.questionnaire.validate.clean returns them)."""
    ending = end_question(inst, cleaned)
    ended = False  # past the answer that ended the interview: only identifying questions
    out: list[FormStep] = []
    for section in sections(inst):
        questions = section.questions
        if ending is not None and (ended or ending in questions):
            cut = questions.index(ending) + 1 if ending in questions else 0
            questions = questions[:cut] + tuple(q for q in questions[cut:] if q.identifying)
            ended = True
        shown = [q for q in questions if is_relevant(q, cleaned)]
        if shown:
            out.append(FormStep(section.id, section.title, questions))
        for repeat in (q for q in shown if q.kind.is_repeat):
            out.extend(FormStep(f"{repeat.name}__{i}", None, repeat=repeat, index=i)
                       for i in range(repeat_size(repeat, cleaned)))
    out.append(FormStep(REVIEW, None))
    return out


def step_of(all_steps: list[FormStep], key: str) -> FormStep | None:
    """The step that shows widget `key` ('age__1', 'hh_size') or a problem of a roster ('members')."""
    name, _, index = key.partition("__")
    for step in all_steps:
        if step.is_member:
            if index and step.index == int(index) and name in {q.name for q in step.repeat.questions}:
                return step
        elif not index and name in {q.name for q in step.questions}:
            return step
    return None
