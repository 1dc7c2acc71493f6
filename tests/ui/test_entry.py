"""The entry page through AppTest: fill, skip logic, problems, submit once, receipt."""

import datetime as dt

import pandas as pd

from survey import ResponseStore
from tests.support.app import fill, go_to, make_unusable, open_app, submit
from tests.support.interviews import HOUSEHOLD, SMALL


def keys(at, kind):
    return {w.key for w in getattr(at, kind)}


def stored(data_dir, table):
    return ResponseStore(data_dir).read(table)


def test_household_with_four_members_lands_in_parquet(app, data_dir):
    at = fill(app, "household", HOUSEHOLD)
    assert list((data_dir / "drafts" / "enum01").glob("*.draft.json"))  # kept while in progress
    at.button(key="submit").click().run()
    assert not at.exception, at.exception
    assert [s.value for s in at.success][0].startswith("Saved. Response ID:")
    assert not list((data_dir / "drafts" / "enum01").glob("*.draft.json"))  # a submitted interview's draft goes

    df = stored(data_dir, "household")
    assert len(df) == 1
    row = df.iloc[0]
    assert row["_enumerator"] == "enum01" and row["_lang"] == "en" and row["_status"] == "submitted"
    for name, value in HOUSEHOLD.items():
        if name == "members":
            continue
        got = row[name]
        if isinstance(value, dt.date):
            got = pd.Timestamp(got).date()
        assert (list(got) if isinstance(value, list) else got) == value, name

    members = stored(data_dir, "household_members").sort_values("_member_index")
    assert list(members["_member_index"]) == [0, 1, 2, 3]
    for (_, got), want in zip(members.iterrows(), HOUSEHOLD["members"]):
        for name, value in want.items():
            assert (list(got[name]) if isinstance(value, list) else got[name]) == value, name
    assert list(members["age_group"]) == ["25-74", "25-74", "5-14", "0-4"]
    assert pd.isna(members.iloc[3]["used_internet"])  # not asked of a 3-year-old


def test_skip_logic_hides_questions_that_do_not_apply(app):
    at = fill(app, "household", {"has_internet": "no", "hh_size": 1, "members": [{"age": 3}]}, review=False)
    assert "used_internet__0" not in keys(at, "radio")
    at.number_input(key="age__0").set_value(30).run()
    assert "used_internet__0" in keys(at, "radio")
    go_to(at, "has_internet")
    assert "internet_type" not in keys(at, "multiselect")
    assert "no_internet_reason" in keys(at, "multiselect")
    at.radio(key="has_internet").set_value("yes").run()
    assert "internet_type" in keys(at, "multiselect")


def test_kelurahan_follow_the_chosen_kecamatan(app):
    at = fill(app, "household", {"kecamatan": "serengan"}, review=False)
    assert set(at.selectbox(key="kelurahan").options) == {
        "Joyotakan", "Danukusuman", "Serengan", "Tipes", "Kratonan", "Jayengan", "Kemlayan"}
    at.selectbox(key="kelurahan").set_value("tipes").run()
    at.radio(key="kecamatan").set_value("jebres").run()
    assert at.selectbox(key="kelurahan").value is None  # Tipes is not in Jebres


def test_wrong_answers_show_a_message_and_keep_the_others(app, data_dir):
    answers = {**SMALL, "phone": "0812-ABC", "members": [dict(SMALL["members"][0], age=250)]}
    at = go_to(fill(app, "household", answers, lang="id", review=False), "age__0")
    assert "Masukkan nilai dari 0 sampai 120." in [e.value for e in at.error]
    # While the age is impossible the questions that depend on it stay hidden.
    assert "used_internet__0" not in keys(at, "radio")
    go_to(at, "phone")
    assert any("angka" in e.value for e in at.error)  # the phone rule, in Bahasa Indonesia
    submit(at)
    summary = [e.value for e in at.error if "belum ada yang disimpan" in e.value]
    # the typed name is literal Markdown (ui.plain_text): its apostrophe is escaped
    assert summary and "Anggota 1: Ma\\'ruf Hidayat · Umur (tahun)" in summary[0] and "Nomor telepon" in summary[0]
    assert stored(data_dir, "household").empty
    go_to(at, "respondent_name")
    assert at.text_input(key="respondent_name").value == "Nur'aini Rahmawati"
    # Fix the two answers; the member's own questions appear and the submission goes through.
    go_to(at, "phone").text_input(key="phone").input("081234567890").run()
    go_to(at, "age__0").number_input(key="age__0").set_value(44).run()
    assert "used_internet__0" in keys(at, "radio")
    fill(at, "household", SMALL, lang="id")
    at.button(key="submit").click().run()
    assert at.success and "Tersimpan" in at.success[0].value
    assert len(stored(data_dir, "household")) == 1


def test_missing_required_answers_are_listed_after_submit(app, data_dir):
    at = submit(app)
    assert stored(data_dir, "household").empty
    assert any("nothing was saved" in e.value for e in at.error)
    go_to(at, "visit_outcome")
    assert "This question needs an answer." in [e.value for e in at.error]


def test_the_enumerator_is_the_login_not_a_typed_id(data_dir):
    at = fill(open_app(data_dir, "Enum.Two"), "household", SMALL)
    assert not [w for w in at.text_input if w.key == "enumerator"]
    at.button(key="submit").click().run()
    assert stored(data_dir, "household")["_enumerator"].tolist() == ["enum.two"]


def test_pressing_submit_twice_stores_one_response(app, data_dir):
    at = fill(app, "household", HOUSEHOLD)
    submit = at.button(key="submit")
    submit.click().run()
    first = at.success[0].value
    # A second click on the same interview (e.g. a retry after a timeout) resubmits its id.
    rid = at.session_state["_response_id_household"]
    receipt = ResponseStore(data_dir).submit("household", HOUSEHOLD, enumerator="enum01", response_id=rid)
    assert receipt.duplicate
    assert rid in first
    assert len(stored(data_dir, "household")) == 1
    assert len(stored(data_dir, "household_members")) == 4
    # The next interview gets a new id.
    at.button(key="new_interview").click().run()
    assert at.session_state["_response_id_household"] != rid
    assert go_to(at, "hh_size").number_input(key="hh_size").value is None


def test_language_switch_translates_the_form(app):
    at = app
    at.radio(key="lang").set_value("id").run()
    assert at.radio(key="visit_outcome").label.startswith("Hasil kunjungan")
    assert "Bagian 1 dari" in at.get("progress")[0].proto.text
    assert at.header[0].value.startswith("Survei Rumah Tangga")
    at.radio(key="lang").set_value("en").run()
    assert at.header[0].value.startswith("Household survey")


def test_civil_servant_and_agency_forms_submit(app, data_dir):
    from survey.simulate import generate

    for instrument in ("civil_servant", "agency"):
        answers = generate(instrument, n=1, seed=7)[0]
        at = fill(app, instrument, answers)
        at.button(key="submit").click().run()
        assert not at.exception, at.exception
        assert at.success, [e.value for e in at.error]
        assert len(stored(data_dir, instrument)) == 1
        at.button(key="new_interview").click().run()


def test_answers_survive_hiding_and_switching_questionnaires(app):
    at = fill(app, "household", {"has_internet": "yes", "internet_type": ["satellite"], "respondent_name": "Sri"},
              review=False)
    at.radio(key="has_internet").set_value("no").run()
    assert "internet_type" not in keys(at, "multiselect")
    at.radio(key="has_internet").set_value("yes").run()
    assert at.multiselect(key="internet_type").value == ["satellite"]
    at.selectbox(key="instrument").set_value("agency").run()
    at = go_to(at, "has_internet")
    assert at.radio(key="has_internet").value is None  # same name, other questionnaire: no leak
    at.radio(key="has_internet").set_value("no").run()
    at.selectbox(key="instrument").set_value("household").run()
    assert at.radio(key="has_internet").value == "yes"  # back on the step it was left at
    assert at.multiselect(key="internet_type").value == ["satellite"]
    assert go_to(at, "respondent_name").text_input(key="respondent_name").value == "Sri"


def test_questions_behind_a_hidden_answer_hide_too(app):
    member = {"age": 30, "used_internet": "yes"}
    at = fill(app, "household", {"hh_size": 1, "members": [member]}, review=False)
    assert "internet_location__0" in keys(at, "multiselect")
    at.number_input(key="age__0").set_value(3).run()
    assert "used_internet__0" not in keys(at, "radio")
    assert "internet_location__0" not in keys(at, "multiselect")  # its trigger is hidden


def test_the_submit_summary_follows_the_language(app):
    at = submit(app)
    assert any("nothing was saved" in e.value for e in at.error)
    at.radio(key="lang").set_value("id").run()
    assert any("belum ada yang disimpan" in e.value for e in at.error)
    assert not any("nothing was saved" in e.value for e in at.error)


def test_a_questionnaire_the_store_cannot_use_is_left_out_with_the_reason(data_dir, monkeypatch):
    make_unusable(monkeypatch, "agency", "staff_total")
    at = open_app(data_dir, "enum01")
    assert not at.exception
    warning = " ".join(w.value for w in at.warning)
    assert "agency" in warning and "staff_total" in warning
    from survey import load_instrument
    titles = [load_instrument(name).title["en"] for name in ("household", "civil_servant", "agency")]
    assert at.selectbox(key="instrument").options == titles[:2]
    fill(at, "household", SMALL)
    submit(at)
    assert len(stored(data_dir, "household")) == 1


def test_questionnaires_of_the_stores_own_folder_are_offered_and_switch_without_a_leak(data_dir, tmp_path, monkeypatch):
    folder = tmp_path / "instruments"   # not survey/instruments: two questionnaires asking the same question
    folder.mkdir()
    for name, title in (("pilot_a", "Pilot A"), ("pilot_b", "Pilot B")):
        (folder / f"{name}.yaml").write_text(
            f"id: {name}\nversion: 1\ntitle: {{id: {title}, en: {title}}}\nquestions:\n"
            "  - {name: staff, type: integer, label: {id: Staf, en: Staff}}\n", encoding="utf-8")
    monkeypatch.setattr("ui.store._store", lambda root: ResponseStore(root, instruments_dir=folder))
    at = open_app(data_dir, "enum01")
    assert at.selectbox(key="instrument").options == ["Pilot A", "Pilot B"]
    at = go_to(at, "staff")
    at.number_input(key="staff").set_value(7).run()
    at.selectbox(key="instrument").set_value("pilot_b").run()
    assert not at.exception
    assert go_to(at, "staff").number_input(key="staff").value is None  # same name, other questionnaire: no leak
    at.selectbox(key="instrument").set_value("pilot_a").run()
    assert go_to(at, "staff").number_input(key="staff").value == 7
