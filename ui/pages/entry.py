"""Entry page: an enumerator fills a questionnaire and submits it once.

The enumerator is the login, never a typed ID. The questionnaire is drawn inside a
fragment so that each answer reruns only the form (skip logic updates live). The
response id is made when the interview starts and kept in session state; the store
makes a repeated id a no-op, so a double click or a retry never stores two responses.

A correction (opened from "My submissions") loads a stored response into the form;
submitting it stores a new revision of the same response, based on the revision
that was opened, and only while no supervisor has reviewed it.
"""

from __future__ import annotations

import datetime as dt
import errno
import logging
import uuid

import streamlit as st

from survey import ConflictError, Problem, ValidationError, load_instrument
from survey.model import Instrument, list_instruments
from survey.validate import SURVEY_TIMEZONE, clean
from ui import auth, form
from ui.correct import correction, end_correction, may_correct
from ui.i18n import current_lang, t
from ui.store import get_store

log = logging.getLogger(__name__)


def choices_ui(lang: str) -> Instrument:
    """The questionnaire; while a correction is open, its questionnaire only."""
    instruments = {name: load_instrument(name) for name in list_instruments()}
    fixed = correction()
    names = [fixed["instrument"]] if fixed else list(instruments)
    chosen = st.selectbox(
        t("instrument", lang), names, key="instrument",
        format_func=lambda name: instruments[name].title[lang], disabled=bool(fixed),
    )
    return instruments[chosen]


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


def _storage_error(exc: OSError) -> tuple[str, dict]:
    if exc.errno == errno.ENOSPC:
        return ("disk_full", {})
    return ("save_failed", {"error": exc.strerror or type(exc).__name__})


def submit(inst: Instrument, lang: str, user: auth.User) -> None:
    """Submit button handler: validate everything, write once, remember the outcome.

    Outcomes are kept as message keys, not text, so they follow a language switch.
    """
    state = st.session_state
    state[f"_tried_{inst.id}"] = True
    state.pop(f"_error_{inst.id}", None)
    if not auth.allowed("entry", user):
        state[f"_error_{inst.id}"] = ("no_access", {})
        return
    store = get_store()
    fixed = correction()
    try:
        if fixed:
            if not may_correct(store, user, fixed["instrument"], fixed["response_id"]):
                state[f"_error_{inst.id}"] = ("correct_closed", {})
                return
            receipt = store.revise(inst.id, fixed["response_id"], form.current_answers(inst), editor=user.name,
                                   note=t("correct_note", "en"), base_revision=fixed["revision"])
        else:
            receipt = store.submit(
                inst.id, form.current_answers(inst), enumerator=user.name, response_id=interview_id(inst),
                lang=lang, started_at=state.get(f"_started_{inst.id}"),
            )
    except ValidationError:
        return  # the problems are shown next to their questions and summed up by the button
    except ConflictError:
        state[f"_error_{inst.id}"] = ("correct_closed", {})
        return
    except OSError as exc:  # disk full, permissions: keep the answers, say so
        log.exception("storing a %s interview failed", inst.id)
        _audit_failure(user, inst, exc)
        state[f"_error_{inst.id}"] = _storage_error(exc)
        return
    state[f"_receipt_{inst.id}"] = (receipt, user.name)
    if fixed:
        end_correction(keep_receipt=True)


def _audit_failure(user: auth.User, inst: Instrument, exc: OSError) -> None:
    try:
        get_store().audit.record("submit", user.name, inst.id, "failed", error=exc.strerror or str(exc))
    except OSError:
        pass  # the disk that refused the answers may refuse the log too


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
def questionnaire(inst: Instrument, lang: str, user: auth.User) -> None:
    auth.touch()  # every answer is an action: typing keeps the session alive
    state = st.session_state
    if f"_receipt_{inst.id}" in state:
        receipt_ui(inst, lang, *state[f"_receipt_{inst.id}"])
        return
    fixed = correction()
    if fixed:
        correction_banner(fixed, lang)
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
    label = t("submit_correction" if fixed else "submit", lang)
    st.button(label, key="submit", type="primary", on_click=submit, args=(inst, lang, user))


def correction_banner(fixed: dict, lang: str) -> None:
    st.info(t("correcting", lang, rid=fixed["response_id"], revision=fixed["revision"]), icon=":material/edit:")
    st.button(t("correct_cancel", lang), key="correct_cancel", on_click=end_correction)


def receipt_ui(inst: Instrument, lang: str, receipt, enumerator: str) -> None:
    text = "saved_again" if receipt.duplicate else ("corrected" if receipt.revision > 1 else "saved")
    st.success(t(text, lang, rid=receipt.response_id, revision=receipt.revision), icon=":material/check_circle:")
    when = receipt.submitted_at.astimezone(SURVEY_TIMEZONE).strftime("%Y-%m-%d %H:%M WIB")
    st.caption(t("receipt_detail", lang, instrument=inst.title[lang], time=when, enumerator=enumerator))
    st.button(t("new_interview", lang), key="new_interview", on_click=new_interview, args=(inst,))


def page() -> None:
    user = auth.gate("entry")
    lang = current_lang()
    inst = choices_ui(lang)
    switch_to(inst)
    st.header(inst.title[lang])
    if inst.description:
        st.caption(inst.description[lang])
    questionnaire(inst, lang, user)


page()
