"""One module of chart specs (analysis.charts, issue 23 item 2): the pages and the printable files
draw the same chart, and nothing under ui/ builds one."""

from __future__ import annotations

import re
from pathlib import Path

import pandas as pd

from analysis import charts
from analysis.export.tables.chart_svg import chart, chart_svg
from analysis.tables.summary_table import Column, SummaryTable

ROOT = Path(__file__).resolve().parents[2]


def precision() -> SummaryTable:
    data = pd.DataFrame({"indicator": ["HH6"] * 2, "stratum": ["laweyan", "jebres"], "estimate": [40.0, 55.0],
                         "moe": [5.0, 12.0], "n": [100, 50], "status": ["meet", "miss"]})
    columns = {"indicator": Column("Indicator"), "stratum": Column("Stratum"),
               "estimate": Column("Estimate", "percent"), "moe": Column("MOE", "points"), "n": Column("n", "count"),
               "status": Column("Status")}
    return SummaryTable(data, "Precision", columns, kind="precision", keys=("indicator", "stratum"),
                        value_labels={"stratum": {"laweyan": {"en": "Laweyan", "id": "Laweyan"}}})


def test_the_precision_tracker_draws_each_stratum_with_its_margin_and_the_misses_in_red():
    spec = charts.precision_chart(precision(), "id").to_dict()
    rows = spec["datasets"][spec["data"]["name"]]
    assert [(r["category"], r["ci_low"], r["ci_high"], r["miss"]) for r in rows] == [
        ("Laweyan", 35.0, 45.0, False), ("jebres", 43.0, 67.0, True)]
    assert spec["layer"][0]["encoding"]["color"]["condition"]["value"] == "#c62828"
    assert rows[0]["value"] == "40,0%"   # written as the table writes it
    assert chart(precision(), "id").to_dict() == spec   # the printable file's chart is the page's
    assert chart_svg(precision(), "en").startswith("<svg")


def test_no_module_under_ui_draws_a_chart_of_its_own():
    drawn = [path.relative_to(ROOT).as_posix() for path in (ROOT / "ui").rglob("*.py")
             if re.search(r"^import altair|alt\.Chart\(", path.read_text(encoding="utf-8"), re.M)]
    assert drawn == []
    assert not (ROOT / "ui" / "results" / "charts.py").exists()
