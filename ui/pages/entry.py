"""Entry page: an enumerator fills a questionnaire one section at a time and submits it once.

The enumerator is the login, never a typed ID. The questionnaire is drawn inside a
fragment so that each answer reruns only the form (skip logic updates live); it
shows one step (a section, or one roster member) with its progress, Back and Next,
and ends with a review step listing what is missing or wrong, then the submit
button. The response id is made when the interview starts; the store makes a
repeated id a no-op, so a double click or a retry never stores two responses.

Every change is kept as a draft on the server (ui.entry.interviews): after a reload or a
server restart the enumerator logs in again and the interview comes back where it
was. A submitted interview's draft is removed.

A correction (opened from "My submissions") loads a stored response into the form;
submitting it stores a new revision of the same response, based on the revision
that was opened, and only while no supervisor has reviewed it or after a supervisor
sent it back (rejected): the corrected revision is "submitted" again, back in the
review queue.
"""

from __future__ import annotations

import errno
import logging

import streamlit as st

from survey import ConflictError, Problem, ValidationError, load_instrument
from survey.locale import wib_datetime
from survey.questionnaire.model import Instrument
from survey.questionnaire.validate import clean, end_question
from ui import auth
from ui.entry import form, interviews, phone, wizard
from ui.entry.correct import correction, end_correction, may_correct
from ui.entry.steps import steps
from ui.i18n import current_lang, t
from ui.plain_text import plain_line
from ui.store import get_store, usable_instruments_ui

log = logging.getLogger(__name__)


def choices_ui(lang: str) -> Instrument:
    """The questionnaire; while a correction is open, its questionnaire only."""
    instruments = usable_instruments_ui(lang)
    fixed = correction()
    if fixed and fixed["instrument"] not in instruments:
        st.stop()   # the correction's questionnaire is broken: the warning above says why
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
        store = get_store()
        if previous in store.instrument_ids():
            form.clear_widgets(load_instrument(previous, store.instruments_dir))
        st.session_state["_active_instrument"] = inst.id


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
                                   note=t("correct_note", "en"), base_revision=fixed["revision"],
                                   status="submitted")  # a rejected interview goes back to the review queue
        else:
            receipt = store.submit(
                inst.id, form.current_answers(inst), enumerator=user.name,
                response_id=state[f"_response_id_{inst.id}"], lang=lang, started_at=state.get(f"_started_{inst.id}"),
            )
    except ValidationError:
        return  # the review step lists the problems, each with a way to its question
    except ConflictError:
        state[f"_error_{inst.id}"] = ("correct_closed", {})
        return
    except OSError as exc:  # disk full, permissions: keep the answers, say so
        log.exception("storing a %s interview failed", inst.id)
        _audit_failure(user, inst, exc)
        state[f"_error_{inst.id}"] = _storage_error(exc)
        return
    interviews.finished(inst, user, receipt.response_id, correcting=bool(fixed))
    state[f"_receipt_{inst.id}"] = (receipt, user.name)
    if fixed:
        end_correction(keep_receipt=True)


def _audit_failure(user: auth.User, inst: Instrument, exc: OSError) -> None:
    try:
        get_store().audit.record("submit", user.name, inst.id, "failed", error=exc.strerror or str(exc))
    except OSError:
        pass  # the disk that refused the answers may refuse the log too


def problems_summary(inst: Instrument, all_steps, problems: list[Problem], lang: str, values: dict) -> str:
    where = ", ".join(wizard.place(inst, all_steps, p.field, lang, values) for p in problems[:5])
    return t("fix_problems", lang, n=len(problems), where=where + (", …" if len(problems) > 5 else ""))


def new_interview(inst: Instrument) -> None:
    interviews.forget(inst)


@st.fragment
def questionnaire(inst: Instrument, lang: str, user: auth.User) -> None:
    auth.touch()  # every answer is an action: typing keeps the session alive
    if interviews.rerun_requested():
        st.rerun(scope="app")  # a handler changed the list of interviews in progress
    state = st.session_state
    if f"_receipt_{inst.id}" in state:
        receipt_ui(inst, lang, *state[f"_receipt_{inst.id}"])
        return
    fixed = correction()
    if fixed:
        correction_banner(fixed, lang)
    interviews.start(inst, user)
    form.restore_values(inst)
    cleaned, problems = clean(inst, form.current_answers(inst), lang=lang)
    all_steps = steps(inst, cleaned)
    step = wizard.current(inst, all_steps)
    values = form.kept_values(inst)
    if step is all_steps[0] and inst.description:
        st.caption(inst.description[lang])
    interviews.restored_ui(inst, step.id, lang)
    wizard.header_ui(inst, step, all_steps, lang, values)
    if step.is_review:
        review_ui(inst, all_steps, cleaned, problems, lang, user, values)
    else:
        form.render_step(inst, step, lang, cleaned, wizard.shown_problems(inst, step, problems))
        ending = end_question(inst, cleaned)
        if ending is not None and ending in step.questions:
            st.info(t("ended_here", lang), icon=":material/flag:")
    wizard.nav_ui(inst, step, all_steps, lang)
    form.remember_values(inst)
    trouble = interviews.save(inst, user, step.id, lang)
    if trouble:
        key, values = trouble
        st.warning(t(key, lang, **{name: plain_line(str(value)) for name, value in values.items()}),
                   icon=":material/cloud_off:")
    interview_menu_ui(inst, lang)


def review_ui(inst: Instrument, all_steps, cleaned: dict, problems: list[Problem], lang: str, user: auth.User,
              values: dict) -> None:
    state = st.session_state
    if f"_error_{inst.id}" in state:
        key, details = state[f"_error_{inst.id}"]
        st.error(t(key, lang, **{name: plain_line(value) for name, value in details.items()}))
    elif problems and state.get(f"_tried_{inst.id}"):
        st.error(problems_summary(inst, all_steps, problems, lang, values))
    ending = end_question(inst, cleaned)
    if ending is not None:
        st.info(t("ended_review", lang, question=ending.text("label", lang)), icon=":material/flag:")
    wizard.review_ui(inst, all_steps, problems, lang, values)
    label = t("submit_correction" if correction() else "submit", lang)
    st.button(label, key="submit", type="primary", icon=":material/send:", width="stretch",
              on_click=submit, args=(inst, lang, user))


def interview_menu_ui(inst: Instrument, lang: str) -> None:
    """Set the interview aside (it stays a draft) or discard it: behind a popover, never one tap away."""
    user = auth.current_user()
    with st.popover(t("interview_menu", lang), icon=":material/more_horiz:"):
        if not correction():
            st.button(t("set_aside", lang), key="set_aside", icon=":material/bookmark_add:",
                      on_click=interviews.set_aside, args=(inst,))
            st.divider()
        st.markdown(f"**{t('discard_menu', lang)}**  \n{t('discard_warning', lang)}")
        st.button(t("discard_draft", lang), key="discard_draft", icon=":material/delete:",
                  on_click=interviews.discard, args=(inst, user))


def correction_banner(fixed: dict, lang: str) -> None:
    st.info(t("correcting", lang, rid=fixed["response_id"], revision=fixed["revision"]), icon=":material/edit:")
    st.button(t("correct_cancel", lang), key="correct_cancel", on_click=end_correction)


def receipt_ui(inst: Instrument, lang: str, receipt, enumerator: str) -> None:
    text = "saved_again" if receipt.duplicate else ("corrected" if receipt.revision > 1 else "saved")
    st.success(t(text, lang, rid=receipt.response_id, revision=receipt.revision), icon=":material/check_circle:")
    when = wib_datetime(receipt.submitted_at, lang)
    st.caption(t("receipt_detail", lang, instrument=inst.title[lang], time=when, enumerator=plain_line(enumerator)))
    st.button(t("new_interview", lang), key="new_interview", type="primary", on_click=new_interview, args=(inst,))


def page() -> None:
    user = auth.gate("entry")
    lang = current_lang()
    phone.style(lang)
    interviews.resume_after_login(user)
    inst = choices_ui(lang)
    switch_to(inst)
    st.header(inst.title[lang], anchor=False)
    interviews.list_ui(inst, user, lang)
    questionnaire(inst, lang, user)


page()
