"""The fieldwork pages' tables as SummaryTables: the monitor's progress, enumerators, response
rates, weight adjustment and flags, the review queue and an enumerator's own submissions.

Each builder takes the plain frames ``ui.supervision.monitor_data`` and ``ui.entry.submissions``
compute (raw values: counts as numbers, choices and statuses as names, times as moments) and
returns a SummaryTable, so these tables are drawn, noted and downloaded (CSV, XLSX, printable
HTML, audited) as the analysis pages' are, and their labels in both languages live here.
Labels of values the interface names elsewhere (statuses, flags) are passed in as
``{value: {lang: text}}`` from the one catalogue that has them (ui/i18n.py).

Times are kept as moments in a ``wib`` column (summary_table.WIB_KINDS): every renderer writes
them as ``survey.locale.wib_stamps`` does (``7 Des 2026 03.58 WIB``), a whole column at once.
"""

from __future__ import annotations

from typing import Iterable, Mapping

import pandas as pd

from analysis.tables.summary_table import Column, SummaryTable

Texts = Mapping[str, str]
Labels = Mapping[str, Texts]

LABELS: Mapping[str, Texts] = {
    "area": {"en": "Area", "id": "Wilayah"},
    "all": {"en": "All", "id": "Semua"},
    "kelurahan": {"en": "Kelurahan", "id": "Kelurahan"},
    "psu": {"en": "PSU (census block)", "id": "PSU (blok sensus)"},
    "progress": {"en": "Visited of target", "id": "Dikunjungi dari target"},
    "visited": {"en": "Visited", "id": "Dikunjungi"},
    "complete": {"en": "Completed", "id": "Selesai"},
    "target": {"en": "Target (sampled)", "id": "Target (sampel)"},
    "enumerator": {"en": "Enumerator", "id": "Pencacah"},
    "visits": {"en": "Visits", "id": "Kunjungan"},
    "rr1_visited": {"en": "Response rate", "id": "Tingkat respons"},
    "median_minutes": {"en": "Median minutes", "id": "Median menit"},
    "flagged": {"en": "Flagged", "id": "Ditandai"},
    "last_submitted_at": {"en": "Last submission (WIB)", "id": "Kiriman terakhir (WIB)"},
    "sampled": {"en": "Sampled", "id": "Sampel"},
    "ineligible": {"en": "Vacant or not found", "id": "Kosong atau tidak ditemukan"},
    "responded": {"en": "Responded", "id": "Merespons"},
    "factor": {"en": "Weight factor", "id": "Faktor bobot"},
    "response": {"en": "Response ID", "id": "ID respons"},
    "flag": {"en": "Flag", "id": "Tanda"},
    "status": {"en": "Status", "id": "Status"},
    "detail": {"en": "Why", "id": "Alasan"},
    "time": {"en": "Time (WIB)", "id": "Waktu (WIB)"},
    "revision": {"en": "Revision", "id": "Revisi"},
    "respondent": {"en": "Respondent", "id": "Responden"},
    "instrument": {"en": "Questionnaire", "id": "Kuesioner"},
    "note": {"en": "Comment", "id": "Catatan"},
    "editor": {"en": "By", "id": "Oleh"},
    "changes": {"en": "Changed answers (old → new)", "id": "Jawaban yang berubah (lama → baru)"},
}
TITLES: Mapping[str, Texts] = {
    "stratum": {"en": "Against the sample's targets", "id": "Dibandingkan target sampel"},
    "kelurahan": {"en": "Per kelurahan", "id": "Per kelurahan"},
    "psu": {"en": "Per PSU (census block)", "id": "Per PSU (blok sensus)"},
    "enumerators": {"en": "Per enumerator", "id": "Per pencacah"},
    "rates": {"en": "Response rates (AAPOR RR1)", "id": "Tingkat respons (AAPOR RR1)"},
    "adjustment": {"en": "Non-response adjustment of the weights, per PSU",
                   "id": "Penyesuaian bobot untuk nonrespons, per PSU"},
    "flags": {"en": "Flagged interviews", "id": "Wawancara yang ditandai"},
    "durations": {"en": "Interview lengths (completed interviews)", "id": "Lama wawancara (wawancara selesai)"},
    "queue": {"en": "Review queue", "id": "Antrean pemeriksaan"},
    "mine": {"en": "My submissions", "id": "Kiriman saya"},
    "revisions": {"en": "Revisions of the interview", "id": "Revisi wawancara"},
}
ALL = "__all__"   # the overall row of a table per area
SHORT_ID = 8      # characters of a response ID a person reads (the whole one is in the files)


def label(name: str) -> Texts:
    return LABELS[name]


def _choices(inst, question: str | None) -> dict:
    """{choice: {lang: label}} of a single-choice question, else {}."""
    if question is None or question not in {q.name for q in inst.questions}:
        return {}
    q = inst.question(question)
    return {c: dict(t) for c, t in q.choices.items()} if q.kind.choices == "one" else {}


def _question_label(inst, question: str | None) -> Texts:
    return dict(inst.question(question).label) if question else LABELS["area"]


def _ordered(frame: pd.DataFrame, inst, question: str | None, column: str) -> pd.DataFrame:
    """Rows in the order of the question's choices, then as they were."""
    order = {c: i for i, c in enumerate(_choices(inst, question))}
    if not order:
        return frame
    return frame.assign(_order=frame[column].map(lambda v: order.get(v, len(order)))) \
        .sort_values("_order", kind="stable").drop(columns="_order")


def _count(name: str) -> Column:
    return Column(LABELS[name], "count")


# ---- the monitor ------------------------------------------------------------------------------------
def area_progress_table(inst, areas: pd.DataFrame, level: str) -> SummaryTable:
    """Visits and completed interviews against the sample's targets per stratum, kelurahan or PSU."""
    strata = inst.design.strata
    frame = areas.copy()
    if level == "stratum":
        frame = frame.rename(columns={"area": "stratum"})
    frame = _ordered(frame, inst, strata, "stratum")
    frame["progress"] = frame["progress"].clip(upper=100)
    columns = {"stratum": Column(_question_label(inst, strata))}
    value_labels = {"stratum": _choices(inst, strata)}
    if level != "stratum":
        columns["area"] = Column(LABELS[level])
        if level == "kelurahan":
            value_labels["area"] = _choices(inst, "kelurahan")
    columns.update({"progress": Column(LABELS["progress"], "percent", 0), "visited": _count("visited"),
                    "complete": _count("complete"), "target": _count("target")})
    return SummaryTable(frame, TITLES[level], columns, value_labels=value_labels, kind="progress",
                        keys=[k for k in ("stratum", "area") if k in columns], stats={"level": level})


def enumerator_table(people: pd.DataFrame) -> SummaryTable:
    """Each enumerator's visits, completed interviews, response rate, median length, flags and last submission."""
    frame = people.copy()
    columns = {"enumerator": Column(LABELS["enumerator"]), "visits": _count("visits"), "complete": _count("complete"),
               "rr1_visited": Column(LABELS["rr1_visited"], "percent"),
               "median_minutes": Column(LABELS["median_minutes"], "number", 0), "flagged": _count("flagged"),
               "last_submitted_at": Column(LABELS["last_submitted_at"], "wib")}
    return SummaryTable(frame, TITLES["enumerators"], columns, kind="enumerators", keys=("enumerator",))


def rates_table(inst, rates: Mapping[str, pd.DataFrame]) -> SummaryTable:
    """AAPOR RR1 per stratum and overall (the last row), in one table."""
    from analysis.dataset.response_rates import response_rate_table

    overall = response_rate_table(inst, rates["overall"], "overall")
    strata = inst.design.strata
    if "stratum" not in rates or not strata:
        return overall.with_title(TITLES["rates"])
    per_stratum = response_rate_table(inst, rates["stratum"], "stratum")
    frame = pd.concat([_ordered(per_stratum.data, inst, strata, strata),
                       overall.data.assign(**{strata: ALL})], ignore_index=True)
    labels = {**per_stratum.value_labels.get(strata, {}), ALL: LABELS["all"]}
    return SummaryTable(frame, TITLES["rates"], per_stratum.columns, value_labels={strata: labels},
                        notes=per_stratum.notes, kind="response_rates", keys=(strata,), stats={"level": "stratum"})


def psu_rates_table(inst, rates: pd.DataFrame) -> SummaryTable:
    from analysis.dataset.response_rates import response_rate_table

    return response_rate_table(inst, rates, "psu")


def adjustment_table(inst, adjustment: pd.DataFrame, note: Texts | None = None) -> SummaryTable:
    """The non-response adjustment of the weights per PSU."""
    spec = inst.design
    frame = adjustment.rename(columns={spec.strata: "stratum", spec.psu: "psu"})
    columns = {"stratum": Column(_question_label(inst, spec.strata)), "psu": Column({"en": "PSU", "id": "PSU"}),
               "sampled": _count("sampled"), "ineligible": _count("ineligible"), "responded": _count("responded"),
               "factor": Column(LABELS["factor"], "number", 3)}
    return SummaryTable(frame, TITLES["adjustment"], columns, value_labels={"stratum": _choices(inst, spec.strata)},
                        notes=(note,) if note else (), kind="adjustment", keys=("stratum", "psu"))


DURATION_LABELS: Mapping[str, Texts] = {
    "n": {"en": "Completed interviews with a length", "id": "Wawancara selesai yang tercatat lamanya"},
    "p25": {"en": "1st quartile (minutes)", "id": "Kuartil 1 (menit)"},
    "median": {"en": "Median (minutes)", "id": "Median (menit)"},
    "p75": {"en": "3rd quartile (minutes)", "id": "Kuartil 3 (menit)"},
    "limit": {"en": "The questionnaire's minimum (minutes)", "id": "Batas minimum kuesioner (menit)"},
    "short": {"en": "Shorter than the minimum", "id": "Lebih singkat dari batas minimum"},
}


def durations_table(minutes: pd.Series, limit: float | None = None) -> SummaryTable:
    """How long the completed interviews took: their number, quartiles, and those under the quality
    block's minimum (``limit``), when there is one."""
    values = pd.Series(pd.to_numeric(minutes, errors="coerce")).dropna()
    q = values.quantile([0.25, 0.5, 0.75]) if len(values) else pd.Series({0.25: None, 0.5: None, 0.75: None})
    rows = [("n", len(values), "count"), ("p25", q[0.25], "number"), ("median", q[0.5], "number"),
            ("p75", q[0.75], "number")]
    if limit is not None:
        rows += [("limit", limit, "number"), ("short", int((values < limit).sum()), "count")]
    frame = pd.DataFrame(rows, columns=["statistic", "value", "kind"])
    columns = {"statistic": Column({"en": "Measure", "id": "Ukuran"}), "value": Column({"en": "Value", "id": "Nilai"},
                                                                                       "row", 0)}
    return SummaryTable(frame, TITLES["durations"], columns, value_labels={"statistic": dict(DURATION_LABELS)},
                        kind="durations", keys=("statistic",))


def flags_table(inst, flagged: pd.DataFrame, flag_labels: Labels, status_labels: Labels,
                last: Iterable[str] = ()) -> SummaryTable:
    """One row per flag an interview raised (the flags in ``last``, thresholds to check, listed last)."""
    last = set(last)
    frame = flagged.assign(_last=flagged["flag"].isin(last)).sort_values("_last", kind="stable")
    frame = pd.DataFrame({"response": frame["_response_id"].astype(str).str[:SHORT_ID].to_numpy(),
                          "enumerator": frame["_enumerator"].to_numpy(), "stratum": frame["stratum"].to_numpy(),
                          "flag": frame["flag"].to_numpy(), "status": frame["_status"].to_numpy(),
                          "detail": frame["detail"].to_numpy(), "response_id": frame["_response_id"].to_numpy()})
    columns = {"response": Column(LABELS["response"]), "enumerator": Column(LABELS["enumerator"]),
               "stratum": Column(_question_label(inst, inst.design.strata)), "flag": Column(LABELS["flag"]),
               "status": Column(LABELS["status"]), "detail": Column(LABELS["detail"])}
    value_labels = {"stratum": _choices(inst, inst.design.strata), "flag": dict(flag_labels),
                    "status": dict(status_labels)}
    return SummaryTable(frame, TITLES["flags"], columns, value_labels=value_labels, kind="flags",
                        keys=("response",))


# ---- the review queue and my submissions -----------------------------------------------------------
def queue_table(inst, queue: pd.DataFrame, area: str | None, flag_labels: Labels,
                status_labels: Labels) -> SummaryTable:
    """The interviews waiting for a review, oldest first, each with its flags; the response ID first (the
    key the page's choice names first, kept in view on a phone while the other columns scroll)."""
    frame = pd.DataFrame({"time": queue["submitted_at"].array,
                          "response": _as_is(queue["_response_id"].astype(str).str[:SHORT_ID]),
                          "enumerator": _as_is(queue["_enumerator"]),
                          "area": _as_is(queue["area"]) if "area" in queue else None,
                          "status": _as_is(queue["_status"]), "flag": [tuple(f) for f in queue["flags"]],
                          "revision": queue["_revision"].to_numpy()})
    columns = {"response": Column(LABELS["response"]), "time": Column(LABELS["time"], "wib"),
               "enumerator": Column(LABELS["enumerator"])}
    if area:
        columns["area"] = Column(dict(inst.question(area).label))
    columns.update({"status": Column(LABELS["status"]), "flag": Column(LABELS["flag"]),
                    "revision": Column(LABELS["revision"])})
    value_labels = {"area": _choices(inst, area), "status": dict(status_labels),
                    "flag": dict(flag_labels)}
    return SummaryTable(frame, TITLES["queue"], columns, value_labels=value_labels, kind="queue",
                        keys=("response",))


def _as_is(column: pd.Series):
    """A str column's own Arrow array (what its numpy object array becomes again in a new frame,
    without the 100,000 Python strings in between); any other column as numpy."""
    dtype = column.dtype
    return column.array if isinstance(dtype, pd.StringDtype) and dtype.na_value is not pd.NA else column.to_numpy()


def revisions_table(history: Iterable, changes: Mapping[int, Texts], status_labels: Labels,
                    response_id: str = "") -> SummaryTable:
    """One row per revision of an interview: its number and the answers it changed (``changes``:
    revision -> {lang: "question: old → new; ..."}, second so a phone shows it beside the number),
    who, when, the status it left and the comment."""
    history = list(history)
    frame = pd.DataFrame({"revision": [r.revision for r in history], "changes": [r.revision for r in history],
                          "editor": [r.editor for r in history], "time": [r.submitted_at for r in history],
                          "status": [r.status for r in history], "note": [r.note or "" for r in history]})
    columns = {name: Column(LABELS[name], "wib" if name == "time" else "text")
               for name in ("revision", "changes", "editor", "time", "status", "note")}
    value_labels = {"changes": dict(changes), "status": dict(status_labels)}
    title = {lang: f"{text} {response_id[:SHORT_ID]}".strip() for lang, text in TITLES["revisions"].items()}
    return SummaryTable(frame, title, columns, value_labels=value_labels, kind="revisions", keys=("revision",))


def my_submissions_table(rows: pd.DataFrame, who: list[Texts], titles: Labels, status_labels: Labels) -> SummaryTable:
    """An enumerator's own interviews, newest first: who they were with (``who``, one per row), when,
    which questionnaire, the revision, the review's status and the reviewer's comment."""
    frame = pd.DataFrame({"respondent": list(range(len(rows))),
                          "response": rows["response_id"].astype(str).str[:SHORT_ID].to_numpy(),
                          "time": rows["submitted_at"].to_numpy(), "instrument": rows["instrument"].to_numpy(),
                          "revision": rows["revision"].to_numpy(), "status": rows["status"].to_numpy(),
                          "note": rows["note"].fillna("").astype(str).to_numpy()})
    columns = {"respondent": Column(LABELS["respondent"]), "response": Column(LABELS["response"]),
               "time": Column(LABELS["time"], "wib"), "instrument": Column(LABELS["instrument"]),
               "revision": Column(LABELS["revision"]), "status": Column(LABELS["status"]),
               "note": Column(LABELS["note"])}
    value_labels = {"respondent": dict(enumerate(who)), "instrument": dict(titles),
                    "status": dict(status_labels)}
    return SummaryTable(frame, TITLES["mine"], columns, value_labels=value_labels, kind="submissions",
                        keys=("respondent",))
