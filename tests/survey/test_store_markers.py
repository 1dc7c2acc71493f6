"""Markers, copies and quarantine under accidents (issue 19, items 5-8): a stray or lost
`_committed` marker, a file where the marker folder belongs, a quarantined household part.
Each on a real Parquet store in tmp_path; nothing acknowledged is lost or shown twice."""

from __future__ import annotations

import shutil
import uuid
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq

from survey.store.compaction import merge
from survey.store.integrity import check_store
from survey.store.response_store import ResponseStore

FORM = """
id: hh
version: 1
title: {id: Rumah tangga, en: Household}
questions:
  - {name: head_name, type: text, label: {id: Nama, en: Name}}
  - {name: hh_size, type: integer, label: {id: Jumlah, en: Size}}
  - name: members
    type: repeat
    label: {id: Anggota, en: Members}
    questions:
      - {name: m_name, type: text, label: {id: Nama, en: Name}}
"""


def make_store(tmp_path: Path, **kwargs) -> ResponseStore:
    folder = tmp_path / "instruments"
    folder.mkdir(exist_ok=True)
    (folder / "hh.yaml").write_text(FORM, encoding="utf-8")
    return ResponseStore(tmp_path / "data", instruments_dir=folder, **{"compact_threshold": 10**6, **kwargs})


def household(name: str, size: int) -> dict:
    return {"head_name": name, "hh_size": size, "members": [{"m_name": f"{name}-{k}"} for k in range(size)]}


def fill(store: ResponseStore, ids) -> None:
    for i in ids:
        store.submit("hh", household(f"head{i}", i % 3 + 1), enumerator="enum01", response_id=f"r{i}")


def folder(store: ResponseStore, table: str) -> Path:
    return store.table_folder(table)


def quarantined(store: ResponseStore, table: str) -> list[str]:
    box = folder(store, table) / "_quarantine"
    return sorted(p.name for p in box.iterdir()) if box.is_dir() else []


def small_files(store: ResponseStore, table: str) -> list[str]:
    return sorted(p.name for p in folder(store, table).glob("*.parquet") if not p.name.startswith("part-"))


def roster_of(store: ResponseStore, rid: str) -> list[str]:
    members = store.read("hh_members")
    return sorted(members.loc[members["_response_id"] == rid, "m_name"])


# ----------------------------------------------------------------------------- item 5: a stray marker


def test_a_stray_marker_never_makes_compaction_delete_the_only_copy(tmp_path):
    store = make_store(tmp_path)
    fill(store, range(2))
    store.compact()
    fill(store, [2])
    main = folder(store, "hh")
    (main / "_committed" / "r2__r1").touch()  # a marker whose row no part holds
    store.compact()
    assert sorted(store.read("hh")["_response_id"]) == ["r0", "r1", "r2"]
    assert roster_of(store, "r2") == ["head2-0", "head2-1", "head2-2"]
    assert small_files(store, "hh") == [] and quarantined(store, "hh") == []


def test_a_marked_file_whose_row_a_part_holds_goes_to_quarantine_not_away(tmp_path):
    store = make_store(tmp_path)
    fill(store, range(2))
    store.compact()
    main = folder(store, "hh")
    (part,) = main.glob("part-*.parquet")
    rows = pq.read_table(part).to_pylist()
    other = [dict(r, head_name="another copy") for r in rows if r["_response_id"] == "r0"]

    pq.write_table(pa.Table.from_pylist(other, schema=pq.read_schema(part)), main / "r0__r1.parquet")
    store.compact()
    assert store.read("hh").set_index("_response_id")["head_name"].to_dict() == {"r0": "head0", "r1": "head1"}
    assert quarantined(store, "hh") == ["r0__r1.parquet"]
    assert pq.read_table(main / "_quarantine" / "r0__r1.parquet").column("head_name").to_pylist() == ["another copy"]


def test_a_stray_marker_never_sets_the_roster_of_its_household_aside(tmp_path):
    store = make_store(tmp_path)
    fill(store, [0])
    store.compact("hh_members")  # the roster is in a part, the household still in its own file
    (folder(store, "hh") / "_committed").mkdir()
    (folder(store, "hh") / "_committed" / "r0__r1").touch()
    store.compact("hh_members")
    store.compact("hh")
    assert store.read("hh")["_response_id"].tolist() == ["r0"] and roster_of(store, "r0") == ["head0-0"]
    assert quarantined(store, "hh_members") == []


def test_a_resubmission_of_a_file_hidden_by_a_stray_marker_gets_its_receipt(tmp_path):
    store = make_store(tmp_path)
    first = store.submit("hh", household("three", 3), enumerator="enum01", response_id="x1")
    (folder(store, "hh") / "_committed").mkdir()
    (folder(store, "hh") / "_committed" / "x1__r1").touch()  # hides the only copy from readers
    again = store.submit("hh", household("three", 3), enumerator="enum01", response_id="x1")
    assert again.duplicate and again == first
    assert store.read("hh")["_response_id"].tolist() == ["x1"] and len(roster_of(store, "x1")) == 3
    assert quarantined(store, "hh") == ["_committed-x1__r1"]


# ----------------------------------------------------------------------------- item 6: a lost marker


def test_a_lost_marker_never_lets_a_resubmission_store_a_second_copy(tmp_path):
    store = make_store(tmp_path)
    first = store.submit("hh", household("six", 6), enumerator="enum01", response_id="x1")
    store.compact()
    shutil.rmtree(folder(store, "hh") / "_committed")  # every marker lost
    again = store.submit("hh", household("one", 1), enumerator="enum01", response_id="x1")
    assert again.duplicate and again == first
    for _ in range(2):
        df = store.read("hh")
        assert df["_response_id"].tolist() == ["x1"] and df["hh_size"].tolist() == [6]
        assert roster_of(store, "x1") == [f"six-{k}" for k in range(6)]
        store.compact()


def test_compaction_never_mixes_the_rosters_of_two_copies(tmp_path, monkeypatch):
    store = make_store(tmp_path)
    store.submit("hh", household("six", 6), enumerator="enum01", response_id="x1")
    store.compact()
    shutil.rmtree(folder(store, "hh") / "_committed")
    monkeypatch.setattr(store, "_first_elsewhere", lambda *a, **k: None)  # as an older store would: a second copy
    second = store.submit("hh", household("one", 1), enumerator="enum01", response_id="x1")
    assert not second.duplicate
    monkeypatch.undo()
    for _ in range(2):
        store.compact()
        df = store.read("hh")
        assert df["hh_size"].tolist() == [6]  # the first copy, with its own roster
        assert roster_of(store, "x1") == [f"six-{k}" for k in range(6)]
    assert quarantined(store, "hh") == ["x1__r1.parquet"]


def test_an_interrupted_compaction_sets_a_copy_it_left_out_aside(tmp_path):
    store = make_store(tmp_path, part_bytes=1)  # every part counts as large: none is merged again
    first = store.submit("hh", household("six", 6), enumerator="enum01", response_id="x1")
    store.compact("hh")
    main = folder(store, "hh")
    (part_a,) = main.glob("part-*.parquet")
    copy = pq.read_table(part_a).to_pylist()
    copy[0].update(head_name="a later copy", hh_size=1, _submitted_at=first.submitted_at.replace(year=2099))
    part_b = main / f"part-{uuid.uuid4().hex}.parquet"
    pq.write_table(pa.Table.from_pylist(copy, schema=pq.read_schema(part_a)), part_b)
    merge(main, [part_a.name, part_b.name], "_response_id, _revision")  # then the compactor is killed
    store.compact("hh")
    df = store.read("hh")
    assert df["_response_id"].tolist() == ["x1"] and df["hh_size"].tolist() == [6]
    assert quarantined(store, "hh") == [part_b.name]


# ----------------------------------------------------------------------------- item 7: a quarantined household part


def test_members_of_a_quarantined_household_part_are_not_read_and_a_resubmission_is_not_doubled(tmp_path):
    store = make_store(tmp_path)
    fill(store, range(4))
    store.compact()
    fill(store, [4])
    (part,) = folder(store, "hh").glob("part-*.parquet")
    part.write_bytes(part.read_bytes()[:100])  # the household part is damaged
    assert store.read("hh")["_response_id"].tolist() == ["r4"]
    assert sorted(set(store.read("hh_members")["_response_id"])) == ["r4"]
    assert store.count("hh_members") == 2

    report = check_store(store.root, store.instruments_dir, repair=True)
    assert report.sound
    assert any(name.startswith("part-") for name in quarantined(store, "hh_members"))  # set aside with it
    store.submit("hh", household("head1", 2), enumerator="enum01", response_id="r1")
    assert roster_of(store, "r1") == ["head1-0", "head1-1"]
    store.compact()
    assert roster_of(store, "r1") == ["head1-0", "head1-1"] and store.count("hh_members") == 4


def test_members_of_a_household_part_quarantined_by_a_reader_are_set_aside_before_a_resubmission(tmp_path):
    store = make_store(tmp_path)
    fill(store, range(3))
    store.compact()
    (part,) = folder(store, "hh").glob("part-*.parquet")
    part.write_bytes(b"")
    assert store.count("hh") == 0  # the reader quarantines the part...
    assert store.wait_for_compaction(60)  # ...and the roster rows follow it
    assert any(name.startswith("part-") for name in quarantined(store, "hh_members"))
    store.submit("hh", household("head2", 3), enumerator="enum01", response_id="r2")
    assert roster_of(store, "r2") == ["head2-0", "head2-1", "head2-2"]


# ----------------------------------------------------------------------------- item 8: a file named _committed


def test_a_file_in_place_of_the_marker_folder_is_quarantined_by_compaction_and_repair(tmp_path):
    store = make_store(tmp_path)
    fill(store, range(3))
    main = folder(store, "hh")
    (main / "_committed").write_text("intruder")
    assert store.compact()["hh"] == 3
    assert (main / "_committed").is_dir() and sorted(p.name for p in (main / "_committed").iterdir()) == [
        "r0__r1", "r1__r1", "r2__r1"]
    assert (main / "_quarantine" / "_committed").read_text() == "intruder"

    shutil.rmtree(main / "_committed")
    (main / "_committed").write_text("again")
    report = check_store(store.root, store.instruments_dir, repair=True)
    assert report.sound and any(f.name == "_committed" for f in report.findings)
    assert (main / "_committed" / "r1__r1").exists()
    assert len([n for n in quarantined(store, "hh") if n.startswith("_committed")]) == 2
    assert sorted(store.read("hh")["_response_id"]) == ["r0", "r1", "r2"]
    assert check_store(store.root, store.instruments_dir).sound

