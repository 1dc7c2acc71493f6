"""Drafts: per enumerator, instrument and response id; exactly what was typed; never lost."""

import datetime as dt
import json
import os

import pytest

from survey.fieldwork.drafts import STALE_DAYS, Draft, Drafts

DAY = 86400


class Clock:
    def __init__(self):
        self.now = 1_750_000_000.0

    def __call__(self):
        return self.now


@pytest.fixture
def clock():
    return Clock()


@pytest.fixture
def drafts(tmp_path, clock):
    return Drafts(tmp_path, clock=clock)


def draft(rid="r1", enumerator="enum01", instrument="household", **values):
    return Draft(enumerator, instrument, rid, values=values or {"age__0": 250}, step="members__0",
                 started_at="2026-03-02T01:02:03+00:00", lang="id")


def test_a_draft_keeps_exactly_what_was_typed(drafts, tmp_path):
    typed = {"interview_date": dt.date(2026, 3, 2), "age__0": 250, "phone": "0812-ABC", "psu": "  jeb-7 ",
             "internet_type": ["satellite", "other"], "internet_hours_week": 2.5, "respondent_name": "Nur'aini"}
    saved = drafts.save(draft(**typed))
    back = drafts.load("enum01", "household", "r1")
    assert back == saved
    assert dict(back.values) == {**typed, "interview_date": "2026-03-02"}  # dates as ISO text
    assert (back.step, back.lang, back.started_at, back.base_revision) == ("members__0", "id", saved.started_at, None)
    path = tmp_path / "drafts" / "enum01" / "household.r1.draft.json"
    assert json.loads(path.read_text())["values"]["psu"] == "  jeb-7 "


def test_drafts_are_per_enumerator_instrument_and_response(drafts, clock):
    drafts.save(draft("r1"))
    clock.now += 10
    drafts.save(draft("r2"))
    drafts.save(draft("r1", instrument="agency"))
    drafts.save(draft("r1", enumerator="enum02"))
    mine = {(d.instrument, d.response_id) for d in drafts.list("enum01")}
    assert mine == {("household", "r1"), ("household", "r2"), ("agency", "r1")}
    assert [d.response_id for d in drafts.list("enum02")] == ["r1"]
    assert drafts.list("nobody") == []


def test_the_newest_draft_comes_first(drafts, clock):
    drafts.save(draft("old"))
    clock.now += 60
    drafts.save(draft("new"))
    assert [d.response_id for d in drafts.list("enum01")] == ["new", "old"]
    clock.now += 60
    drafts.save(draft("old"))  # saving again makes it the newest
    assert [d.response_id for d in drafts.list("enum01")] == ["old", "new"]


def test_rewriting_replaces_the_file_atomically(drafts, tmp_path):
    drafts.save(draft(age__0=25))
    drafts.save(draft(age__0=26))
    folder = tmp_path / "drafts" / "enum01"
    assert sorted(os.listdir(folder)) == ["household.r1.draft.json"]  # no temp file left behind
    assert drafts.load("enum01", "household", "r1").values["age__0"] == 26


def test_discard_removes_one_draft(drafts):
    drafts.save(draft("r1"))
    drafts.save(draft("r2"))
    assert drafts.discard("enum01", "household", "r1") is True
    assert drafts.discard("enum01", "household", "r1") is False
    assert drafts.load("enum01", "household", "r1") is None
    assert [d.response_id for d in drafts.list("enum01")] == ["r2"]


def test_old_drafts_are_listed_as_stale_never_deleted(drafts, clock):
    drafts.save(draft("r1"))
    clock.now += (STALE_DAYS + 1) * DAY
    drafts.save(draft("r2"))
    assert [d.response_id for d in drafts.stale("enum01")] == ["r1"]
    assert {d.response_id for d in drafts.list("enum01")} == {"r1", "r2"}
    clock.now += 365 * DAY
    assert len(drafts.list("enum01")) == 2
    assert drafts.list("enum01")[0].is_stale(clock.now)


def test_a_correction_keeps_its_base_revision(drafts):
    drafts.save(Draft("enum01", "agency", "mine-1", values={"staff_count": 78}, base_revision=3))
    back = drafts.load("enum01", "agency", "mine-1")
    assert back.is_correction and back.base_revision == 3


def test_the_location_carries_over(drafts):
    assert drafts.carried("enum01", "household") == {}
    drafts.carry("enum01", "household", {"kecamatan": "jebres", "rw": 4, "psu": "JEB-007"})
    assert drafts.carried("enum01", "household") == {"kecamatan": "jebres", "rw": 4, "psu": "JEB-007"}
    assert drafts.carried("enum02", "household") == {}
    assert drafts.list("enum01") == []  # the carried location is not a draft


def test_an_unreadable_file_is_skipped_and_kept(drafts, tmp_path):
    drafts.save(draft("r1"))
    broken = tmp_path / "drafts" / "enum01" / "household.r2.draft.json"
    broken.write_text("{not json")
    assert [d.response_id for d in drafts.list("enum01")] == ["r1"]
    assert broken.exists()


@pytest.mark.parametrize("enumerator, instrument, rid", [
    ("../admin", "household", "r1"), ("enum01", "../x", "r1"), ("enum01", "household", "a/b"),
    (".", "household", "r1"), ("..", "household", "r1"), ("enum01", "household", ""),
])
def test_names_cannot_leave_the_drafts_folder(drafts, enumerator, instrument, rid):
    with pytest.raises(ValueError):
        drafts.save(Draft(enumerator, instrument, rid))


def test_every_login_name_can_keep_drafts(drafts):
    for name in ("enum.two", ".x", "a-b_c", "x" * 40):
        drafts.save(draft(enumerator=name))
        assert [d.enumerator for d in drafts.list(name)] == [name]


def test_values_a_form_cannot_hold_are_refused(drafts):
    with pytest.raises(TypeError):
        drafts.save(draft(age__0=object()))
