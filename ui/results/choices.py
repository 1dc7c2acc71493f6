"""The choice widgets the analysis pages share: questionnaire, weighted switch, filters.

They live outside a page's live results (``ui.results.live``), take their options from the
instrument and ``ui.results.data_cache.facets`` and return plain values (an instrument id, a flag,
the keyword arguments of a ``ui.results.data_cache.View``).  Every widget key starts with the page's name.
"""

from __future__ import annotations

import streamlit as st

from survey.locale import pick
from survey.questionnaire.schema import COUNTED_STATUSES
from ui.i18n import t
from ui.results import data_cache as data
from ui.results.data_cache import Facets
from ui.store import usable_instruments_ui


def instrument_ui(page: str, lang: str, default: str = "household") -> str:
    """The questionnaire to analyse (the household survey first).

    One the store cannot use now (a broken file, a change the stored answers cannot be read
    with) is named with its problem and left out; the page stops when none is left."""
    usable = usable_instruments_ui(lang)
    names = list(usable)
    titles = {name: pick(inst.title, lang) for name, inst in usable.items()}
    index = names.index(default) if default in names else 0
    return st.selectbox(t("instrument", lang), names, index=index, format_func=titles.get, key=f"{page}_instrument")


def weighted_ui(page: str, facets: Facets, lang: str) -> bool:
    """The weighted / unweighted switch, with the design in force named under it."""
    provenance = facets.provenance
    weighted = st.toggle(t("weighted", lang), value=True, key=f"{page}_weighted", disabled=not provenance.weighted,
                         help=t("weighted_help", lang))
    weights = provenance.weights.get(facets.instrument, {})
    st.caption(t("design_in_force", lang, design=pick(provenance.design, lang), weights=pick(weights, lang)))
    return weighted and provenance.weighted


def filters_ui(page: str, facets: Facets, lang: str) -> dict:
    """Area, days, enumerators and review status; empty means everything."""
    with st.expander(t("filters", lang), icon=":material/filter_alt:"):
        answers = ()
        area = facets.area
        if area is not None and area.choices:
            labels = {name: pick(texts, lang) for name, texts in area.choices}
            chosen = st.multiselect(pick(area.labels, lang), list(labels), format_func=labels.get,
                                    key=f"{page}_area", placeholder=t("filter_all", lang))
            answers = ((area.name, tuple(chosen)),) if chosen else ()
        bounds = {}
        if facets.days is not None:
            bounds = {"min_value": facets.days[0], "max_value": max(facets.days[1], facets.days[0])}
        days = st.date_input(t("filter_days", lang), value=(), key=f"{page}_days", format="YYYY-MM-DD",
                             help=t("filter_days_help", lang), **bounds)
        enumerators = st.multiselect(t("filter_enumerators", lang), list(facets.enumerators),
                                     key=f"{page}_enumerators", placeholder=t("filter_all", lang))
        statuses = st.multiselect(t("filter_statuses", lang), list(COUNTED_STATUSES),
                                  format_func=lambda s: t(f"status_{s}", lang), key=f"{page}_statuses",
                                  placeholder=t("filter_all", lang), help=t("filter_statuses_help", lang))
    return dict(dates=data.days_filter(days), enumerators=tuple(enumerators) or None,
                statuses=tuple(statuses) or None, answers=answers)

