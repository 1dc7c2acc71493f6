"""One path for every table and chart (issue 23): what the source may no longer do.

Every table a person reads is a SummaryTable drawn by ui.results.result_view (its one
st.dataframe); a chart is built in analysis.charts and only handed to Streamlit; a page asks for a
result by its builder, never by a string name."""

from __future__ import annotations

import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def sources(folder: str) -> dict[str, str]:
    return {path.relative_to(ROOT).as_posix(): path.read_text(encoding="utf-8")
            for path in (ROOT / folder).rglob("*.py")}


def test_only_the_results_view_draws_a_table():
    drawing = [name for name, text in sources("ui").items() if re.search(r"\bst\.(dataframe|data_editor)\(", text)]
    assert drawing == ["ui/results/result_view.py"]


def test_pages_ask_for_results_by_their_builder():
    by_name = [name for name, text in sources("ui").items() if re.search(r"\bdata(_cache)?\.table\(\s*[\"']", text)]
    assert by_name == []
