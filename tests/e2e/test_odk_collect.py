"""A scripted ODK Collect against `streamlit run app.py`: the OpenRosa conversation on the app's own port.

httpx walks what Collect does (form list -> form download -> HEAD -> POST, asking for the
password only after a 401), with instances written as Collect writes them
(tests/support/odk.py): new, resent, edited, invalid, truncated, of a wrong form or an unknown
version, an XML bomb, a huge body; and the lockout the login page shares. Afterwards the
store, the inbox (and its command) and the audit log say what happened.
"""

from __future__ import annotations

import base64
import hashlib
import json
import re
import socket
import subprocess
import sys
import uuid
from xml.etree import ElementTree as ET

import httpx
import pytest

from survey import ResponseStore
from survey.fieldwork.accounts import Accounts
from survey.fieldwork.audit_log import AuditLog
from survey.odk.inbox import Inbox
from survey.simulate import generate
from tests.support.browser import ROOT, Server
from tests.support.odk import instance, multipart

PASSWORD = "Kampung-offline-2026"
FORMS = "{http://openrosa.org/xforms/xformsList}"


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    data = tmp_path_factory.mktemp("odk-data")
    accounts = Accounts(data)
    for name, role in [("enum01", "enumerator"), ("super1", "supervisor"), ("enum02", "enumerator")]:
        accounts.add(name, role, PASSWORD)
    srv = Server(data, tmp_path_factory.mktemp("odk-log") / "server.log")
    srv.start()
    yield srv
    srv.stop()


@pytest.fixture(scope="module")
def collect(server):
    with httpx.Client(base_url=server.url + "/odk", timeout=30, headers={"Accept-Language": "en"}) as client:
        yield client


AUTH = ("enum01", PASSWORD)


def _form(collect, form_id: str) -> bytes:
    return collect.get(f"/forms/{form_id}.xml", auth=AUTH).content


def _post(collect, body: bytes, auth=AUTH, attachments=None) -> httpx.Response:
    return collect.post("/submission", auth=auth, **multipart(body, attachments))


def _household(seed: int) -> dict:
    answers = generate("household", n=1, seed=seed)[0]
    assert answers["members"], "a household with a roster"
    return answers


def test_collect_asks_for_the_password_only_after_a_basic_challenge(collect, server):
    for method, path in [("GET", "/formList"), ("HEAD", "/submission"), ("GET", "/forms/household.xml")]:
        answer = collect.request(method, path)
        assert answer.status_code == 401
        assert answer.headers["WWW-Authenticate"].startswith("Basic ")
        assert answer.headers["X-OpenRosa-Version"] == "1.0"
    denied = [e for e in AuditLog(server.data).entries() if e["action"] == "odk_request"]
    assert denied and denied[0]["outcome"] == "denied"


def test_form_list_download_and_head(collect):
    answer = collect.get("/formList", auth=AUTH)
    assert answer.status_code == 200 and answer.headers["X-OpenRosa-Version"] == "1.0"
    forms = ET.fromstring(answer.content).findall(f"{FORMS}xform")
    assert {f.findtext(f"{FORMS}formID") for f in forms} == {"household", "civil_servant", "agency"}
    for f in forms:
        url = f.findtext(f"{FORMS}downloadUrl")
        assert url == f"{collect.base_url}/forms/{f.findtext(f'{FORMS}formID')}.xml".replace("//forms", "/forms")
        xform = collect.get(url, auth=AUTH)
        assert xform.status_code == 200
        assert f.findtext(f"{FORMS}hash") == "md5:" + hashlib.md5(xform.content).hexdigest()
        assert f'version="{f.findtext(f"{FORMS}version")}"' in xform.text
    head = collect.head("/submission", auth=AUTH)
    assert head.status_code == 204
    assert int(head.headers["X-OpenRosa-Accept-Content-Length"]) == 10 * 1024 * 1024
    assert collect.get("/forms/nosuch.xml", auth=AUTH).status_code == 404


def test_new_resent_and_edited_submissions(collect, server):
    form = _form(collect, "household")
    answers = _household(seed=11)
    first = f"uuid:{uuid.uuid4()}"
    body = instance(form, answers, first)
    photo = b"\xff\xd8\xff JPEG bytes"
    answer = _post(collect, body, attachments={"door.jpg": photo})
    assert answer.status_code == 201, answer.text
    assert 'nature="submit_success"' in answer.text
    rid = first.removeprefix("uuid:")
    store = ResponseStore(server.data)
    rows = store.read("household")
    row = rows[rows["_response_id"] == rid]
    assert len(row) == 1 and row["_enumerator"].item() == "enum01"
    members = store.read("household_members")
    assert (members["_response_id"] == rid).sum() == len(answers["members"])
    assert (server.data / "odk" / "attachments" / "household" / rid / "door.jpg").read_bytes() == photo

    # Collect retries (a lost answer, a second tap): stored once, still 201
    assert _post(collect, body).status_code == 201
    assert (store.read("household")["_response_id"] == rid).sum() == 1

    # an edit in Collect: a new instanceID, the old one as deprecatedID -> revision 2 of the same response
    edited = {**answers, "comments": "diperbaiki di lapangan"}
    second = f"uuid:{uuid.uuid4()}"
    edit = instance(form, edited, second, deprecated_id=first)
    assert _post(collect, edit).status_code == 201
    assert _post(collect, edit).status_code == 201  # resent edit: no third revision
    history = store.history("household", rid)
    assert history["_revision"].tolist() == [1, 2]
    assert history["comments"].tolist()[-1] == "diperbaiki di lapangan"


def test_a_supervisor_submits_under_their_own_name(collect, server):
    form = _form(collect, "agency")
    rid = str(uuid.uuid4())
    answer = _post(collect, instance(form, generate("agency", n=1, seed=4)[0], f"uuid:{rid}"),
                   auth=("super1", PASSWORD))
    assert answer.status_code == 201, answer.text
    rows = ResponseStore(server.data).read("agency")
    assert rows.loc[rows["_response_id"] == rid, "_enumerator"].item() == "super1"


def test_invalid_is_kept_for_review_once_and_listed_by_the_command(collect, server):
    form = _form(collect, "household")
    answers = _household(seed=12)
    answers["members"][0]["age"] = 250  # ODK's form would stop this; a changed constraint may not
    iid = f"uuid:{uuid.uuid4()}"
    body = instance(form, answers, iid)
    for _ in range(2):  # the resend adds no second entry
        answer = _post(collect, body)
        assert answer.status_code == 202
        assert "kept for review" in answer.text
    kept = [e for e in Inbox(server.data).entries() if e["instance_id"] == iid]
    assert len(kept) == 1 and kept[0]["enumerator"] == "enum01" and "age" in kept[0]["reason"]
    assert Inbox(server.data).body(kept[0]["id"]) == body
    assert not (ResponseStore(server.data).read("household")["_response_id"] == iid[5:]).any()
    listed = subprocess.run([sys.executable, "-m", "survey.odk", "inbox", "--data", str(server.data),
                             "--format", "json"], cwd=ROOT, capture_output=True, text=True, check=True)
    entries = {e["id"]: e for e in json.loads(listed.stdout)}
    assert set(entries[kept[0]["id"]]) == {"id", "instrument", "received_at", "enumerator", "reason"}
    assert entries[kept[0]["id"]]["instrument"] == "household"


def _inbox_size(server) -> int:
    return len(Inbox(server.data).list())


def test_hostile_and_broken_bodies_are_refused_and_kept(collect, server):
    form = _form(collect, "household")
    good = instance(form, _household(seed=13), f"uuid:{uuid.uuid4()}")
    before = _inbox_size(server)
    truncated = _post(collect, good[: len(good) // 2])
    assert truncated.status_code == 400
    wrong_form = _post(collect, good.replace(b'id="household"', b'id="no_such_form"'))
    assert wrong_form.status_code == 400
    unknown_version = instance(form, _household(seed=14), f"uuid:{uuid.uuid4()}", version="99")
    assert _post(collect, unknown_version).status_code == 202
    bomb = (b'<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol "lol">'
            + b"".join(b'<!ENTITY lol%d "%s">' % (i, (b"&lol%d;" % (i - 1) if i else b"&lol;") * 10) for i in range(1, 10))
            + b']><data id="household" version="2"><comments>&lol9;</comments></data>')
    assert _post(collect, bomb).status_code == 400
    external = b'<?xml version="1.0"?><!DOCTYPE d [<!ENTITY x SYSTEM "file:///etc/passwd">]><data id="household">&x;</data>'
    assert _post(collect, external).status_code == 400
    not_multipart = collect.post("/submission", auth=AUTH, content=b"just bytes",
                                 headers={"Content-Type": "application/octet-stream"})
    assert not_multipart.status_code == 400
    assert _inbox_size(server) == before + 6  # nothing is lost
    reasons = " | ".join(e["reason"] for e in Inbox(server.data).list())
    assert "no_such_form" in reasons and "'99'" in reasons and "DTD" in reasons


def test_a_huge_body_is_refused_from_its_headers(collect, server):
    token = base64.b64encode(f"enum01:{PASSWORD}".encode()).decode()
    host, port = "127.0.0.1", server.port
    with socket.create_connection((host, port), timeout=30) as sock:
        sock.sendall((f"POST /odk/submission HTTP/1.1\r\nHost: {host}:{port}\r\nAuthorization: Basic {token}\r\n"
                      "Content-Type: multipart/form-data; boundary=b\r\nContent-Length: 524288000\r\n\r\n").encode())
        status = sock.recv(4096).split(b"\r\n", 1)[0]  # answered without a byte of the 500 MB body sent
    assert b" 413 " in status


def test_wrong_passwords_lock_the_name_as_on_the_login_page(collect, server):
    for _ in range(4):
        assert collect.get("/formList", auth=("enum02", "wrong-password")).status_code == 401
    assert collect.get("/formList", auth=("enum02", "wrong-password")).status_code == 423  # the fifth locks
    refused = collect.get("/formList", auth=("enum02", PASSWORD))
    assert refused.status_code == 423
    assert "locked" in refused.text
    entries = AuditLog(server.data).entries()
    assert any(e["action"] == "lockout" and e["user"] == "enum02" for e in entries)
    assert any(e["action"] == "odk_request" and e["user"] == "enum02" and e["outcome"] == "locked" for e in entries)


def test_every_submission_is_in_the_audit_log(collect, server):
    entries = [e for e in AuditLog(server.data).entries() if e["action"] == "odk_submission"]
    statuses = {e["detail"]["status"] for e in entries}
    assert {201, 202, 400, 413} <= statuses
    assert all(re.fullmatch(r"[a-z_?]+/[A-Za-z0-9_-]+|odk/submission", e["object"]) for e in entries)
