"""Estimates the weighting fixes: shares of a calibration variable have no sampling error.

A post-stratified or raked design's weights are made to add up to the population's totals
of its calibration variables (the kecamatan of the household design; kecamatan and sex of
its members), so those variables' shares are the population's, the same in every sample:
their standard error is zero (up to rounding, ~1e-15), an interval of one point and a
design effect of 0 (R's ``svymean`` on a ``postStratify`` design says the same).  Shown as
estimates they look broken; they are marked instead: SE, interval and design effect left
blank (an en dash on screen) and a note saying the weighting fixes them.  Shares within
groups the weighting does not fix (a kecamatan's share among owners of a computer) keep
their sampling error and are left as they are.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from survey.locale import LANGUAGES, Texts, pick

ZERO_SE = 1e-8        # percentage points: a calibrated share's SE is rounding noise, ~1e-15
UNCERTAIN = ("se", "ci_low", "ci_high", "deff", "count_se")
FIXED_NOTE = {
    "en": "{names}: fixed by the weighting (the weights add up to the population's total of each category), "
          "so there is no sampling error: no SE, confidence interval or design effect (–).",
    "id": "{names}: ditetapkan oleh pembobotan (jumlah bobot sama dengan total populasi setiap kategori), "
          "jadi tidak ada galat sampling: tanpa galat baku, selang kepercayaan, atau efek desain (–).",
}


def calibration_variables(design) -> frozenset[str]:
    """The questions a design's weights were calibrated to (empty without a calibration)."""
    return frozenset(name for fit in (design.calibration if design is not None else ()) for name in fit.variables)


def fixed_rows(frame: pd.DataFrame) -> np.ndarray:
    """Rows whose share has no sampling error: SE zero, a share strictly between 0 and 100%
    (0% and 100% of a group have no SE for another reason), and someone answered."""
    se = pd.to_numeric(frame["se"], errors="coerce").to_numpy(dtype=float)
    estimate = pd.to_numeric(frame["estimate"], errors="coerce").to_numpy(dtype=float)
    answered = (frame["count" if "count" in frame else "cell_n"].to_numpy(dtype=float) > 0
                if "count" in frame or "cell_n" in frame else np.ones(len(frame), dtype=bool))
    return (np.abs(se) < ZERO_SE) & (estimate > 0) & (estimate < 100) & answered


def without_sampling_error(frame: pd.DataFrame, design, questions: dict[str, Texts]) -> tuple[pd.DataFrame, Texts | None]:
    """``frame`` with the uncertainty of the rows the weighting fixes blanked, and the note that
    says so (None when no row is fixed).

    ``questions``: every question of the table (the one estimated and those its groups are
    made of) -> its label.  Only when all of them are calibration variables can the weighting
    fix a share; a zero SE otherwise has another cause (a stratum of one PSU) and stays shown."""
    if not questions or not set(questions) <= calibration_variables(design) or frame.empty:
        return frame, None
    fixed = fixed_rows(frame)
    if not fixed.any():
        return frame, None
    out = frame.copy()
    for column in (c for c in UNCERTAIN if c in out):
        out[column] = out[column].astype(float).where(~fixed, np.nan)
    names = {lang: " · ".join(f"“{pick(label, lang)}”" for label in questions.values()) for lang in LANGUAGES}
    return out, {lang: FIXED_NOTE[lang].format(names=names[lang]) for lang in LANGUAGES}
