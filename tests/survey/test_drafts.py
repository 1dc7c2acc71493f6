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


def test_an_unreadable_file_is_skipped_and_kept_aside(drafts, tmp_path):
    drafts.save(draft("r1"))
    broken = tmp_path / "drafts" / "enum01" / "household.r2.draft.json"
    broken.write_text("{not json")
    assert [d.response_id for d in drafts.list("enum01")] == ["r1"]
    assert not broken.exists()
    assert (tmp_path / "drafts_aside" / "enum01" / broken.name).read_text() == "{not json"
    assert drafts.set_aside_now == [broken.name]


def nested(depth):
    return '{"enumerator": "enum01", "instrument": "household", "response_id": "r2", "values": {"x": ' + \
        "[" * depth + "]" * depth + "}}"


@pytest.mark.parametrize("content, why", [
    (nested(100_000), "too deep"),
    (nested(50), "a value nested in lists"),
    ('{"enumerator": "enum01", "instrument": "household", "response_id": "r2", "values": {"x": {"y": 1}}}', "a dict"),
    ('["enum01", "household", "r2"]', "not an object"),
    ('{"enumerator": "enum01", "instrument": "household", "response_id": 7}', "an id that is not text"),
    ('{"enumerator": "enum01", "instrument": "household", "response_id": "r9"}', "another interview"),
    ('{"enumerator": "enum01", "instrument": "household", "response_id": "r2", "saved_at": "soon"}', "a bad time"),
    ('{"enumerator": "enum01", "instrument": "household", "response_id": "r2", "base_revision": "2"}', "bad base"),
    ('{"enumerator": "enum01", "instrument": "household", "response_id": "r2", "values": {"x": "'
     + "a" * 1_100_000 + '"}}', "too big"),
    (b"\xff\xfe{}", "not UTF-8"),
])
def test_an_unreadable_draft_is_set_aside_owner_only_and_never_raises(drafts, tmp_path, content, why):
    import stat

    drafts.save(draft("r1"))
    broken = tmp_path / "drafts" / "enum01" / "household.r2.draft.json"
    broken.write_bytes(content if isinstance(content, bytes) else content.encode())
    os.chmod(broken, 0o644)
    assert [d.response_id for d in drafts.list("enum01")] == ["r1"], why
    aside = tmp_path / "drafts_aside" / "enum01" / broken.name
    assert aside.exists() and not broken.exists()
    assert stat.S_IMODE(aside.stat().st_mode) == 0o600
    assert stat.S_IMODE(aside.parent.stat().st_mode) == stat.S_IMODE(aside.parent.parent.stat().st_mode) == 0o700
    assert drafts.load("enum01", "household", "r2") is None


def test_a_second_unreadable_draft_of_the_same_name_does_not_replace_the_first(drafts, tmp_path):
    broken = tmp_path / "drafts" / "enum01" / "household.r2.draft.json"
    broken.parent.mkdir(parents=True)
    for text in ("first", "second"):
        broken.write_text(text)
        assert drafts.load("enum01", "household", "r2") is None
    folder = tmp_path / "drafts_aside" / "enum01"
    assert sorted(p.read_text() for p in folder.iterdir()) == ["first", "second"]


def test_a_carried_location_nested_too_deep_starts_the_next_interview_empty(drafts, tmp_path):
    path = tmp_path / "drafts" / "enum01" / "household.carry.json"
    path.parent.mkdir(parents=True)
    path.write_text("[" * 100_000 + "]" * 100_000)
    assert drafts.carried("enum01", "household") == {}


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
