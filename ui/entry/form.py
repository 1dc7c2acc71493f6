"""Render a questionnaire step as live Streamlit widgets and read the answers back.

One table (WIDGETS) maps each widget name to its function; a question's widget is its
type's ``widget`` trait (survey.questionnaire.types). The widget key of a question is
its name; inside a repeat it is `<name>__<item index from 0>`, so tests and the
submit handler find every answer in `st.session_state` by name. Hints are shown
under the question (a tooltip hides the options on a phone), Rupiah amounts are
echoed with thousands separators, and a choice filtered by an unanswered question
(the kelurahan of a kecamatan) waits, disabled, with a note saying which.
"""

from __future__ import annotations

import datetime as dt
from typing import Any, Callable

import streamlit as st

from survey.locale import idr
from survey.questionnaire.limits import text_limit
from survey.questionnaire.model import Instrument, Question
from survey.questionnaire.validate import clean, filtered_choices, is_relevant, is_unanswered
from ui.entry import gps
from ui.entry.steps import MAX_REPEAT_ITEMS, FormStep, repeat_size
from ui.i18n import t
from ui.plain_text import plain_line

RADIO_MAX_CHOICES = 5  # longer lists use a searchable select box
_KEPT, _DRAWN, _LIVE = "_kept_answers_", "_drawn_keys_", "_live_keys_"


def widget_key(name: str, index: int | None = None) -> str:
    return name if index is None else f"{name}__{index}"


def problem_key(field: str) -> str:
    """'members[2].age' -> 'age__2'; 'hh_size' -> 'hh_size'."""
    if "[" in field and "]." in field:
        head, inner = field.split("].", 1)
        return widget_key(inner, int(head.split("[", 1)[1]))
    return field


def all_keys(inst: Instrument) -> list[str]:
    keys = [q.name for q in inst.questions if not q.kind.is_repeat]
    for repeat in inst.repeats:
        keys += [widget_key(q.name, i) for q in repeat.questions for i in range(MAX_REPEAT_ITEMS)]
    return keys


def current_answers(inst: Instrument) -> dict[str, Any]:
    """The answers as the widgets hold them now, rosters as lists of dicts.

    The roster has as many items as the validated count (a household size of 250 is
    rejected, so no 250 member sections are collected).
    """
    values = kept_values(inst)
    answers: dict[str, Any] = {name: values.get(name) for name in _answer_names(inst.questions)}
    answers = {k: v for k, v in answers.items() if not is_unanswered(v)}
    main, _ = clean(inst, answers)
    for repeat in inst.repeats:
        answers[repeat.name] = [
            {name: values.get(widget_key(name, i)) for name in _answer_names(repeat.questions)}
            for i in range(repeat_size(repeat, main))
        ]
    return answers


def _answer_names(questions: tuple[Question, ...]) -> list[str]:
    return [q.name for q in questions if q.kind.entered]


def restore_values(inst: Instrument) -> None:
    """Give back answers of questions that are not on screen (another step, hidden for a while).

    Streamlit drops the state of a widget that a run does not draw, and a value once
    put into the session for that key resurfaces then, older than the widget's. So
    the answers are remembered after each run and, before the next, every key whose
    widget was not drawn last time is set from what was remembered; a widget drawn
    last time keeps its value (it may carry the change that caused this run).
    """
    state = st.session_state
    kept = state.setdefault(_KEPT + inst.id, {})
    live = state.get(_DRAWN + inst.id, set())
    for key in all_keys(inst):
        if key in live and key in state:
            continue
        if key in kept:
            state[key] = kept[key]
        elif key in state:
            del state[key]
    state[_LIVE + inst.id] = set(live)
    state[_DRAWN + inst.id] = set()  # filled by render_step


def _on_screen(inst: Instrument) -> set[str]:
    """Keys whose widgets were drawn by the last run or so far by this one: their values are current."""
    state = st.session_state
    return state.get(_LIVE + inst.id, set()) | state.get(_DRAWN + inst.id, set())


def remember_values(inst: Instrument) -> None:
    """After drawing: remember the values of the widgets on screen (the others stay as they were)."""
    state = st.session_state
    kept = dict(state.get(_KEPT + inst.id, {}))
    drawn = state.get(_DRAWN + inst.id, set())
    for key in _on_screen(inst):
        if key in state:
            kept[key] = state[key]
        elif key in drawn:
            kept.pop(key, None)
    state[_KEPT + inst.id] = kept


def kept_values(inst: Instrument) -> dict[str, Any]:
    """The answers on (or remembered for) the form now, by widget key."""
    state = st.session_state
    kept = dict(state.get(_KEPT + inst.id, {}))
    kept.update({key: state[key] for key in _on_screen(inst) if key in state})
    return kept


def typed_values(inst: Instrument) -> dict[str, Any]:
    """What the enumerator has entered, by widget key, leaving out empty widgets (for a draft)."""
    return {key: value for key, value in kept_values(inst).items() if value is not None and value != [] and value != ""}


def set_kept_values(inst: Instrument, values: dict[str, Any]) -> None:
    """Remember `values` (by widget key); the form shows them at its next run."""
    st.session_state[_KEPT + inst.id] = dict(values)


def values_from_draft(inst: Instrument, values: dict[str, Any]) -> dict[str, Any]:
    """A draft's values as the widgets hold them: ISO text back to dates, unknown keys left out."""
    known = set(all_keys(inst))
    out = {}
    for key, value in values.items():
        if key not in known:
            continue
        name = key.partition("__")[0]
        if inst.question(name).kind.is_date and isinstance(value, str):
            try:
                value = dt.date.fromisoformat(value)
            except ValueError:
                continue
        out[key] = value
    return out


def load_answers(inst: Instrument, answers: dict[str, Any]) -> None:
    """Put a set of answers (rosters as lists of dicts) on the form, replacing what it held."""
    values = {}
    for q in inst.questions:
        if q.kind.is_repeat:
            for i, item in enumerate(answers.get(q.name) or []):
                values.update({widget_key(name, i): value for name, value in item.items()})
        elif q.name in answers:
            values[q.name] = answers[q.name]
    clear_widgets(inst)
    set_kept_values(inst, values)


def clear_widgets(inst: Instrument) -> None:
    """Take this questionnaire's answers off the widgets (they stay remembered)."""
    for key in all_keys(inst):
        st.session_state.pop(key, None)
    st.session_state[_DRAWN + inst.id] = set()
    st.session_state[_LIVE + inst.id] = set()


def forget_values(inst: Instrument) -> None:
    clear_widgets(inst)
    st.session_state.pop(_KEPT + inst.id, None)


def render_step(inst: Instrument, step: FormStep, lang: str, cleaned: dict, problems: dict[str, str]) -> None:
    """Draw the relevant questions of one step, each with its problem message under it.

    Skip logic, choice filters and calculated values read the validated answers
    (`cleaned`), as `validate` does: an answer to a hidden or rejected question never
    makes another question appear.
    """
    drawn = st.session_state.setdefault(_DRAWN + inst.id, set())
    if step.is_member:
        items = cleaned.get(step.repeat.name, [])
        item = {**cleaned, **(items[step.index] if step.index < len(items) else {})}
        shown = [(q, widget_key(q.name, step.index), item) for q in step.repeat.questions if is_relevant(q, item)]
    else:
        shown = [(q, q.name, cleaned) for q in step.questions if q.kind.is_repeat or is_relevant(q, cleaned)]
    for q, key, context in shown:
        if q.kind.is_repeat:
            _roster_intro(q, lang, cleaned, problems)
            continue
        _render_question(q, key, lang, context, problems)
        if q.kind.entered:
            drawn.add(key)


def _roster_intro(repeat: Question, lang: str, cleaned: dict, problems: dict[str, str]) -> None:
    if repeat.name in problems:
        st.error(problems[repeat.name], icon=":material/warning:")
    size = repeat_size(repeat, cleaned)
    label = repeat.text("label", lang).lower()
    st.caption(t("roster_steps", lang, n=size, label=label) if size else t("roster_needs_count", lang, label=label))


def _render_question(q: Question, key: str, lang: str, context: dict, problems: dict[str, str]) -> None:
    WIDGETS[q.kind.widget](q, key, lang, context)
    if q.kind.computed:  # a calculated value is shown, not asked: nothing to hint at or correct
        return
    if q.hint:
        st.caption(q.text("hint", lang))
    if key in problems:
        st.error(problems[key], icon=":material/warning:")


def _label(q: Question, lang: str) -> str:
    # a plain " *": an escaped "\\*" reaches screen readers as a backslash (the aria-label is the raw text)
    return q.text("label", lang) + (" *" if q.required else "")


def _text(q: Question, key: str, lang: str, _context: dict) -> None:
    widget = st.text_area if q.appearance == "multiline" else st.text_input
    widget(_label(q, lang), key=key, max_chars=text_limit(q))


def _integer(q: Question, key: str, lang: str, _context: dict) -> None:
    # No min/max on the widget: out-of-range entries reach validation, which explains them.
    value = st.number_input(_label(q, lang), key=key, value=None, step=1, format="%d")
    if q.money and isinstance(value, (int, float)):
        st.markdown(f"**{idr(int(value), lang)}**")   # as the review and the tables write it


def _decimal(q: Question, key: str, lang: str, _context: dict) -> None:
    st.number_input(_label(q, lang), key=key, value=None, step=0.1, format="%f")


def _date(q: Question, key: str, lang: str, _context: dict) -> None:
    st.date_input(
        _label(q, lang), key=key, value=None,
        min_value=dt.date(1900, 1, 1), max_value=dt.date(2100, 12, 31), format="YYYY-MM-DD",
    )


def _geopoint(q: Question, key: str, lang: str, _context: dict) -> None:
    st.text_input(_label(q, lang), key=key, placeholder=t("geopoint_placeholder", lang), max_chars=text_limit(q))
    gps.locate_ui(key, lang)
    gps.point_notes(key, lang)


def _options(q: Question, key: str, context: dict) -> list[str]:
    options = filtered_choices(q, context)
    if q.choice_filter is not None and key in st.session_state:
        value = st.session_state[key]
        picked = value if isinstance(value, list) else [] if value is None else [value]
        if not set(picked) <= set(options):
            del st.session_state[key]  # e.g. the kelurahan of a kecamatan no longer chosen
    return options


def _waiting_for(q: Question, context: dict) -> str | None:
    """The question a choice filter needs first (the kecamatan for the kelurahan), while unanswered."""
    if q.choice_filter is None:
        return None
    return next((ref for ref in sorted(q.choice_filter.references) if is_unanswered(context.get(ref))), None)


def _select_one(q: Question, key: str, lang: str, context: dict) -> None:
    waiting = _waiting_for(q, context)
    if waiting is not None:
        st.session_state.pop(key, None)
        st.selectbox(_label(q, lang), [], key=key, index=None, disabled=True,
                     placeholder=t("choose_first", lang, what=waiting.replace("_", " ")))
        return
    options = _options(q, key, context)
    labels = {name: q.choices[name][lang] for name in options}
    if len(options) <= RADIO_MAX_CHOICES and q.choice_filter is None:
        st.radio(_label(q, lang), options, key=key, index=None,
                 format_func=labels.get, horizontal=len(options) <= 3 or q.appearance == "horizontal")
    else:
        st.selectbox(_label(q, lang), options, key=key, index=None,
                     format_func=labels.get, placeholder=t("choose", lang))


def _select_multiple(q: Question, key: str, lang: str, context: dict) -> None:
    options = _options(q, key, context)
    labels = {name: q.choices[name][lang] for name in options}
    # The hint ("select all that apply") is shown under it: the placeholder does not repeat it.
    placeholder = t("choose_some" if q.hint else "choose_many", lang)
    st.multiselect(_label(q, lang), options, key=key, format_func=labels.get, placeholder=placeholder)


def _note(q: Question, _key: str, lang: str, _context: dict) -> None:
    st.info(q.text("label", lang))


def _calculated_value(q: Question, _key: str, lang: str, context: dict) -> None:
    if not is_unanswered(context.get(q.name)):
        st.caption(f"{q.text('label', lang)}: **{plain_line(context[q.name])}**")


# Widget name (a question type's `widget` trait) -> the function that draws it.
WIDGETS: dict[str, Callable[[Question, str, str, dict], None]] = {
    "text_box": _text,
    "whole_number": _integer,
    "decimal_number": _decimal,
    "date_picker": _date,
    "location": _geopoint,
    "one_choice": _select_one,
    "many_choices": _select_multiple,
    "note": _note,
    "calculated_value": _calculated_value,
}
