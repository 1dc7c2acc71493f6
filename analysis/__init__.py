"""Design-based survey analysis reproducing R's ``survey`` package (Lumley 2010).

The estimators take a ``SurveyDesign``; ``analysis.dataset`` builds the designs of an
instrument's stored responses as its ``design:`` block says, and the table builders
(``analysis.summaries``, ``analysis.indicator_tables``) return ``SummaryTable`` specs
that pages, charts and files render.
"""

from .crosstab import crosstab
from .design import DesignError, SurveyDesign
from .estimates import mean, proportion, quantile, ratio, shares, total
from .models import linear, logistic
from .weighting import ConvergenceError, WeightingResult, base_weights, poststratify, rake
from .dataset import Dataset, build_dataset, load_dataset
from .tables import SummaryTable
from .summaries import crosstab_table, question_table

__all__ = [
    "SurveyDesign", "DesignError", "mean", "total", "ratio", "proportion", "shares", "quantile",
    "crosstab", "logistic", "linear",
    "base_weights", "poststratify", "rake", "WeightingResult", "ConvergenceError",
    "Dataset", "build_dataset", "load_dataset", "SummaryTable", "question_table", "crosstab_table",
]
