"""The entry form one step at a time: progress, Back and Next, and the review step's jumps.

Next is allowed with problems, so an interview can be done in any order; a step
that has been left shows its missing answers when it is seen again (and every step
does after a submit attempt). The review step lists every missing or wrong answer,
each with a button that opens its step.
"""

from __future__ import annotations

import streamlit as st

from survey import Problem
from survey.locale import pick
from survey.questionnaire.model import Instrument
from survey.questionnaire.validate import is_unanswered
from ui.entry import form
from ui.entry.steps import FormStep, step_of
from ui.i18n import t
from ui.plain_text import plain_line


def current(inst: Instrument, all_steps: list[FormStep]) -> FormStep:
    """The step on screen (the first one for a new interview, or when it no longer exists)."""
    state = st.session_state
    state[f"_step_ids_{inst.id}"] = [s.id for s in all_steps]
    chosen = state.get(f"_step_{inst.id}")
    return next((s for s in all_steps if s.id == chosen), all_steps[0])


def visited(inst: Instrument) -> set[str]:
    return st.session_state.setdefault(f"_visited_{inst.id}", set())


def go(inst: Instrument, delta: int) -> None:
    """Back (-1) / Next (+1) handler."""
    ids = st.session_state.get(f"_step_ids_{inst.id}") or []
    if not ids:
        return
    here = st.session_state.get(f"_step_{inst.id}")
    i = ids.index(here) if here in ids else 0
    jump(inst, ids[max(0, min(len(ids) - 1, i + delta))])


def jump(inst: Instrument, step_id: str) -> None:
    ids = st.session_state.get(f"_step_ids_{inst.id}") or [step_id]
    here = st.session_state.get(f"_step_{inst.id}") or ids[0]
    visited(inst).add(here)
    st.session_state[f"_step_{inst.id}"] = step_id


def title(inst: Instrument, step: FormStep, lang: str, values: dict) -> str:
    """A section's label; a member's number and name (as typed); 'Review and submit'."""
    if step.is_review:
        return t("review_title", lang)
    if step.is_member:
        name = values.get(form.widget_key("member_name", step.index))
        i = step.index + 1
        if is_unanswered(name):
            return t("member", lang, i=i)
        return t("member_named", lang, i=i, name=plain_line(str(name).strip()))   # shown as Markdown
    return pick(step.title, lang) or inst.title[lang]


def header_ui(inst: Instrument, step: FormStep, all_steps: list[FormStep], lang: str, values: dict) -> None:
    i, n = all_steps.index(step) + 1, len(all_steps)
    st.progress(i / n, text=t("progress", lang, i=i, n=n))
    st.subheader(title(inst, step, lang, values), anchor=False)


def nav_ui(inst: Instrument, step: FormStep, all_steps: list[FormStep], lang: str) -> None:
    first = all_steps.index(step) == 0
    with st.container(horizontal=True, key="step_nav"):
        st.button(t("previous_step", lang), key="previous_step", icon=":material/arrow_back:", disabled=first,
                  on_click=go, args=(inst, -1), width="stretch")
        st.button(t("next_step", lang), key="next_step", icon=":material/arrow_forward:", disabled=step.is_review,
                  type="secondary" if step.is_review else "primary", on_click=go, args=(inst, 1), width="stretch")
    # Each step starts at its top, as a new page would (the browser keeps the scroll of the last one).
    st.html(f'<script data-step="{step.id}">window.scrollTo(0, 0);'
            'document.querySelector(\'[data-testid="stMain"]\')?.scrollTo(0, 0);</script>',
            unsafe_allow_javascript=True)


def shown_problems(inst: Instrument, step: FormStep, problems: list[Problem]) -> dict[str, str]:
    """Problems to mark on `step`: every one after a submit attempt or once the step was left;
    before that only wrong answers, not missing ones."""
    complete = st.session_state.get(f"_tried_{inst.id}", False) or step.id in visited(inst)
    return {
        form.problem_key(p.field): p.message
        for p in problems
        if complete or p.code not in ("required", "count")
    }


def place(inst: Instrument, all_steps: list[FormStep], field: str, lang: str, values: dict) -> str:
    """'members[1].age' -> 'Member 2: Siti Aminah · Age (completed years)', so it can be found."""
    key = form.problem_key(field)
    name = key.partition("__")[0]
    step = step_of(all_steps, key)
    if name not in {q.name for q in inst.all_questions()}:
        return name
    label = inst.question(name).text("label", lang)
    return f"{title(inst, step, lang, values)} · {label}" if step is not None and step.is_member else label


def review_ui(inst: Instrument, all_steps: list[FormStep], problems: list[Problem], lang: str, values: dict) -> None:
    """Every missing or wrong answer, grouped by its step, each group with a button that opens the step."""
    if not problems:
        st.success(t("review_ok", lang), icon=":material/task_alt:")
        return
    st.warning(t("review_problems", lang, n=len(problems)), icon=":material/checklist:")
    groups: dict[str, list[Problem]] = {}
    for p in problems:
        step = step_of(all_steps, form.problem_key(p.field))
        groups.setdefault(step.id if step is not None else "", []).append(p)
    by_id = {s.id: s for s in all_steps}
    for step_id, found in groups.items():
        step = by_id.get(step_id)
        with st.container(border=True, key=f"review_step__{step_id or 'form'}"):
            if step is not None:
                number = t("progress", lang, i=all_steps.index(step) + 1, n=len(all_steps))
                st.markdown(f"**{title(inst, step, lang, values)}** · {number}")
            st.markdown("\n".join(f"- **{_label_of(inst, p.field, lang)}**: {p.message}" for p in found))
            if step is not None:
                st.button(t("review_goto", lang), key=f"review_goto__{step_id}", icon=":material/edit:",
                          on_click=jump, args=(inst, step_id))


def _label_of(inst: Instrument, field: str, lang: str) -> str:
    name = form.problem_key(field).partition("__")[0]
    known = {q.name for q in inst.all_questions()}
    return inst.question(name).text("label", lang) if name in known else name
