"""Indicators: ITU HH1-HH18, EG1-EG7, each agency's e-government stage and leadership, live.

One section at a time (so a page is ready quickly with 100,000 households): the
household and individual ICT indicators (ITU codes, with the SDG indicator each one
measures: 4.4.1, 5.b.1, 17.6.1, 17.8.1), the e-government indicators, each agency
on the ladder Emerging -> Seamless with the criteria it meets and misses and the
city's stage, beside what each agency's website shows (survey.webcheck's snapshots, the
disagreements flagged; administrators check the sites again with a button), and the leadership
commitment index with Cronbach's alpha.  Each has its interval, a breakdown selector where it
splits, and its downloads.
"""

from __future__ import annotations

import streamlit as st

from analysis import charts
from analysis.indicators import egov
from analysis.indicators.sections import SECTIONS, IndicatorSection, section_of
from survey import locale as formatting
from survey.locale import pick
from ui import auth
from ui.i18n import current_lang, t
from ui.pages import registry
from ui.results import data_cache as data
from ui.results import kelurahan_view, website_evidence
from ui.results.data_cache import View
from ui.results.live import live
from ui.results.result_view import chart_ui, count_ui, design_notes_ui, downloads_ui, table_ui
from ui.store import unusable_ui, usable_instruments

PAGE = "indicators"


def breakdown_ui(section: IndicatorSection, lang: str) -> str | None:
    """The section's breakdown selector (the choice questions of its first questionnaire's table)."""
    if section.breakdown is None:
        return None
    with st.spinner(t("computing", lang)):
        facets = data.facets(section.instruments[0], lang)
    variables = [v for v in facets.groups.get(section.breakdown, ())
                 if section.by_questions is None or v.name in section.by_questions]
    labels = {v.name: pick(v.labels, lang) for v in variables}
    note = None
    if section.key == "household":   # issue 18, item 4
        model, note = kelurahan_view.option(section.instruments[0], variables, lang)
        labels.update(model)
    options = [None, *labels]
    index = options.index(section.default_by) if section.default_by in options else 0
    by = st.selectbox(t("breakdown", lang), options, index=index, key=f"{PAGE}_by_{section.key}",
                      format_func=lambda n: t("breakdown_none", lang) if n is None else labels[n])
    if note:
        st.caption(note)
    return by


def _none_yet(instrument: str, lang: str) -> bool:
    """True (and a message saying how to get data) while the instrument has no response."""
    provenance = data.facets(instrument, lang).provenance
    if provenance.responses:
        return False
    title = pick(data.facets(instrument, lang).title, lang)
    st.info(t("no_data_for", lang, title=title) + " " + t("no_data", lang), icon=":material/info:")
    return True


def _counts(instruments: tuple[str, ...], lang: str) -> None:
    for instrument in instruments:
        provenance = data.facets(instrument, lang).provenance
        st.caption(pick(data.facets(instrument, lang).title, lang))
        count_ui(provenance, f"{PAGE}_{instrument}", lang)
        design_notes_ui(provenance, lang)


def tables(section: IndicatorSection, by: str | None, lang: str, indicator: str | None = None,
           benchmark: bool = False) -> dict:
    """The section's tables: key -> how to build it (None while its data are missing). A section
    without a breakdown is built without one; "by kelurahan (model-based)" builds one indicator's."""
    if by == kelurahan_view.MODEL_BY:
        view = View(section.instruments[0], lang)
        return {f"{PAGE}_kelurahan": lambda: kelurahan_view.indicator_table_of(view, indicator, benchmark)}
    views = tuple(View(instrument, lang) for instrument in section.instruments)
    options = {"by": by} if section.breakdown is not None else {}
    return {f"{PAGE}_{table.name}": lambda table=table: data.table(table.build, views, **options)
            for table in section.tables}


def stages_ui(city, stages, lang: str) -> None:
    stage = city.value_label("stage", city.stats["city_stage"], lang)
    st.metric(t("city_stage", lang), stage, help=t("city_stage_help", lang, n=city.stats["agencies"]))
    chart_ui(charts.city_chart(city, lang), f"{PAGE}_city")
    table_ui(city, f"{PAGE}_city", lang)
    chart_ui(charts.ladder_chart(stages, city.stats["city_stage"], lang), f"{PAGE}_stages")
    table_ui(stages, f"{PAGE}_stages", lang)
    website_evidence.evidence_ui(stages, lang)


def leadership_ui(table, lang: str) -> None:
    rows = table.data
    overall = rows[rows["by"] == egov.ALL].iloc[0] if "by" in rows else rows.iloc[0]
    left, right = st.columns(2)
    left.metric(t("leadership_index", lang), formatting.number(overall["estimate"], lang, 1))
    right.metric(t("cronbach_alpha", lang), formatting.number(overall["alpha"], lang, 2),
                 help=t("cronbach_help", lang))
    chart_ui(charts.leadership_chart(table, lang), f"{PAGE}_leadership")
    table_ui(table, f"{PAGE}_leadership", lang)


@live
def results(key: str, by: str | None, lang: str, indicator: str | None = None, benchmark: bool = False) -> None:
    section = section_of(key)
    instruments = section.instruments
    _counts(instruments, lang)
    if all([_none_yet(instrument, lang) for instrument in instruments]):
        return
    with st.spinner(t("computing", lang)):
        built = {name: build() for name, build in tables(section, by, lang, indicator, benchmark).items()}
    if any(table is None for table in built.values()):
        return
    if by == kelurahan_view.MODEL_BY:   # direct and model-based rows: a table, no chart yet
        table_ui(built[f"{PAGE}_kelurahan"], f"{PAGE}_kelurahan", lang)
    elif key == "stages":
        stages_ui(built[f"{PAGE}_city"], built[f"{PAGE}_stages"], lang)
    elif key == "leadership":
        leadership_ui(built[f"{PAGE}_leadership"], lang)
    else:
        for key, table in built.items():
            chart_ui(charts.indicator_chart(table, lang), key)
            table_ui(table, key, lang)


def page() -> None:
    auth.gate(PAGE)
    lang = current_lang()
    st.header(registry.title(PAGE, lang))
    key = st.radio(t("indicator_section", lang), [s.key for s in SECTIONS], horizontal=True,
                   key=f"{PAGE}_section", format_func=lambda k: pick(section_of(k).title, lang))
    section = section_of(key)
    _, broken = usable_instruments()
    broken = {name: exc for name, exc in broken.items() if name in section.instruments}
    if broken:   # the section waits for its questionnaire's file to be fixed; the others still work
        unusable_ui(broken, lang)
        return
    by = breakdown_ui(section, lang)
    indicator, benchmark = None, False
    if by == kelurahan_view.MODEL_BY:
        indicator, benchmark = kelurahan_view.indicator_ui(PAGE, lang), kelurahan_view.benchmark_ui(PAGE, lang)
    results(key, by, lang, indicator, benchmark)
    if key == "stages":
        website_evidence.webcheck_ui(lang)
    downloads_ui(tables(section, by, lang, indicator, benchmark), PAGE, lang)
    if key == "stages":
        downloads_ui(website_evidence.evidence_tables(tables(section, by, lang)[f"{PAGE}_stages"]), PAGE, lang)
    prefetch(section, lang)


def prefetch(shown: IndicatorSection, lang: str) -> None:
    """Compute the other sections of the same questionnaire (without a breakdown) in the
    background once this one is on screen, so that the first switch to one is a read from
    ui.results.data_cache's cache: the individual indicators take over a second at 100,000 households,
    on the dataset the household section has just loaded."""
    others = [section for section in SECTIONS if section != shown and section.instruments == shown.instruments]
    data.prefetch(f"{PAGE}-{'-'.join(shown.instruments)}-{lang}",
                  [build for section in others for build in tables(section, None, lang).values()])


page()
