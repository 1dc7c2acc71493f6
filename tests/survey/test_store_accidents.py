"""What really happens to data folders, done to a real store in tmp_path: each accident
leaves the rest of the data readable, loses nothing and says clearly what happened."""

from __future__ import annotations

import datetime as dt
import errno
import json
import os
import threading
import time
from pathlib import Path

import pandas as pd
import pyarrow.parquet as pq
import pytest

import survey.store.commit as commit_module
import survey.store.durable as durable
from survey.fieldwork.audit_log import AuditLog
from survey.questionnaire.model import InstrumentError
from survey.store.response_store import IncompatibleInstrument, ResponseStore, StorageFull

FORM = """
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
questions:
  - {name: head_name, type: text, label: {id: Nama, en: Name}}
  - {name: hh_size, type: integer, label: {id: Jumlah, en: Size}}
  - {name: has_tv, type: select_one, choices: yes_no, label: {id: TV, en: TV}}
  - {name: devices, type: select_multiple, choices: devices, label: {id: Alat, en: Devices}}
  - {name: visit_date, type: date, label: {id: Tanggal, en: Date}}
  - name: members
    type: repeat
    label: {id: Anggota, en: Members}
    questions:
      - {name: m_name, type: text, label: {id: Nama, en: Name}}
      - {name: age, type: integer, label: {id: Umur, en: Age}}
"""


def make_store(tmp_path: Path, form: str = FORM, **kwargs) -> ResponseStore:
    folder = tmp_path / "instruments"
    folder.mkdir(exist_ok=True)
    (folder / "hh.yaml").write_text(form, encoding="utf-8")
    return ResponseStore(tmp_path / "data", instruments_dir=folder, **kwargs)


def answers(i: int) -> dict:
    return {
        "head_name": f"head {i}", "hh_size": i % 3 + 1, "has_tv": "yes" if i % 2 else "no",
        "devices": ["tv"] if i % 2 else ["radio", "tv"], "visit_date": "2026-11-20",
        "members": [{"m_name": f"m{i}-{k}", "age": 20 + k} for k in range(i % 3 + 1)],
    }


def fill(store: ResponseStore, ids, compact_after: int | None = None) -> None:
    for n, i in enumerate(ids):
        store.submit("hh", answers(i), enumerator="enum01", response_id=f"r{i}")
        if compact_after is not None and n + 1 == compact_after:
            store.compact()


def folder(tmp_path: Path, table: str) -> Path:
    return tmp_path / "data" / "responses" / table


def quarantine_entries(store: ResponseStore) -> list[dict]:
    return [e for e in AuditLog(store.root).entries(newest_first=False) if e["action"] == "quarantine"]


def leftovers(tmp_path: Path) -> list[str]:
    return sorted(p.name for p in (tmp_path / "data").rglob(".tmp-*"))


# ----------------------------------------------------------------------------- unreadable files


def _truncate(path: Path) -> None:
    data = path.read_bytes()
    path.write_bytes(data[: len(data) // 2])


def _page(path: Path) -> None:  # a disk error inside a data page: the footer is still fine
    data = bytearray(path.read_bytes())
    for k in range(10, 60):
        data[k] = 0xFF
    path.write_bytes(bytes(data))


CORRUPTIONS = {
    "truncated": _truncate,
    "zero bytes": lambda p: p.write_bytes(b""),
    "garbage": lambda p: p.write_bytes(b"PAR1" + b"\x00" * 64 + b"PAR1"),
    "damaged page": _page,
}


@pytest.mark.parametrize("corrupt", list(CORRUPTIONS))
def test_an_unreadable_file_is_quarantined_and_the_rest_stays_readable(tmp_path, corrupt):
    store = make_store(tmp_path, compact_threshold=10**6)
    fill(store, range(8), compact_after=5)  # r0-r4 in parts, r5-r7 small files
    main, members = folder(tmp_path, "hh"), folder(tmp_path, "hh_members")
    CORRUPTIONS[corrupt](main / "r6__r1.parquet")
    (roster,) = members.glob("r7__r1__t*.parquet")
    CORRUPTIONS[corrupt](roster)
    damaged = {"hh": (main / "r6__r1.parquet").read_bytes(), "hh_members": roster.read_bytes()}

    df = store.read("hh")
    assert sorted(df["_response_id"]) == [f"r{i}" for i in range(8) if i != 6]
    assert store.count("hh") == 7
    roster_rows = store.read("hh_members")
    assert set(roster_rows["_response_id"]) == {f"r{i}" for i in range(8) if i not in (6, 7)}
    assert store.count("hh_members") == len(roster_rows)

    # moved, never deleted, and reported with the response id
    assert (main / "_quarantine" / "r6__r1.parquet").read_bytes() == damaged["hh"]
    assert (members / "_quarantine" / roster.name).read_bytes() == damaged["hh_members"]
    assert store.quarantine_counts() == {"hh": 1, "hh_members": 1}
    entries = quarantine_entries(store)
    assert {(e["object"], e["detail"]["response_id"]) for e in entries} == {
        ("hh/r6__r1.parquet", "r6"), (f"hh_members/{roster.name}", "r7")}

    # compaction is no longer blocked: small files do not pile up
    store.compact()
    assert [p.name for p in main.glob("*.parquet") if not p.name.startswith("part-")] == []
    assert sorted(store.read("hh")["_response_id"]) == sorted(df["_response_id"])
    # the household whose file was lost can be submitted again
    store.submit("hh", answers(6), enumerator="enum01", response_id="r6")
    assert store.count("hh") == 8


def test_a_damaged_part_takes_only_its_own_rows(tmp_path):
    store = make_store(tmp_path, compact_threshold=10**6)
    fill(store, range(6), compact_after=4)
    (part,) = folder(tmp_path, "hh").glob("part-*.parquet")
    _truncate(part)
    assert sorted(store.read("hh")["_response_id"]) == ["r4", "r5"]
    assert store.quarantine_counts()["hh"] == 1
    store.compact()
    assert sorted(store.read("hh")["_response_id"]) == ["r4", "r5"]


def test_a_damaged_file_met_by_compaction_first_is_quarantined_there(tmp_path):
    store = make_store(tmp_path, compact_threshold=10**6)
    fill(store, range(4))
    _truncate(folder(tmp_path, "hh") / "r1__r1.parquet")
    assert store.compact()["hh"] == 3
    assert sorted(store.read("hh")["_response_id"]) == ["r0", "r2", "r3"]
    assert (folder(tmp_path, "hh") / "_quarantine" / "r1__r1.parquet").exists()


def test_a_stray_copy_in_the_roster_folder_is_quarantined(tmp_path):
    store = make_store(tmp_path, compact_threshold=10**6)
    fill(store, range(3))
    members = folder(tmp_path, "hh_members")
    (roster,) = members.glob("r1__r1__t*.parquet")
    copy = members / roster.name.replace(".parquet", " (1).parquet")  # as sync tools name a copy
    copy.write_bytes(roster.read_bytes())
    (members / "r2__r1.parquet").write_bytes(roster.read_bytes())  # a main-table name in a roster folder
    got = store.read("hh_members")
    assert len(got) == sum(i % 3 + 1 for i in range(3)) and not got.duplicated(["_response_id", "_member_index"]).any()
    assert sorted(p.name for p in (members / "_quarantine").iterdir()) == sorted([copy.name, "r2__r1.parquet"])
    assert store.compact()["hh_members"] == 3
    assert store.count("hh_members") == len(got)


def test_columns_of_another_table_make_a_file_foreign(tmp_path):
    store = make_store(tmp_path, compact_threshold=10**6)
    fill(store, range(3))
    main = folder(tmp_path, "hh")
    table = pq.read_table(main / "r0__r1.parquet").drop_columns(["devices"])
    table = table.append_column("devices", table.column("head_name"))  # text where a list belongs
    pq.write_table(table.drop_columns(["_response_id"]).append_column("_response_id", table.column("_response_id")),
                   main / "x9__r1.parquet")
    assert sorted(store.read("hh")["_response_id"]) == ["r0", "r1", "r2"]
    assert (main / "_quarantine" / "x9__r1.parquet").exists()


# ----------------------------------------------------------------------------- instrument versions

CHANGES = {
    "select_one -> select_multiple": ("has_tv", "type: select_one, choices: yes_no", "type: select_multiple, choices: yes_no"),
    "date -> integer": ("visit_date", "type: date", "type: integer"),
    "select_multiple -> text": ("devices", "type: select_multiple, choices: devices", "type: text"),
    "text -> integer": ("head_name", "name: head_name, type: text", "name: head_name, type: integer"),
}


@pytest.mark.parametrize("change", list(CHANGES))
def test_an_incompatible_type_change_is_refused_and_the_stored_rows_stay_readable(tmp_path, change):
    question, old, new = CHANGES[change]
    store = make_store(tmp_path, compact_threshold=10**6)
    fill(store, range(4), compact_after=2)
    before = store.read("hh")
    v2 = FORM.replace("version: 1", "version: 2").replace(old, new, 1)
    assert v2 != FORM.replace("version: 1", "version: 2")
    make_store(tmp_path, v2)  # the questionnaire file is edited in place

    with pytest.raises(IncompatibleInstrument) as err:
        store.instrument("hh")
    text = str(err.value)
    old_type, new_type = change.split(" -> ")
    assert f"question '{question}'" in text and old_type in text and new_type in text and "new name" in text
    assert "hh.yaml" in text
    with pytest.raises(IncompatibleInstrument):
        store.submit("hh", {"head_name": "new"}, enumerator="enum01")

    after = store.read("hh")  # read with the stored version: the same rows, the same types
    pd.testing.assert_frame_equal(after, before)
    assert store.count("hh") == 4 and store.count("hh_members") == len(store.read("hh_members"))
    store.compact()
    assert store.instrument_versions("hh") == [1]

    # the fix the message names: a new name for the question
    renamed = v2.replace(f"name: {question},", f"name: {question}_v2,", 1)
    store = make_store(tmp_path, renamed)
    assert store.instrument("hh").version == 2
    store.submit("hh", {"head_name": "new"} if question != "head_name" else {"hh_size": 1},
                 enumerator="enum01", response_id="v2-a")
    df = store.read("hh").set_index("_response_id")
    assert f"{question}_v2" in df.columns and question in df.columns
    assert df.loc["r1", question] == before.set_index("_response_id").loc["r1", question] or question == "devices"
    assert store.instrument_versions("hh") == [1, 2]


def test_compatible_changes_are_read_correctly(tmp_path):
    store = make_store(tmp_path)
    fill(store, range(3), compact_after=2)
    v2 = (FORM.replace("version: 1", "version: 2")
          .replace("name: hh_size, type: integer", "name: hh_size, type: decimal")
          .replace('    - {name: tv, label: {id: TV, en: TV}}\n',
                   '    - {name: tv, label: {id: TV, en: TV}}\n    - {name: pc, label: {id: PC, en: PC}}\n')
          .replace("  - name: members\n", "  - {name: phone, type: text, label: {id: Telepon, en: Phone}}\n  - name: members\n"))
    store = make_store(tmp_path, v2)
    store.submit("hh", {"hh_size": 2.5, "devices": ["pc"], "phone": "0812"}, enumerator="enum01", response_id="v2-a")
    df = store.read("hh").set_index("_response_id")
    assert df["hh_size"].dtype == "float64"
    assert df["hh_size"].to_dict() == {"r0": 1.0, "r1": 2.0, "r2": 3.0, "v2-a": 2.5}
    assert df.loc["v2-a", "devices"] == ["pc"] and df.loc["r1", "devices"] == ["tv"]
    assert pd.isna(df.loc["r0", "phone"]) and df.loc["v2-a", "phone"] == "0812"
    store.compact()
    assert store.read("hh").set_index("_response_id")["hh_size"].to_dict()["v2-a"] == 2.5
    assert store.instrument_versions("hh") == [1, 2]
    assert sorted(p.suffix for p in (tmp_path / "data" / "instrument_versions" / "hh").iterdir()
                  if not p.name.startswith(".")) == [".json", ".json", ".yaml", ".yaml"]


def test_a_broken_or_removed_questionnaire_file_never_hides_the_stored_answers(tmp_path):
    store = make_store(tmp_path)
    fill(store, range(3))
    before = store.read("hh")
    broken = FORM.replace("  - {name: hh_size, type: integer, label: {id: Jumlah, en: Size}}",
                          "  - {name: hh_size, type: integer, label: {id: Jumlah, en: Size}, "
                          "constraint: \"regex(., '^([0-9]{3}$')\", constraint_message: {id: x, en: x}}")
    store = make_store(tmp_path, broken)
    with pytest.raises(InstrumentError, match="position"):
        store.instrument("hh")
    pd.testing.assert_frame_equal(store.read("hh"), before)
    assert store.tables() == ["hh", "hh_members"]
    (tmp_path / "instruments" / "hh.yaml").unlink()
    store = ResponseStore(tmp_path / "data", instruments_dir=tmp_path / "instruments")
    pd.testing.assert_frame_equal(store.read("hh"), before)
    assert store.count("hh_members") == sum(i % 3 + 1 for i in range(3))


def test_two_incompatible_files_at_once_cannot_both_be_stored(tmp_path):
    store = make_store(tmp_path)
    fill(store, range(1))
    other = ResponseStore(tmp_path / "data", instruments_dir=tmp_path / "other")
    (tmp_path / "other").mkdir()
    (tmp_path / "other" / "hh.yaml").write_text(FORM.replace("name: hh_size, type: integer", "name: hh_size, type: text"))
    with pytest.raises(IncompatibleInstrument, match="hh_size"):
        other.submit("hh", {"hh_size": "many"}, enumerator="enum01")
    assert store.count("hh") == 1


# ----------------------------------------------------------------------------- the journal


def test_a_journal_naming_files_outside_the_table_is_ignored_and_reported(tmp_path):
    store = make_store(tmp_path, compact_threshold=10**6)
    fill(store, range(4), compact_after=2)
    main = folder(tmp_path, "hh")
    victim = tmp_path / "x"
    victim.write_text("not the store's")
    (part,) = [p.name for p in main.glob("part-*.parquet")]
    journal = {"part": part, "inputs": ["../../../x", "sub/../../x", "/etc/hostname", "r3__r1.parquet"]}
    (main / "_compacting").write_text(json.dumps(journal))

    assert sorted(store.read("hh")["_response_id"]) == ["r0", "r1", "r2", "r3"]  # r3 is not in the part
    store.compact()
    assert victim.read_text() == "not the store's"
    assert sorted(store.read("hh")["_response_id"]) == ["r0", "r1", "r2", "r3"]
    assert not (main / "_compacting").exists() and (main / "_quarantine" / "_compacting").exists()
    (entry,) = [e for e in quarantine_entries(store) if e["object"] == "hh/_compacting"]
    assert "../../../x" in entry["detail"]["reason"]


# ----------------------------------------------------------------------------- a stalled writer


def test_a_writer_stalled_past_orphan_seconds_keeps_its_roster(tmp_path, monkeypatch):
    store = make_store(tmp_path, orphan_seconds=0.2, compact_threshold=10**6)
    fill(store, range(2))
    collector = ResponseStore(tmp_path / "data", instruments_dir=tmp_path / "instruments", orphan_seconds=0.2)
    real = commit_module.write_parquet_temp
    stalls = []

    def stalling(folder, table, **kwargs):
        written = real(folder, table, **kwargs)
        if folder.name == "hh" and not stalls:  # the main row's temp file is written, then the laptop sleeps
            stalls.append(1)
            time.sleep(0.3)
            collector.compact()  # another process collects what looks orphaned (the temp and the roster too)
        return written

    monkeypatch.setattr(commit_module, "write_parquet_temp", stalling)
    receipt = store.submit("hh", answers(5), enumerator="enum01", response_id="stalled")
    assert stalls and not receipt.duplicate
    members = store.read("hh_members")
    assert sorted(members.loc[members["_response_id"] == "stalled", "m_name"]) == ["m5-0", "m5-1", "m5-2"]
    collector.compact()
    members = store.read("hh_members")
    assert (members["_response_id"] == "stalled").sum() == 3


def test_a_writer_stalled_before_its_commit_puts_its_roster_back_first(tmp_path, monkeypatch):
    store = make_store(tmp_path, orphan_seconds=0.1, compact_threshold=10**6)
    collector = ResponseStore(tmp_path / "data", instruments_dir=tmp_path / "instruments", orphan_seconds=0.1)
    real = ResponseStore._keep_repeats
    seen = []

    def late(self, rid, rev, token, repeats):
        if not seen:
            seen.append(1)
            time.sleep(0.2)
            collector.compact()
            seen.append(len(list(folder(tmp_path, "hh_members").glob("*.parquet"))))
        return real(self, rid, rev, token, repeats)

    monkeypatch.setattr(ResponseStore, "_keep_repeats", late)
    store.submit("hh", answers(4), enumerator="enum01", response_id="late")
    assert seen[1] == 0  # compaction did take the roster file while the writer slept
    assert store.count("hh_members") == 2 and store.count("hh") == 1


def test_compaction_puts_a_repeat_file_back_when_its_row_commits_meanwhile(tmp_path, monkeypatch):
    import pyarrow as pa

    import survey.store.compaction as compaction

    store = make_store(tmp_path, orphan_seconds=0, compact_threshold=10**6)
    fill(store, range(1))
    main, members = folder(tmp_path, "hh"), folder(tmp_path, "hh_members")
    (roster,) = members.glob("r0__r1__t*.parquet")

    def as_r9(table: pa.Table) -> pa.Table:
        i = table.schema.get_field_index("_response_id")
        return table.set_column(i, "_response_id", pa.array(["r9"] * table.num_rows))

    orphan = members / roster.name.replace("r0__", "r9__")  # a slow writer's roster, its row not yet there
    pq.write_table(as_r9(pq.read_table(roster)), orphan)
    os.utime(orphan, (time.time() - 10, time.time() - 10))
    real_rename = os.rename
    calls = []

    def commit_in_between(src, dst):  # the writer commits just after compaction hid the "orphan"
        real_rename(src, dst)
        if Path(dst).name.startswith(".tmp-") and not calls:
            calls.append(1)
            pq.write_table(as_r9(pq.read_table(main / "r0__r1.parquet")), main / "r9__r1.parquet")

    monkeypatch.setattr(compaction.os, "rename", commit_in_between)
    store.compact("hh_members")
    assert calls and orphan.exists()  # put back, not deleted
    monkeypatch.undo()
    members_now = store.read("hh_members")
    assert (members_now["_response_id"] == "r9").sum() == (members_now["_response_id"] == "r0").sum() == 1


# ----------------------------------------------------------------------------- a full disk


def _full_after(monkeypatch, good_writes: int) -> list[int]:
    """Make the Parquet writer fail with ENOSPC half-way through, after `good_writes` files."""
    real = durable.pq.write_table
    count = []

    def write(table, where, **kwargs):
        count.append(1)
        if len(count) > good_writes:
            where.write(b"PAR1 half a file")
            raise OSError(errno.ENOSPC, "No space left on device")
        return real(table, where, **kwargs)

    monkeypatch.setattr(durable.pq, "write_table", write)
    return count


@pytest.mark.parametrize("good_writes", [0, 1])  # the roster fails, or the roster is written and the main row fails
def test_a_full_disk_is_storage_full_and_leaves_nothing(tmp_path, monkeypatch, good_writes):
    store = make_store(tmp_path)
    fill(store, range(2))
    before = sorted(p.name for p in (tmp_path / "data" / "responses").rglob("*.parquet"))
    _full_after(monkeypatch, good_writes)
    with pytest.raises(StorageFull) as err:
        store.submit("hh", answers(7), enumerator="enum01", response_id="full")
    assert isinstance(err.value, OSError) and err.value.errno == errno.ENOSPC
    assert leftovers(tmp_path) == []
    assert sorted(p.name for p in (tmp_path / "data" / "responses").rglob("*.parquet")) == before
    monkeypatch.undo()  # space is back
    store.submit("hh", answers(7), enumerator="enum01", response_id="full")
    assert store.count("hh") == 3 and store.count("hh_members") == 1 + 2 + 2


def test_compaction_on_a_full_disk_frees_what_it_can_and_finishes_once_space_is_back(tmp_path, monkeypatch):
    import survey.store.compaction as compaction

    store = make_store(tmp_path, compact_threshold=10**6, orphan_seconds=60)
    fill(store, range(4))
    members = folder(tmp_path, "hh_members")
    old = time.time() - 120
    for name in (".tmp-crashed.parquet", "ghost__r1__t1.parquet"):  # a crashed writer's temp and orphan
        (members / name).write_bytes(b"x" * 1000)
        os.utime(members / name, (old, old))

    def full(path):
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr(compaction, "fsync_file", full)
    with pytest.raises(StorageFull):
        store.compact()
    assert sorted(p.name for p in members.iterdir() if p.name.startswith((".tmp", "ghost"))) == []  # freed first
    assert leftovers(tmp_path) == [] and not (folder(tmp_path, "hh") / "_compacting").exists()
    assert store.count("hh") == 4 and store.count("hh_members") == sum(i % 3 + 1 for i in range(4))
    monkeypatch.undo()
    assert store.compact() == {"hh": 4, "hh_members": 4}
    assert store.count("hh") == 4


def test_duckdb_reports_a_full_disk_as_storage_full():
    from survey.store.durable import storage_error

    message = 'IO Error: Could not write file "x": No space left on device {"errno":"28"}'
    import duckdb

    assert isinstance(storage_error(duckdb.IOException(message)), StorageFull)
    assert not isinstance(storage_error(duckdb.IOException("IO Error: permission denied")), StorageFull)


@pytest.fixture
def tiny_disk(tmp_path):
    """A real 2 MiB file system (tmpfs), when this machine lets the tests mount one."""
    mount = tmp_path / "tiny"
    mount.mkdir()
    if os.geteuid() != 0 or os.system(f"mount -t tmpfs -o size=2m tmpfs {mount} 2>/dev/null") != 0:
        pytest.skip("mounting a tmpfs needs root")
    yield mount
    os.system(f"umount {mount}")


def test_a_really_full_disk(tiny_disk, tmp_path):
    store = ResponseStore(tiny_disk / "data", instruments_dir=make_store(tmp_path).instruments_dir)
    fill(store, range(3))
    filler = tiny_disk / "filler"
    with open(filler, "wb") as handle:  # take every block that is left
        try:
            while True:
                handle.write(os.urandom(1 << 16))
                handle.flush()
        except OSError:
            pass
    with pytest.raises(StorageFull):
        for i in range(10, 40):
            store.submit("hh", answers(i), enumerator="enum01", response_id=f"r{i}")
    assert sorted(p.name for p in tiny_disk.rglob(".tmp-*")) == []
    stored = store.count("hh")
    filler.unlink()
    store.submit("hh", answers(99), enumerator="enum01", response_id="after")
    store.compact()
    assert store.count("hh") == stored + 1


# ----------------------------------------------------------------------------- arguments


@pytest.mark.parametrize("note", ["x" * 5_000_000, "a\x00b", "esc\x1b[31m", "lone \ud800", 12])
def test_bad_review_notes_are_refused(tmp_path, note):
    store = make_store(tmp_path)
    fill(store, range(1))
    with pytest.raises(ValueError):
        store.set_status("hh", "r0", "approved", editor="sup", note=note)
    with pytest.raises(ValueError):
        store.revise("hh", "r0", answers(0), editor="sup", note=note)
    assert store.history("hh", "r0")["_revision"].tolist() == [1]


def test_a_multi_line_note_is_kept(tmp_path):
    store = make_store(tmp_path)
    fill(store, range(1))
    store.set_status("hh", "r0", "rejected", editor="sup", note="  roster incomplete\r\ncall back  ")
    assert store.read("hh").iloc[0]["_note"] == "roster incomplete\ncall back"


@pytest.mark.parametrize("started_at", ["yesterday", "2026-13-01T00:00", 5, pd.NaT, dt.date(2026, 1, 1),
                                        dt.datetime(1900, 1, 1), dt.datetime(9999, 12, 31), "x" * 100])
def test_bad_started_at_is_refused(tmp_path, started_at):
    store = make_store(tmp_path)
    with pytest.raises(ValueError):
        store.submit("hh", answers(0), enumerator="enum01", started_at=started_at)
    assert not (tmp_path / "data" / "responses").exists() or store.count("hh") == 0


@pytest.mark.parametrize("base", ["1", True, 0, -1, 1.0, 2**40])
def test_bad_base_revision_is_refused(tmp_path, base):
    store = make_store(tmp_path)
    fill(store, range(1))
    with pytest.raises(ValueError):
        store.revise("hh", "r0", answers(0), editor="sup", base_revision=base)
    with pytest.raises(ValueError):
        store.set_status("hh", "r0", "approved", editor="sup", base_revision=base)


def test_long_names_are_value_errors(tmp_path):
    store = make_store(tmp_path)
    long = "h" * 300
    for call in (lambda: store.submit(long, {}, enumerator="e"), lambda: store.read(long),
                 lambda: store.read("hh_" + long), lambda: store.instrument(long), lambda: store.history(long, "r0"),
                 lambda: store.count(long), lambda: store.instrument_versions(long)):
        with pytest.raises(ValueError):
            call()


# ----------------------------------------------------------------------------- what pages use


def test_state_token_changes_with_the_stored_files_only(tmp_path):
    store = make_store(tmp_path, compact_threshold=10**6)
    empty = store.state_token()
    fill(store, range(2))
    first = store.state_token()
    assert first != empty
    store.read("hh"), store.count("hh_members")
    assert store.state_token() == first
    store.submit("hh", answers(2), enumerator="enum01", response_id="r2")
    second = store.state_token()
    assert second != first
    store.compact()
    third = store.state_token()
    assert third != second
    store.compact()
    assert store.state_token() == third
    (folder(tmp_path, "hh") / "stray (1).parquet").write_bytes(b"")
    store.read("hh")  # quarantines it
    assert store.state_token() != third


def test_quarantine_counts_and_instrument_versions_of_an_empty_store(tmp_path):
    store = make_store(tmp_path)
    assert store.quarantine_counts() == {} and store.instrument_versions("hh") == []
    fill(store, range(1))
    assert store.quarantine_counts() == {"hh": 0, "hh_members": 0} and store.instrument_versions("hh") == [1]


def test_concurrent_readers_quarantine_a_bad_file_once(tmp_path):
    store = make_store(tmp_path, compact_threshold=10**6)
    fill(store, range(5))
    _truncate(folder(tmp_path, "hh") / "r2__r1.parquet")
    results, errors = [], []

    def read():
        try:
            results.append(sorted(ResponseStore(store.root, instruments_dir=store.instruments_dir).read("hh")["_response_id"]))
        except Exception as exc:  # pragma: no cover - reported below
            errors.append(exc)

    threads = [threading.Thread(target=read) for _ in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == [] and all(r == ["r0", "r1", "r3", "r4"] for r in results)
    assert store.quarantine_counts()["hh"] == 1
