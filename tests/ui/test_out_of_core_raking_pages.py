"""The Explore and Cross-tab pages past SURVEY_OUT_OF_CORE_ROWS on a raked design (issue 24): computed out
of core, without the in-memory Dataset (its build fails the test), showing the in-memory tables."""


from analysis.dataset.dataset import load_dataset
from analysis.tables import out_of_core
from analysis.tables.question_tables import crosstab_table, question_table
from survey import ResponseStore
from tests.support.analysis_store import copy_to
from tests.support.app import open_page, same
from tests.support.out_of_core import WARNINGS, no_dataset
from tests.support.raked_store import raked, write_margins

pytestmark = WARNINGS


def test_explore_and_crosstab_of_a_raked_design_never_build_the_dataset(data_dir, analysis_store, monkeypatch):
    store_dir = copy_to(analysis_store, data_dir)
    write_margins(store_dir)
    raked(monkeypatch)
    data = load_dataset(ResponseStore(store_dir, audit=False), "household", lang="en")
    assert data.main.design.calibration[-1].method == "rake"
    by_sex = question_table(data, "used_internet", by="sex")
    table = crosstab_table(data, "has_computer", "has_tv", percent="col")
    monkeypatch.setenv(out_of_core.SETTING, "10")
    no_dataset(monkeypatch)
    at = open_page(store_dir, "explore")
    at.selectbox(key="explore_question").set_value("used_internet").run()
    at.selectbox(key="explore_by").set_value("sex").run()
    assert not at.exception and not at.error
    same(by_sex, at)
    assert any("Computed out of core (DuckDB)" in c.value for c in at.caption)
    assert not any("in memory" in c.value for c in at.caption)
    at = open_page(store_dir, "crosstab")
    at.selectbox(key="crosstab_row").set_value("has_computer").run()
    at.selectbox(key="crosstab_col").set_value("has_tv").run()
    at.radio(key="crosstab_percent").set_value("col").run()
    assert not at.exception and not at.error
    same(table, at)
    assert at.info[0].value == table.stats["tests"][0]["sentence"]["en"]
    assert any("Computed out of core (DuckDB)" in c.value for c in at.caption)
