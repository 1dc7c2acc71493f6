"""The question-type table (survey.questionnaire.types.QUESTION_TYPES): coercion of raw answers,
the traits every module reads, and that the UI has a widget and a writer for each."""

import datetime as dt
import re
from pathlib import Path

import numpy as np
import pytest

from survey import load_instrument
from survey.questionnaire.types import (
    ANALYSIS_KINDS, CHOICES, EXPORT_KINDS, QUESTION_TYPES, SHOWN_AS, CoercionError,
)


@pytest.mark.parametrize(
    "qtype, raw, expected",
    [
        ("integer", "42", 42),
        ("integer", 7.0, 7),
        ("decimal", "3,5", 3.5),
        ("decimal", ".5", 0.5),
        ("date", "2026-11-20", dt.date(2026, 11, 20)),
        ("date", dt.datetime(2026, 11, 20, 9, 30), dt.date(2026, 11, 20)),
        ("geopoint", " -7.5666  110.8166 ", "-7.5666 110.8166"),
        ("geopoint", [-7.5, 110.8], "-7.5 110.8"),
        ("select_multiple", "home work", ["home", "work"]),
    ],
)
def test_values_are_coerced(qtype, raw, expected):
    assert QUESTION_TYPES[qtype].coerce(raw) == expected


@pytest.mark.parametrize(
    "qtype, raw",
    [
        ("integer", True),
        ("integer", 2.5),
        ("integer", "1e3"),
        ("integer", "\u0663"),
        ("decimal", "nan"),
        ("decimal", "inf"),
        ("decimal", "\u0663.5"),
        ("date", "2026-W48-5"),
        ("date", "27/11/2026"),
        ("geopoint", "-7.5 110.8 \u0663"),
        ("geopoint", "95 110"),
        ("select_one", ["a"]),
        ("select_multiple", [True]),
        ("text", {"a": 1}),
    ],
)
def test_malformed_values_are_rejected(qtype, raw):
    with pytest.raises(CoercionError):
        QUESTION_TYPES[qtype].coerce(raw)


# ---- the traits (survey.questionnaire.types.QuestionType) ---------------------------------------

STORED = [t for t in QUESTION_TYPES.values() if t.stores_answer]


@pytest.mark.parametrize("kind", STORED, ids=lambda t: t.name)
def test_every_stored_type_has_a_widget_an_analysis_and_an_export_kind(kind):
    assert kind.widget is not None
    assert kind.analysis_kind in ANALYSIS_KINDS and kind.analysis_kind != "none"
    assert kind.export_kind in EXPORT_KINDS
    assert kind.answer_from_cell is not None and kind.shown_as in SHOWN_AS
    assert kind.coerce is not None and kind.spss_measure and kind.stata_type and kind.xlsform_type


def test_each_widget_name_has_a_function_in_the_entry_form():
    from ui.entry.form import WIDGETS

    names = {t.widget for t in QUESTION_TYPES.values() if t.widget is not None}
    assert names == set(WIDGETS)
    assert all(callable(WIDGETS[name]) for name in names)


def test_each_way_of_showing_an_answer_has_a_writer_on_the_review_page():
    from ui.supervision.review_view import ANSWER_WRITERS

    assert {t.shown_as for t in STORED} <= set(ANSWER_WRITERS) == set(SHOWN_AS)


def test_the_kinds_are_those_the_analysis_and_the_export_know():
    from analysis.dataset.answer_columns import KINDS as FRAME_KINDS
    from analysis.export.microdata.variables import KINDS as VARIABLE_KINDS

    assert set(ANALYSIS_KINDS) - {"none"} == set(FRAME_KINDS)
    assert set(EXPORT_KINDS) <= set(VARIABLE_KINDS)


def test_the_traits_agree_with_each_other():
    for kind in QUESTION_TYPES.values():
        assert kind.choices in CHOICES
        if kind.is_repeat or not kind.stores_answer:
            assert kind.analysis_kind == "none" and kind.export_kind is None and not kind.entered
        if kind.choices == "one" and not kind.computed:
            assert (kind.analysis_kind, kind.export_kind, kind.shown_as) == ("categorical", "choice", "choice")
        if kind.choices == "many":
            assert (kind.analysis_kind, kind.export_kind, kind.shown_as) == ("multiple", "dummy", "choices")
        if kind.numeric:
            assert kind.analysis_kind == "number" and kind.shown_as == "number" and kind.spss_measure == "scale"
        assert kind.whole_numbers <= kind.numeric
        if kind.is_date:
            assert (kind.analysis_kind, kind.export_kind, kind.shown_as) == ("date", "date", "date")
    computed = QUESTION_TYPES["calculate"]
    assert computed.computed and computed.stores_answer and not computed.entered
    # calculate: tabulated as categories, exported as its text (see the module docstring)
    assert (computed.analysis_kind, computed.export_kind, computed.spss_measure) == ("categorical", "text", "nominal")


@pytest.mark.parametrize(
    "qtype, cell, answer",
    [
        ("integer", np.int64(3), 3),
        ("decimal", np.float64(2.5), 2.5),
        ("date", np.datetime64("2026-11-20"), dt.date(2026, 11, 20)),
        ("date", dt.date(2026, 11, 20), dt.date(2026, 11, 20)),
        ("select_multiple", np.array(["home", "work"], dtype=object), ["home", "work"]),
        ("select_multiple", [], None),
        ("select_one", "2", "2"),
        ("text", "Ani", "Ani"),
    ],
)
def test_a_stored_cell_becomes_the_answer_again(qtype, cell, answer):
    value = QUESTION_TYPES[qtype].answer_from_cell(cell)
    assert value == answer and type(value) is type(answer)


def test_a_question_reads_its_traits_as_kind():
    inst = load_instrument("household")
    for q in inst.all_questions():
        assert q.kind is QUESTION_TYPES[q.type]
        assert q.stores_answer == q.kind.stores_answer
    assert inst.repeats and all(r.kind.is_repeat for r in inst.repeats)


_TYPE_COMPARISON = re.compile(r"\.type (==|!=|in|not in) |type == \"")


def test_no_module_compares_type_names_outside_the_table_and_the_builder():
    root = Path(__file__).resolve().parents[2]
    allowed = {Path("survey/questionnaire/types.py"), Path("survey/questionnaire/model.py")}
    found = [f"{path.relative_to(root)}:{n}"
             for folder in ("survey", "analysis", "ui") for path in sorted((root / folder).rglob("*.py"))
             if path.relative_to(root) not in allowed
             for n, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1)
             if _TYPE_COMPARISON.search(line)]
    assert found == []
