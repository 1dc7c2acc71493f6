"""Design-based survey analysis reproducing R's ``survey`` package (Lumley 2010).

The estimators take a ``SurveyDesign``; ``analysis.dataset.dataset`` builds the designs of an
instrument's stored responses as its ``design:`` block says, and the table builders
(``analysis.tables.question_tables``, ``analysis.indicators.sections``) return ``SummaryTable`` specs
that pages, charts and files render.
"""

import importlib

# Names are imported at first use (PEP 562): the estimators alone need numpy, pandas and scipy,
# while the dataset and tables bring DuckDB, ibis and more (~36 MB and 0.4 s at import).
_HOME = {
    "Dataset": "analysis.dataset.dataset", "build_dataset": "analysis.dataset.dataset",
    "load_dataset": "analysis.dataset.dataset",
    "crosstab": "analysis.estimation.contingency",
    **dict.fromkeys(["mean", "proportion", "quantile", "ratio", "shares", "total"], "analysis.estimation.estimates"),
    "FayHerriotFit": "analysis.estimation.fay_herriot", "fay_herriot": "analysis.estimation.fay_herriot",
    "calibrate": "analysis.estimation.greg",
    "linear": "analysis.estimation.models", "logistic": "analysis.estimation.models",
    "ordinal_logistic": "analysis.estimation.ordinal",
    "ReplicateDesign": "analysis.estimation.replicate",
    "DesignError": "analysis.estimation.survey_design", "SurveyDesign": "analysis.estimation.survey_design",
    "ttest": "analysis.estimation.ttest",
    **dict.fromkeys(["ConvergenceError", "WeightingResult", "base_weights", "poststratify", "rake"],
                    "analysis.estimation.weighting"),
    "crosstab_table": "analysis.tables.question_tables", "question_table": "analysis.tables.question_tables",
    "SummaryTable": "analysis.tables.summary_table",
}


def __getattr__(name: str):
    if name not in _HOME:
        raise AttributeError(f"module 'analysis' has no attribute {name!r}")
    value = getattr(importlib.import_module(_HOME[name]), name)
    globals()[name] = value
    return value


def __dir__():
    return sorted({*globals(), *_HOME})


__all__ = [
    "SurveyDesign", "ReplicateDesign", "DesignError", "mean", "total", "ratio", "proportion", "shares", "quantile",
    "crosstab", "logistic", "linear", "ttest", "ordinal_logistic", "fay_herriot", "FayHerriotFit",
    "base_weights", "poststratify", "rake", "calibrate", "WeightingResult", "ConvergenceError",
    "Dataset", "build_dataset", "load_dataset", "SummaryTable", "question_table", "crosstab_table",
]
