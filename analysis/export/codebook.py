"""The codebook of an instrument, XLSX or HTML, recorded in the audit log.

    data = codebook(load_instrument("household"), "html", user="admin1", audit=AuditLog(root))

The rows are codebook_entries.py's; codebook_xlsx.py and codebook_html.py lay them out.
"""

from __future__ import annotations

from survey.audit import AuditLog
from survey.i18n import LANGUAGES
from survey.model import Instrument

from analysis.export import codebook_html, codebook_xlsx
from analysis.export.audit import recorded
from analysis.export.errors import check_option

CODEBOOK_FORMATS = ("xlsx", "html")


def codebook(inst: Instrument, fmt: str, *, user: str, audit: AuditLog | None, lang: str = "en",
             weights: bool = False) -> bytes:
    """The codebook of `inst` as XLSX or HTML (interface texts in `lang`; labels in both
    languages). `weights`: document the ``weight`` variable too. Recorded in `audit`."""
    detail = {"format": fmt, "lang": lang, "identified": False}
    with recorded(audit, user, f"codebook/{inst.id}", **detail) as done:
        check_option(fmt, CODEBOOK_FORMATS, {"id": "Format", "en": "format"})
        check_option(lang, LANGUAGES, {"id": "Bahasa", "en": "language"})
        if fmt == "xlsx":
            data = codebook_xlsx.render(inst, lang, weights)
        else:
            data = codebook_html.render(inst, lang, weights).encode("utf-8")
        done.update(bytes=len(data))
    return data
