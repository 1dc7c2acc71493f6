"""Corrections: an enumerator reopens one of their own submissions in the entry form.

Allowed while no supervisor has reviewed the response, or after a supervisor sent
it back (its status is one of CORRECTABLE: submitted, rejected), and only for the
enumerator who submitted it; the rule is checked when the correction is opened and
again when it is saved. The saved correction is "submitted" again, so a rejected
interview returns to the review queue. An interview in progress on the
entry form is put aside while a correction is open and comes back afterwards.

A correction in progress has a draft like any interview (with the revision it is
based on): reopening the same response, or logging in again after a reload, brings
back the edits, as long as the response has not changed meanwhile.
"""

from __future__ import annotations

from pathlib import Path

import streamlit as st

from survey import UnknownResponse, load_instrument
from survey.fieldwork.drafts import Drafts
from survey.questionnaire.model import Instrument
from survey.store.stored_answers import stored_answers
from ui.auth import User
from ui.entry import form
from ui.store import data_dir, get_store

CORRECTABLE = ("submitted", "rejected")
ENTRY_PAGE = str(Path(__file__).resolve().parents[1] / "pages" / "entry.py")
_OPEN = "_correcting"
_STASH = "_stashed_answers_"
# Per-questionnaire state of the interview on screen (ui.entry.interviews), put aside during a correction.
_INITIAL, _STEP = "_initial_", "_step_"
_STASHED = {"initial": _INITIAL, "step": _STEP, "visited": "_visited_"}


def may_correct(store, user: User, instrument_id: str, response_id: str) -> bool:
    try:
        response = stored_answers(store, load_instrument(instrument_id, store.instruments_dir), response_id)
    except (UnknownResponse, ValueError):
        return False
    return response.enumerator == user.name and response.status in CORRECTABLE


def correction() -> dict | None:
    """{instrument, response_id, revision} of the correction in progress, or None."""
    return st.session_state.get(_OPEN)


def open_correction(store, user: User, instrument_id: str, response_id: str) -> bool:
    """Load the response into the entry form and go there; False when it may not be corrected."""
    inst = load_instrument(instrument_id, store.instruments_dir)
    try:
        response = stored_answers(store, inst, response_id)
    except (UnknownResponse, ValueError):
        return False
    if response.enumerator != user.name or response.status not in CORRECTABLE:
        return False
    begin_correction(inst, response_id, response.revision, None)
    form.load_answers(inst, response.answers)
    st.session_state[_INITIAL + inst.id] = (response_id, form.typed_values(inst))
    draft = Drafts(data_dir()).load(user.name, inst.id, response_id)
    if draft is not None and draft.base_revision == response.revision:  # edits made before a reload
        form.set_kept_values(inst, form.values_from_draft(inst, dict(draft.values)))
        st.session_state[_STEP + inst.id] = draft.step
    st.switch_page(ENTRY_PAGE)
    return True


def begin_correction(inst: Instrument, response_id: str, revision: int, values: dict | None) -> None:
    """Open a correction of `revision` on the form (with `values` by widget key, when given).

    The interview in progress is put aside with its step, to come back when the
    correction ends."""
    state = st.session_state
    if correction() is None:
        state[_STASH + inst.id] = {
            "values": form.kept_values(inst),
            **{name: state.get(prefix + inst.id) for name, prefix in _STASHED.items()},
        }
    for prefix in ("_receipt_", "_tried_", "_error_", "_saved_", *_STASHED.values()):
        state.pop(prefix + inst.id, None)
    if values is not None:
        form.clear_widgets(inst)
        form.set_kept_values(inst, values)
    state[_OPEN] = {"instrument": inst.id, "response_id": response_id, "revision": revision}
    state["instrument"] = inst.id


def end_correction(keep_receipt: bool = False) -> None:
    """Close the correction; the interview that was in progress comes back where it was."""
    state = st.session_state
    fixed = state.pop(_OPEN, None)
    if fixed is None:
        return
    inst = load_instrument(fixed["instrument"], get_store().instruments_dir)
    if not keep_receipt:
        state.pop(f"_receipt_{inst.id}", None)
    for prefix in ("_tried_", "_error_", "_saved_", *_STASHED.values()):
        state.pop(prefix + inst.id, None)
    form.forget_values(inst)
    stash = state.pop(_STASH + inst.id, None) or {}
    form.set_kept_values(inst, stash.get("values") or {})
    for name, prefix in _STASHED.items():
        if stash.get(name) is not None:
            state[prefix + inst.id] = stash[name]
