"""The ODK inbox on the review page: submissions from Collect (or an ODK/Kobo import) that could not
be stored as they came, each with its reason. A supervisor fixes the instance's XML and accepts it
(validated and stored like any submission, under the enumerator who sent it), or discards it with
a note. Both are in the audit log (survey.odk.inbox)."""

from __future__ import annotations

import streamlit as st

from survey import ValidationError
from survey import locale as formatting
from survey.odk import instance as odk_instance
from survey.odk.inbox import Inbox, InboxError
from ui import auth
from ui.i18n import t
from ui.plain_text import plain_line
from ui.store import get_store, usable_instruments

SHOWN_BYTES = 200_000  # an XML body larger than this is not put in a text box (it stays on disk)
_FLASH = "_inbox_flash"


def _inbox() -> Inbox:
    store = get_store()
    return Inbox(store.root, store=store)


def accept(entry_id: str, user: auth.User) -> None:
    state = st.session_state
    if not auth.allowed("review", user):
        return
    inbox = _inbox()
    instrument = state.get("inbox_instrument")
    try:
        inst = get_store().instrument(instrument)
        answers = odk_instance.read(inst, (state.get(f"inbox_xml__{entry_id}") or "").encode("utf-8"))
        receipt = inbox.accept(entry_id, answers, by=user.name, instrument=instrument)
    except ValidationError as exc:
        state[_FLASH] = ("error", "inbox_problems", [f"{p.field}: {p.message}" for p in exc.problems])
        return
    except (odk_instance.InstanceError, InboxError, ValueError, LookupError) as exc:
        state[_FLASH] = ("error", "inbox_failed", [str(exc)])
        return
    state[_FLASH] = ("ok", "inbox_accepted", [f"{instrument}/{receipt.response_id}"])


def discard(entry_id: str, user: auth.User) -> None:
    state = st.session_state
    if not auth.allowed("review", user):
        return
    try:
        _inbox().discard(entry_id, state.get("inbox_note") or "", by=user.name)
    except InboxError:
        state[_FLASH] = ("error", "inbox_need_note", [])
        return
    state[_FLASH] = ("ok", "inbox_discarded", [])
    state["inbox_note"] = ""


def _flash(lang: str) -> None:
    flash = st.session_state.pop(_FLASH, None)
    if flash is None:
        return
    kind, key, lines = flash
    text = t(key, lang) + "".join(f"\n- {plain_line(line)}" for line in lines)
    (st.success if kind == "ok" else st.error)(text)


def inbox_ui(user: auth.User, lang: str) -> None:
    """An expander above the review queue while something waits in the inbox (nothing otherwise)."""
    inbox = _inbox()
    waiting = inbox.entries()
    if not waiting and _FLASH not in st.session_state:
        return
    title = t("inbox_title", lang, n=formatting.number(len(waiting), lang, 0))
    with st.expander(title, icon=":material/move_to_inbox:", expanded=_FLASH in st.session_state):
        _flash(lang)
        if not waiting:
            return
        st.caption(t("inbox_help", lang))
        labels = {e["id"]: f"{formatting.wib_datetime(e['received_at'], lang)} · {e.get('enumerator') or '?'} · "
                           f"{e.get('instrument') or '?'}" for e in waiting}
        chosen = st.selectbox(t("inbox_choose", lang), list(labels), key="inbox_choice", format_func=labels.get)
        entry = next(e for e in waiting if e["id"] == chosen)
        st.markdown(t("inbox_reason", lang, reason=plain_line(entry.get("reason") or "")))
        usable, _ = usable_instruments()
        names = list(usable)
        if entry.get("instrument") in usable:
            st.session_state.setdefault("inbox_instrument", entry["instrument"])
        st.selectbox(t("instrument", lang), names, key="inbox_instrument",
                     format_func=lambda n: usable[n].title[lang])
        body = inbox.body(chosen)
        if len(body) > SHOWN_BYTES:
            st.warning(t("inbox_too_large", lang, n=formatting.number(len(body), lang, 0)))
        else:
            st.text_area(t("inbox_xml", lang), value=body.decode("utf-8", "replace"), key=f"inbox_xml__{chosen}",
                         height=220)
            st.button(t("inbox_accept", lang), key="inbox_accept", type="primary", icon=":material/check:",
                      on_click=accept, args=(chosen, user))
        st.text_input(t("inbox_note", lang), key="inbox_note", max_chars=500)
        st.button(t("inbox_discard", lang), key="inbox_discard", icon=":material/delete:", on_click=discard,
                  args=(chosen, user))
