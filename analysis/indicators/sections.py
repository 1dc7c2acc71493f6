"""SummaryTables of the standard indicators, the e-government stages and leadership.

* :func:`household_indicator_table`, :func:`individual_indicator_table`: ITU HH1-HH18
  (:mod:`analysis.indicators.itu`) with code, label, SDG indicator and every estimate column;
* :func:`egov_indicator_table`: EG1-EG7 (:mod:`analysis.indicators.egov`);
* :func:`stage_table`: each agency on the ladder (Emerging -> Seamless) with the
  criteria it meets and those it misses for the next stage;
* :func:`city_stage_table`: the city's stage (the median agency) and the distribution;
* :func:`leadership_table`: the leadership commitment index with Cronbach's alpha;
* :data:`SECTIONS`: one row per section of the indicators page (its title, the
  questionnaires it needs, its tables with their builders and report sheets, its
  breakdown); :func:`tables_of` and :func:`indicator_tables` build every table the
  given datasets allow, by name (for the indicator report of the exports).

An indicator row is named by ``indicator`` (``"HH11:fixed_broadband"``, ``"HH4"``),
whose value labels are the indicator's labels ``{lang: text}``.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Callable, Mapping

import numpy as np
import pandas as pd

from analysis.indicators import egov
from analysis.indicators import itu as indicators
from analysis.tables.summary_table import (
    MIN_RESPONDENTS,
    RELIABILITY_LABELS,
    RELIABILITY_NOTE,
    TOO_FEW_NOTE,
    Column,
    SummaryTable,
    estimate_columns,
    with_reliability,
)
from survey import locale as formatting
from survey.locale import LANGUAGES, texts

__all__ = ["SECTIONS", "IndicatorSection", "IndicatorTable", "city_stage_table", "egov_indicator_table",
           "household_indicator_table", "indicator_instruments", "indicator_table", "indicator_tables",
           "individual_indicator_table", "leadership_table", "section_of", "stage_table", "tables_of"]

_TITLES = {
    "household": {"id": "Indikator TIK rumah tangga (ITU HH1-HH16)", "en": "Household ICT indicators (ITU HH1-HH16)"},
    "individual": {"id": "Indikator TIK individu umur 5+ (ITU HH5-HH18)",
                   "en": "Individual ICT indicators, aged 5+ (ITU HH5-HH18)"},
    "egov": {"id": "Indikator e-government (EG1-EG7)", "en": "E-government indicators (EG1-EG7)"},
    "stages": {"id": "Tahap e-government setiap perangkat daerah", "en": "E-government stage of each agency"},
    "city": {"id": "Tahap e-government kota", "en": "The city's e-government stage"},
    "leadership": {"id": "Indeks komitmen pimpinan (E-Leadership)", "en": "Leadership commitment index (E-Leadership)"},
}
_NOTES = {
    # Each indicator set says whose percentages it shows (ITU, Manual for Measuring ICT Access and Use by
    # Households and Individuals 2020; Partnership on Measuring ICT for Development, e-government EG1-EG7).
    "household": {"en": "Percentages of households (ITU definitions); {ci}% confidence intervals: logit. "
                        "HH16 is a mean in rupiah.",
                  "id": "Persentase rumah tangga (definisi ITU); selang kepercayaan {ci}%: logit. "
                        "HH16 adalah rata-rata dalam rupiah."},
    "individual": {"en": "Percentages of household members aged 5+ in the last 3 months (ITU definitions, as BPS "
                         "Susenas asks them); {ci}% confidence intervals: logit.",
                   "id": "Persentase anggota rumah tangga umur 5+ dalam 3 bulan terakhir (definisi ITU, seperti "
                         "Susenas BPS); selang kepercayaan {ci}%: logit."},
    "egov": {"en": "EG1-EG2: percentages of civil servants; EG3-EG7: percentages of agencies (Partnership on "
                   "Measuring ICT for Development); {ci}% confidence intervals: logit.",
             "id": "EG1-EG2: persentase ASN; EG3-EG7: persentase perangkat daerah (Partnership on Measuring ICT "
                   "for Development); selang kepercayaan {ci}%: logit."},
    "city": {"en": "The city is at the {stage} stage: the median agency's stage (the highest stage more than half "
                   "of the {n} agencies have reached).",
             "id": "Kota berada pada {stage}: tahap median perangkat daerah (tahap tertinggi yang dicapai lebih "
                   "dari separuh dari {n} perangkat daerah)."},
    "ladder": {"en": "A stage counts only when every stage below it is reached (UN/ASPA 2001); 'Missing' lists "
                     "the criteria of the next stage that are not met.",
               "id": "Suatu tahap dihitung hanya bila semua tahap di bawahnya tercapai (UN/ASPA 2001); 'Belum "
                     "terpenuhi' berisi kriteria tahap berikutnya yang belum dipenuhi."},
    "alpha": {"en": "Index: mean of the six lead_* items rescaled to 0-100. Cronbach's alpha (unweighted) measures "
                    "the items' consistency: 0.7 or more is usually taken as acceptable.",
              "id": "Indeks: rata-rata enam butir lead_* diubah ke skala 0-100. Alfa Cronbach (tanpa bobot) "
                    "mengukur konsistensi butir: 0,7 atau lebih umumnya dianggap memadai."},
}


def _ci(level: float) -> dict[str, str]:
    return {lang: formatting.number(100 * level, lang, 0) for lang in LANGUAGES}


def indicator_table(result: pd.DataFrame, title: dict, provenance=None, by_var=None,
                    level: float = 0.95, note: str = "household") -> SummaryTable:
    """A SummaryTable of an indicators result (:data:`analysis.indicators.itu.RESULT_COLUMNS`)."""
    by = by_var.name if by_var is not None else None
    frame = result.copy()
    key = np.where(frame["category"].astype(str) == "", frame["code"].astype(str),
                   frame["code"].astype(str) + ":" + frame["category"].astype(str))
    frame.insert(0, "indicator", key)
    labels = {k: dict(label) for k, label in zip(key, frame.pop("label"))}
    if by:
        frame = frame.rename(columns={by: "by"})
    frame = with_reliability(frame)
    columns = {"code": Column({"id": "Kode", "en": "Code"}),
               "indicator": Column({"id": "Indikator", "en": "Indicator"}),
               "sdg": Column({"id": "SDG", "en": "SDG"})}
    if by:
        columns["by"] = Column(by_var.labels)
    columns.update(estimate_columns(level))
    value_labels = {"indicator": labels, "reliability": RELIABILITY_LABELS}
    if by:
        value_labels["by"] = by_var.value_labels()
    notes = (texts(_NOTES, note, ci=_ci(level)), RELIABILITY_NOTE)
    keys = ("indicator", "by") if by else ("indicator",)
    return SummaryTable(frame, title, columns, value_labels=value_labels, notes=notes, provenance=provenance,
                        kind="indicators", stats={"by": by, "level": level}, keys=keys)


def _by(table, by):
    return None if by is None else table.variables[by]


def household_indicator_table(data, by: str | None = None, level: float = 0.95) -> SummaryTable:
    result = indicators.household_indicators(data, by=by, level=level)
    return household_table_of(result, data, by, level)


def household_table_of(result: pd.DataFrame, data, by: str | None, level: float) -> SummaryTable:
    """The household section's table of ``result`` (in memory, or out of core: analysis.tables.out_of_core_indicators)."""
    return indicator_table(result, _TITLES["household"], data.provenance, _by(data.main, by), level)


def individual_indicator_table(data, by: str | None = None, level: float = 0.95) -> SummaryTable:
    members = next(t for t in data.tables.values() if t.household is not None)
    result = indicators.individual_indicators(data, by=by, level=level)
    return individual_table_of(result, data, members, by, level)


def individual_table_of(result: pd.DataFrame, data, members, by: str | None, level: float) -> SummaryTable:
    """The individual section's table of ``result`` on the ``members`` table of ``data``."""
    return indicator_table(result, _TITLES["individual"], data.provenance, _by(members, by), level, "individual")


def egov_indicator_table(civil_servants=None, agencies=None, by: str | None = None,
                         level: float = 0.95) -> SummaryTable:
    result = egov.egov_indicators(civil_servants, agencies, by=by, level=level)
    source = civil_servants if civil_servants is not None else agencies
    by_var = _by(civil_servants.main, by) if by and civil_servants is not None else None
    table = indicator_table(result, _TITLES["egov"], source.provenance, by_var, level, "egov")
    if civil_servants is not None and agencies is not None:
        table = table.with_note({lang: "; ".join(agencies.provenance.lines(lang)[:3]) for lang in LANGUAGES})
    return table


def _agency_labels(dataset) -> dict:
    var = dataset.main.variables.get("agency")
    return var.value_labels() if var is not None else {}


def stage_table(agencies) -> SummaryTable:
    """Each agency's stage on the ladder, with the criteria met and missing."""
    stages = egov.agency_stages(agencies).drop(columns="label")
    columns = {"agency": Column({"id": "Perangkat daerah", "en": "Agency"}),
               "stage": Column({"id": "Tahap", "en": "Stage"}),
               "stage_number": Column({"id": "Tingkat (0-5)", "en": "Level (0-5)"}, "integer"),
               "met": Column({"id": "Kriteria terpenuhi", "en": "Criteria met"}),
               "missing": Column({"id": "Belum terpenuhi (tahap berikutnya)", "en": "Missing for the next stage"})}
    criteria = {c: dict(t) for c, t in egov.CRITERION_LABELS.items()}
    value_labels = {"agency": _agency_labels(agencies), "stage": {s: dict(t) for s, t in egov.STAGE_LABELS.items()},
                    "met": criteria, "missing": criteria}
    stages = stages.sort_values(["stage_number", "agency"], ascending=[False, True], kind="stable")
    return SummaryTable(stages, _TITLES["stages"], columns, value_labels=value_labels, notes=(_NOTES["ladder"],),
                        provenance=agencies.provenance, kind="stages", keys=("agency",),
                        stats={"criteria": tuple(egov.CRITERIA), "stages": egov.STAGES})


def city_stage_table(agencies) -> SummaryTable:
    """The distribution of agencies over the stages; ``stats["city_stage"]`` is the city's."""
    city, dist = egov.city_stage(agencies)
    dist = dist.drop(columns="label")
    columns = {"stage": Column({"id": "Tahap", "en": "Stage"}),
               "agencies": Column({"id": "Perangkat daerah", "en": "Agencies"}, "count"),
               "percent": Column({"id": "Persen", "en": "Percent"}, "percent"),
               "reached": Column({"id": "Mencapai tahap ini atau lebih", "en": "At this stage or higher"}, "count"),
               "percent_reached": Column({"id": "Persen mencapai", "en": "Percent reached"}, "percent")}
    stage_labels = {s: dict(t) for s, t in egov.STAGE_LABELS.items()}
    note = texts(_NOTES, "city", stage=stage_labels[city], n=str(int(dist["agencies"].sum())))
    return SummaryTable(dist, _TITLES["city"], columns, value_labels={"stage": stage_labels},
                        notes=(note, _NOTES["ladder"]), provenance=agencies.provenance, kind="distribution",
                        keys=("stage",), stats={"city_stage": city, "agencies": int(dist["agencies"].sum())})


def leadership_table(civil_servants, by: str | None = "agency", level: float = 0.95) -> SummaryTable:
    """The leadership index per ``by`` group and overall ("(all)"), with Cronbach's alpha."""
    summary = with_reliability(egov.leadership_summary(civil_servants, by=by, level=level),
                               MIN_RESPONDENTS).assign(kind="number")
    columns = {}
    value_labels = {"reliability": RELIABILITY_LABELS}
    if by:
        summary = summary.rename(columns={by: "by"})
        var = civil_servants.main.variables[by]
        columns["by"] = Column(var.labels)
        value_labels["by"] = {**var.value_labels(), egov.ALL: {"id": "Semua", "en": "All"}}
    columns.update(estimate_columns(level))
    columns["alpha"] = Column({"id": "Alfa Cronbach", "en": "Cronbach's alpha"}, "ratio")
    return SummaryTable(summary, _TITLES["leadership"], columns, value_labels=value_labels,
                        notes=(_NOTES["alpha"], RELIABILITY_NOTE, TOO_FEW_NOTE), provenance=civil_servants.provenance,
                        kind="leadership", keys=("by",) if by else (), stats={"by": by, "level": level})


# ---- the sections: one row each -----------------------------------------------------------------
def _usable(data) -> bool:
    return data is not None and data.main.design is not None


def _household(household, **options):
    return household_indicator_table(household, **options) if _usable(household) else None


def _individual(household, **options):
    members = _usable(household) and any(t.household is not None and t.design is not None
                                         for t in household.tables.values())
    return individual_indicator_table(household, **options) if members else None


def _egov(civil_servants, agencies, **options):
    civil_servants = civil_servants if _usable(civil_servants) else None
    agencies = agencies if _usable(agencies) else None
    if civil_servants is None and agencies is None:
        return None
    return egov_indicator_table(civil_servants, agencies, **options)


def _stages(agencies, **_options):
    return stage_table(agencies) if _usable(agencies) else None


def _city(agencies, **_options):
    return city_stage_table(agencies) if _usable(agencies) else None


def _leadership(civil_servants, **options):
    return leadership_table(civil_servants, **options) if _usable(civil_servants) else None


@dataclass(frozen=True)
class IndicatorTable:
    """One table of a section, named as the report's sheets and the page's downloads know it."""

    name: str
    sheet: Mapping[str, str]    # {id, en}: its sheet in the indicator report
    build: Callable             # build(*datasets, **options) -> SummaryTable, or None while its data are missing


@dataclass(frozen=True)
class IndicatorSection:
    """What the indicators page shows together, and the tables the indicator report lists."""

    key: str
    title: Mapping[str, str]                    # {id, en}: the section's name on the page
    instruments: tuple[str, ...]                # the questionnaires whose Datasets the builders take, in order
    tables: tuple[IndicatorTable, ...]
    breakdown: str | None = None                # the table whose choice questions break it down; None: no breakdown
    default_by: str | None = None               # the breakdown chosen first
    by_questions: tuple[str, ...] | None = None  # the breakdowns offered; None: every choice question of that table


SECTIONS: tuple[IndicatorSection, ...] = (
    IndicatorSection("household", {"id": "Rumah tangga (HH1-HH16)", "en": "Households (HH1-HH16)"}, ("household",),
                     (IndicatorTable("household", {"id": "Rumah tangga", "en": "Households"}, _household),),
                     breakdown="household"),
    IndicatorSection("individual", {"id": "Individu (HH5-HH18)", "en": "Individuals (HH5-HH18)"}, ("household",),
                     (IndicatorTable("individual", {"id": "Individu", "en": "Individuals"}, _individual),),
                     breakdown="household_members", by_questions=indicators.INDIVIDUAL_BY),
    IndicatorSection("egov", {"id": "E-government (EG1-EG7)", "en": "E-government (EG1-EG7)"},
                     ("civil_servant", "agency"),
                     (IndicatorTable("egov", {"id": "E-government", "en": "E-government"}, _egov),),
                     breakdown="civil_servant"),
    IndicatorSection("stages", {"id": "Tahap perangkat daerah", "en": "Agencies' stages"}, ("agency",),
                     (IndicatorTable("stages", {"id": "Tahap perangkat daerah", "en": "Agency stages"}, _stages),
                      IndicatorTable("city", {"id": "Tahap kota", "en": "City stage"}, _city))),
    IndicatorSection("leadership", {"id": "Kepemimpinan", "en": "Leadership"}, ("civil_servant",),
                     (IndicatorTable("leadership", {"id": "Kepemimpinan", "en": "Leadership"}, _leadership),),
                     breakdown="civil_servant", default_by="agency"),
)


def section_of(key: str) -> IndicatorSection:
    return next(s for s in SECTIONS if s.key == key)


def indicator_instruments() -> tuple[str, ...]:
    """Every questionnaire some section needs, in the sections' order."""
    return tuple(dict.fromkeys(name for s in SECTIONS for name in s.instruments))


def tables_of(datasets: Mapping[str, Any], **options) -> dict[str, SummaryTable]:
    """Every indicator table that ``datasets`` ({questionnaire: Dataset or None}) allow, by name."""
    out = {}
    for s in SECTIONS:
        for table in s.tables:
            built = table.build(*(datasets.get(name) for name in s.instruments), **options)
            if built is not None:
                out[table.name] = built
    return out


def indicator_tables(household=None, civil_servants=None, agencies=None, level: float = 0.95) -> dict:
    """Every indicator table the given datasets allow (None or empty ones are skipped)."""
    return tables_of({"household": household, "civil_servant": civil_servants, "agency": agencies}, level=level)
