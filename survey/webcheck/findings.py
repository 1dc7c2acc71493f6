"""What a page's links and forms say about the site, and which stage each finding supports.

The study's stage criteria (UN/ASPA 2001, as the Surakarta study read a website): a date within
the last 90 days -> Enhanced (regularly updated); documents to download and two-way contact by
web, e-mail or SMS -> Interactive; online payment or transactions -> Transactional; links into
other agencies' services or a single sign-on -> Seamless.  A phone number alone is not two-way
contact online, so ``phone`` is recorded but does not count.
"""

from __future__ import annotations

import datetime as dt
import re
from urllib.parse import unquote, urlsplit

from survey.webcheck.page_parser import Form, Page

DOCUMENT_EXTENSIONS = ("pdf", "doc", "docx", "xls", "xlsx", "ppt", "pptx", "odt", "ods", "odp", "rtf", "csv", "zip")
UPDATED_WITHIN_DAYS = 90
TWO_WAY = ("email", "form", "sms", "whatsapp")
STAGE_NAMES = ("Emerging", "Enhanced", "Interactive", "Transactional", "Seamless")

_PAYMENT = re.compile(r"\b(bayar|pembayaran|payment|pay online|e-?retribusi|e-?pajak|pajak online|virtual account|"
                      r"qris|e-?billing|e-?bphtb|e-?pbb|tagihan)\b", re.IGNORECASE)
_TRACKING = re.compile(r"\b(lacak|tracking|track|cek status|status permohonan|status pengajuan|status layanan)\b",
                       re.IGNORECASE)
_REGISTRATION = re.compile(r"\b(pendaftaran online|daftar online|registrasi|register|pengajuan online|"
                           r"permohonan online|ajukan)\b", re.IGNORECASE)
_LOGIN = re.compile(r"\b(login|log in|sign in|masuk)\b", re.IGNORECASE)
_SSO = re.compile(r"(single sign[- ]on|\bsso\b|satu akun|satu data login)", re.IGNORECASE)
_SERVICE = re.compile(r"(layanan|service|portal|aplikasi|login|daftar|izin|perizinan|pengaduan|lapor)", re.IGNORECASE)
_CONTACT_FIELD = re.compile(r"(message|pesan|komentar|comment|pengaduan|aduan|saran|email|subject|perihal)")
_SEARCH_FIELD = re.compile(r"^(q|s|search|cari|keyword|kata_?kunci|query)$")
GOVERNMENT_SUFFIXES = (".go.id",)


def host_of(url: str) -> str:
    return (urlsplit(url).hostname or "").lower()


def is_document(url: str) -> bool:
    path = unquote(urlsplit(url).path).lower()
    return "." in path.rsplit("/", 1)[-1] and path.rsplit(".", 1)[-1] in DOCUMENT_EXTENSIONS


def contact_of(href: str) -> str | None:
    """The contact channel a link opens: email, phone, sms, whatsapp (or None)."""
    lowered = href.strip().lower()
    if lowered.startswith("mailto:"):
        return "email"
    if lowered.startswith(("tel:", "callto:")):
        return "phone"
    if lowered.startswith(("sms:", "smsto:")):
        return "sms"
    if lowered.startswith("whatsapp:") or host_of(lowered) in ("wa.me", "api.whatsapp.com", "chat.whatsapp.com",
                                                             "web.whatsapp.com"):
        return "whatsapp"
    return None


def form_signals(form: Form) -> set[str]:
    """contact ("form"), "search", "portal_login", "registration_form", "tracking" from one form's fields."""
    types = {kind for kind, _ in form.inputs}
    names = " ".join(name for _, name in form.inputs)
    found = set()
    if "password" in types:
        found.add("portal_login")
    if "search" in types or form.role == "search" or any(_SEARCH_FIELD.match(n) for _, n in form.inputs if n):
        found.add("search")
    elif form.textarea or (_CONTACT_FIELD.search(names) and "password" not in types):
        found.add("form")
    if _TRACKING.search(names + " " + form.action) or re.search(r"(nomor|no)_?(registrasi|permohonan|resi|tiket)",
                                                                names):
        found.add("tracking")
    if "password" not in types and _REGISTRATION.search(form.action + " " + names):
        found.add("registration_form")
    return found


def link_signals(href: str, text: str) -> set[str]:
    """Transaction signals of one link: "payment", "portal_login", "tracking", "registration_form", "sso"."""
    words = f"{text} {unquote(href)}".replace("-", " ").replace("_", " ")
    found = set()
    if _PAYMENT.search(words):
        found.add("payment")
    if _TRACKING.search(words):
        found.add("tracking")
    if _REGISTRATION.search(words):
        found.add("registration_form")
    if _LOGIN.search(words):
        found.add("portal_login")
    if _SSO.search(words) or host_of(href).startswith("sso."):
        found.add("sso")
    return found


def is_government_service(href: str, text: str, own_host: str) -> bool:
    """A link into another agency's service: another government host, a service in its address or words."""
    host = host_of(href)
    if not host or host == own_host or not host.endswith(GOVERNMENT_SUFFIXES):
        return False
    return bool(_SERVICE.search(f"{host} {urlsplit(href).path} {text}"))


def stage_evidence(snapshot: dict, today: dt.date) -> dict[str, bool]:
    """Per stage of the ladder, whether the site shows that stage's own criteria (each alone)."""
    newest = snapshot.get("newest_date")
    recent = newest is not None and (today - dt.date.fromisoformat(newest)).days <= UPDATED_WITHIN_DAYS
    contacts = set(snapshot.get("contacts") or ())
    return {
        "Emerging": bool(snapshot.get("reachable")) and snapshot.get("pages_visited", 0) > 0,
        "Enhanced": recent,
        "Interactive": bool(snapshot.get("documents")) and bool(contacts & set(TWO_WAY)),
        "Transactional": bool(snapshot.get("transactions")),
        "Seamless": bool(snapshot.get("other_agencies")) or bool(snapshot.get("single_sign_on")),
    }


def page_findings(page: Page, page_url: str, own_host: str, resolve) -> dict[str, set]:
    """The findings of one parsed page; ``resolve(href)`` makes a link absolute (or None)."""
    found = {"documents": set(), "contacts": set(), "transactions": set(), "other_agencies": set(), "sso": set(),
             "search": set()}
    for href, text in page.links:
        channel = contact_of(href)
        if channel:
            found["contacts"].add(channel)
            continue
        url = resolve(href)
        if url is None:
            continue
        if is_document(url):
            found["documents"].add(url)
        signals = link_signals(url, text)
        if signals - {"sso"} and (host_of(url) == own_host or signals & {"payment"}):
            found["transactions"].update(signals - {"sso"})
        if "sso" in signals:
            found["sso"].add(host_of(url) or own_host)
        if is_government_service(url, text, own_host):
            found["other_agencies"].add(host_of(url))
    for form in page.forms:
        signals = form_signals(form)
        if "form" in signals:
            found["contacts"].add("form")
        if "search" in signals:
            found["search"].add(page_url)
        found["transactions"].update(signals & {"portal_login", "registration_form", "tracking"})
    if page.search_role:
        found["search"].add(page_url)
    return found
