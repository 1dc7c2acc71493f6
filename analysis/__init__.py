"""Design-based survey analysis reproducing R's ``survey`` package (Lumley 2010)."""

from .crosstab import crosstab
from .design import DesignError, SurveyDesign
from .estimates import mean, proportion, quantile, ratio, shares, total
from .models import linear, logistic
from .weighting import ConvergenceError, WeightingResult, base_weights, poststratify, rake

__all__ = [
    "SurveyDesign", "DesignError", "mean", "total", "ratio", "proportion", "shares", "quantile",
    "crosstab", "logistic", "linear",
    "base_weights", "poststratify", "rake", "WeightingResult", "ConvergenceError",
]
