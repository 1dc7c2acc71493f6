"""Entry page: an enumerator fills a questionnaire and submits it once.

The questionnaire is drawn inside a fragment so that each answer reruns only the
form (skip logic updates live). The response id is made when the interview starts
and kept in session state; the store makes a repeated id a no-op, so a double
click or a retry never stores two responses.
"""

from __future__ import annotations

import datetime as dt
import logging
import re
import uuid

import streamlit as st

from survey import Problem, ResponseStore, ValidationError, load_instrument
from survey.model import Instrument, list_instruments
from survey.validate import SURVEY_TIMEZONE, clean
from ui import form
from ui.i18n import LANGUAGES, t
from ui.store import get_store

_ENUMERATOR = re.compile(r"[A-Za-z0-9_.-]{1,40}")
log = logging.getLogger(__name__)


def choices_ui() -> tuple[Instrument, str, str]:
    """Questionnaire, language and enumerator ID; plain values out."""
    left, middle, right = st.columns([2, 1.6, 1.2])
    lang = middle.radio(
        "Language / Bahasa", list(LANGUAGES),
        key="lang", format_func=LANGUAGES.get, horizontal=True,
    )
    instruments = {name: load_instrument(name) for name in list_instruments()}
    chosen = left.selectbox(
        t("instrument", lang), list(instruments), key="instrument",
        format_func=lambda name: instruments[name].title[lang],
    )
    enumerator = right.text_input(t("enumerator", lang), key="enumerator", help=t("enumerator_help", lang))
    return instruments[chosen], lang, enumerator.strip()


def switch_to(inst: Instrument) -> None:
    """Questionnaires share question names (interview_date, agency, ...): when the
    enumerator switches, take the previous one's answers off the widgets so they
    cannot leak into this one; each comes back when its questionnaire is chosen again."""
    previous = st.session_state.get("_active_instrument")
    if previous != inst.id:
        if previous in list_instruments():
            form.clear_widgets(load_instrument(previous))
        st.session_state["_active_instrument"] = inst.id


def interview_id(inst: Instrument) -> str:
    """The response id of the interview in progress, made when it starts."""
    key = f"_response_id_{inst.id}"
    if key not in st.session_state:
        st.session_state[key] = str(uuid.uuid4())
        st.session_state[f"_started_{inst.id}"] = dt.datetime.now(dt.timezone.utc)
    return st.session_state[key]


def submit(inst: Instrument, lang: str, enumerator: str) -> None:
    """Submit button handler: validate everything, write once, remember the outcome.

    Outcomes are kept as message keys, not text, so they follow a language switch.
    """
    state = st.session_state
    state[f"_tried_{inst.id}"] = True
    state.pop(f"_error_{inst.id}", None)
    if not enumerator:
        state[f"_error_{inst.id}"] = ("enumerator_missing", {})
        return
    if not _ENUMERATOR.fullmatch(enumerator):
        state[f"_error_{inst.id}"] = ("enumerator_invalid", {})
        return
    try:
        receipt = get_store().submit(
            inst.id, form.current_answers(inst), enumerator=enumerator, response_id=interview_id(inst),
            lang=lang, started_at=state.get(f"_started_{inst.id}"),
        )
    except ValidationError:
        return  # the problems are shown next to their questions and summed up by the button
    except OSError as exc:  # disk full, permissions: keep the answers, say so
        state[f"_error_{inst.id}"] = ("save_failed", {"error": exc.strerror or type(exc).__name__})
        return
    state[f"_receipt_{inst.id}"] = (receipt, enumerator)
    _todays_rows.clear()


def problem_place(inst: Instrument, field: str, lang: str) -> str:
    """'members[1].age' -> 'Member 2: Age (years)', so the enumerator can find it."""
    name, _, index = form.problem_key(field).partition("__")
    if name not in {q.name for q in inst.all_questions()}:
        return name
    label = inst.question(name).text("label", lang)
    return f"{t('member', lang, i=int(index) + 1)}: {label}" if index else label


def problems_summary(inst: Instrument, problems: list[Problem], lang: str) -> str:
    where = ", ".join(problem_place(inst, p.field, lang) for p in problems[:5])
    return t("fix_problems", lang, n=len(problems), where=where + (", …" if len(problems) > 5 else ""))


def new_interview(inst: Instrument) -> None:
    form.forget_values(inst)
    for prefix in ("_response_id_", "_started_", "_tried_", "_error_", "_receipt_"):
        st.session_state.pop(prefix + inst.id, None)


def inline_problems(inst: Instrument, problems: list[Problem]) -> dict[str, str]:
    """Problems to show next to questions: all after a submit attempt, else only wrong answers."""
    tried = st.session_state.get(f"_tried_{inst.id}", False)
    return {
        form.problem_key(p.field): p.message
        for p in problems
        if tried or p.code not in ("required", "count")
    }


@st.fragment
def questionnaire(inst: Instrument, lang: str, enumerator: str) -> None:
    state = st.session_state
    if f"_receipt_{inst.id}" in state:
        receipt_ui(inst, lang, *state[f"_receipt_{inst.id}"])
    else:
        form.restore_values(inst)
        interview_id(inst)
        cleaned, problems = clean(inst, form.current_answers(inst), lang=lang)
        form.render(inst, lang, cleaned, inline_problems(inst, problems))
        form.remember_values(inst)
        if f"_error_{inst.id}" in state:
            key, values = state[f"_error_{inst.id}"]
            st.error(t(key, lang, **values))
        elif problems and state.get(f"_tried_{inst.id}"):
            st.error(problems_summary(inst, problems, lang))
        st.button(t("submit", lang), key="submit", type="primary", on_click=submit, args=(inst, lang, enumerator))
    st.divider()
    todays_submissions_ui(lang, enumerator)


def receipt_ui(inst: Instrument, lang: str, receipt, enumerator: str) -> None:
    text = "saved_again" if receipt.duplicate else "saved"
    st.success(t(text, lang, rid=receipt.response_id), icon=":material/check_circle:")
    when = receipt.submitted_at.astimezone(SURVEY_TIMEZONE).strftime("%Y-%m-%d %H:%M WIB")
    st.caption(t("receipt_detail", lang, instrument=inst.title[lang], time=when, enumerator=enumerator))
    st.button(t("new_interview", lang), key="new_interview", on_click=new_interview, args=(inst,))


def todays_submissions_ui(lang: str, enumerator: str) -> None:
    st.subheader(t("today_list", lang))
    if not enumerator:
        st.caption(t("today_hint", lang))
        return
    try:
        rows = _todays_rows(str(get_store().root), enumerator)
    except Exception:  # a side panel: a read problem must never take the form down
        log.exception("reading today's submissions failed")
        st.warning(t("today_failed", lang))
        return
    if not rows:
        st.caption(t("today_none", lang))
        return
    st.dataframe(
        [
            {
                t("col_time", lang): row["time"],
                t("col_instrument", lang): load_instrument(row["instrument"]).title[lang],
                t("col_response", lang): row["response_id"],
                t("col_status", lang): t(f"status_{row['status']}", lang),
            }
            for row in rows
        ],
        hide_index=True,
        width="stretch",
    )


@st.cache_data(ttl=30, show_spinner=False)
def _todays_rows(root: str, enumerator: str) -> list[dict]:
    # Cached so that typing in the form does not re-read the store; a submit clears it.
    return todays_submissions(ResponseStore(root), enumerator)


def todays_submissions(store: ResponseStore, enumerator: str) -> list[dict]:
    """This enumerator's responses submitted today (WIB), newest first."""
    today = dt.datetime.now(SURVEY_TIMEZONE).date()
    rows = []
    for name in list_instruments():
        df = store.read(name)
        if df.empty:
            continue
        local = df["_submitted_at"].dt.tz_convert(SURVEY_TIMEZONE)
        mine = df[(df["_enumerator"] == enumerator) & (local.dt.date == today)]
        rows += [
            {"time": at.strftime("%H:%M"), "instrument": name, "response_id": rid, "status": status}
            for at, rid, status in zip(local[mine.index], mine["_response_id"], mine["_status"])
        ]
    return sorted(rows, key=lambda r: r["time"], reverse=True)


def page() -> None:
    inst, lang, enumerator = choices_ui()
    switch_to(inst)
    st.header(inst.title[lang])
    if inst.description:
        st.caption(inst.description[lang])
    questionnaire(inst, lang, enumerator)


page()
