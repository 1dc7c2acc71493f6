"""Replicate weights in de-identified microdata, instead of strata and PSUs.

Statistics offices release public-use files with replicate weights so that users get
design-based standard errors without the PSU and strata codes, which can identify
small areas (Wolter 2007, ch. 1; the US ACS and NHANES public files do this).  Asked for
``replicate="JKn"`` (or JK1, BRR, bootstrap), a microdata file:

* leaves out the design's strata, PSU and fpc variables (design_roles), and
* carries ``repw_01`` ... ``repw_R``: the replicate analysis weights, made by
  ``SurveyDesign.as_replicate`` (R's ``as.svrepdesign``) from the table's design as the
  analysis builds it.  A repeat table's rows take their own weight times their
  household's replicate factor (replicate weight / household weight), so person
  estimates use the same replicates.

The codebook says the method, ``scale`` and ``rscales``, and how R reads the file:
``svrepdesign(data=d, weights=~weight, repweights="repw_[0-9]+", type=..., scale=...,
rscales=..., combined.weights=TRUE)``.  The bootstrap is seeded, so the same data give
the same file.  Calibration (post-stratification, raking) is in the full-sample and
replicate weights as the analysis made them, not repeated within each replicate.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from types import MappingProxyType
from typing import Mapping

import numpy as np
import pandas as pd

from analysis.export.errors import ExportError

REPLICATE_METHODS = ("JKn", "JK1", "BRR", "bootstrap")
PREFIX = "repw_"
SEED = 20240701   # the bootstrap's: one file per data state, whoever exports it
LABEL = MappingProxyType({"id": "Bobot replikasi {r} ({method})", "en": "Replicate weight {r} ({method})"})


@dataclass(frozen=True)
class TableReplicates:
    """Replicate weights of one table's rows, and what a user needs to read them."""

    weights: pd.DataFrame    # index as TableWeights.weight; columns repw_01 ...
    method: str
    scale: float
    rscales: np.ndarray = field(repr=False)

    @property
    def names(self) -> list[str]:
        return list(self.weights.columns)

    def texts(self) -> Mapping[str, str]:
        """{lang: the method, scale and rscales, and R's svrepdesign call}."""
        same = np.allclose(self.rscales, self.rscales[0])
        rscales = f"{self.rscales[0]:.10g}" if same else ", ".join(f"{x:.10g}" for x in self.rscales)
        call = (f'svrepdesign(data = d, weights = ~weight, repweights = "{PREFIX}[0-9]+", type = "{self.method}", '
                f"scale = {self.scale:.10g}, rscales = {'' if same else 'c('}{rscales}{'' if same else ')'}, "
                "combined.weights = TRUE)")
        n = len(self.names)
        return MappingProxyType({
            "id": f"{n} bobot replikasi ({PREFIX}01 ... ), metode {self.method}, scale = {self.scale:.10g}, "
                  f"rscales = {rscales}. Di R: {call}",
            "en": f"{n} replicate weights ({PREFIX}01 ... ), method {self.method}, scale = {self.scale:.10g}, "
                  f"rscales = {rscales}. In R: {call}",
        })


def check_method(method: str) -> None:
    if method not in REPLICATE_METHODS:
        raise ExportError({"id": f"Metode replikasi {method!r} tidak dikenal; pilih {', '.join(REPLICATE_METHODS)}.",
                           "en": f"Unknown replicate method {method!r}; choose {', '.join(REPLICATE_METHODS)}."})


def design_replicates(store, instrument_id: str, method: str) -> dict[str, TableReplicates]:
    """{table: its replicate weights} for every table of `instrument_id` with a design."""
    from analysis.dataset.dataset import load_dataset  # the analysis stack, only when asked for

    check_method(method)
    dataset = load_dataset(store, instrument_id)
    main = dataset.main
    if main.design is None:
        raise ExportError({"id": "Belum ada data berbobot untuk membuat bobot replikasi.",
                           "en": "There are no weighted data to make replicate weights from yet."})
    try:
        rep = main.design.as_replicate(method, seed=SEED)
    except ValueError as exc:
        raise ExportError({"id": f"Bobot replikasi {method} tidak dapat dibuat untuk desain ini: {exc}",
                           "en": f"{method} replicate weights cannot be made for this design: {exc}"}) from None
    with np.errstate(divide="ignore", invalid="ignore"):
        factors = np.where(rep.weights[:, None] > 0, rep.replicate_weights / rep.weights[:, None], 0.0)
    names = [f"{PREFIX}{r + 1:0{max(2, len(str(rep.n_replicates)))}d}" for r in range(rep.n_replicates)]
    out = {}
    for name, table in dataset.tables.items():
        frame = table.frame
        if table.design is None or not len(frame):
            continue
        ids = frame["_response_id"].astype(str).to_numpy()
        own = table.design.weights
        if table.household is None:
            index = pd.Index(ids)
            values = factors * own[:, None] if name == main.name else np.full((len(frame), len(names)), np.nan)
        else:
            index = pd.MultiIndex.from_arrays([ids, frame["_member_index"].astype("int64").to_numpy()])
            values = factors[table.household] * own[:, None]
        out[name] = TableReplicates(pd.DataFrame(values, index=index, columns=names), rep.method, rep.scale,
                                    rep.rscales)
    return out


def row_replicates(rows: pd.DataFrame, reps: TableReplicates, repeat: bool) -> dict[str, pd.Series]:
    """{column: values} of the replicate weights for store rows (missing where none)."""
    ids = rows["_response_id"].astype(str).to_numpy()
    keys = (pd.MultiIndex.from_arrays([ids, pd.to_numeric(rows["_member_index"]).astype("int64").to_numpy()])
            if repeat else pd.Index(ids))
    values = reps.weights.reindex(keys).to_numpy()
    return {name: pd.Series(values[:, i], index=rows.index, dtype="float64") for i, name in enumerate(reps.names)}
