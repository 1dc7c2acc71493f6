"""Design-based survey analysis reproducing R's ``survey`` package (Lumley 2010).

The estimators take a ``SurveyDesign``; ``analysis.dataset.dataset`` builds the designs of an
instrument's stored responses as its ``design:`` block says, and the table builders
(``analysis.tables.question_tables``, ``analysis.indicators.sections``) return ``SummaryTable`` specs
that pages, charts and files render.
"""

from analysis.dataset.dataset import Dataset, build_dataset, load_dataset
from analysis.estimation.contingency import crosstab
from analysis.estimation.estimates import mean, proportion, quantile, ratio, shares, total
from analysis.estimation.fay_herriot import FayHerriotFit, fay_herriot
from analysis.estimation.greg import calibrate
from analysis.estimation.models import linear, logistic
from analysis.estimation.ordinal import ordinal_logistic
from analysis.estimation.replicate import ReplicateDesign
from analysis.estimation.survey_design import DesignError, SurveyDesign
from analysis.estimation.ttest import ttest
from analysis.estimation.weighting import ConvergenceError, WeightingResult, base_weights, poststratify, rake
from analysis.tables.question_tables import crosstab_table, question_table
from analysis.tables.summary_table import SummaryTable

__all__ = [
    "SurveyDesign", "ReplicateDesign", "DesignError", "mean", "total", "ratio", "proportion", "shares", "quantile",
    "crosstab", "logistic", "linear", "ttest", "ordinal_logistic", "fay_herriot", "FayHerriotFit",
    "base_weights", "poststratify", "rake", "calibrate", "WeightingResult", "ConvergenceError",
    "Dataset", "build_dataset", "load_dataset", "SummaryTable", "question_table", "crosstab_table",
]
