"""Corrections: an enumerator reopens one of their own submissions in the entry form.

Allowed while no supervisor has reviewed the response (its status is one of
CORRECTABLE) and only for the enumerator who submitted it; the rule is checked when
the correction is opened and again when it is saved. An interview in progress on the
entry form is put aside while a correction is open and comes back afterwards.
"""

from __future__ import annotations

from pathlib import Path

import streamlit as st

from survey import UnknownResponse, load_instrument
from survey.answers import stored_answers
from ui import form
from ui.auth import User

CORRECTABLE = ("submitted",)
ENTRY_PAGE = str(Path(__file__).resolve().parent / "pages" / "entry.py")
_OPEN = "_correcting"
_STASH = "_stashed_answers_"


def may_correct(store, user: User, instrument_id: str, response_id: str) -> bool:
    try:
        response = stored_answers(store, load_instrument(instrument_id), response_id)
    except (UnknownResponse, ValueError):
        return False
    return response.enumerator == user.name and response.status in CORRECTABLE


def correction() -> dict | None:
    """{instrument, response_id, revision} of the correction in progress, or None."""
    return st.session_state.get(_OPEN)


def open_correction(store, user: User, instrument_id: str, response_id: str) -> bool:
    """Load the response into the entry form and go there; False when it may not be corrected."""
    inst = load_instrument(instrument_id)
    try:
        response = stored_answers(store, inst, response_id)
    except (UnknownResponse, ValueError):
        return False
    if response.enumerator != user.name or response.status not in CORRECTABLE:
        return False
    state = st.session_state
    if correction() is None:
        state[_STASH + inst.id] = form.kept_values(inst)
    state.pop(f"_receipt_{inst.id}", None)
    state.pop(f"_tried_{inst.id}", None)
    state.pop(f"_error_{inst.id}", None)
    form.load_answers(inst, response.answers)
    state[_OPEN] = {"instrument": inst.id, "response_id": response_id, "revision": response.revision}
    state["instrument"] = inst.id
    st.switch_page(ENTRY_PAGE)
    return True


def end_correction(keep_receipt: bool = False) -> None:
    """Close the correction; the interview that was in progress comes back."""
    state = st.session_state
    fixed = state.pop(_OPEN, None)
    if fixed is None:
        return
    inst = load_instrument(fixed["instrument"])
    if not keep_receipt:
        state.pop(f"_receipt_{inst.id}", None)
    state.pop(f"_tried_{inst.id}", None)
    state.pop(f"_error_{inst.id}", None)
    form.forget_values(inst)
    form.set_kept_values(inst, state.pop(_STASH + inst.id, {}))
