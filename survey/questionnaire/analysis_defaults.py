"""What the analysis pages show first: the YAML ``analysis:`` block -> frozen AnalysisDefaults.

Two keys: ``explore``, the question the Explore page opens on (ui/pages/explore.py; without
it the first question with estimates), and ``crosstab``, the questionnaire's headline
cross-tabulation, which the cross-tab page opens with (ui/pages/crosstab.py); without it
the page starts on the first two choice questions, as percent of row. Documented in
docs/instruments.md ("Analysis defaults").
Checked when the instrument loads: the row and column are questions of the
questionnaire (a repeat group's too), or ``head_<question>`` for a question of a repeat
group (the household head's answer, which analysis.dataset.assembly adds to the main
table), and the
percentages are of row, col or total. It changes nothing that is stored, so editing it
needs no new version.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Callable, Sequence

PERCENT_OF = ("row", "col", "total")   # what a cross-tab's percentages are of
HEAD_PREFIX = "head_"                  # a repeat question's answer of the household head, on the main table
_KEYS = {"crosstab", "explore"}
_CROSSTAB_KEYS = {"row", "col", "percent"}


@dataclass(frozen=True)
class CrosstabDefault:
    row: str
    col: str
    percent: str = "row"


@dataclass(frozen=True)
class AnalysisDefaults:
    """A frozen ``analysis:`` block."""

    crosstab: CrosstabDefault | None = None
    explore: str | None = None   # the question the Explore page opens on


def parse_analysis(raw: Any, questions: Sequence[Any], fail: Callable[[str], Exception]) -> AnalysisDefaults:
    """Checked AnalysisDefaults from the raw block; ``questions``: the instrument's, in form order."""
    if raw is None:
        return AnalysisDefaults()
    if not isinstance(raw, dict):
        raise fail("'analysis' must be a mapping (crosstab, explore)")
    unknown = sorted(set(raw) - _KEYS)
    if unknown:
        raise fail(f"analysis: unknown key(s) {', '.join(unknown)} (known: {', '.join(sorted(_KEYS))})")
    explore = raw.get("explore")
    names = {inner.name for q in questions for inner in (q, *q.questions) if inner.stores_answer}
    if explore is not None and explore not in names:
        raise fail(f"analysis.explore must name a question, not {explore!r}")
    spec = raw.get("crosstab")
    if spec is None:
        return AnalysisDefaults(explore=explore)
    if not isinstance(spec, dict) or "row" not in spec or "col" not in spec or set(spec) - _CROSSTAB_KEYS:
        raise fail("analysis.crosstab is {row: <question>, col: <question>, percent: row|col|total}")
    names |= {HEAD_PREFIX + inner.name for q in questions for inner in q.questions if inner.stores_answer}
    for key in ("row", "col"):
        if spec[key] not in names:
            raise fail(f"analysis.crosstab.{key} must name a question (or head_<question> of a repeat group), "
                       f"not {spec[key]!r}")
    if spec["row"] == spec["col"]:
        raise fail("analysis.crosstab: row and col must differ")
    percent = spec.get("percent", "row")
    if percent not in PERCENT_OF:
        raise fail(f"analysis.crosstab.percent must be one of {', '.join(PERCENT_OF)}, not {percent!r}")
    return AnalysisDefaults(CrosstabDefault(spec["row"], spec["col"], percent), explore)
