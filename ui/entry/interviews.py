"""Interviews in progress: started with their defaults, kept as drafts, brought back after a login.

Every run of the entry form that changes an answer or the step rewrites the
interview's draft (survey.fieldwork.drafts), so a reload, a dropped connection or a server
restart loses nothing. Streamlit keeps no login across those, so the enumerator logs
in again: with one recent draft the interview comes back by itself, with several
(or any older than 30 days) they are listed to pick from. A correction's draft comes
back as a correction of the same base revision.

A new interview starts with the questionnaire's defaults, all editable: today's date
(WIB) for a question with `default: today()`, and the enumerator's previous answer for
one with `default: last-saved` (the household survey: kecamatan, kelurahan, RW, RT, PSU).

Session state per questionnaire `<id>`: `_response_id_<id>`, `_started_<id>` (the
interview on screen), `_step_<id>`, `_visited_<id>` (ui.entry.wizard), `_initial_<id>`
((response id, the values it started with): no draft is written until they change)
and `_saved_<id>` (what the draft file holds, to skip rewriting it).
"""

from __future__ import annotations

import datetime as dt
import logging
import uuid

import streamlit as st

from survey import load_instrument
from survey.fieldwork.drafts import MAX_DRAFT_BYTES, Draft, Drafts, DraftTooLarge
from survey.locale import LANGUAGES, WIB, pick, wib_datetime
from survey.questionnaire.model import LAST_SAVED, TODAY, Instrument, InstrumentError
from survey.questionnaire.validate import survey_today
from survey.store.durable import is_full
from ui.auth import User
from ui.entry import form
from ui.entry.correct import begin_correction, correction, end_correction
from ui.entry.steps import sections
from ui.i18n import t
from ui.plain_text import plain_line
from ui.store import data_dir, get_store

_PER_INTERVIEW = ("_response_id_", "_started_", "_tried_", "_error_", "_receipt_", "_step_", "_visited_",
                  "_initial_", "_saved_")
_CHECKED, _NOTICE, _EXPAND, _RERUN = "_drafts_checked", "_draft_notice", "_drafts_expanded", "_rerun_app"
_RESTORED = "_draft_restored"
_ASIDE = "_drafts_set_aside"  # file names of unreadable drafts moved aside, until the page says so
log = logging.getLogger(__name__)


def drafts() -> Drafts:
    return Drafts(data_dir())


def listed(user: User) -> list[Draft]:
    """The user's drafts; unreadable ones are set aside and noted for list_ui to say so."""
    store = drafts()
    try:
        return store.list(user.name)
    finally:
        noted(store)


def noted(store: Drafts) -> None:
    """Remember the drafts `store` set aside, for the next list_ui."""
    if store.set_aside_now:
        st.session_state.setdefault(_ASIDE, []).extend(store.set_aside_now)


def on_screen(inst: Instrument) -> tuple[str | None, int | None]:
    """(response id, base revision) of the interview on the form: a correction's, or the new one's."""
    fixed = correction()
    if fixed and fixed["instrument"] == inst.id:
        return fixed["response_id"], fixed["revision"]
    return st.session_state.get(f"_response_id_{inst.id}"), None


def start(inst: Instrument, user: User) -> None:
    """Give the questionnaire an interview, if it has none: a response id and the defaults."""
    state = st.session_state
    if correction() or f"_response_id_{inst.id}" in state:
        return
    rid = str(uuid.uuid4())
    state[f"_response_id_{inst.id}"] = rid
    state[f"_started_{inst.id}"] = dt.datetime.now(dt.timezone.utc)
    form.set_kept_values(inst, {**defaults(inst, user), **form.kept_values(inst)})
    state[f"_initial_{inst.id}"] = (rid, form.typed_values(inst))


def carried_over(inst: Instrument) -> list[str]:
    """The questions whose answer the enumerator's next interview starts with (`default: last-saved`)."""
    return [q.name for q in inst.questions if q.default == LAST_SAVED]


def defaults(inst: Instrument, user: User) -> dict:
    """The questionnaire's defaults: today's date, and the answers carried over from the
    enumerator's previous interview."""
    out: dict = {q.name: survey_today() for q in inst.questions if q.default == TODAY}
    try:
        carried = drafts().carried(user.name, inst.id)
    except ValueError:
        carried = {}
    out.update({name: carried[name] for name in carried_over(inst) if name in carried})
    return form.values_from_draft(inst, out)


def save(inst: Instrument, user: User, step_id: str, lang: str) -> tuple[str, dict] | None:
    """Rewrite the draft when the answers or the step changed; (message key, its values) when it
    could not be (the answers stay on screen and in the session either way)."""
    rid, base = on_screen(inst)
    if rid is None:
        return None
    state = st.session_state
    values = form.typed_values(inst)
    current = (rid, values, step_id)
    if state.get(f"_saved_{inst.id}") == current:
        return None
    store = drafts()
    initial = state.get(f"_initial_{inst.id}")
    untouched = initial is not None and initial == (rid, values)
    try:
        if untouched and store.load(user.name, inst.id, rid) is None:
            noted(store)
            state[f"_saved_{inst.id}"] = current  # nothing typed yet: no draft
            return None
        started = state.get(f"_started_{inst.id}")
        store.save(Draft(user.name, inst.id, rid, values=values, step=step_id, base_revision=base, lang=lang,
                         started_at=started.isoformat() if isinstance(started, dt.datetime) else None))
    except DraftTooLarge:
        log.warning("the draft of %s %s is too large to keep", inst.id, rid)
        return ("draft_too_large", {"bytes": MAX_DRAFT_BYTES // 1000})
    except OSError as exc:  # a full disk must not stop the interview: it stays on screen
        log.exception("saving the draft of %s %s failed", inst.id, rid)
        if is_full(exc):
            return ("draft_disk_full", {})
        return ("draft_unsaved", {"error": exc.strerror or type(exc).__name__})
    state[f"_saved_{inst.id}"] = current
    return None


def forget(inst: Instrument) -> None:
    """Take the interview off the form (its draft, if any, stays on disk)."""
    form.forget_values(inst)
    for prefix in _PER_INTERVIEW:
        st.session_state.pop(prefix + inst.id, None)


def finished(inst: Instrument, user: User, response_id: str, correcting: bool) -> None:
    """After a successful submission: the draft goes; the answers a new interview starts with carry over."""
    store = drafts()
    try:
        store.discard(user.name, inst.id, response_id)
        if not correcting:
            values = form.typed_values(inst)
            carry = {name: values[name] for name in carried_over(inst) if name in values}
            if carry:
                store.carry(user.name, inst.id, carry)
    except OSError:
        log.exception("clearing the draft of %s %s failed", inst.id, response_id)


def discard(inst: Instrument, user: User) -> None:
    """Button handler: end the interview on screen and delete its draft."""
    rid, base = on_screen(inst)
    if rid is not None:
        try:
            drafts().discard(user.name, inst.id, rid)
        except OSError:
            log.exception("discarding the draft of %s %s failed", inst.id, rid)
    if base is not None:
        end_correction()
    else:
        forget(inst)
    st.session_state[_NOTICE] = {"key": "discarded"}
    st.session_state[_RERUN] = True


def set_aside(inst: Instrument) -> None:
    """Button handler: keep the interview on screen as a draft and start another."""
    if correction():
        end_correction()
    else:
        forget(inst)
    st.session_state[_RERUN] = True


def rerun_requested() -> bool:
    """True once after a handler inside the form changed what the rest of the page shows."""
    return bool(st.session_state.pop(_RERUN, False))


def resume(draft: Draft) -> bool:
    """Put a draft on the form (called before the questionnaire selector is drawn, or as a handler)."""
    try:
        inst = load_instrument(draft.instrument, get_store().instruments_dir)
    except (InstrumentError, ValueError):
        return False
    state = st.session_state
    if correction():
        end_correction()  # its draft stays on disk and is listed
    values = form.values_from_draft(inst, dict(draft.values))
    if draft.is_correction:
        begin_correction(inst, draft.response_id, draft.base_revision, values)
    else:
        forget(inst)
        state[f"_response_id_{inst.id}"] = draft.response_id
        state[f"_started_{inst.id}"] = _parse_time(draft.started_at)
        form.set_kept_values(inst, values)
    state[f"_step_{inst.id}"] = draft.step
    state[f"_saved_{inst.id}"] = (draft.response_id, form.typed_values(inst), draft.step)
    state["instrument"] = inst.id
    state[_RESTORED] = {"instrument": inst.id, "step": draft.step, "saved_at": draft.saved_at, "lang": draft.lang}
    return True


def resume_after_login(user: User) -> None:
    """Once per login: bring back the only recent draft, or open the list of several."""
    state = st.session_state
    if state.get(_CHECKED) == user.name:
        return
    state[_CHECKED] = user.name
    try:
        found = listed(user)
    except (OSError, ValueError):
        log.exception("listing %s's drafts failed", user.name)
        return
    now = drafts().clock()
    if len(found) == 1 and not found[0].is_stale(now):
        resume(found[0])
    elif found:
        state[_EXPAND] = True


def list_ui(inst: Instrument, user: User, lang: str) -> None:
    """The notice of a discarded interview, and the other interviews in progress."""
    state = st.session_state
    state.pop(_RERUN, None)  # this run draws the list anew
    notice = state.pop(_NOTICE, None)
    if notice:
        st.info(t(notice["key"], lang), icon=":material/delete:")
    rid, _ = on_screen(inst)
    try:
        others = [d for d in listed(user) if (d.instrument, d.response_id) != (inst.id, rid)]
    except (OSError, ValueError):
        log.exception("listing %s's drafts failed", user.name)
        others = []
    aside = state.pop(_ASIDE, None)
    if aside:
        st.warning(t("drafts_set_aside", lang, n=len(aside)), icon=":material/folder_off:")
    if not others:
        return
    now = drafts().clock()
    with st.expander(t("drafts_title", lang, n=len(others)), expanded=bool(state.pop(_EXPAND, False)),
                     icon=":material/pending_actions:"):
        st.caption(t("drafts_pick", lang))
        for n, draft in enumerate(others):
            with st.container(border=True, key=f"draft_{n}"):
                st.markdown(describe(draft, lang, now))
                with st.container(horizontal=True):
                    st.button(t("draft_resume", lang), key=f"resume_draft_{n}", icon=":material/play_arrow:",
                              on_click=resume, args=(draft,))
                    with st.popover(t("discard_menu", lang), icon=":material/delete:"):
                        st.caption(t("discard_warning", lang))
                        st.button(t("discard_draft", lang), key=f"discard_draft_{n}", on_click=_discard_listed,
                                  args=(draft,))


def restored_ui(inst: Instrument, step_id: str, lang: str) -> None:
    """Inside the form: 'your interview is back', until the enumerator leaves the step it came back on."""
    state = st.session_state
    notice = state.get(_RESTORED)
    if not notice or notice["instrument"] != inst.id:
        return
    if notice["step"] not in (None, step_id) and notice.get("shown"):
        del state[_RESTORED]
        return
    notice["shown"] = True
    restored = t("draft_restored", lang, time=_when(notice["saved_at"], lang))
    other = notice.get("lang")
    if other not in LANGUAGES or other == lang:
        st.success(restored, icon=":material/restore:")
        return
    # typed in the other language: say so, so that the button offering it is not a riddle
    language = t(f"language_{other}", lang)
    st.success(f"{restored} {t('draft_started_in', lang, language=language)}", icon=":material/restore:")
    st.button(t("draft_switch_lang", lang, language=language), key="draft_lang", icon=":material/translate:",
              on_click=_set_lang, args=(other,))


def describe(draft: Draft, lang: str, now: float) -> str:
    """One line about a draft: questionnaire, who, where, when saved; a correction; its age."""
    try:
        inst = load_instrument(draft.instrument, get_store().instruments_dir)
    except (InstrumentError, ValueError):
        return f"**{plain_line(draft.instrument)}** · {t('draft_saved_at', lang, time=_when(draft.saved_at, lang))}"
    values = draft.values
    who = values.get("respondent_name") or values.get("member_name__0") or values.get("address")
    parts = [f"**{inst.title[lang]}**", plain_line(who) if who else t("draft_empty", lang)]   # typed: literal
    psu = inst.design.psu
    if psu and values.get(psu):
        parts.append(plain_line(values[psu]))
    where = _step_title(inst, draft.step, lang)
    if where:
        parts.append(t("draft_at_step", lang, step=where))
    parts.append(t("draft_saved_at", lang, time=_when(draft.saved_at, lang)))
    if draft.is_correction:
        parts.append(t("draft_correction", lang, rid=draft.response_id[:8]))
    line = " · ".join(parts)
    return line + (f"  \n:orange[{t('draft_stale', lang)}]" if draft.is_stale(now) else "")


def _step_title(inst: Instrument, step_id: str | None, lang: str) -> str | None:
    """The section a draft was left at ('Household ICT access', 'Member 2')."""
    name, _, index = (step_id or "").partition("__")
    if index.isdigit():
        return t("member", lang, i=int(index) + 1)
    section = next((s for s in sections(inst) if s.id == name), None)
    return pick(section.title, lang) if section is not None and section.title else None


def _discard_listed(draft: Draft) -> None:
    try:
        drafts().discard(draft.enumerator, draft.instrument, draft.response_id)
    except OSError:
        log.exception("discarding the draft of %s %s failed", draft.instrument, draft.response_id)


def _set_lang(lang: str) -> None:
    st.session_state["lang"] = lang
    st.session_state[_RERUN] = True  # the language toggle and the page around the form change too


def _when(epoch: float, lang: str) -> str:
    """When a draft was saved: 7 Des 2026 14.05 WIB / 7 Dec 2026 14:05 WIB."""
    return wib_datetime(dt.datetime.fromtimestamp(epoch, WIB), lang)


def _parse_time(text: str | None) -> dt.datetime | None:
    try:
        return dt.datetime.fromisoformat(text) if text else None
    except ValueError:
        return None
