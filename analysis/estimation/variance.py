"""What an estimator asks of a design: :class:`VarianceDesign`.

Every estimator (:mod:`~analysis.estimation.estimates`, :mod:`~analysis.estimation.contingency`,
:mod:`~analysis.estimation.models`) reads a design only through this interface, so a
second kind of design plugs in beside ``SurveyDesign`` (Taylor linearisation,
:mod:`analysis.estimation.taylor`) without touching them: a replicate-weight design
(R's ``svrepdesign``) implements the same members with variances from replicates.

An estimator hands the design its influence values (Binder 1983; Lumley 2010,
*Complex Surveys*, ch. 3): one number per row whose total is the estimator's error to
first order, zero for rows outside the domain or missing.  Domains are integer codes
per row (``group``: 0..n_groups-1, -1 = in no domain), so many domains cost one pass.

The design turns influence values into *totals*: a (U, K) matrix, linear in the
influence values, whose rows are the design's units of variance (the PSUs of a
Taylor design; the replicates of a replicate design) and whose columns are estimates.
The estimator may combine columns linearly (``totals @ M``, or columns scaled and
added), which commutes with the design's map, and gives the results back to the same
design for variances; it never reads the rows.  So crosstab builds the unit x cell
totals once and derives every standard error and the Rao-Scott covariance from them.

``rows`` (and ``group``) passed with totals say which subset each estimate is computed
on.  A Taylor design needs this only for lonely_psu="average" (R counts the strata
present in the subset); another design may ignore it.

A replicate design (:class:`analysis.estimation.replicate.ReplicateDesign`) answers these
members with linearised replicate variances, exact only for estimators linear in the
weights (totals).  R's ``svyrep`` methods instead re-estimate a mean, a ratio or a model in
every replicate, so the public estimators hand a replicate design (one with
``replicate_weights``) to :mod:`analysis.estimation.replicate_estimators`, which does that.
"""

from __future__ import annotations

from typing import Protocol, runtime_checkable

import numpy as np
import pandas as pd


@runtime_checkable
class VarianceDesign(Protocol):
    """A survey design as the estimators see it: data, weights, a subset, variances, df."""

    # ---- the data and the subpopulation ------------------------------------------
    def __len__(self) -> int:
        """The number of rows (the subset's and all the others: domains keep the whole design)."""
        ...

    @property
    def weights(self) -> np.ndarray:
        """Sampling (analysis) weights, one float per row, read-only."""
        ...

    @property
    def in_subset(self) -> np.ndarray:
        """One bool per row: True for rows in the (sub)population being analysed."""
        ...

    @property
    def column_names(self) -> pd.Index:
        """The names of the data's columns."""
        ...

    def column(self, name: str) -> pd.Series:
        """One column of the data, every row in the design's order, named ``name``,
        without copying the rest of the data (KeyError when absent)."""
        ...

    def subset(self, mask) -> "VarianceDesign":
        """The same design restricted to rows where ``mask`` (and the current subset) is True;
        rows outside stay in the design with zero influence (R's ``subset(design, ...)``)."""
        ...

    # ---- degrees of freedom -----------------------------------------------------
    @property
    def degf(self) -> int:
        """Degrees of freedom of the design's subset (R's ``degf(design)``)."""
        ...

    def domain_degf(self, rows: np.ndarray, group: np.ndarray | None = None,
                    n_groups: int = 1) -> np.ndarray:
        """(n_groups,) integers: R's ``degf`` of the design restricted to the ``rows`` of each
        domain (``group[i] == j``; no ``group``: one domain, all of ``rows``).  ``degf`` is
        ``domain_degf(in_subset)[0]``."""
        ...

    # ---- variances of influence values --------------------------------------------
    def variance(self, infl: np.ndarray, rows: np.ndarray, group: np.ndarray | None = None,
                 n_groups: int = 1) -> np.ndarray:
        """(n_groups,) variances of one estimator per domain: row i's influence value
        ``infl[i]`` counts for domain ``group[i]`` (no ``group``: one estimate on ``rows``).
        ``rows`` are the rows the estimates use.  Memory must not grow as units x domains
        for many domains (chunk them)."""
        ...

    def totals(self, infl: np.ndarray, group: np.ndarray | None = None, n_groups: int = 1) -> np.ndarray:
        """(U, n_groups) totals of ``infl`` per unit of variance, column j from rows of domain j
        (no ``group``: one column from every row).  Linear in ``infl``; see the module docstring."""
        ...

    def totals_variance(self, totals: np.ndarray, rows: np.ndarray, group: np.ndarray | None = None,
                        n_groups: int = 1, columns: np.ndarray | None = None) -> np.ndarray:
        """(K,) variances of the estimates whose totals are the columns of ``totals`` (U, K).

        Column j is an estimate on the ``rows`` of domain ``columns[j]`` of ``group``
        (``columns`` defaults to column j = domain j; no ``group``: every column on ``rows``).
        """
        ...

    def totals_covariance(self, totals: np.ndarray, rows: np.ndarray) -> np.ndarray:
        """(K, K) covariance matrix of the estimates whose totals are the columns of
        ``totals`` (U, K), all computed on ``rows``."""
        ...
