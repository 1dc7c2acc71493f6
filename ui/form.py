"""Render an instrument as live Streamlit widgets and read the answers back.

One table maps each question type to its widget. The widget key of a question is
its name; inside a repeat it is `<name>__<item index from 0>`, so tests and the
submit handler find every answer in `st.session_state` by name.
"""

from __future__ import annotations

import datetime as dt
from typing import Any, Callable

import streamlit as st

from survey.expressions import evaluate
from survey.model import Instrument, Question
from survey.validate import MAX_TEXT_LENGTH, clean, filtered_choices, is_relevant, is_unanswered
from ui.i18n import t

MAX_REPEAT_ITEMS = 30
RADIO_MAX_CHOICES = 5  # longer lists use a searchable select box
_KEPT = "_kept_answers_"


def widget_key(name: str, index: int | None = None) -> str:
    return name if index is None else f"{name}__{index}"


def problem_key(field: str) -> str:
    """'members[2].age' -> 'age__2'; 'hh_size' -> 'hh_size'."""
    if "[" in field and "]." in field:
        head, inner = field.split("].", 1)
        return widget_key(inner, int(head.split("[", 1)[1]))
    return field


def repeat_size(repeat: Question, answers: dict[str, Any]) -> int:
    """How many roster items to show, from repeat_count (0 while it is unanswered)."""
    if repeat.repeat_count is None:
        return 1
    count = evaluate(repeat.repeat_count, answers)
    if isinstance(count, (int, float)) and count == count and count >= 1:
        return min(int(count), MAX_REPEAT_ITEMS)
    return 0


def all_keys(inst: Instrument) -> list[str]:
    keys = [q.name for q in inst.questions if q.type != "repeat"]
    for repeat in inst.repeats:
        keys += [widget_key(q.name, i) for q in repeat.questions for i in range(MAX_REPEAT_ITEMS)]
    return keys


def current_answers(inst: Instrument) -> dict[str, Any]:
    """The answers as the widgets hold them now, rosters as lists of dicts.

    The roster has as many items as the validated count (a household size of 250 is
    rejected, so no 250 member sections are collected).
    """
    state = st.session_state
    answers: dict[str, Any] = {name: state.get(name) for name in _answer_names(inst.questions)}
    answers = {k: v for k, v in answers.items() if not is_unanswered(v)}
    main, _ = clean(inst, answers)
    for repeat in inst.repeats:
        answers[repeat.name] = [
            {name: state.get(widget_key(name, i)) for name in _answer_names(repeat.questions)}
            for i in range(repeat_size(repeat, main))
        ]
    return answers


def _answer_names(questions: tuple[Question, ...]) -> list[str]:
    return [q.name for q in questions if q.stores_answer and q.type != "calculate"]


def restore_values(inst: Instrument) -> None:
    """Give back answers of questions that were hidden for a while.

    Streamlit drops the state of a widget that a run does not draw; the answers are
    remembered after each run and restored when the question shows again. Only keys
    missing from the session are set, so a widget on screen is never overwritten.
    """
    kept = st.session_state.setdefault(_KEPT + inst.id, {})
    for key, value in kept.items():
        if key not in st.session_state:
            st.session_state[key] = value


def remember_values(inst: Instrument) -> None:
    st.session_state[_KEPT + inst.id] = {key: st.session_state[key] for key in all_keys(inst) if key in st.session_state}


def kept_values(inst: Instrument) -> dict[str, Any]:
    """The answers on (or remembered for) the form now, by widget key."""
    kept = dict(st.session_state.get(_KEPT + inst.id, {}))
    kept.update({key: st.session_state[key] for key in all_keys(inst) if key in st.session_state})
    return kept


def set_kept_values(inst: Instrument, values: dict[str, Any]) -> None:
    """Remember `values` (by widget key); the form shows them at its next run."""
    st.session_state[_KEPT + inst.id] = dict(values)


def load_answers(inst: Instrument, answers: dict[str, Any]) -> None:
    """Put a set of answers (rosters as lists of dicts) on the form, replacing what it held."""
    values = {}
    for q in inst.questions:
        if q.type == "repeat":
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


def forget_values(inst: Instrument) -> None:
    clear_widgets(inst)
    st.session_state.pop(_KEPT + inst.id, None)


def render(inst: Instrument, lang: str, cleaned: dict, problems: dict[str, str]) -> None:
    """Draw every relevant question with its problem message under it.

    Skip logic, choice filters and calculated values read the validated answers
    (`cleaned`), as `validate` does: an answer to a hidden or rejected question never
    makes another question appear.
    """
    for q in inst.questions:
        if q.type == "repeat":
            _render_repeat(q, lang, cleaned, problems)
        elif is_relevant(q, cleaned):
            _render_question(q, widget_key(q.name), lang, cleaned, problems)


def _render_repeat(repeat: Question, lang: str, cleaned: dict, problems: dict[str, str]) -> None:
    if repeat.section:
        st.subheader(repeat.text("section", lang))
    st.markdown(f"**{repeat.text('label', lang)}**")
    if repeat.name in problems:
        st.error(problems[repeat.name], icon=":material/warning:")
    size = repeat_size(repeat, cleaned)
    if size == 0:
        st.caption(t("roster_needs_count", lang, label=repeat.text("label", lang).lower()))
    items = cleaned.get(repeat.name, [])
    for i in range(size):
        item = {**cleaned, **(items[i] if i < len(items) else {})}
        with st.expander(t("member", lang, i=i + 1), expanded=True):
            for q in repeat.questions:
                if is_relevant(q, item):
                    _render_question(q, widget_key(q.name, i), lang, item, problems)


def _render_question(q: Question, key: str, lang: str, context: dict, problems: dict[str, str]) -> None:
    if q.section and "__" not in key:
        st.subheader(q.text("section", lang))
    if q.type == "calculate":
        if not is_unanswered(context.get(q.name)):
            st.caption(f"{q.text('label', lang)}: **{context[q.name]}**")
        return
    WIDGETS[q.type](q, key, lang, context)
    if key in problems:
        st.error(problems[key], icon=":material/warning:")


def _label(q: Question, lang: str) -> str:
    return q.text("label", lang) + (" \\*" if q.required else "")


def _help(q: Question, lang: str) -> str | None:
    return q.text("hint", lang) or None


def _text(q: Question, key: str, lang: str, _context: dict) -> None:
    widget = st.text_area if q.appearance == "multiline" else st.text_input
    widget(_label(q, lang), key=key, help=_help(q, lang), max_chars=MAX_TEXT_LENGTH)


def _integer(q: Question, key: str, lang: str, _context: dict) -> None:
    # No min/max on the widget: out-of-range entries reach validation, which explains them.
    st.number_input(_label(q, lang), key=key, help=_help(q, lang), value=None, step=1, format="%d")


def _decimal(q: Question, key: str, lang: str, _context: dict) -> None:
    st.number_input(_label(q, lang), key=key, help=_help(q, lang), value=None, step=0.1, format="%f")


def _date(q: Question, key: str, lang: str, _context: dict) -> None:
    st.date_input(
        _label(q, lang), key=key, help=_help(q, lang), value=None,
        min_value=dt.date(1900, 1, 1), max_value=dt.date(2100, 12, 31), format="YYYY-MM-DD",
    )


def _geopoint(q: Question, key: str, lang: str, _context: dict) -> None:
    st.text_input(_label(q, lang), key=key, help=_help(q, lang), placeholder=t("geopoint_placeholder", lang))


def _options(q: Question, key: str, context: dict) -> list[str]:
    options = filtered_choices(q, context)
    if q.choice_filter is not None and key in st.session_state:
        value = st.session_state[key]
        picked = value if isinstance(value, list) else [] if value is None else [value]
        if not set(picked) <= set(options):
            del st.session_state[key]  # e.g. the kelurahan of a kecamatan no longer chosen
    return options


def _select_one(q: Question, key: str, lang: str, context: dict) -> None:
    options = _options(q, key, context)
    labels = {name: q.choices[name][lang] for name in options}
    if len(options) <= RADIO_MAX_CHOICES and q.choice_filter is None:
        st.radio(_label(q, lang), options, key=key, help=_help(q, lang), index=None,
                 format_func=labels.get, horizontal=len(options) <= 3 or q.appearance == "horizontal")
    else:
        st.selectbox(_label(q, lang), options, key=key, help=_help(q, lang), index=None,
                     format_func=labels.get, placeholder=t("choose", lang))


def _select_multiple(q: Question, key: str, lang: str, context: dict) -> None:
    options = _options(q, key, context)
    labels = {name: q.choices[name][lang] for name in options}
    st.multiselect(_label(q, lang), options, key=key, help=_help(q, lang),
                   format_func=labels.get, placeholder=t("choose_many", lang))


def _note(q: Question, _key: str, lang: str, _context: dict) -> None:
    st.info(q.text("label", lang))


WIDGETS: dict[str, Callable[[Question, str, str, dict], None]] = {
    "text": _text,
    "integer": _integer,
    "decimal": _decimal,
    "date": _date,
    "geopoint": _geopoint,
    "select_one": _select_one,
    "select_multiple": _select_multiple,
    "note": _note,
}
