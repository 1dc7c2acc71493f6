"""The OpenRosa server under /odk/: what ODK Collect and KoboCollect talk to (server URL https://HOST/odk).

    GET  /odk/formList          the forms this account may fill (version, md5 of the XForm)
    GET  /odk/forms/<id>.xml    the XForm (our XLSForm export through pyxform)
    HEAD /odk/submission        204 with X-OpenRosa-Accept-Content-Length
    POST /odk/submission        multipart: xml_submission_file and attachments (survey.odk.receive)
    /odk/public/...             the same three for phones without an account (anonymous questionnaires only)

Every request is authenticated with the app's own accounts (HTTP Basic; Collect sends the
password only after a 401 with a Basic challenge) through Accounts.login, so the login
page's lockout counts wrong passwords here too, and each request with its result is in
the audit log. The work is survey/ code run in a worker thread: this module only reads the
request and writes the answer.

Anonymous submission (off unless an admin turns it on per questionnaire, survey.odk.settings):
a request without credentials may download such a questionnaire and submit it (enumerator
"anonymous"). /odk/formList itself stays behind the login: Collect sends credentials only
after a 401, so an open list would show an enumerator's phone the anonymous forms alone. A
phone without an account uses the server URL https://HOST/odk/public instead, whose formList
lists only the anonymous questionnaires and never asks for a password.
"""

from __future__ import annotations

import base64
import binascii
import logging
import threading
from contextlib import asynccontextmanager
from xml.sax.saxutils import escape

from starlette.concurrency import run_in_threadpool
from starlette.datastructures import UploadFile
from starlette.formparsers import MultiPartParser
from starlette.requests import ClientDisconnect, Request
from starlette.responses import Response
from starlette.routing import Route

from survey.command_line import default_data_dir
from survey.fieldwork.accounts import ROLES, Accounts
from survey.fieldwork.audit_log import AuditLog
from survey.locale import LANGUAGES, text
from survey.odk import instance as xml_instance
from survey.odk.receive import MESSAGES, receive
from survey.odk.settings import ANONYMOUS, anonymous_forms
from survey.store.durable import StorageFull
from survey.store.response_store import ResponseStore

MAX_BODY = 10 * 1024 * 1024  # the advertised X-OpenRosa-Accept-Content-Length: photos of a form or two
MAX_FORM_FIELDS = 100
SUBMITTERS = ROLES  # enumerators, supervisors and admins may each submit under their own name
log = logging.getLogger(__name__)
_stores: dict[str, ResponseStore] = {}


def _store() -> ResponseStore:
    root = str(default_data_dir())
    if root not in _stores:
        _stores[root] = ResponseStore(root)
    return _stores[root]


def _headers(extra: dict | None = None) -> dict[str, str]:
    # (the server adds Date, which OpenRosa also asks for)
    return {"X-OpenRosa-Version": "1.0", "X-OpenRosa-Accept-Content-Length": str(MAX_BODY), **(extra or {})}


def _lang(request: Request) -> str:
    wanted = request.headers.get("accept-language", "")[:2].lower()
    return wanted if wanted in LANGUAGES else "id"


def _message(request: Request, status: int, key: str, detail: str = "", extra: dict | None = None) -> Response:
    nature = "submit_success" if status < 300 else ""
    body = ('<OpenRosaResponse xmlns="http://openrosa.org/http/response">'
            f'<message nature="{nature}">{escape(text(MESSAGES, key, _lang(request), detail=detail))}</message>'
            "</OpenRosaResponse>")
    return Response(body, status, headers=_headers(extra), media_type="text/xml; charset=utf-8")


def _audit(action: str, user: str | None, obj: str, outcome: str, **detail) -> None:
    try:
        AuditLog(_store().root).record(action, user=user, object=obj, outcome=outcome, **detail)
    except OSError:  # a full disk: the answer to the phone still stands; the server log keeps it
        log.error("audit entry %s %s %s not written", action, user, obj)


_CHALLENGE = {"WWW-Authenticate": 'Basic realm="survey", charset="UTF-8"'}


async def _login(request: Request, what: str) -> tuple[str | None, Response | None]:
    """(the account name, None), or (None, the 401/403/423 answer), each attempt in the audit log."""
    header = request.headers.get("authorization", "")
    scheme, _, value = header.partition(" ")
    name = password = None
    if scheme.lower() == "basic":
        try:
            name, sep, password = base64.b64decode(value.strip(), validate=True).decode("utf-8").partition(":")
            if not sep:
                name = None
        except (binascii.Error, UnicodeDecodeError):
            name = None
    if name is None:
        _audit("odk_request", None, what, "denied", status=401, reason="no credentials")
        return None, _message(request, 401, "odk_login", extra=_CHALLENGE)
    result = await run_in_threadpool(Accounts(_store().root).login, name, password)  # records login/lockout
    if result.outcome == "locked":
        _audit("odk_request", name[:40], what, "locked", status=423)
        return None, _message(request, 423, "odk_locked")
    if not result.ok:
        status = 403 if result.outcome == "disabled" else 401
        _audit("odk_request", name[:40], what, "denied", status=status, reason=result.outcome)
        return None, _message(request, status, "odk_forbidden" if status == 403 else "odk_login",
                              extra=_CHALLENGE if status == 401 else None)
    if result.account.role not in SUBMITTERS:
        _audit("odk_request", result.account.name, what, "denied", status=403)
        return None, _message(request, 403, "odk_forbidden")
    return result.account.name, None


def _usable(store: ResponseStore) -> list:
    out = []
    for name in store.instrument_ids():
        try:
            out.append(store.instrument(name))
        except ValueError as exc:  # a broken or unreadable questionnaire is not offered until fixed
            log.error("questionnaire %s not offered to ODK: %s", name, exc)
    return out


def _base(request: Request) -> str:
    """The server URL as the phone used it (behind a reverse proxy: its scheme and host)."""
    scheme = request.headers.get("x-forwarded-proto", request.url.scheme).split(",")[0].strip()
    host = request.headers.get("x-forwarded-host", request.headers.get("host", request.url.netloc))
    return f"{scheme}://{host.split(',')[0].strip()}/odk"


def _warm_up() -> None:
    """Make the XForms once at start: the first request would otherwise wait for the analysis package and
    pyxform to load (about 6 s on a fresh server), the time a phone on a weak signal may give up in."""
    try:
        _forms(_store())
    except Exception:  # a broken questionnaire is logged where it is offered; nothing is lost by waiting
        log.exception("the XForms could not be made in advance")


@asynccontextmanager
async def lifespan(_app):
    threading.Thread(target=_warm_up, name="odk-warm-up", daemon=True).start()
    yield


def _forms(store: ResponseStore) -> list:
    from analysis.export.xlsform.xform import xform  # pyxform loads on the first ODK request only

    return [xform(inst) for inst in _usable(store)]


def _anonymous() -> frozenset[str]:
    return anonymous_forms(_store().root)


def _no_credentials(request: Request) -> bool:
    # wrong or malformed credentials still go through the login (and its lockout)
    return "authorization" not in request.headers


async def form_list(request: Request, public: bool = False) -> Response:
    what = "odk/public/formList" if public else "odk/formList"
    if public:
        user = ANONYMOUS
    else:
        user, refused = await _login(request, what)
        if refused:
            return refused
    forms = await run_in_threadpool(_forms, _store())
    if public:
        open_forms = _anonymous()
        forms = [f for f in forms if f.form_id in open_forms]
    base = _base(request) + ("/public" if public else "")
    items = "".join(
        f"<xform><formID>{escape(f.form_id)}</formID><name>{escape(f.title)}</name>"
        f"<version>{escape(f.version)}</version><hash>md5:{f.md5}</hash>"
        f"<downloadUrl>{escape(base)}/forms/{escape(f.form_id)}.xml</downloadUrl></xform>" for f in forms)
    _audit("odk_form_list", user, what, "ok", status=200, forms=[f.form_id for f in forms])
    return Response(f'<?xml version="1.0" encoding="UTF-8"?><xforms xmlns="http://openrosa.org/xforms/xformsList">'
                    f"{items}</xforms>", 200, headers=_headers(), media_type="text/xml; charset=utf-8")


async def form_download(request: Request, public: bool = False) -> Response:
    form_id = request.path_params["form_id"]
    anonymous = (public or _no_credentials(request)) and form_id in _anonymous()
    if anonymous:
        user = ANONYMOUS
    elif public:  # the public list names anonymous forms only; any other is not there
        _audit("odk_form", ANONYMOUS, f"odk/public/forms/{form_id[:64]}", "failed", status=404)
        return Response("no such form", 404, headers=_headers(), media_type="text/plain")
    else:
        user, refused = await _login(request, f"odk/forms/{form_id[:64]}")
        if refused:
            return refused
    found = [f for f in await run_in_threadpool(_forms, _store()) if f.form_id == form_id]
    if not found:
        _audit("odk_form", user, f"odk/forms/{form_id[:64]}", "failed", status=404)
        return Response("no such form", 404, headers=_headers(), media_type="text/plain")
    _audit("odk_form", user, f"odk/forms/{form_id}", "ok", status=200, version=found[0].version)
    return Response(found[0].xml, 200, headers=_headers(), media_type="text/xml; charset=utf-8")


async def _read_limited(request: Request) -> bytes | None:
    """The body, or None once it grows past MAX_BODY (a client that sent no or a false Content-Length)."""
    chunks, size = [], 0
    async for chunk in request.stream():
        size += len(chunk)
        if size > MAX_BODY:
            return None
        chunks.append(chunk)
    return b"".join(chunks)


def _form_id(body: bytes | None) -> str | None:
    try:
        return xml_instance.parse(body).form_id if body is not None else None
    except xml_instance.InstanceError:
        return None


async def submission(request: Request, public: bool = False) -> Response:
    what = "odk/public/submission" if public else "odk/submission"
    try:
        length = int(request.headers.get("content-length", "0"))
    except ValueError:
        length = 0
    if request.method == "POST" and length > MAX_BODY:  # refused from the header, before anything is read
        _audit("odk_submission", None, what, "denied", status=413, bytes=length)
        return _message(request, 413, "odk_too_large", str(MAX_BODY), extra={"Connection": "close"})
    open_forms = _anonymous() if public or _no_credentials(request) else frozenset()
    if open_forms:  # which form it is shows only in the body: checked once that is read, below
        user = ANONYMOUS
    elif public:
        _audit("odk_submission", ANONYMOUS, what, "denied", status=403, reason="no anonymous questionnaire")
        return _message(request, 403, "odk_anonymous_off")
    else:
        user, refused = await _login(request, what)
        if refused:
            return refused
    if request.method == "HEAD":
        _audit("odk_request", user, what, "ok", status=204, method="HEAD")
        return Response(status_code=204, headers=_headers())
    try:
        raw = await _read_limited(request)
    except ClientDisconnect:
        _audit("odk_submission", user, what, "failed", status=400, reason="the client went away")
        return _message(request, 400, "odk_unparseable", "the connection ended before the body")
    if raw is None:
        _audit("odk_submission", user, what, "denied", status=413)
        return _message(request, 413, "odk_too_large", str(MAX_BODY), extra={"Connection": "close"})
    body, attachments = await _parts(request, raw)
    if open_forms and (form_id := await run_in_threadpool(_form_id, body)) not in open_forms:
        # without an account only an anonymous questionnaire is taken; nothing else is kept
        if public:
            _audit("odk_submission", ANONYMOUS, what, "denied", status=403, form=form_id)
            return _message(request, 403, "odk_anonymous_off")
        _audit("odk_request", None, what, "denied", status=401, reason="no credentials", form=form_id)
        return _message(request, 401, "odk_login", extra=_CHALLENGE)
    store = _store()
    if body is None:  # no xml_submission_file (or a body that is no multipart at all): kept whole
        from survey.odk.inbox import Inbox

        entry = await run_in_threadpool(Inbox(store.root).keep, None, user, raw, "no xml_submission_file", None)
        _audit("odk_submission", user, what, "invalid", status=400, inbox=entry)
        return _message(request, 400, "odk_no_file")
    try:
        outcome = await run_in_threadpool(receive, store, user, body, attachments, not open_forms)
    except StorageFull:
        _audit("odk_submission", user, what, "failed", status=503, reason="disk full")
        return _message(request, 503, "odk_unavailable")
    result = "duplicate" if outcome.duplicate else "ok" if outcome.status == 201 else "invalid"
    _audit("odk_submission", user, f"{outcome.instrument or '?'}/{outcome.response_id or outcome.inbox_id}", result,
           status=outcome.status, revision=outcome.revision, inbox=outcome.inbox_id, reason=outcome.detail or None,
           instance_id=outcome.instance_id, anonymous=bool(open_forms) or None)
    return _message(request, outcome.status, outcome.key, outcome.detail)


async def _parts(request: Request, raw: bytes) -> tuple[bytes | None, dict[str, bytes]]:
    """(xml_submission_file's bytes, {file name: bytes} of the other files) of the multipart body."""
    async def replay():
        yield raw

    content_type = request.headers.get("content-type", "")
    if not content_type.startswith("multipart/form-data"):
        return None, {}
    try:
        form = await MultiPartParser(request.headers, replay(), max_files=MAX_FORM_FIELDS,
                                     max_fields=MAX_FORM_FIELDS, max_part_size=MAX_BODY).parse()
    except Exception:  # a truncated or malformed multipart body (several exception types)
        return None, {}
    body, attachments = None, {}
    for key, value in form.multi_items():
        if not isinstance(value, UploadFile):
            continue
        data = await value.read()
        if key == "xml_submission_file":
            body = data
        else:
            attachments[value.filename or key] = data
    await form.close()
    return body, attachments


async def public_form_list(request: Request) -> Response:
    return await form_list(request, public=True)


async def public_form_download(request: Request) -> Response:
    return await form_download(request, public=True)


async def public_submission(request: Request) -> Response:
    return await submission(request, public=True)


ROUTES = [
    Route("/odk/formList", form_list, methods=["GET"]),
    Route("/odk/forms/{form_id}.xml", form_download, methods=["GET"]),
    Route("/odk/submission", submission, methods=["HEAD", "POST"]),
    # the server URL https://HOST/odk/public: the anonymous questionnaires only, no account
    Route("/odk/public/formList", public_form_list, methods=["GET"]),
    Route("/odk/public/forms/{form_id}.xml", public_form_download, methods=["GET"]),
    Route("/odk/public/submission", public_submission, methods=["HEAD", "POST"]),
]
