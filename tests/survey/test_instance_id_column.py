"""The `_instance_id` metadata column: the ODK instanceID kept beside the response id derived from it,
null for the entry form's answers, and files stored before the column existed still read (issue 17)."""

from __future__ import annotations

import pandas as pd
import pyarrow.parquet as pq
import pytest

from analysis.export import microdata_frame
from analysis.export.xlsform.xform import xform
from survey import ResponseStore, load_instrument
from survey.odk import instance as odk_instance
from survey.odk.inbox import Inbox
from survey.odk.receive import receive
from survey.questionnaire import schema
from survey.simulate import generate
from tests.support.odk import instance


def _without_the_column(monkeypatch) -> None:
    """Write as the store did before `_instance_id` existed: the main schema without it."""
    older = tuple(f for f in schema.MAIN_METADATA if f.name != "_instance_id")
    monkeypatch.setattr(schema, "MAIN_METADATA", older)


def test_a_uuid_instance_id_keeps_the_original_beside_the_response_id(tmp_path):
    store = ResponseStore(tmp_path)
    body = instance(xform(load_instrument("agency")).xml, generate("agency", n=1, seed=1)[0],
                    "uuid:0F8FAD5B-D9CB-469F-A165-70867728950E")
    assert receive(store, "enum01", body, {}).status == 201
    row = store.read("agency").iloc[0]
    assert row["_response_id"] == "0f8fad5b-d9cb-469f-a165-70867728950e"
    assert row["_instance_id"] == "uuid:0F8FAD5B-D9CB-469F-A165-70867728950E"


def test_any_other_instance_id_is_stored_under_its_safe_id_with_the_original(tmp_path):
    store = ResponseStore(tmp_path)
    body = instance(xform(load_instrument("agency")).xml, generate("agency", n=1, seed=2)[0], "collect:abc/1")
    assert receive(store, "enum01", body, {}).status == 201
    assert receive(store, "enum01", body, {}).duplicate  # a resend: the same safe id, nothing stored
    df = store.read("agency", history=True)
    assert df["_response_id"].tolist() == [odk_instance.response_id_for("collect:abc/1")]
    assert df["_response_id"].iloc[0].startswith("odk-") and df["_instance_id"].tolist() == ["collect:abc/1"]


def test_an_edit_keeps_its_own_instance_id_and_a_supervisor_fix_keeps_the_current(tmp_path):
    store = ResponseStore(tmp_path)
    form = xform(load_instrument("agency")).xml
    answers = generate("agency", n=1, seed=3)[0]
    assert receive(store, "enum01", instance(form, answers, "uuid:aaaa-1"), {}).status == 201
    edit = instance(form, answers, "uuid:bbbb-2", deprecated_id="uuid:aaaa-1")
    assert receive(store, "enum01", edit, {}).status == 201
    store.revise("agency", "aaaa-1", answers, editor="super1", note="fixed")
    store.set_status("agency", "aaaa-1", "approved", editor="super1")
    history = store.history("agency", "aaaa-1")
    assert history["_instance_id"].tolist() == ["uuid:aaaa-1", "uuid:bbbb-2", "uuid:bbbb-2", "uuid:bbbb-2"]


def test_the_entry_forms_answers_have_none_and_a_bad_instance_id_is_refused(tmp_path):
    store = ResponseStore(tmp_path)
    answers = generate("agency", n=1, seed=4)[0]
    store.submit("agency", answers, enumerator="enum01", response_id="form-1")
    assert pd.isna(store.read("agency").iloc[0]["_instance_id"])
    for bad in ["", "uuid:\x00x", "x" * 1001, 5]:
        with pytest.raises(ValueError, match="instance id"):
            store.submit("agency", answers, enumerator="enum01", response_id="form-2", instance_id=bad)
    assert len(store.read("agency")) == 1


def test_an_unprintable_instance_id_from_a_phone_is_kept_in_the_inbox(tmp_path):
    store = ResponseStore(tmp_path)
    body = instance(xform(load_instrument("agency")).xml, generate("agency", n=1, seed=5)[0], "uuid:a\u200bb")
    outcome = receive(store, "enum01", body, {})
    assert outcome.status == 400 and "instanceID" in outcome.detail
    assert store.read("agency").empty and Inbox(tmp_path).count() == 1


def test_accepting_from_the_inbox_stores_the_instance_id(tmp_path):
    store = ResponseStore(tmp_path)
    inbox = Inbox(tmp_path, store=store)
    entry = inbox.keep("agency", "enum01", b"<data/>", "x: y", "collect:z/9",
                       response_id=odk_instance.response_id_for("collect:z/9"))
    inbox.accept(entry, generate("agency", n=1, seed=6)[0], "super1")
    assert store.read("agency")["_instance_id"].tolist() == ["collect:z/9"]


def test_files_stored_before_the_column_still_read_revise_and_compact(tmp_path, monkeypatch):
    answers = generate("household", n=3, seed=7)
    with monkeypatch.context() as m:
        _without_the_column(m)
        old = ResponseStore(tmp_path)
        old.submit("household", answers[0], enumerator="enum01", response_id="old-1")
        old.submit("household", answers[1], enumerator="enum01", response_id="old-2")
    files = sorted((tmp_path / "responses" / "household").glob("*.parquet"))
    assert files and all("_instance_id" not in pq.read_schema(f).names for f in files)

    store = ResponseStore(tmp_path)
    only_old = store.read("household")  # every file lacks the column: it reads as null
    assert only_old["_instance_id"].isna().all() and len(only_old) == 2
    store.submit("household", answers[2], enumerator="enum01", response_id="new-1", instance_id="uuid:new-1")
    store.revise("household", "old-1", answers[0], editor="super1", note="after the change")
    store.set_status("household", "old-2", "approved", editor="super1")
    df = store.read("household").set_index("_response_id")
    assert df.loc["new-1", "_instance_id"] == "uuid:new-1"
    assert pd.isna(df.loc["old-1", "_instance_id"]) and pd.isna(df.loc["old-2", "_instance_id"])
    assert store.history("household", "old-1")["_revision"].tolist() == [1, 2]
    store.compact()  # old and new files merged into one part
    after = store.read("household").set_index("_response_id")
    assert after["_instance_id"].to_dict() == df["_instance_id"].to_dict()
    assert len(store.read("household_members")) == sum(len(a["members"]) for a in answers)


def test_exports_leave_the_column_out_as_the_other_workflow_columns(tmp_path):
    store = ResponseStore(tmp_path)
    store.submit("agency", generate("agency", n=1, seed=8)[0], enumerator="enum01", response_id="a",
                 instance_id="uuid:a")
    exported = microdata_frame(store, "agency")
    columns = {v.column for v in exported.variables}  # the store columns the export's names come from
    assert "_response_id" in columns and not {"_instance_id", "_editor", "_note"} & columns
    assert "instance_id" not in exported.frame.columns
