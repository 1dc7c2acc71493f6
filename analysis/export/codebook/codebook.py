"""The codebook of an instrument, XLSX or HTML, recorded in the audit log.

    data = codebook(load_instrument("household"), "html", user="admin1", audit=AuditLog(root))

The rows are codebook_entries.py's; codebook_xlsx.py and codebook_html.py lay them out.
"""

from __future__ import annotations

from analysis.export.audit import recorded
from analysis.export.codebook import as_html_page as codebook_html
from analysis.export.codebook import as_workbook as codebook_xlsx
from analysis.export.codebook.entries import WeightTexts
from analysis.export.errors import check_option
from survey.fieldwork.audit_log import AuditLog
from survey.locale import LANGUAGES
from survey.questionnaire.model import Instrument

CODEBOOK_FORMATS = ("xlsx", "html")


def weight_texts(store, instrument_id: str) -> dict[str, dict[str, str]]:
    """{table: {lang: how its weights were made}} as the design makes them from the data
    folder now (the same words as the microdata's weights)."""
    from analysis.export.microdata.weights import design_weights

    return {table: dict(w.texts) for table, w in design_weights(store, instrument_id).items()}


def codebook(inst: Instrument, fmt: str, *, user: str, audit: AuditLog | None, lang: str = "en",
             weights: WeightTexts = False, replicates=None) -> bytes:
    """The codebook of `inst` as XLSX or HTML (interface texts in `lang`; labels in both
    languages). `weights`: document the weight variables too (True), with how each
    table's were made ({table: {lang: text}}, see weight_texts). `replicates`: {table:
    TableReplicates} (microdata/replicates.py) when the files carry replicate weights
    instead of strata and PSUs: their method, scale and rscales. Recorded in `audit`."""
    detail = {"format": fmt, "lang": lang, "identified": False}
    with recorded(audit, user, f"codebook/{inst.id}", **detail) as done:
        check_option(fmt, CODEBOOK_FORMATS, {"id": "Format", "en": "format"})
        check_option(lang, LANGUAGES, {"id": "Bahasa", "en": "language"})
        if fmt == "xlsx":
            data = codebook_xlsx.render(inst, lang, weights, replicates)
        else:
            data = codebook_html.render(inst, lang, weights, replicates).encode("utf-8")
        done.update(bytes=len(data))
    return data
