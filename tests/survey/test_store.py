"""ResponseStore: real Parquet files in tmp_path, small inline instruments."""

from __future__ import annotations

import datetime as dt
import random
import subprocess
import sys
import threading
from collections import Counter
from pathlib import Path

import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from survey.questionnaire.model import instrument_from_yaml
from survey.questionnaire.problems import ValidationError
from survey.questionnaire.schema import table_schemas, to_tables
from survey.store.compaction import merge
from survey.store.response_store import ConflictError, Receipt, ResponseStore, UnknownResponse
from tests.support import store_worker as worker

FORM_V1 = """
id: hh
version: 1
title: {id: Rumah tangga, en: Household}
choice_lists:
  yes_no:
    - {name: "yes", label: {id: Ya, en: "Yes"}}
    - {name: "no", label: {id: Tidak, en: "No"}}
  devices:
    - {name: radio, label: {id: Radio, en: Radio}}
    - {name: tv, label: {id: TV, en: TV}}
    - {name: mobile, label: {id: HP, en: Mobile}}
  sex:
    - {name: m, label: {id: Laki-laki, en: Male}}
    - {name: f, label: {id: Perempuan, en: Female}}
questions:
  - {name: intro, type: note, label: {id: Selamat datang, en: Welcome}}
  - {name: head_name, type: text, label: {id: Nama, en: Name}, pii: true, appearance: multiline}
  - {name: hh_size, type: integer, label: {id: Jumlah, en: Size}, min: 0, max: 30}
  - {name: income, type: decimal, label: {id: Pendapatan, en: Income}}
  - {name: has_tv, type: select_one, choices: yes_no, label: {id: TV, en: TV}}
  - {name: devices, type: select_multiple, choices: devices, label: {id: Alat, en: Devices}}
  - {name: visit_date, type: date, label: {id: Tanggal, en: Date}}
  - {name: location, type: geopoint, label: {id: Lokasi, en: Location}}
  - {name: double_size, type: calculate, calculation: "${hh_size} * 2", label: {id: Dua kali, en: Twice}}
  - name: members
    type: repeat
    label: {id: Anggota, en: Members}
    questions:
      - {name: m_name, type: text, label: {id: Nama, en: Name}}
      - {name: age, type: integer, label: {id: Umur, en: Age}, min: 0, max: 120}
      - {name: sex, type: select_one, choices: sex, label: {id: Jenis kelamin, en: Sex}}
"""

# Version 2: adds `phone` (in the middle) and `nickname` to the roster, drops `location`.
FORM_V2 = (
    FORM_V1.replace("version: 1", "version: 2")
    .replace(
        "  - {name: has_tv,",
        "  - {name: phone, type: text, label: {id: Telepon, en: Phone}}\n  - {name: has_tv,",
    )
    .replace("  - {name: location, type: geopoint, label: {id: Lokasi, en: Location}}\n", "")
    .replace(
        "      - {name: sex,",
        "      - {name: nickname, type: text, label: {id: Panggilan, en: Nickname}}\n      - {name: sex,",
    )
)

MAIN_META = [
    "_response_id", "_instrument", "_instrument_version", "_enumerator", "_started_at", "_submitted_at",
    "_lang", "_status", "_revision", "_editor", "_note", "_instance_id",
]
V1_QUESTIONS = ["head_name", "hh_size", "income", "has_tv", "devices", "visit_date", "location", "double_size"]
MEMBER_COLUMNS = ["_response_id", "_revision", "_member_index", "m_name", "age", "sex"]


def make_store(tmp_path: Path, form: str = FORM_V1, **kwargs) -> ResponseStore:
    folder = tmp_path / "instruments"
    folder.mkdir(exist_ok=True)
    (folder / "hh.yaml").write_text(form, encoding="utf-8")
    return ResponseStore(tmp_path / "data", instruments_dir=folder, **kwargs)


def full_answers(**extra):
    answers = {
        "head_name": "Ibu O'Brien \"Sri\"\nRT 03 🙂 ñ",
        "hh_size": 3,
        "income": 1250000.5,
        "has_tv": "yes",
        "devices": ["tv", "mobile"],
        "visit_date": "2024-05-01",
        "location": "-7.5666 110.8166",
        "members": [
            {"m_name": "Budi", "age": 41, "sex": "m"},
            {"m_name": "Siti's", "age": 39, "sex": "f"},
            {"m_name": "Ani"},
        ],
    }
    answers.update(extra)
    return answers


def parquet_files(root: Path) -> list[Path]:
    return sorted(p for p in root.rglob("*.parquet"))


def ids(df: pd.DataFrame) -> list[str]:
    return list(df["_response_id"])


# ----------------------------------------------------------------------------- schema


def test_table_schemas_metadata_first_then_questions_in_form_order():
    inst = instrument_from_yaml(FORM_V1)
    schemas = table_schemas(inst)
    assert list(schemas) == ["hh", "hh_members"]
    main = schemas["hh"]
    assert main.names == MAIN_META + V1_QUESTIONS  # the note is not stored, the repeat is its own table
    assert main.field("_instrument_version").type == pa.int32()
    assert main.field("_revision").type == pa.int32()
    assert main.field("_submitted_at").type == pa.timestamp("us", tz="UTC")
    assert main.field("devices").type == pa.list_(pa.string())
    assert main.field("visit_date").type == pa.date32()
    assert main.field("hh_size").type == pa.int64()
    assert main.field("income").type == pa.float64()
    assert schemas["hh_members"].names == MEMBER_COLUMNS
    assert schemas["hh_members"].field("_member_index").type == pa.int32()


def test_to_tables_one_row_per_response_and_per_member():
    inst = instrument_from_yaml(FORM_V1)
    cleaned = {"head_name": "x", "devices": ["tv"], "members": [{"m_name": "a"}, {"m_name": "b", "age": 3}]}
    tables = to_tables(inst, cleaned, {"_response_id": "r1", "_revision": 1, "_submitted_at": dt.datetime(2024, 1, 1)})
    assert tables["hh"].num_rows == 1 and tables["hh"].schema == table_schemas(inst)["hh"]
    assert tables["hh"].column("_submitted_at")[0].as_py() == dt.datetime(2024, 1, 1, tzinfo=dt.timezone.utc)
    members = tables["hh_members"].to_pylist()
    assert [(m["_response_id"], m["_revision"], m["_member_index"], m["m_name"], m["age"]) for m in members] == [
        ("r1", 1, 0, "a", None), ("r1", 1, 1, "b", 3)
    ]


# ----------------------------------------------------------------------------- round trip


def test_round_trip_of_every_type_and_the_roster(tmp_path):
    store = make_store(tmp_path)
    started = dt.datetime(2024, 5, 1, 8, 30, tzinfo=dt.timezone.utc)
    receipt = store.submit("hh", full_answers(), enumerator="enum01", response_id="resp-1", lang="id", started_at=started)
    store.submit("hh", {"head_name": "second", "devices": []}, enumerator="enum02", response_id="resp-2")
    assert isinstance(receipt, Receipt)
    assert (receipt.response_id, receipt.instrument, receipt.revision) == ("resp-1", "hh", 1)
    assert receipt.tables == ("hh", "hh_members") and receipt.duplicate is False
    assert receipt.submitted_at.tzinfo is not None

    df = store.read("hh")
    assert list(df.columns) == MAIN_META + V1_QUESTIONS
    assert ids(df) == ["resp-1", "resp-2"]  # by _submitted_at
    row = df.iloc[0]
    assert row["head_name"] == "Ibu O'Brien \"Sri\"\nRT 03 🙂 ñ"
    assert row["hh_size"] == 3 and row["income"] == 1250000.5
    assert row["has_tv"] == "yes"
    assert row["devices"] == ["tv", "mobile"] and isinstance(row["devices"], list)
    assert row["visit_date"] == pd.Timestamp("2024-05-01")
    assert row["location"] == "-7.5666 110.8166"
    assert row["double_size"] == "6"  # calculate: stored as text
    assert row["_submitted_at"] == pd.Timestamp(receipt.submitted_at)
    assert row["_started_at"] == pd.Timestamp(started)
    assert (row["_enumerator"], row["_editor"], row["_lang"], row["_status"]) == ("enum01", "enum01", "id", "submitted")
    assert (row["_revision"], row["_instrument"], row["_instrument_version"]) == (1, "hh", 1)
    assert pd.isna(row["_note"])

    second = df.iloc[1]
    assert second["devices"] is None  # [] is "not answered"
    assert pd.isna(second["hh_size"]) and pd.isna(second["visit_date"]) and pd.isna(second["income"])

    # dtypes: text -> string, integers -> Int64, dates -> datetime64, timestamps -> UTC
    assert df["head_name"].dtype == pd.StringDtype()
    assert df["hh_size"].dtype == pd.Int64Dtype() and df["_revision"].dtype == pd.Int64Dtype()
    assert df["income"].dtype == "float64"
    assert df["devices"].dtype == object
    assert pd.api.types.is_datetime64_dtype(df["visit_date"])
    assert str(df["_submitted_at"].dt.tz) == "UTC"

    members = store.read("hh_members")
    assert list(members.columns) == MEMBER_COLUMNS
    assert list(members["m_name"]) == ["Budi", "Siti's", "Ani"]
    assert list(members["_member_index"]) == [0, 1, 2]
    assert list(members["age"].astype(object).where(members["age"].notna(), None)) == [41, 39, None]
    assert set(members["_response_id"]) == {"resp-1"} and set(members["_revision"]) == {1}
    assert store.count("hh") == 2 and store.count("hh_members") == 3
    assert store.tables() == ["hh", "hh_members"]


def test_a_simulated_submission_time_is_stored_with_its_roster(tmp_path):
    store = make_store(tmp_path)
    started = dt.datetime(2024, 5, 1, 8, 30, tzinfo=dt.timezone.utc)
    sent = started + dt.timedelta(minutes=40)
    with pytest.raises(ValueError, match="before started_at"):
        store.submit("hh", full_answers(), enumerator="enum01", response_id="r", started_at=sent, submitted_at=started)
    receipt = store.submit("hh", full_answers(), enumerator="enum01", response_id="r", started_at=started,
                           submitted_at=sent)
    assert receipt.submitted_at == sent
    assert store.read("hh")["_submitted_at"].tolist() == [pd.Timestamp(sent)]
    assert len(store.read("hh_members")) == 3   # the roster's token matches the given time
    assert store.submit("hh", full_answers(), enumerator="enum01", response_id="r").duplicate


def test_empty_store_reads_empty_frames_with_the_right_columns(tmp_path):
    store = make_store(tmp_path)
    df = store.read("hh")
    assert df.empty and list(df.columns) == MAIN_META + V1_QUESTIONS
    assert df["hh_size"].dtype == pd.Int64Dtype() and df["head_name"].dtype == pd.StringDtype()
    members = store.read("hh_members")
    assert members.empty and list(members.columns) == MEMBER_COLUMNS
    assert store.count("hh") == 0 and store.count("hh_members") == 0
    assert store.read("hh", history=True).empty
    assert store.compact() == {}
    with pytest.raises(ValueError):
        store.read("nope")
    with pytest.raises(ValueError):
        store.read("../hh")


def test_a_store_lists_and_loads_the_questionnaires_of_its_own_folder(tmp_path):
    from survey.questionnaire.model import INSTRUMENT_DIR

    store = make_store(tmp_path)
    (tmp_path / "instruments" / "not-an-id.yaml").write_text(FORM_V1, encoding="utf-8")
    assert store.instruments_dir == tmp_path / "instruments"
    assert store.instrument_ids() == ["hh"] and store.instrument("hh").id == "hh"
    default = ResponseStore(tmp_path / "other")
    assert default.instruments_dir == INSTRUMENT_DIR
    assert default.instrument_ids()[:3] == ["household", "civil_servant", "agency"]
    assert "hh" not in default.instrument_ids()


# ----------------------------------------------------------------------------- idempotency


def test_same_id_twice_is_stored_once_and_returns_an_equal_receipt(tmp_path):
    store = make_store(tmp_path)
    first = store.submit("hh", full_answers(), enumerator="e1", response_id="dup-1")
    again = store.submit("hh", full_answers(head_name="changed"), enumerator="e2", response_id="dup-1")
    assert again == first and again.duplicate and not first.duplicate
    df = store.read("hh")
    assert ids(df) == ["dup-1"] and df.iloc[0]["head_name"] == full_answers()["head_name"]
    assert store.count("hh_members") == 3


def test_the_exclusive_create_decides_even_without_the_fast_path(tmp_path, monkeypatch):
    store = make_store(tmp_path)
    first = store.submit("hh", full_answers(), enumerator="e1", response_id="race-1")
    monkeypatch.setattr(store, "_stored", lambda *a: False)  # as if two writers checked at once
    again = store.submit("hh", full_answers(head_name="other", members=[]), enumerator="e1", response_id="race-1")
    assert again == first and again.duplicate
    # the loser wrote repeat rows before losing; they are never visible and are removed
    assert store.read("hh_members")["m_name"].tolist() == ["Budi", "Siti's", "Ani"]
    assert store.read("hh")["head_name"].tolist() == [full_answers()["head_name"]]


def test_validation_error_writes_nothing(tmp_path):
    store = make_store(tmp_path)
    with pytest.raises(ValidationError) as info:
        store.submit("hh", full_answers(hh_size="many", has_tv="maybe"), enumerator="e1")
    assert {p.field for p in info.value.problems} == {"hh_size", "has_tv"}
    with pytest.raises(ValidationError):
        store.submit("hh", full_answers(members=[{"age": 500}]), enumerator="e1")
    with pytest.raises(ValidationError):
        store.submit("hh", {"unknown_question": 1}, enumerator="e1")
    assert parquet_files(tmp_path / "data") == []
    assert store.read("hh").empty


@pytest.mark.parametrize("enumerator", ["", "   ", None, 5, "enum\n01", "e" * 65, "bell\x07"])
def test_enumerator_must_be_a_short_printable_string(tmp_path, enumerator):
    store = make_store(tmp_path)
    with pytest.raises(ValueError):
        store.submit("hh", full_answers(), enumerator=enumerator)
    assert parquet_files(tmp_path / "data") == []


@pytest.mark.parametrize(
    "bad_id",
    ["../escape", "a/b", "a'b", 'a"b', "x\ny", "", "x" * 65, "ümlaut", "a b", "..", "a;DROP", 12, b"bytes"],
)
def test_hostile_response_ids_are_refused(tmp_path, bad_id):
    store = make_store(tmp_path)
    with pytest.raises(ValueError):
        store.submit("hh", full_answers(), enumerator="e1", response_id=bad_id)
    for method in (store.history,):
        with pytest.raises(ValueError):
            method("hh", bad_id)
    with pytest.raises(ValueError):
        store.set_status("hh", bad_id, "approved", "sup")
    assert parquet_files(tmp_path) == []


def test_hostile_text_stays_data(tmp_path):
    store = make_store(tmp_path)
    nasty = "'; DROP TABLE hh; --\n../../etc/passwd \"quoted\" \u202e é 漢字"
    sly = "'; DROP TABLE hh; -- ../../etc/passwd \"quoted\" é 漢字"  # printable, so a valid id
    store.submit("hh", {"head_name": nasty}, enumerator=sly, response_id="ok_id-1")
    df = store.read("hh")
    assert df.iloc[0]["head_name"] == nasty and df.iloc[0]["_enumerator"] == sly
    everything = [p for p in tmp_path.rglob("*") if p.is_file()]
    assert all((tmp_path / "data") in p.parents or (tmp_path / "instruments") in p.parents for p in everything)


# ----------------------------------------------------------------------------- concurrency


def test_threads_with_repeated_ids_store_exactly_the_unique_set(tmp_path):
    store = make_store(tmp_path, compact_threshold=16)  # compaction runs during the test too
    rng = random.Random(7)
    plan = [[f"t{rng.randrange(150)}" for _ in range(50)] for _ in range(8)]
    receipts: dict[str, list[Receipt]] = {}
    lock = threading.Lock()
    errors = []

    def run(rids):
        try:
            for rid in rids:
                i = int(rid[1:])
                receipt = store.submit("hh", worker.answers(i), enumerator="e", response_id=rid)
                with lock:
                    receipts.setdefault(rid, []).append(receipt)
        except Exception as exc:  # pragma: no cover - reported below
            errors.append(exc)

    threads = [threading.Thread(target=run, args=(rids,)) for rids in plan]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == []
    unique = {rid for rids in plan for rid in rids}
    df = store.read("hh")
    assert sorted(ids(df)) == sorted(unique)
    for rid, got in receipts.items():
        assert all(r == got[0] for r in got)
        assert sum(not r.duplicate for r in got) <= 1
    members = store.read("hh_members")
    assert Counter(members["_response_id"]) == Counter({rid: int(rid[1:]) % 4 for rid in unique if int(rid[1:]) % 4})


def test_processes_with_overlapping_ids_store_exactly_the_set(tmp_path):
    ranges = [(0, 40), (20, 60), (40, 80), (0, 80)]
    procs = [
        subprocess.Popen(
            [sys.executable, worker.SCRIPT, str(tmp_path), str(a), str(b), "--threshold", "8", "--seed", str(n)],
            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
        )
        for n, (a, b) in enumerate(ranges)
    ]
    outputs = [p.communicate(timeout=120) for p in procs]
    for proc, (out, err) in zip(procs, outputs):
        assert proc.returncode == 0, err
    seen: dict[str, set[str]] = {}
    for out, _ in outputs:
        for line in out.splitlines()[1:]:
            rid, us, _dup = line.split()
            seen.setdefault(rid, set()).add(us)
    assert all(len(v) == 1 for v in seen.values())  # every process got the same receipt
    store = ResponseStore(tmp_path / "data", instruments_dir=tmp_path / "instruments")
    df = store.read("hh")
    expected = sorted(worker.response_id(i) for i in range(80))
    assert sorted(ids(df)) == expected
    members = store.read("hh_members")
    assert len(members) == sum(i % 4 for i in range(80))
    assert not members.duplicated(["_response_id", "_member_index"]).any()


def test_compaction_while_readers_read(tmp_path):
    store = make_store(tmp_path, compact_threshold=10**6, part_bytes=1 << 30)
    acknowledged: list[str] = []
    stop = threading.Event()
    problems: list[str] = []
    reads = Counter()

    def reader():
        while not stop.is_set():
            before = set(acknowledged)
            df = store.read("hh")
            members = store.read("hh_members")
            got = ids(df)
            reads["n"] += 1
            if len(got) != len(set(got)):
                problems.append(f"duplicate rows: {Counter(got).most_common(2)}")
            if not before <= set(got):
                problems.append(f"missing: {sorted(before - set(got))[:3]}")
            counts = Counter(members["_response_id"])
            for rid in before:
                if counts.get(rid, 0) != int(rid[1:]) % 4:
                    problems.append(f"members of {rid}: {counts.get(rid, 0)}")
                    break

    threads = [threading.Thread(target=reader) for _ in range(2)]
    for t in threads:
        t.start()
    try:
        for batch in range(6):
            for i in range(batch * 15, batch * 15 + 15):
                store.submit("hh", worker.answers(i), enumerator="e", response_id=f"c{i}")
                acknowledged.append(f"c{i}")
            store.compact()
        while reads["n"] < 10:  # let the readers overlap the last compaction a little
            threading.Event().wait(0.01)
    finally:
        stop.set()
        for t in threads:
            t.join()
    assert problems == []
    assert sorted(ids(store.read("hh"))) == sorted(acknowledged)
    # everything is in parts now; nothing small is left
    small = [p for p in (tmp_path / "data" / "responses" / "hh").glob("*.parquet") if not p.name.startswith("part-")]
    assert small == []


def test_submit_after_compaction_of_the_same_id_is_a_no_op(tmp_path, monkeypatch):
    store = make_store(tmp_path)
    first = store.submit("hh", full_answers(), enumerator="e1", response_id="compacted-1")
    assert store.compact() == {"hh": 1, "hh_members": 1}
    again = store.submit("hh", full_answers(head_name="later"), enumerator="e1", response_id="compacted-1")
    assert again == first and again.duplicate
    # without the fast path: the link succeeds (the small file is gone), the marker says "stored"
    monkeypatch.setattr(store, "_stored", lambda *a: False)
    third = store.submit("hh", full_answers(head_name="later"), enumerator="e1", response_id="compacted-1")
    assert third == first and third.duplicate
    df = store.read("hh")
    assert ids(df) == ["compacted-1"] and df.iloc[0]["head_name"] == full_answers()["head_name"]
    assert store.count("hh_members") == 3
    folder = tmp_path / "data" / "responses" / "hh"
    assert [p.name for p in folder.glob("*.parquet") if not p.name.startswith("part-")] == []
    store.compact()
    assert ids(store.read("hh")) == ["compacted-1"] and store.count("hh_members") == 3


def test_compaction_merges_small_parts_and_keeps_one_row_each(tmp_path):
    store = make_store(tmp_path, compact_threshold=3)  # auto-compaction after every few submits
    for i in range(20):
        store.submit("hh", worker.answers(i), enumerator="e", response_id=f"a{i}")
    store.compact()
    folder = tmp_path / "data" / "responses" / "hh"
    assert len(list(folder.glob("part-*.parquet"))) == 1
    assert sorted(ids(store.read("hh"))) == sorted(f"a{i}" for i in range(20))
    assert store.count("hh_members") == sum(i % 4 for i in range(20))


# ----------------------------------------------------------------------------- revisions


def test_review_decisions_on_a_changed_response_conflict(tmp_path):
    store = make_store(tmp_path)
    store.submit("hh", full_answers(), enumerator="enum01", response_id="rev-1")
    # two reviewers who both looked at revision 1: the second decision does not silently win
    store.set_status("hh", "rev-1", "rejected", editor="sup1", base_revision=1)
    with pytest.raises(ConflictError):
        store.set_status("hh", "rev-1", "approved", editor="sup2", base_revision=1)
    assert store.read("hh").set_index("_response_id").loc["rev-1", "_status"] == "rejected"
    assert store.set_status("hh", "rev-1", "approved", editor="sup2", base_revision=2).revision == 3


def test_revise_set_status_and_history(tmp_path):
    store = make_store(tmp_path)
    first = store.submit("hh", full_answers(), enumerator="enum01", response_id="rev-1")
    store.submit("hh", {"head_name": "other"}, enumerator="enum02", response_id="rev-2")

    edited = store.revise("hh", "rev-1", full_answers(hh_size=2, members=[{"m_name": "Only"}]), editor="sup1",
                          note="roster corrected", base_revision=1)
    assert edited.revision == 2 and edited.submitted_at > first.submitted_at
    approved = store.set_status("hh", "rev-1", "approved", editor="sup2", note="looks fine")
    assert approved.revision == 3

    df = store.read("hh").set_index("_response_id")
    current = df.loc["rev-1"]
    assert current["_revision"] == 3 and current["_status"] == "approved"
    assert current["hh_size"] == 2 and current["double_size"] == "4"
    assert (current["_editor"], current["_note"], current["_enumerator"]) == ("sup2", "looks fine", "enum01")
    assert df.loc["rev-2", "_revision"] == 1

    members = store.read("hh_members")
    assert members[["_response_id", "_revision", "m_name"]].values.tolist() == [["rev-1", 3, "Only"]]  # old roster gone
    every = store.read("hh_members", history=True)
    assert Counter(every["_revision"]) == Counter({1: 3, 2: 1, 3: 1})

    hist = store.history("hh", "rev-1")
    assert hist["_revision"].tolist() == [1, 2, 3]
    assert hist["_status"].tolist() == ["submitted", "submitted", "approved"]
    assert hist["hh_size"].tolist() == [3, 2, 2]
    assert hist["_editor"].tolist() == ["enum01", "sup1", "sup2"]
    assert hist["_note"].tolist()[1:] == ["roster corrected", "looks fine"]
    assert len(store.read("hh", history=True)) == 4

    # a stale base revision is a conflict; so is an unknown response
    with pytest.raises(ConflictError):
        store.revise("hh", "rev-1", full_answers(), editor="sup1", base_revision=2)
    with pytest.raises(UnknownResponse):
        store.revise("hh", "never-stored", full_answers(), editor="sup1")
    with pytest.raises(UnknownResponse):
        store.set_status("hh", "never-stored", "approved", editor="sup1")
    with pytest.raises(UnknownResponse):
        store.history("hh", "never-stored")
    with pytest.raises(ValueError):
        store.set_status("hh", "rev-1", "deleted", editor="sup1")
    with pytest.raises(ValueError):
        store.set_status("hh", "rev-1", "approved", editor="")
    with pytest.raises(ValidationError):
        store.revise("hh", "rev-1", full_answers(hh_size=99), editor="sup1")
    assert store.history("hh", "rev-1")["_revision"].tolist() == [1, 2, 3]

    # resubmitting the original id still returns the original receipt
    assert store.submit("hh", full_answers(), enumerator="enum01", response_id="rev-1") == first

    store.compact()  # the same answers after compaction
    assert store.read("hh_members")["m_name"].tolist() == ["Only"]
    assert store.history("hh", "rev-1")["_revision"].tolist() == [1, 2, 3]
    assert store.set_status("hh", "rev-1", "on_hold", editor="sup3").revision == 4
    assert store.read("hh_members")[["_revision", "m_name"]].values.tolist() == [[4, "Only"]]


def test_concurrent_revisions_of_one_response_one_wins(tmp_path):
    store = make_store(tmp_path)
    store.submit("hh", full_answers(), enumerator="e1", response_id="busy-1")
    barrier = threading.Barrier(6)
    outcomes = []

    def edit(n):
        barrier.wait()
        try:
            outcomes.append(store.revise("hh", "busy-1", full_answers(hh_size=n), editor=f"s{n}", base_revision=1))
        except ConflictError:
            outcomes.append("conflict")

    threads = [threading.Thread(target=edit, args=(n,)) for n in range(6)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    winners = [o for o in outcomes if o != "conflict"]
    assert len(winners) == 1 and winners[0].revision == 2
    assert store.history("hh", "busy-1")["_revision"].tolist() == [1, 2]
    assert store.count("hh_members") == 3


# ----------------------------------------------------------------------------- instrument versions


def test_a_newer_instrument_version_reads_older_files(tmp_path):
    store = make_store(tmp_path)
    store.submit("hh", full_answers(), enumerator="e1", response_id="v1-a")
    store.compact()
    store.submit("hh", full_answers(head_name="v1 small file"), enumerator="e1", response_id="v1-b")

    store = make_store(tmp_path, FORM_V2)  # the questionnaire file changes
    answers = full_answers(phone="0812345678")
    del answers["location"]
    answers["members"] = [{"m_name": "New", "nickname": "Nu"}]
    store.submit("hh", answers, enumerator="e2", response_id="v2-a")

    df = store.read("hh").set_index("_response_id")
    v2_questions = ["head_name", "hh_size", "income", "phone", "has_tv", "devices", "visit_date", "double_size"]
    assert list(df.columns) == MAIN_META[1:] + v2_questions + ["location"]  # dropped question last
    assert pd.isna(df.loc["v1-a", "phone"]) and pd.isna(df.loc["v1-b", "phone"])
    assert df.loc["v2-a", "phone"] == "0812345678"
    assert df.loc["v1-a", "location"] == "-7.5666 110.8166" and pd.isna(df.loc["v2-a", "location"])
    assert df.loc["v1-a", "devices"] == ["tv", "mobile"] and df.loc["v1-b", "hh_size"] == 3
    assert df["_instrument_version"].tolist() == [1, 1, 2]
    assert df["phone"].dtype == pd.StringDtype()

    members = store.read("hh_members")
    assert list(members.columns) == ["_response_id", "_revision", "_member_index", "m_name", "age", "nickname", "sex"]
    assert members.set_index("m_name").loc["New", "nickname"] == "Nu"
    assert members.set_index("m_name")["nickname"].drop("New").isna().all()

    # a review decision on a v1 response under v2 keeps its answers
    store.set_status("hh", "v1-a", "approved", editor="sup")
    row = store.read("hh").set_index("_response_id").loc["v1-a"]
    assert row["_status"] == "approved" and row["location"] == "-7.5666 110.8166" and row["_instrument_version"] == 1
    store.compact()
    assert store.count("hh") == 3 and store.count("hh_members") == 7


# ----------------------------------------------------------------------------- leftovers


def test_leftovers_of_crashes_are_invisible_and_collected(tmp_path):
    store = make_store(tmp_path, orphan_seconds=0)
    store.submit("hh", full_answers(), enumerator="e1", response_id="kept")
    main = tmp_path / "data" / "responses" / "hh"
    members = tmp_path / "data" / "responses" / "hh_members"
    inst = store.instrument("hh")
    tables = to_tables(inst, {"head_name": "ghost", "members": [{"m_name": "ghost"}]},
                       {"_response_id": "ghost", "_revision": 1, "_submitted_at": dt.datetime(2024, 1, 1)})
    # a torn temp file, a complete temp file, and a roster whose main file was never published
    (main / ".tmp-torn.parquet").write_bytes(b"PAR1 not really")
    pq.write_table(tables["hh"], main / ".tmp-complete.parquet")
    pq.write_table(tables["hh_members"], members / "ghost__r1__t1704067200000000.parquet")
    # a roster of "kept" with the wrong token (a losing duplicate that crashed)
    pq.write_table(tables["hh_members"].set_column(0, "_response_id", pa.array(["kept"])),
                   members / "kept__r1__t1.parquet")
    # an interrupted compaction whose part was never published
    (members / "_compacting").write_text('{"part": "part-never.parquet", "inputs": []}')
    assert ids(store.read("hh")) == ["kept"]
    assert store.read("hh_members")["m_name"].tolist() == ["Budi", "Siti's", "Ani"]
    assert store.count("hh_members") == 3
    store.compact()
    left = sorted(p.name for p in main.iterdir()) + sorted(p.name for p in members.iterdir())
    assert not [n for n in left if n.startswith(".tmp-") or n.startswith("ghost") or n == "_compacting"]
    assert not [n for n in left if n.startswith("kept__r1__t1.")]
    assert store.read("hh_members")["m_name"].tolist() == ["Budi", "Siti's", "Ani"]


def test_an_interrupted_compaction_is_finished_and_never_doubles_rows(tmp_path):
    store = make_store(tmp_path)
    for i in range(5):
        store.submit("hh", worker.answers(i), enumerator="e", response_id=f"i{i}")
    main = tmp_path / "data" / "responses" / "hh"
    small = sorted(p.name for p in main.glob("*.parquet"))
    # simulate a crash after the merged part was published, before markers and deletes
    part = merge(main, small, "_response_id, _revision")
    assert (main / part).exists() and all((main / n).exists() for n in small)
    assert sorted(ids(store.read("hh"))) == [f"i{i}" for i in range(5)]  # journal: part replaces sources
    assert store.count("hh") == 5
    # a duplicate submit in this state is still a duplicate
    assert store.submit("hh", worker.answers(0), enumerator="e", response_id="i0").duplicate
    store.compact()
    assert not (main / "_compacting").exists()
    assert sorted(p.name for p in main.glob("*.parquet") if not p.name.startswith("part-")) == []
    assert sorted(ids(store.read("hh"))) == [f"i{i}" for i in range(5)]
    assert store.submit("hh", worker.answers(0), enumerator="e", response_id="i0").duplicate
