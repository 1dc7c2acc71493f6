"""The websites' evidence (survey.webcheck's snapshots) beside each agency's own answers.

Each criterion of the stage ladder (:data:`analysis.indicators.egov.CRITERIA`) has an
observable counterpart on the agency's website, as the Surakarta study read the sites:

* website -> the site answered and at least one page was read (Emerging);
* updated_regularly -> a date on the site within the last 90 days of the check (Enhanced);
* downloads -> links to documents (PDF, DOC, XLS, ...); two_way_contact -> e-mail, SMS,
  WhatsApp links or a contact form (Interactive; a phone number alone is not online contact);
* transactions -> online payment, a service portal's login, a tracking or registration form
  (Transactional);
* integrated -> links into other agencies' services or a single sign-on (Seamless).

An agency's answer and its site disagree when it says "yes" and nothing was found on the
pages read ("says downloads: yes; none found on 30 pages"), or says "no" and the site shows
it.  The site's own stage is the ladder applied to what was found.  Tables:
:func:`evidence_table` (agency x criterion, with the disagreements), :func:`site_table` (each
site's latest snapshot) and :func:`history_table` (every snapshot: change over time).
"""

from __future__ import annotations

import datetime as dt
from typing import Iterable, Mapping, Sequence

import pandas as pd

from analysis.indicators import egov
from analysis.tables.summary_table import Column, SummaryTable
from survey.locale import LANGUAGES
from survey.webcheck.findings import TWO_WAY, UPDATED_WITHIN_DAYS

__all__ = ["UPDATED_WITHIN_DAYS", "criterion_found", "evidence_frame", "evidence_table", "history_table",
           "latest_snapshots", "site_stage", "site_table"]

_YES_NO = {"yes": {"id": "Ya", "en": "Yes"}, "no": {"id": "Tidak", "en": "No"},
           "not_checked": {"id": "Belum diperiksa", "en": "Not checked"}}
_SHORT = {   # the criterion as a disagreement names it
    "website": {"id": "situs web", "en": "website"},
    "updated_regularly": {"id": "diperbarui rutin", "en": "updated regularly"},
    "downloads": {"id": "unduhan", "en": "downloads"},
    "two_way_contact": {"id": "kontak dua arah", "en": "two-way contact"},
    "transactions": {"id": "transaksi daring", "en": "online transactions"},
    "integrated": {"id": "integrasi antar-OPD", "en": "integration across agencies"},
}
_CHANNELS = {"email": {"id": "e-mail", "en": "e-mail"}, "form": {"id": "formulir kontak", "en": "contact form"},
             "sms": {"id": "SMS", "en": "SMS"}, "whatsapp": {"id": "WhatsApp", "en": "WhatsApp"},
             "phone": {"id": "telepon", "en": "phone"}}
_SIGNALS = {"payment": {"id": "pembayaran", "en": "payment"},
            "portal_login": {"id": "login portal layanan", "en": "service portal login"},
            "tracking": {"id": "pelacakan permohonan", "en": "application tracking"},
            "registration_form": {"id": "pendaftaran daring", "en": "online registration"}}
_STAGE_OF_EVIDENCE = {"Emerging": "emerging", "Enhanced": "enhanced", "Interactive": "interactive",
                      "Transactional": "transactional", "Seamless": "seamless"}
_TITLES = {
    "evidence": {"id": "Bukti situs web dibanding jawaban perangkat daerah",
                 "en": "Website evidence beside the agencies' own answers"},
    "sites": {"id": "Pemeriksaan situs web terakhir", "en": "Latest website checks"},
    "history": {"id": "Riwayat pemeriksaan situs web", "en": "Website checks over time"},
}
_NOTES = {
    "evidence": {"en": "Found on the agency's website by python -m survey.webcheck (robots.txt respected, at most the "
                       "pages named). Regularly updated: a date within 90 days of the check. Two-way contact: e-mail, "
                       "SMS, WhatsApp or a contact form (a phone number alone does not count). ⚠ marks an answer the "
                       "website does not bear out, or a feature the answer denies.",
                 "id": "Ditemukan di situs web perangkat daerah oleh python -m survey.webcheck (robots.txt dipatuhi, "
                       "paling banyak jumlah halaman yang disebut). Diperbarui rutin: ada tanggal dalam 90 hari "
                       "sebelum pemeriksaan. Kontak dua arah: e-mail, SMS, WhatsApp atau formulir kontak (nomor "
                       "telepon saja tidak dihitung). ⚠ menandai jawaban yang tidak didukung situs web, atau fitur "
                       "yang disangkal jawaban."},
    "sites": {"en": "The stage found is the ladder applied to the website's evidence alone (every stage below "
                    "must be shown too).",
              "id": "Tahap menurut situs adalah tangga tahap yang diterapkan pada bukti situs web saja (semua tahap "
                    "di bawahnya juga harus terlihat)."},
}


def latest_snapshots(snapshots: Sequence[Mapping]) -> list[Mapping]:
    """The latest snapshot of each agency (or of each address, for sites no agency gave)."""
    latest: dict = {}
    for snap in sorted(snapshots, key=lambda s: str(s.get("checked_at", ""))):
        latest[snap.get("agency") or snap["url"]] = snap
    return list(latest.values())


def _checked_on(snap: Mapping) -> dt.date | None:
    try:
        return dt.datetime.fromisoformat(str(snap["checked_at"])).date()
    except (KeyError, ValueError):
        return None


def _join(names: Iterable[str], labels: Mapping[str, Mapping[str, str]], lang: str) -> str:
    return ", ".join(labels.get(n, {}).get(lang, n) for n in names)


def criterion_found(snap: Mapping, criterion: str) -> tuple[bool, dict[str, str]]:
    """Whether the snapshot shows the criterion, and what was found ({lang: text})."""
    pages = int(snap.get("pages_visited") or 0)
    none = {"en": f"none found on {pages} pages", "id": f"tidak ditemukan di {pages} halaman"}
    if criterion == "website":
        if snap.get("reachable") and pages:
            return True, {"en": f"reachable, {pages} pages read", "id": f"dapat diakses, {pages} halaman dibaca"}
        return False, {"en": "not reachable or no page readable", "id": "tidak dapat diakses atau tak ada halaman"}
    if criterion == "updated_regularly":
        newest, checked = snap.get("newest_date"), _checked_on(snap)
        if not newest:
            return False, {"en": f"no date found on {pages} pages", "id": f"tidak ada tanggal di {pages} halaman"}
        recent = checked is not None and (checked - dt.date.fromisoformat(newest)).days <= UPDATED_WITHIN_DAYS
        return recent, {"en": f"newest date {newest}", "id": f"tanggal terbaru {newest}"}
    if criterion == "downloads":
        n = len(snap.get("documents") or ())
        return (True, {"en": f"{n} documents", "id": f"{n} dokumen"}) if n else (False, none)
    if criterion == "two_way_contact":
        contacts = list(snap.get("contacts") or ())
        two_way = [c for c in contacts if c in TWO_WAY]
        if two_way:
            return True, {lang: _join(two_way, _CHANNELS, lang) for lang in ("id", "en")}
        if contacts:
            return False, {"en": f"only {_join(contacts, _CHANNELS, 'en')} on {pages} pages",
                           "id": f"hanya {_join(contacts, _CHANNELS, 'id')} di {pages} halaman"}
        return False, none
    if criterion == "transactions":
        signals = list(snap.get("transactions") or ())
        return (True, {lang: _join(signals, _SIGNALS, lang) for lang in ("id", "en")}) if signals else (False, none)
    if criterion == "integrated":
        hosts = list(snap.get("other_agencies") or ())
        sso = bool(snap.get("single_sign_on"))
        if hosts or sso:
            return True, {"en": ", ".join(hosts + (["single sign-on"] if sso else [])),
                          "id": ", ".join(hosts + (["single sign-on (SSO)"] if sso else []))}
        return False, none
    raise KeyError(criterion)


def site_stage(snap: Mapping) -> str:
    """The highest stage whose evidence, and that of every stage below, the site shows."""
    reached = "none"
    for name, stage in _STAGE_OF_EVIDENCE.items():
        if not (snap.get("stage_evidence") or {}).get(name):
            break
        reached = stage
    return reached


def evidence_frame(stages: pd.DataFrame, snapshots: Sequence[Mapping]) -> pd.DataFrame:
    """One row per agency with a snapshot and criterion: agency, criterion, says, found, agrees,
    detail and flag ({lang: text}; the flag empty where they agree), checked (the date).

    ``stages``: :func:`analysis.indicators.egov.agency_stages` (an agency column and a bool per
    criterion)."""
    latest = {s.get("agency"): s for s in latest_snapshots(snapshots) if s.get("agency")}
    rows = []
    for record in stages.to_dict("records"):
        snap = latest.get(record.get("agency"))
        if snap is None:
            continue
        for criterion in egov.CRITERIA:
            says = bool(record.get(criterion))
            found, detail = criterion_found(snap, criterion)
            flag = {}
            if says != found:
                flag = {"en": f"says {_SHORT[criterion]['en']}: {'yes' if says else 'no'}; {detail['en']}",
                        "id": f"menyatakan {_SHORT[criterion]['id']}: {'ya' if says else 'tidak'}; {detail['id']}"}
            rows.append({"agency": record["agency"], "criterion": criterion, "says": "yes" if says else "no",
                         "found": "yes" if found else "no", "agrees": says == found, "detail": detail, "flag": flag,
                         "checked": _checked_on(snap), "url": snap["url"]})
    return pd.DataFrame(rows, columns=["agency", "criterion", "says", "found", "agrees", "detail", "flag", "checked",
                                       "url"])


def _keyed(frame: pd.DataFrame, column: str) -> tuple[list[str], dict]:
    """Per-row texts as keys and the value labels that write them (a SummaryTable holds plain values)."""
    keys = [f"{column}:{i}" for i in range(len(frame))]
    return keys, {k: dict(v) if v else dict.fromkeys(LANGUAGES, "") for k, v in zip(keys, frame[column])}


def evidence_table(stages: pd.DataFrame, snapshots: Sequence[Mapping],
                   agency_labels: Mapping | None = None) -> SummaryTable:
    """Agency x criterion: what the agency says, what its website shows, and the disagreement."""
    frame = evidence_frame(stages, snapshots)
    detail_keys, detail_labels = _keyed(frame, "detail")
    flag_keys, flag_labels = _keyed(frame, "flag")
    flag_labels = {k: ({lang: f"⚠ {text}" for lang, text in v.items()} if v["en"] else v)
                   for k, v in flag_labels.items()}
    data = frame.drop(columns=["detail", "flag"]).assign(detail=detail_keys, flag=flag_keys)
    columns = {"agency": Column({"id": "Perangkat daerah", "en": "Agency"}),
               "criterion": Column({"id": "Kriteria", "en": "Criterion"}),
               "says": Column({"id": "Jawaban OPD", "en": "Agency says"}),
               "found": Column({"id": "Ditemukan di situs", "en": "Found on the website"}),
               "detail": Column({"id": "Temuan", "en": "What was found"}),
               "flag": Column({"id": "Ketidaksesuaian", "en": "Disagreement"})}
    labels = {"agency": dict(agency_labels or {}), "criterion": {c: dict(t) for c, t in egov.CRITERION_LABELS.items()},
              "says": _YES_NO, "found": _YES_NO, "detail": detail_labels, "flag": flag_labels}
    return SummaryTable(data, _TITLES["evidence"], columns, value_labels=labels, notes=(_NOTES["evidence"],),
                        kind="website_evidence", keys=("agency", "criterion"),
                        stats={"disagreements": int((~frame["agrees"]).sum()), "agencies": frame["agency"].nunique()})


def _site_rows(snapshots: Iterable[Mapping], said: Mapping[str, str]) -> pd.DataFrame:
    rows = []
    for snap in snapshots:
        rows.append({"agency": snap.get("agency") or "", "url": snap["url"], "checked": _checked_on(snap),
                     "reachable": "yes" if snap.get("reachable") else "no", "status": snap.get("status"),
                     "https": "yes" if snap.get("https") else "no",
                     "certificate": {True: "yes", False: "no"}.get(snap.get("certificate_valid"), ""),
                     "days_left": snap.get("certificate_days_left"), "response_ms": snap.get("response_ms"),
                     "mobile": "yes" if snap.get("mobile_viewport") else "no", "newest_date": snap.get("newest_date"),
                     "pages": snap.get("pages_visited"), "documents": len(snap.get("documents") or ()),
                     "stage_found": site_stage(snap), "stage_said": said.get(snap.get("agency"), "")})
    return pd.DataFrame(rows, columns=["agency", "url", "checked", "reachable", "status", "https", "certificate",
                                       "days_left", "response_ms", "mobile", "newest_date", "pages", "documents",
                                       "stage_found", "stage_said"])


_SITE_COLUMNS = {
    "agency": Column({"id": "Perangkat daerah", "en": "Agency"}),
    "url": Column({"id": "Alamat", "en": "Address"}),
    "checked": Column({"id": "Diperiksa", "en": "Checked"}),
    "stage_said": Column({"id": "Tahap menurut jawaban", "en": "Stage answered"}),
    "stage_found": Column({"id": "Tahap menurut situs", "en": "Stage found"}),
    "reachable": Column({"id": "Dapat diakses", "en": "Reachable"}),
    "status": Column({"id": "Status HTTP", "en": "HTTP status"}, "integer"),
    "https": Column({"id": "HTTPS", "en": "HTTPS"}),
    "certificate": Column({"id": "Sertifikat sah", "en": "Certificate valid"}),
    "days_left": Column({"id": "Sisa hari sertifikat", "en": "Certificate days left"}, "integer"),
    "response_ms": Column({"id": "Waktu respons (ms)", "en": "Response time (ms)"}, "integer"),
    "mobile": Column({"id": "Tampilan ponsel", "en": "Mobile viewport"}),
    "newest_date": Column({"id": "Tanggal terbaru", "en": "Newest date"}),
    "pages": Column({"id": "Halaman dibaca", "en": "Pages read"}, "integer"),
    "documents": Column({"id": "Dokumen", "en": "Documents"}, "integer"),
}


def _site_labels(agency_labels: Mapping | None) -> dict:
    stage_labels = {s: dict(t) for s, t in egov.STAGE_LABELS.items()}
    yes_no = {**_YES_NO, "": {"id": "–", "en": "–"}}
    return {"agency": dict(agency_labels or {}), "stage_found": stage_labels, "stage_said": stage_labels,
            **{c: yes_no for c in ("reachable", "https", "certificate", "mobile")}}


def _said(stages: pd.DataFrame | None) -> dict[str, str]:
    if stages is None or "agency" not in stages:
        return {}
    return dict(zip(stages["agency"], stages["stage"]))


def site_table(snapshots: Sequence[Mapping], stages: pd.DataFrame | None = None,
               agency_labels: Mapping | None = None) -> SummaryTable:
    """Each site's latest snapshot, with the stage its evidence shows beside the stage answered."""
    data = _site_rows(latest_snapshots(snapshots), _said(stages))
    return SummaryTable(data, _TITLES["sites"], _SITE_COLUMNS, value_labels=_site_labels(agency_labels),
                        notes=(_NOTES["sites"],), kind="website_sites", keys=("agency", "url"))


def history_table(snapshots: Sequence[Mapping], agency_labels: Mapping | None = None) -> SummaryTable:
    """Every snapshot, newest first: how each site changed from one check to the next."""
    ordered = sorted(snapshots, key=lambda s: str(s.get("checked_at", "")), reverse=True)
    data = _site_rows(ordered, {})
    columns = {k: _SITE_COLUMNS[k] for k in ("agency", "url", "checked", "stage_found", "reachable", "https",
                                             "newest_date", "pages", "documents")}
    return SummaryTable(data, _TITLES["history"], columns, value_labels=_site_labels(agency_labels),
                        kind="website_history", keys=("agency", "url", "checked"))
