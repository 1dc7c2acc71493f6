"""python -m survey.odk import: ODK Central and Kobo exports into the store, once; failures to the inbox."""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
import uuid
import zipfile

import openpyxl
import pytest

from analysis.export.xlsform.xlsform import sheets
from survey import ResponseStore
from survey.fieldwork.accounts import Accounts
from survey.odk.__main__ import main
from survey.odk.export_import import import_export
from survey.odk.inbox import Inbox
from survey.odk.instance import response_id_for
from survey.questionnaire.model import load_instrument
from survey.simulate import generate

CENTRAL_TAIL = ["SubmitterID", "SubmitterName", "AttachmentsPresent", "AttachmentsExpected", "Status", "ReviewState",
                "DeviceID", "Edits", "FormVersion"]


def _groups(inst) -> dict[str, list[str]]:
    """Each question's group path in our XLSForm export (within its repeat for a repeat's questions)."""
    survey = sheets(inst)["survey"]
    header, stack, paths = survey[0], [], {}
    for row in survey[1:]:
        cells = dict(zip(header, row))
        kind = cells["type"]
        if kind in ("begin_group", "begin_repeat"):
            paths[cells["name"]] = list(stack)
            stack = [] if kind == "begin_repeat" else stack + [cells["name"]]
            if kind == "begin_repeat":
                saved = paths[cells["name"]]
        elif kind == "end_group":
            stack.pop()
        elif kind == "end_repeat":
            stack = saved
        else:
            paths[cells["name"]] = list(stack)
    return paths


def _cells(inst, questions, answers: dict, path, sep: str, kobo: bool) -> dict[str, object]:
    row: dict[str, object] = {}
    for q in questions:
        if not q.stores_answer or q.kind.computed:
            continue
        header = sep.join(path(q.name) + [q.name])
        value = answers.get(q.name)
        if q.type == "geopoint":
            lat, lon = value.split()[:2] if value else ("", "")
            if kobo:
                row[header] = f"{lat} {lon} 0 0" if value else None
                for part, v in (("latitude", lat), ("longitude", lon), ("altitude", "0"), ("precision", "0")):
                    row[f"_{q.name}_{part}"] = v if value else None
            else:
                for part, v in (("Latitude", lat), ("Longitude", lon), ("Altitude", ""), ("Accuracy", "")):
                    row[f"{header}-{part}"] = v
            continue
        if isinstance(value, list):
            row[header] = " ".join(value)
            if kobo:  # Kobo adds a 0/1 column per choice
                for c in q.choice_options:
                    row[f"{header}/{c.name}"] = int(c.name in value)
        elif isinstance(value, dt.date):
            row[header] = dt.datetime(value.year, value.month, value.day) if kobo else value.isoformat()
        else:
            row[header] = value
    return row


def _csv(rows: list[dict]) -> bytes:
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=list(rows[0]), lineterminator="\n")
    writer.writeheader()
    writer.writerows({k: ("" if v is None else v) for k, v in r.items()} for r in rows)
    return out.getvalue().encode("utf-8")


def central_zip(path, inst, submissions, groups=True):
    """An ODK Central "All data and media" export: <form>.csv and <form>-<repeat>.csv, as Central writes them."""
    paths = _groups(inst)
    path_of = (lambda name: paths.get(name, [])) if groups else (lambda name: [])
    main_rows, member_rows = [], []
    for iid, submitter, answers in submissions:
        row = {"SubmissionDate": "2024-07-01T03:04:05.123Z",
               **_cells(inst, inst.questions, answers, path_of, "-", kobo=False),
               "meta-instanceID": iid, "KEY": iid}
        row.update(dict.fromkeys(CENTRAL_TAIL, ""), SubmitterID="7", SubmitterName=submitter, Status="",
                   ReviewState="", FormVersion=str(inst.version))
        main_rows.append(row)
        for i, member in enumerate(answers.get("members", []), start=1):
            cells = _cells(inst, inst.question("members").questions, member, path_of, "-", kobo=False)
            member_rows.append({**cells, "PARENT_KEY": iid, "KEY": f"{iid}/members[{i}]"})
    with zipfile.ZipFile(path, "w") as archive:
        archive.writestr(f"{inst.id}.csv", _csv(main_rows))
        archive.writestr(f"{inst.id}-members.csv", _csv(member_rows))
        archive.writestr("media/.keep", b"")
    return path


def kobo_xlsx(path, inst, submissions):
    """A KoboToolbox XLSX export: the submissions, then a sheet per repeat linked by _parent_index."""
    paths = _groups(inst)
    main_rows, member_rows = [], []
    for index, (iid, submitter, answers) in enumerate(submissions, start=1):
        bare = iid.removeprefix("uuid:") if iid else None
        main_rows.append({"start": "2024-07-01T09:00:00.000+07:00",
                          **_cells(inst, inst.questions, answers, lambda n: paths.get(n, []), "/", kobo=True),
                          "meta/instanceID": iid, "_id": 1000 + index, "_uuid": bare,
                          "_submission_time": "2024-07-01T03:04:05", "_validation_status": None, "_notes": None,
                          "_status": "submitted_via_web", "_submitted_by": submitter, "__version__": "vX",
                          "_tags": None, "_index": index})
        for member in answers.get("members", []):
            cells = _cells(inst, inst.question("members").questions, member,
                           lambda n: paths.get("members", []) + ["members"], "/", kobo=True)
            member_rows.append({**cells, "_index": len(member_rows) + 1, "_parent_table_name": inst.id,
                                "_parent_index": index, "_submission__id": 1000 + index, "_submission__uuid": bare})
    book = openpyxl.Workbook()
    book.remove(book.active)
    for title, rows in ((inst.id, main_rows), ("members", member_rows)):
        ws = book.create_sheet(title)
        columns = list(dict.fromkeys(k for r in rows for k in r))
        ws.append(columns)
        for r in rows:
            ws.append([r.get(c) for c in columns])
    book.save(path)
    return path


@pytest.fixture(scope="module")
def household():
    return load_instrument("household")


def _submissions(n=4, seed=3):
    answers = generate("household", n=n, seed=seed)
    return [(f"uuid:{uuid.UUID(int=i + 1)}", "enum07" if i == 0 else "Phone of Sri", a) for i, a in enumerate(answers)]


def _bad(submissions):
    """A member aged 200 (out of range) and a row without an instance id."""
    iid, who, answers = submissions[1]
    members = [dict(m) for m in answers["members"]]
    members[0]["age"] = 200
    bad = (iid, who, {**answers, "members": members})
    return [submissions[0], bad, *submissions[2:], ("", "enum07", submissions[2][2])]


def _check_stored(root, submissions, added):
    store = ResponseStore(root)
    df = store.read("household").set_index("_response_id")
    members = store.read("household_members")
    for iid, who, answers in submissions[:added]:
        if iid and response_id_for(iid) in df.index:
            row = df.loc[response_id_for(iid)]
            assert row["kecamatan"] == answers["kecamatan"]
            if "gps" in answers:  # a geopoint from Central's four columns or Kobo's one
                assert row["gps"].split()[:2] == answers["gps"].split()  # altitude and accuracy kept when given
            assert str(row["interview_date"])[:10] == answers["interview_date"].isoformat()
            if "internet_type" in answers:
                assert list(row["internet_type"]) == answers["internet_type"]
            mine = members[members["_response_id"] == response_id_for(iid)].sort_values("_member_index")
            assert list(mine["member_name"]) == [m["member_name"] for m in answers["members"]]
            # an empty select_multiple is an empty cell in ODK, as an unanswered one
            assert [list(v) if v is not None and len(v) else None for v in mine["internet_activities"]] == [
                m.get("internet_activities") or None for m in answers["members"]]
    return df


@pytest.fixture
def account(tmp_path):
    Accounts(tmp_path).add("enum07", "enumerator", "a-long-password-1")
    return tmp_path


@pytest.mark.parametrize("groups", [True, False], ids=["group names", "no group names"])
def test_an_odk_central_export_is_imported_once(account, household, groups):
    root = account
    submissions = _bad(_submissions())
    export = central_zip(root / "household.csv.zip", household, submissions, groups=groups)
    first = import_export(root, household, export)
    assert first.as_dict() == {"added": 3, "present": 0, "inbox": 2}
    df = _check_stored(root, submissions, 4)
    assert len(df) == 3
    assert df.loc[response_id_for(submissions[0][0]), "_enumerator"] == "enum07"  # an account of ours
    assert df.loc[response_id_for(submissions[2][0]), "_enumerator"] == "import"  # a name we do not know
    waiting = Inbox(root).list()
    reasons = " | ".join(e["reason"] for e in waiting)
    assert "age" in reasons and "range" in reasons and "no instance id" in reasons
    body = json.loads(Inbox(root).body(next(e["id"] for e in waiting if "age" in e["reason"])))
    assert body["row"]["KEY"] == submissions[1][0] and len(body["repeats"]["members"]) == len(submissions[1][2]["members"])
    again = import_export(root, household, export)
    assert again.as_dict() == {"added": 0, "present": 5, "inbox": 0}
    assert len(ResponseStore(root).read("household")) == 3 and len(Inbox(root).list()) == 2


def test_a_kobo_xlsx_export_is_imported_once(account, household):
    root = account
    submissions = _bad(_submissions(seed=5))
    export = kobo_xlsx(root / "household.xlsx", household, submissions)
    assert import_export(root, household, export).as_dict() == {"added": 3, "present": 0, "inbox": 2}
    _check_stored(root, submissions, 4)
    assert import_export(root, household, export).as_dict() == {"added": 0, "present": 5, "inbox": 0}


def test_the_command_prints_the_summary_as_json(account, household, capsys):
    root = account
    export = kobo_xlsx(root / "household.xlsx", household, _submissions(n=2))
    argv = ["import", str(export), "--instrument", "household", "--data", str(root), "--format", "json"]
    assert main(argv) == 0
    assert json.loads(capsys.readouterr().out) == {"added": 2, "present": 0, "inbox": 0}
    assert main(argv) == 0
    assert json.loads(capsys.readouterr().out) == {"added": 0, "present": 2, "inbox": 0}


def test_a_kobo_csv_export_with_semicolons_and_labels_is_read(account, household):
    """Kobo's CSV (';' separated, no repeats), exported with labels instead of names for a choice."""
    root = account
    inst = load_instrument("agency")
    answers = generate("agency", n=2, seed=4)
    paths = _groups(inst)
    rows = []
    for i, a in enumerate(answers, start=1):
        cells = _cells(inst, inst.questions, a, lambda n: paths.get(n, []), "/", kobo=True)
        bare = "kobo-1" if i == 1 else "ABCDEF01-0000-4000-8000-000000000002"  # Kobo's _uuid, no 'uuid:'
        rows.append({**cells, "_uuid": bare, "_submitted_by": "enum07", "_index": i, "Status": "x"})
    header, q = next((h, q) for q in inst.questions for h in rows[0]
                     if q.kind.choices == "one" and h.split("/")[-1] == q.name and rows[0][h])
    rows[0][header] = q.choices[rows[0][header]]["en"]  # a label where the name belongs
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=list(dict.fromkeys(k for r in rows for k in r)), delimiter=";")
    writer.writeheader()
    writer.writerows({k: "" if v is None else v for k, v in r.items()} for r in rows)
    export = root / "agency.csv"
    export.write_text(out.getvalue(), encoding="utf-8")
    assert import_export(root, inst, export).as_dict() == {"added": 2, "present": 0, "inbox": 0}
    df = ResponseStore(root).read("agency").set_index("_response_id")
    assert df.loc["kobo-1", q.name] == answers[0][q.name]
    # the id a phone's submission of that instance gets (uuid:ABCDEF01-...): one response, however it came
    assert response_id_for("uuid:ABCDEF01-0000-4000-8000-000000000002") in df.index
    assert set(df["_enumerator"]) == {"enum07"}
