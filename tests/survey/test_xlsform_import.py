"""python -m survey.xlsform import: an XLSForm (ODK/Kobo) becomes our questionnaire, every feature
left out listed with the row the spreadsheet shows (the header is row 1)."""

from __future__ import annotations

import openpyxl
import pytest
from pyxform.xls2xform import convert

from analysis.export.xlsform.xlsform import xlsform
from survey.command_line import CommandError
from survey.locale import LANGUAGES
from survey.questionnaire.model import STUDY_INSTRUMENTS, load_instrument
from survey.questionnaire.validate import validate
from survey.xlsform import import_xlsform
from survey.xlsform.xlsform_cli import main
from survey.xlsform.xpath import Untranslatable, translate


def _write(path, sheets: dict[str, list[list]]):
    book = openpyxl.Workbook()
    book.remove(book.active)
    for name, rows in sheets.items():
        sheet = book.create_sheet(name)
        for row in rows:
            sheet.append(row)
    book.save(path)
    return path


@pytest.mark.parametrize("name", STUDY_INSTRUMENTS)
def test_our_export_imported_back_is_the_same_questionnaire(tmp_path, name):
    inst = load_instrument(name)
    form = tmp_path / "form.xlsx"
    form.write_bytes(xlsform(inst, user="t", audit=None))
    imported = import_xlsform(form)
    assert imported.unsupported == []
    back = imported.instrument()
    assert (back.id, back.version, back.title["id"]) == (inst.id, inst.version, inst.title["id"])
    assert [q.name for q in back.all_questions()] == [q.name for q in inst.all_questions()]
    for mine, theirs in zip(inst.all_questions(), back.all_questions()):
        # every field: type, labels, hints, choices and filters, relevant, constraint and its message,
        # min/max, calculation, choice_filter, repeat_count, end_if, identifying, pii, section, defaults
        assert theirs == mine, mine.name


SURVEY = [
    ["type", "name", "label::English (en)", "label::Indonesian (id)", "label::French (fr)", "hint::English (en)",
     "required", "relevant", "constraint", "constraint_message::English (en)", "constraint_message::Indonesian (id)",
     "calculation", "choice_filter", "repeat_count", "appearance", "default", "guidance_hint"],
    ["start", "start"],                                                                           # 2
    ["begin_group", "hh", "Household", "Rumah tangga", None, None, None, "${consent} = 'yes'"],    # 3
    ["integer", "Age", "Age", "Umur", "Âge", "In years", "yes", None, ". >= 0 and . <= 120",
     "0 to 120", "0 sampai 120"],                                                                 # 4
    ["select_one yes_no", "adult_q", "Votes?", "Memilih?", None, None, None, "${Age} >= 18"],     # 5
    ["select_multiple media", "media", "Media", "Media", None, None, None, None, "count-selected(.) <= 2",
     "Two at most", "Paling banyak dua", None, None, None, "minimal"],                            # 6
    ["image", "photo", "Photo", "Foto"],                                                          # 7
    ["end_group"],                                                                                # 8
    ["text", "phone", "Phone", "Telepon", None, None, None, "../Age > 3",
     "regex(., '^0[0-9]{9,12}$') and string-length(.) < 14", "A phone number", "Nomor telepon"],  # 9
    ["calculate", "stamp", None, None, None, None, None, None, None, None, None, "once(today())"],  # 10
    ["select_one yes_no or_other", "other_q", "Other", "Lain"],                                   # 11
    ["date", "visit_date", "Date", "Tanggal", None, None, None, None, ". <= today()", "Not later than today",
     "Tidak setelah hari ini", None, None, None, None, "today()"],                                # 12
    ["select_one state", "state", "State", "Provinsi"],                                           # 13
    ["select_one city", "city", "City", "Kota", None, None, None, None, None, None, None, None,
     "state = ${state}"],                                                                         # 14
    ["integer", "n", "Members", "Anggota", None, None, None, None, None, None, None, None, None, None, None, None,
     "Ask everyone"],                                                                             # 15
    ["begin_repeat", "member", "Member", "Anggota", None, None, None, None, None, None, None, None, None, "${n}"],  # 16
    ["text", "member_name", "Name", "Nama"],                                                      # 17
    ["begin_repeat", "child", "Child", "Anak"],                                                   # 18
    ["text", "child_name", "Child's name", "Nama anak"],                                          # 19
    ["end_repeat"],                                                                               # 20
    ["end_repeat"],                                                                               # 21
    ["select_one yes_no", "consent", "Consent?", "Setuju?"],                                      # 22
    ["text", "caption", "Caption", "Keterangan", None, None, None, "${photo} != ''"],             # 23
    ["calculate", "has_photo", None, None, None, None, None, None, None, None, None, "${photo} != ''"],  # 24
]
CHOICES = [
    ["list_name", "name", "label::English (en)", "label::Indonesian (id)", "state", "image"],
    ["yes_no", "yes", "Yes", "Ya"],
    ["yes_no", "no", "No", "Tidak"],
    ["media", "radio", "Radio", "Radio"],
    ["media", "tv", "TV", "TV", None, "tv.png"],                                                  # 5
    ["media", "tv", "Television", "Televisi"],                                                    # 6
    ["state", "jateng", "Central Java", "Jawa Tengah"],
    ["state", "diy", "Yogyakarta", "Yogyakarta"],
    ["city", "solo", "Surakarta", "Surakarta", "jateng"],
    ["city", "yogya", "Yogyakarta", "Yogyakarta", "diy"],
]
SETTINGS = [["form_title", "form_id", "version", "instance_name", "allow_choice_duplicates"],
            ["Test form", "Test-Form", "2024031501", "x", "yes"]]


def test_a_hand_written_form_comes_with_every_left_out_feature_at_its_row(tmp_path):
    form = _write(tmp_path / "hand.xlsx", {"survey": SURVEY, "choices": CHOICES, "settings": SETTINGS})
    convert(str(form), validate=False)  # a form pyxform (ODK, Kobo) takes as it is
    imported = import_xlsform(form)
    assert [(f.sheet, f.row, f.column) for f in imported.unsupported] == [
        ("settings", 2, "instance_name"),
        ("settings", 2, "allow_choice_duplicates"),
        ("survey", 1, "label::French (fr)"),
        ("survey", 2, "type"),               # start: ODK's own metadata
        ("survey", 6, "appearance"),         # minimal
        ("survey", 7, "type"),               # image
        ("survey", 9, "relevant"),           # ../Age: an XPath path
        ("survey", 10, "calculation"),       # once()
        ("survey", 11, "type"),              # or_other
        ("survey", 15, "guidance_hint"),
        ("survey", 18, "type"),              # a repeat inside a repeat
        ("survey", 23, "relevant"),          # names the image left out
        ("survey", 24, "calculation"),       # so does this calculate: left out with it
        ("choices", 5, "image"),
        ("choices", 6, "name"),              # tv twice
    ]
    messages = {(f.sheet, f.row): f.message for f in imported.unsupported}
    assert "'../Age > 3'" in messages[("survey", 9)] and "once" in messages[("survey", 10)]
    assert "child_name" in messages[("survey", 18)]
    assert any("'Age' is named 'age'" in f.message for f in imported.findings if f.row == 4)
    inst = imported.instrument()
    assert (inst.id, inst.version) == ("test_form", 2024031501)
    assert [q.name for q in inst.all_questions()] == [
        "age", "adult_q", "media", "phone", "visit_date", "state", "city", "n", "member", "member_name", "consent",
        "caption"]
    age = inst.question("age")
    assert dict(age.label) == {"id": "Umur", "en": "Age"} and dict(age.section) == {"id": "Rumah tangga", "en": "Household"}
    assert age.hint["id"] == "In years"  # no Indonesian hint: the English one, listed to translate
    assert ("survey", 4) in {(f.sheet, f.row) for f in imported.findings if f.column == "hint"}
    # a group's relevance joins its questions', names renamed in every expression
    assert age.relevant.text == "(${consent} = 'yes')"
    assert inst.question("adult_q").relevant.text == "(${consent} = 'yes') and (${age} >= 18)"
    assert age.constraint.text == ". >= 0 and . <= 120" and age.min is None  # its own message: kept as a rule
    assert inst.question("phone").relevant is None
    assert inst.question("visit_date").default == "today()"
    assert inst.question("city").choice_filter.text == "state = ${state}"
    assert inst.question("member").repeat_count.text == "${n}"
    assert [c.name for c in inst.question("media").choice_options] == ["radio", "tv"]
    # the rules mean what they meant in ODK
    base = {"consent": "yes", "age": 30, "adult_q": "yes", "media": ["radio", "tv"], "phone": "0812345678",
            "visit_date": "2024-01-01", "state": "jateng", "city": "solo", "n": 1, "member": [{"member_name": "Sri"}]}
    assert validate(inst, base) == []
    wrong = {**base, "age": 130, "phone": "12345", "city": "yogya", "visit_date": "2999-01-01"}
    assert {p.field for p in validate(inst, wrong)} >= {"age", "phone", "city", "visit_date"}


def test_a_form_in_one_language_gets_its_text_in_both_with_a_warning(tmp_path):
    form = _write(tmp_path / "one.xlsx", {
        "survey": [["type", "name", "label", "hint"], ["text", "name", "Your name", "As on the KTP"]],
        "settings": [["form_title", "form_id"], ["One", "one"]],
    })
    imported = import_xlsform(form)
    assert imported.unsupported == []
    assert any(f.kind == "warning" and "translate" in f.message for f in imported.findings)
    q = imported.instrument().question("name")
    assert {lang: q.label[lang] for lang in LANGUAGES} == {"id": "Your name", "en": "Your name"}
    assert q.hint["id"] == "As on the KTP"


def test_labels_by_language_name_or_code(tmp_path):
    form = _write(tmp_path / "names.xlsx", {
        "survey": [["type", "name", "label::Bahasa Indonesia (id)", "label::English"],
                   ["integer", "age", "Umur", "Age"]],
        "settings": [["form_id"], ["names"]],
    })
    q = import_xlsform(form).instrument().question("age")
    assert dict(q.label) == {"id": "Umur", "en": "Age"}


@pytest.mark.parametrize("odk, ours", [
    ("${HH-size} >= 18", "${hh_size} >= 18"),
    ("selected(${x}, 'a') and not(${x} = '')", "selected(${x}, 'a') and not(${x} = '')"),
    ("count-selected(.) <= 3 or string-length(.) > 2", "count-selected(.) <= 3 or string-length(.) > 2"),
    ("regex(., '^[0-9]+$') and . <= today()", "regex(., '^[0-9]+$') and . <= today()"),
])
def test_expressions_are_translated(odk, ours):
    assert translate(odk, {"HH-size": "hh_size", "x": "x"}) == ours


@pytest.mark.parametrize("odk", ["../age > 3", "/data/age > 1", "jr:choice-name(${x}, '${x}')", "now()",
                                 "${last-saved#x} = 1", "age > 3", "${missing} = 1", "${x} ="])
def test_what_has_no_counterpart_is_refused(odk):
    with pytest.raises(Untranslatable):
        translate(odk, {"x": "x"})


def test_the_command_writes_a_questionnaire_that_loads_and_keeps_an_existing_one(tmp_path, capsys):
    form = _write(tmp_path / "hand.xlsx", {"survey": SURVEY, "choices": CHOICES, "settings": SETTINGS})
    out = tmp_path / "instruments"
    assert main(["import", str(form), "--id", "hand", "--out", str(out)]) == 0
    printed = capsys.readouterr().out
    assert "unsupported: survey row 7, column 'type'" in printed
    inst = load_instrument("hand", directory=out)
    assert inst.question("age").label["en"] == "Age"
    assert "# unsupported: survey row 7" in (out / "hand.yaml").read_text()
    with pytest.raises(CommandError, match="exists"):
        main(["import", str(form), "--id", "hand", "--out", str(out)])


def test_plain_label_columns_are_the_default_language_and_a_name_twice_is_listed(tmp_path):
    form = _write(tmp_path / "plain.xlsx", {
        "survey": [["type", "name", "label", "label::English (en)", "relevant"],
                   ["begin group", "g", "Kelompok", "Group"],
                   ["integer", "age", "Umur", "Age"],
                   ["text", "age", "Umur lagi", "Age again"],
                   ["end group"],
                   ["note", "bye", "Terima kasih\nbanyak", "Thank you", "${age} > 1\nand ${age} < 3 or"]],
        "settings": [["form_id", "default_language"], ["plain", "Bahasa Indonesia (id)"]],
    })
    imported = import_xlsform(form)
    assert [(f.row, f.column) for f in imported.unsupported] == [(4, "name"), (6, "relevant")]
    inst = imported.instrument()
    assert dict(inst.question("age").label) == {"id": "Umur", "en": "Age"}
    assert dict(inst.question("age").section) == {"id": "Kelompok", "en": "Group"}
    assert inst.question("age").type == "integer" and inst.question("bye").relevant is None
    assert all(line.startswith("#") or not line.startswith(" #") for line in imported.yaml_text("p.xlsx").splitlines())
