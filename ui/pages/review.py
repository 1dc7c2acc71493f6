"""Review interviews: the queue, one interview in full, and the supervisor's decision.

For supervisors and administrators. The queue is filtered by status (by default the
interviews waiting: submitted and on hold), enumerator, area (kecamatan, agency) and
quality flag. One interview opened shows every answer with its labels in the chosen
language, its flags (survey.fieldwork.quality) and its revisions: who stored each, when, and
which answers it changed (old -> new).

A decision (approve, reject back to the enumerator, put on hold) with a comment is a
new revision stored with ``set_status(..., base_revision=<the revision on screen>)``:
if anyone changed the interview after it was opened, nothing is saved and the page
says so. Correcting an answer here stores a new revision with ``revise``, validated
like a submission (its problems are listed, nothing is saved). The store records
every decision and correction in the audit log.
"""

from __future__ import annotations

import datetime as dt
import logging

import numpy as np
import pandas as pd
import streamlit as st

from analysis.tables import fieldwork_tables
from survey import ConflictError, UnknownResponse, ValidationError, validate
from survey import locale as formatting
from survey.fieldwork.quality import FLAGS
from survey.questionnaire.model import Instrument, Question
from survey.store.response_store import MAX_NOTE_LENGTH, STATUSES
from survey.store.revisions import response_rows, revisions
from survey.store.stored_answers import stored_answers
from ui import auth
from ui.i18n import TEXT, current_lang, t
from ui.pages import registry
from ui.plain_text import plain, plain_line
from ui.results import data_cache as data
from ui.results.result_view import summary_ui
from ui.store import get_store, usable_instruments
from ui.supervision import review_view
from ui.supervision.inbox_view import inbox_ui
from ui.supervision.monitor_data import area_question
from ui.supervision.monitor_data import queue as review_queue
from ui.supervision.review_view import OPEN_IN_REVIEW

log = logging.getLogger(__name__)
WAITING = ("submitted", "on_hold")
PAGE = "review"
LISTED = 1000   # interviews the choice lists; the filters narrow the queue
DECISIONS = ("approved", "rejected", "on_hold")
_FLASH = "_review_flash"


def heading(text: str) -> None:
    st.markdown(f"#### {text}")


def choose_ui(lang: str) -> Instrument | None:
    found, _ = usable_instruments()   # a broken questionnaire file is reviewed once it is fixed
    chosen = st.selectbox(t("instrument", lang), list(found), key="review_instrument",
                          format_func=lambda n: found[n].title[lang])
    return found.get(chosen)


def handoff(queue: pd.DataFrame) -> None:
    """An interview sent from the monitor: show it whatever the filters were."""
    wanted = st.session_state.pop("_review_want", None)
    if wanted is None or wanted not in set(queue["_response_id"]):
        return
    status = queue.set_index("_response_id").loc[wanted, "_status"]
    st.session_state["review_status"] = sorted(set(st.session_state.get("review_status", WAITING)) | {status},
                                               key=STATUSES.index)
    for key in ("review_enumerator", "review_area", "review_flag"):
        st.session_state[key] = []
    st.session_state["review_choice"] = wanted


def filters_ui(inst: Instrument, queue: pd.DataFrame, lang: str) -> tuple[pd.DataFrame, tuple]:
    """(the queue as filtered, the filters: statuses, enumerators, areas, flags chosen)."""
    area = area_question(inst)
    st.session_state.setdefault("review_status", list(WAITING))
    left, right = st.columns(2)
    statuses = left.multiselect(t("review_status", lang), list(STATUSES), key="review_status",
                                format_func=lambda s: t(f"status_{s}", lang), placeholder=t("choose_many", lang))
    people = right.multiselect(t("review_enumerator", lang), sorted(queue["_enumerator"].dropna().unique()),
                               key="review_enumerator", placeholder=t("filter_all", lang))
    left, right = st.columns(2)
    places = []
    if area is not None:
        choices = inst.question(area).choices
        stored = set(queue["area"].dropna().unique())
        present = [c for c in choices if c in stored]
        places = left.multiselect(inst.question(area).text("label", lang), present, key="review_area",
                                  format_func=lambda c: choices[c][lang], placeholder=t("filter_all", lang))
    flags = right.multiselect(t("review_flag", lang), list(FLAGS), key="review_flag",
                              format_func=lambda f: t(f"flag_{f}", lang), placeholder=t("filter_all", lang))
    chosen = tuple(tuple(values) for values in (statuses, people, places, flags))
    return filtered(queue, *chosen), chosen


def filtered(queue: pd.DataFrame, statuses, people, places, flags) -> pd.DataFrame:
    keep = queue["_status"].isin(statuses)
    if people:
        keep &= queue["_enumerator"].isin(people)
    if places:
        keep &= queue["area"].isin(places)
    if flags:
        keep &= queue["flags"].map(lambda f: bool(set(f) & set(flags)))
    return queue[keep.to_numpy(dtype=bool)]


def _queue_table(store, instrument_id: str, lang: str, chosen: tuple):
    """The queue's SummaryTable as filtered: built once per state of the store and filters, and
    the same object on every rerun, so result_view draws its 100,000 rows' text once."""
    inst = store.instrument(instrument_id)
    queue, _ = review_queue(store, instrument_id, lang)
    return fieldwork_tables.queue_table(inst, filtered(queue, *chosen), area_question(inst), _labels("flag", FLAGS),
                                        _labels("status", STATUSES))


def _labels(prefix: str, names) -> dict:
    """{name: {lang: text}}: the interface's labels of statuses or flags (ui/i18n.py), for a table's files."""
    return {name: TEXT[f"{prefix}_{name}"] for name in names}


def _when(moment, lang: str) -> str:
    return formatting.wib_datetime(moment, lang)


def queue_ui(inst: Instrument, shown: pd.DataFrame, chosen: tuple, lang: str) -> str | None:
    st.caption(t("review_queue", lang, n=formatting.number(len(shown), lang, 0)))
    if shown.empty:
        st.info(t("review_queue_empty", lang), icon=":material/inbox:")
        return None
    statuses = {s: t(f"status_{s}", lang) for s in STATUSES}
    table = data.shared("review_queue_table", _queue_table, inst.id, lang, chosen, store=get_store())
    summary_ui(table, "review_queue", PAGE, lang, title=False, table_key="review_queue_table")
    # The choice lists the first LISTED interviews of the queue (oldest first), and the one
    # asked for (from the monitor) wherever it is: a list of 100,000 helps nobody.
    # (compared as the column is: 100,000 ids made Python strings on every rerun cost more than the page)
    ids = shown["_response_id"].astype(str)
    wanted = st.session_state.get("review_choice")
    position = np.flatnonzero((ids == wanted).to_numpy(dtype=bool)) if wanted is not None else np.array([], int)
    if not len(position):
        # The chosen interview left the queue (just decided, or filtered out): choose the
        # first one explicitly, so that the selector names the interview the page shows.
        st.session_state["review_choice"] = ids.iloc[0]
        position = np.array([0])
    listed = np.arange(min(len(ids), LISTED))
    if len(position) and position[0] >= LISTED:
        listed = np.append(listed, position[0])
    if len(ids) > LISTED:
        st.caption(t("review_listed", lang, n=formatting.number(LISTED, lang, 0),
                     total=formatting.number(len(ids), lang, 0)))
    rows = shown.iloc[listed]
    listed_ids = ids.iloc[listed].to_numpy(dtype=object)
    flagged = rows["flags"].map(lambda f: f" · ⚑ {len(f)}" if f else "").to_numpy(dtype=object)
    labels = dict(zip(listed_ids, [
        f"{rid[:8]} · {who} · {when} · {statuses.get(status, status)}{flag}" for rid, who, when, status, flag in zip(
            listed_ids, rows["_enumerator"], formatting.wib_stamps(rows["submitted_at"], lang), rows["_status"],
            flagged)]))
    return st.selectbox(t("review_choose", lang), list(labels), key="review_choice", format_func=labels.get)


def flash_ui(lang: str) -> None:
    flash = st.session_state.pop(_FLASH, None)
    if flash is None:
        return
    kind, key, values, problems = flash
    values = {k: (t(f"status_{v}", lang) if k == "status" else v) for k, v in values.items()}
    text = t(key, lang, **values)
    if problems:   # validation messages may quote an answer
        text += "\n" + "\n".join(f"- {plain_line(p)}" for p in problems)
    (st.success if kind == "ok" else st.error)(text, icon=":material/check_circle:" if kind == "ok" else
                                                 ":material/error:")


def _note_problem(exc: ValueError) -> tuple[str, dict]:
    if "at most" in str(exc):
        return "note_too_long", {"limit": MAX_NOTE_LENGTH}
    return "note_bad_character", {}


def decide(instrument_id: str, response_id: str, revision: int, user: auth.User) -> None:
    """The decision button: a new revision with the chosen status, based on the one on screen."""
    state = st.session_state
    if not auth.allowed("review", user):
        return
    status = state.get("review_decision")
    note = state.get("review_note") or ""
    if state.get("review_choice") != response_id:   # bound to the interview chosen, not only the one drawn
        state[_FLASH] = ("error", "review_not_chosen", {}, [])
        return
    if status not in DECISIONS:
        state[_FLASH] = ("error", "review_need_decision", {}, [])
        return
    if status == "rejected" and not note.strip():
        state[_FLASH] = ("error", "review_need_comment", {}, [])
        return
    store = get_store()
    try:
        receipt = store.set_status(instrument_id, response_id, status, editor=user.name, note=note,
                                   base_revision=revision)
    except ConflictError:
        state[_FLASH] = ("error", "review_conflict", {"revision": _current_revision(instrument_id, response_id)}, [])
        return
    except UnknownResponse:
        state[_FLASH] = ("error", "review_gone", {}, [])
        return
    except ValueError as exc:
        key, values = _note_problem(exc)
        state[_FLASH] = ("error", key, values, [])
        return
    state[_FLASH] = ("ok", "review_saved", {"status": status, "revision": receipt.revision}, [])
    # The form starts empty for the next interview: no decision or comment carried over. Set,
    # not deleted: a deleted key leaves the browser showing (and sending back) the old values.
    state["review_note"] = ""
    state["review_decision"] = None


def _current_revision(instrument_id: str, response_id: str) -> int | str:
    try:
        return int(get_store().history(instrument_id, response_id)["_revision"].max())
    except UnknownResponse:
        return "?"


def decision_ui(inst: Instrument, rid: str, revision: int, user: auth.User, lang: str) -> None:
    heading(t("review_decision", lang))
    st.radio(t("review_decision", lang), list(DECISIONS), key="review_decision", horizontal=True, index=None,
             format_func=lambda d: t(f"decide_{d}", lang), label_visibility="collapsed")
    st.text_area(t("review_comment", lang), key="review_note", max_chars=MAX_NOTE_LENGTH, height=90)
    st.button(t("review_save", lang), key="review_save", type="primary", icon=":material/gavel:",
              on_click=decide, args=(inst.id, rid, revision, user))


# ---- correcting an answer ------------------------------------------------------------------
def _fields(inst: Instrument, answers: dict) -> list[tuple[str, str | None, int | None]]:
    """(question, repeat, member) of every answer a reviewer may correct, in form order."""
    out: list[tuple[str, str | None, int | None]] = []
    for q in inst.questions:
        if q.kind.is_repeat:
            for i in range(len(answers.get(q.name) or [])):
                out += [(inner.name, q.name, i) for inner in q.questions if _editable(inner)]
        elif _editable(q):
            out.append((q.name, None, None))
    return out


def _editable(q: Question) -> bool:
    return q.kind.entered


def _field_key(field: tuple[str, str | None, int | None]) -> str:
    name, repeat, member = field
    return name if repeat is None else f"{repeat}.{member}.{name}"


def _value_widget(q: Question, current, key: str, lang: str) -> None:
    label = t("review_fix_value", lang)
    if q.kind.choices == "one":
        options = [None, *q.choices]
        st.selectbox(label, options, index=options.index(current) if current in options else 0, key=key,
                     format_func=lambda c: t("review_fix_empty", lang) if c is None else q.choices[c][lang])
    elif q.kind.choices == "many":
        st.multiselect(label, list(q.choices), default=[c for c in (current or []) if c in q.choices], key=key,
                       format_func=lambda c: q.choices[c][lang], placeholder=t("choose_many", lang))
    elif q.kind.is_date:
        st.date_input(label, value=current, key=key, format="YYYY-MM-DD")
    else:   # numbers too: typed as text, so that any value reaches the validation and its message
        st.text_input(label, value="" if current is None else str(current), key=key)


def fix(instrument_id: str, response_id: str, revision: int, field_key: str, user: auth.User, lang: str) -> None:
    """The correction button: the stored answers with one changed, validated, stored as a new revision."""
    state = st.session_state
    if not auth.allowed("review", user):
        return
    store = get_store()
    inst = store.instrument(instrument_id)
    try:
        response = stored_answers(store, inst, response_id)
    except UnknownResponse:
        state[_FLASH] = ("error", "review_gone", {}, [])
        return
    if response.revision != revision:
        state[_FLASH] = ("error", "review_conflict", {"revision": response.revision}, [])
        return
    answers = dict(response.answers)
    value = state.get(f"review_value__{field_key}")
    value = None if value in ("", [], None) else value
    parts = field_key.split(".")
    if len(parts) == 1:
        answers[parts[0]] = value
    else:
        repeat, member, name = parts[0], int(parts[1]), parts[2]
        items = [dict(item) for item in answers.get(repeat) or []]
        items[member][name] = value
        answers[repeat] = items
    answers = {k: v for k, v in answers.items() if v is not None}
    problems = validate(inst, answers, lang=lang)
    if problems:
        state[_FLASH] = ("error", "review_fix_problems", {}, [f"{p.field}: {p.message}" for p in problems])
        return
    note = (state.get("review_fix_note") or "").strip() or t("review_fix_default_note", "en")
    try:
        receipt = store.revise(instrument_id, response_id, answers, editor=user.name, note=note,
                               base_revision=revision)
    except ValidationError as exc:
        state[_FLASH] = ("error", "review_fix_problems", {}, [f"{p.field}: {p.message}" for p in exc.problems])
        return
    except ConflictError:
        state[_FLASH] = ("error", "review_conflict", {"revision": _current_revision(instrument_id, response_id)}, [])
        return
    except ValueError as exc:
        key, values = _note_problem(exc)
        state[_FLASH] = ("error", key, values, [])
        return
    state[_FLASH] = ("ok", "review_fix_saved", {"revision": receipt.revision}, [])
    state.pop("review_fix_note", None)


def correction_ui(inst: Instrument, rid: str, revision: int, answers: dict, user: auth.User, lang: str) -> None:
    with st.expander(t("review_fix_title", lang), icon=":material/edit:"):
        st.caption(t("review_fix_help", lang))
        fields = _fields(inst, answers)
        labels = {_field_key(f): review_view.field_label(inst, *f, lang) for f in fields}
        chosen = st.selectbox(t("review_fix_question", lang), list(labels), key="review_field",
                              format_func=labels.get)
        name, repeat, member = next(f for f in fields if _field_key(f) == chosen)
        current = answers.get(name) if repeat is None else (answers[repeat][member]).get(name)
        _value_widget(inst.question(name), current, f"review_value__{chosen}", lang)
        st.text_input(t("review_fix_note", lang), key="review_fix_note", max_chars=MAX_NOTE_LENGTH)
        st.button(t("review_fix_save", lang), key="review_fix", icon=":material/save:", on_click=fix,
                  args=(inst.id, rid, revision, chosen, user, lang))


# ---- one interview ---------------------------------------------------------------------------
def revisions_ui(inst: Instrument, rid: str, history, lang: str) -> None:
    """The interview's revisions (analysis.tables.fieldwork_tables.revisions_table): the answers a revision
    changed second, beside its number on a phone, wrapped on rows as tall as the longest needs."""
    table = fieldwork_tables.revisions_table(history, review_view.revision_changes(inst, history),
                                             _labels("status", STATUSES), rid)
    summary_ui(table, "review_revisions", PAGE, lang, title=False, table_key="review_revisions_table")


def _response(store, instrument_id: str, rid: str):
    """(the interview's answers, its revisions): read once per state of the store, not on every rerun,
    and from one read of its rows (each read scans the table's files)."""
    inst = store.instrument(instrument_id)
    rows = response_rows(store, inst, rid, store.read(inst.id, history=True))   # kept: the queue's checks read it
    return stored_answers(store, inst, rid, rows), revisions(store, inst, rid, rows)


def response_ui(inst: Instrument, rid: str, flags: pd.DataFrame, first: dt.datetime | None, user: auth.User,
                lang: str) -> None:
    try:
        response, history = data.cached("review_response", _response, inst.id, rid)
    except UnknownResponse:
        st.warning(t("review_gone", lang))
        return
    revision = response.revision
    st.markdown(t("review_meta", lang, enumerator=plain_line(response.enumerator), time=_when(first, lang),
                  status=t(f"status_{response.status}", lang), revision=revision))
    if history[-1].note:
        st.caption(t("review_last_note", lang, editor=plain_line(history[-1].editor), note=plain(history[-1].note)))
    mine = flags[flags["_response_id"] == rid]
    if mine.empty:
        st.caption(t("review_no_flags", lang))
    for row in mine.itertuples():
        st.warning(f"**{t(f'flag_{row.flag}', lang)}**: {plain(row.detail)}", icon=":material/flag:")
    decision_ui(inst, rid, revision, user, lang)
    heading(t("review_answers", lang))
    shown_title = None
    for title, part in review_view.sections(inst, response.answers, lang):
        if title and title != shown_title:
            st.markdown(f"**{title}**")
            shown_title = title
        if isinstance(part, pd.DataFrame):   # a static table: long answers wrap on a phone
            st.table(part, hide_index=True, border="horizontal")
            continue
        for name, table in review_view.members(part, response.answers.get(part.name) or [], lang):
            with st.expander(name):
                st.table(table, hide_index=True, border="horizontal")
    heading(t("review_revisions", lang))
    revisions_ui(inst, rid, history, lang)
    correction_ui(inst, rid, revision, response.answers, user, lang)


def page() -> None:
    user = auth.gate("review")
    st.set_page_config(layout="wide")   # tables of many columns: the whole width of a desktop screen
    lang = current_lang()
    st.header(registry.title("review", lang), anchor=False)
    inbox_ui(user, lang)   # what ODK Collect sent that could not be stored, while anything waits
    sent = st.session_state.pop(OPEN_IN_REVIEW, None)
    if sent is not None and sent.get("instrument") in get_store().instrument_ids():
        st.session_state["review_instrument"] = sent["instrument"]
        st.session_state["_review_want"] = sent["response_id"]
    inst = choose_ui(lang)
    if inst is None:
        return
    flash_ui(lang)
    try:
        queue, flags = review_queue(get_store(), inst.id, lang)
    except Exception:   # a read problem must not take the page down; the log says why
        log.exception("the review queue of %s could not be read", inst.id)
        st.warning(t("monitor_failed", lang))
        return
    handoff(queue)
    shown, filters = filters_ui(inst, queue, lang)
    chosen = queue_ui(inst, shown, filters, lang)
    if chosen is None:
        return
    st.divider()
    first = queue["submitted_at"][(queue["_response_id"] == chosen).to_numpy(dtype=bool)].iloc[0]   # ids are unique
    try:
        response_ui(inst, chosen, flags, first, user, lang)
    except Exception:
        log.exception("review of %s/%s failed", inst.id, chosen)
        st.error(t("review_open_failed", lang))


page()
