"""TableData: one table of a Dataset: its analysis frame, design, variables and weights.

The frame is ``design.data`` (every row); the domain in force (the Dataset's filters)
is ``design.in_subset``.  ``variables`` map question names to the frame's columns
(:class:`analysis.dataset.answer_columns.AnswerColumns`); a repeat group's table also lists the household
questions it carries.  ``choice_codes`` and ``is_choice`` read answers by choice name
whatever the labels' language.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from typing import Mapping

import numpy as np
import pandas as pd

from analysis.dataset.answer_columns import AnswerColumns
from analysis.estimation.survey_design import SurveyDesign
from analysis.estimation.weighting import WeightingResult
from analysis.messages import message


@dataclass(frozen=True, eq=False)
class TableData:
    """One table's analysis frame, its design (with the domain in force) and variables."""

    name: str                                  # the store table ("household", "household_members")
    design: SurveyDesign | None                # None when the table has no rows
    variables: Mapping[str, AnswerColumns]     # question -> its columns (inherited ones too)
    own: frozenset                             # the questions of this table itself
    weights_text: Mapping[str, str]            # {lang: how the weights were made}
    weighting: tuple[WeightingResult, ...] = ()  # base weights and calibrations (for the design page)
    household: np.ndarray | None = None        # repeat tables: each row's position in the main table
    lonely_psu: str = "fail"
    lang: str = "en"                           # the language of the frame's category labels

    @property
    def frame(self) -> pd.DataFrame:
        """Every row of the table (the domain is ``design.in_subset``)."""
        return self.design.data if self.design is not None else pd.DataFrame()

    @property
    def n(self) -> int:
        """Rows in the domain in force."""
        return 0 if self.design is None else int(self.design.in_subset.sum())

    def rows(self) -> pd.DataFrame:
        """The rows in the domain in force."""
        return self.frame[self.design.in_subset] if self.design is not None else pd.DataFrame()

    def choice_codes(self, question: str) -> np.ndarray:
        """Per row, the position of the answer in ``variables[question].choices`` (-1 missing)."""
        var = self.variables[question]
        if var.kind != "categorical":
            raise ValueError(f"{question!r} is not a choice question")
        return self.frame[question].cat.codes.to_numpy(np.int64)

    def is_choice(self, question: str, choice: str) -> pd.Series:
        """Nullable boolean per row: the answer is ``choice`` (NA where unanswered)."""
        var = self.variables[question]
        codes = self.choice_codes(question)
        hit = codes == (var.choices.index(choice) if choice in var.choices else -2)
        return pd.Series(pd.arrays.BooleanArray(hit, codes < 0), index=self.frame.index)

    def subset(self, mask: np.ndarray) -> "TableData":
        return self if self.design is None else replace(self, design=self.design.subset(mask))

    def unweighted(self) -> "TableData":
        """The same rows and domain with equal weights (strata, PSUs and fpc kept)."""
        if self.design is None:
            return self
        c = self.design.columns
        equal = SurveyDesign(self.design.data.assign(_equal_weight=1.0), weights="_equal_weight",
                             strata=c["strata"], psu=c["psu"], fpc=c["fpc"], lonely_psu=self.design.lonely_psu,
                             nest=c["nest"], ultimate_cluster=c["ultimate_cluster"])
        texts = message("weights.unweighted", reason=message("reason.switch").texts).texts
        return replace(self, design=equal.subset(self.design.in_subset), weights_text=texts, weighting=())
