"""SummaryTables of a question's estimates and of cross-tabulations, from a Dataset.

* :func:`question_table`: a choice question's shares (``svyciprop`` logit intervals,
  one row per choice), a select_multiple's share choosing each option among those
  asked, or a number's mean and quartiles (``svymean``; ``svyquantile`` with Woodruff
  intervals), optionally by one breakdown variable (domains of the design, R's
  ``svyby``: each domain's interval with its own degrees of freedom for shares and
  quantiles).  A number is rupiah when its question says so (``appearance: rupiah``).
* :func:`crosstab_table`: row, column (and optional layer) of two choice questions:
  weighted counts with SEs (``svytotal``), percentages of row, column or total with
  intervals (``svyby(svyciprop)``), unweighted cell counts, the Rao-Scott test
  (``svychisq``, F with the second-order correction, Rao & Scott 1984) as a plain
  sentence, Cramér's V, and a warning when expected counts are small (Cochran 1954:
  any below 1, or more than 20% below 5; expected counts of the table scaled to the
  sample size, as the test sees it).

Category columns hold choice names; ``value_labels`` give ``{lang: text}``.  Every
estimate row has the columns of :data:`analysis.tables.summary_table.ESTIMATE_FIELDS`.
The histograms (:mod:`analysis.tables.histograms`) share :func:`empty_table` and
:func:`as_percent`.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from analysis.estimation.contingency import crosstab
from analysis.estimation.estimates import mean, proportion, quantile, shares
from analysis.tables import out_of_core
from analysis.tables.calibrated import without_sampling_error
from analysis.tables.summary_table import (
    RELIABILITY_LABELS,
    RELIABILITY_NOTE,
    Column,
    SummaryTable,
    estimate_columns,
    with_reliability,
)
from survey import locale as formatting
from survey.locale import LANGUAGES, pick, texts
from survey.questionnaire.analysis_defaults import PERCENT_OF

QUARTILES = (("p25", 0.25), ("median", 0.5), ("p75", 0.75))
STATISTIC_LABELS = {
    "mean": {"id": "Rata-rata", "en": "Mean"},
    "p25": {"id": "Kuartil 1", "en": "1st quartile"},
    "median": {"id": "Median", "en": "Median"},
    "p75": {"id": "Kuartil 3", "en": "3rd quartile"},
}
_NOTES = {
    "categorical": {"en": "Percent of those who answered; {ci}% confidence intervals: logit (R svyciprop).",
                    "id": "Persen dari yang menjawab; selang kepercayaan {ci}%: logit (R svyciprop)."},
    "multiple": {"en": "Percent choosing each option among those asked; several options can be chosen, so the "
                       "percentages can add up to more than 100%.",
                 "id": "Persen yang memilih setiap pilihan di antara yang ditanya; boleh memilih lebih dari satu, "
                       "sehingga jumlahnya bisa lebih dari 100%."},
    "number": {"en": "Mean with its {ci}% confidence interval; quartiles with Woodruff intervals (R svyquantile).",
               "id": "Rata-rata dengan selang kepercayaan {ci}%; kuartil dengan selang Woodruff (R svyquantile)."},
    "small": {"en": "Small expected counts ({detail}): the test may be unreliable; merge categories or wait for "
                    "more interviews.",
              "id": "Frekuensi harapan kecil ({detail}): uji mungkin tidak andal; gabungkan kategori atau tunggu "
                    "wawancara lain."},
    "no_df": {"en": "The tests of association are not available for “{row}” by “{col}”: this part of the sample has "
                    "0 degrees of freedom (as many PSUs as strata), so the F test has no reference distribution. "
                    "The percentages still stand.",
              "id": "Uji asosiasi tidak tersedia untuk “{row}” menurut “{col}”: bagian sampel ini memiliki 0 derajat "
                    "bebas (jumlah PSU sama dengan jumlah strata), sehingga uji F tidak memiliki distribusi acuan. "
                    "Persentasenya tetap berlaku."},
}


def _pct(level: float, lang: str) -> str:
    return formatting.number(100 * level, lang, 0)


def _names(var, values: pd.Series, lang: str) -> np.ndarray:
    """A result's category labels (in the dataset's language) back to choice names."""
    back = dict(zip(var.choice_labels(lang), var.choices))
    return values.astype(object).map(lambda v: back.get(v, v)).to_numpy(dtype=object)


def _by_table(table, by: str | None):
    if by is None:
        return None
    if by not in table.variables or table.variables[by].kind != "categorical":
        raise KeyError(f"{by!r} is not a choice question of {table.name}; breakdowns: "
                       f"{[v for v, x in table.variables.items() if x.kind == 'categorical']}")
    return table.variables[by]


def empty_table(title, columns, notes, provenance, kind, keys, stats, value_labels, subtitle=None) -> SummaryTable:
    """A table of ``kind`` with no rows yet, its first note saying how to get responses."""
    data = pd.DataFrame({c: pd.Series(dtype=object) for c in [*keys, *columns, "kind"]})
    none = {"en": "No responses yet: enter interviews, or load a simulated sample with "
                  "python -m survey.simulate --households 500 --out data.",
            "id": "Belum ada respons: masukkan wawancara, atau muat sampel simulasi dengan "
                  "python -m survey.simulate --households 500 --out data."}
    return SummaryTable(data, title, columns, notes=(none, *notes), provenance=provenance, kind=kind,
                        keys=keys, stats=stats, value_labels=value_labels, subtitle=subtitle)


def question_table(data, question: str, by: str | None = None, level: float = 0.95,
                   ci_method: str = "logit") -> SummaryTable:
    """The estimates of one question (see the module docstring) as a SummaryTable."""
    table = data.table_of(question)
    var = table.variables[question]
    by_var = _by_table(table, by)
    if var.kind not in ("categorical", "multiple", "number"):
        raise ValueError(f"{question!r} is a {var.question.type} question; estimates are for choices and numbers")
    key = "statistic" if var.kind == "number" else "choice"
    keys = tuple(k for k in ("by", key) if k != "by" or by)
    columns = {"by": Column(by_var.labels)} if by else {}
    columns[key] = Column({"id": "Statistik", "en": "Statistic"} if key == "statistic" else var.labels)
    columns.update(estimate_columns(level))
    columns["count"] = Column({"id": "Jumlah menjawab", "en": "Respondents"}, "count")
    if var.kind == "number":
        del columns["count"]
    ci = {lang: _pct(level, lang) for lang in LANGUAGES}
    notes = (texts(_NOTES, var.kind, ci=ci), RELIABILITY_NOTE)
    value_labels = {"reliability": RELIABILITY_LABELS}
    if by:
        value_labels["by"] = by_var.value_labels()
    value_labels[key] = STATISTIC_LABELS if key == "statistic" else (
        var.value_labels() if var.kind == "categorical" else {c: dict(var.question.choices.get(c, {"en": c, "id": c}))
                                                       for c in var.choices})
    subtitle = ({lang: ("menurut " if lang == "id" else "by ") + by_var.label(lang) for lang in LANGUAGES}
                if by else None)
    stats = {"question": question, "by": by, "table": table.name, "level": level, "variable_kind": var.kind}
    title = var.labels
    if table.design is None or table.n == 0:
        return empty_table(title, columns, notes, data.provenance, "estimates", keys, stats, value_labels, subtitle)
    # past SURVEY_OUT_OF_CORE_ROWS, shares and numbers come from DuckDB (None: not handled there)
    frame = _out_of_core(table, var, by, by_var, level, ci_method)
    if frame is not None:
        notes = (*notes, out_of_core.NOTE)
    else:
        build = {"categorical": _shares, "multiple": _options, "number": _numbers}[var.kind]
        frame = build(table, var, by, by_var, level, ci_method)
    frame, fixed = without_sampling_error(frame, table.design, {v.name: v.labels for v in (var, by_var) if v})
    frame = with_reliability(frame)
    notes = (fixed, *notes) if fixed else notes
    order = [c for c in dict.fromkeys([*keys, *columns, "df", "kind"]) if c in frame.columns]
    return SummaryTable(frame[order], title, columns, value_labels=value_labels, notes=notes,
                        provenance=data.provenance, subtitle=subtitle, kind="estimates", stats=stats, keys=keys)


def as_percent(r: pd.DataFrame) -> pd.DataFrame:
    """A proportion result with its estimate, SE and interval in percent."""
    r = r.copy()
    r[["estimate", "se", "ci_low", "ci_high"]] *= 100
    return r


def _respondents(table, codes: np.ndarray, n_levels: int, by_codes: np.ndarray | None) -> pd.DataFrame:
    """Unweighted respondents per (domain, level) within the domain in force."""
    inside = table.design.in_subset & (codes >= 0)
    group = np.zeros(len(codes), dtype=np.int64) if by_codes is None else by_codes
    inside &= group >= 0
    groups = int(group.max()) + 1 if len(group) else 1
    counts = np.bincount(group[inside] * n_levels + codes[inside], minlength=groups * n_levels)
    return counts.reshape(groups, n_levels)


def _with_counts(r, counts, table, var, by, by_var) -> pd.DataFrame:
    """``r`` (one row per choice, and per group of ``by``) with its unweighted respondents from
    ``counts`` (groups x choices) and the group's label."""
    position = {c: i for i, c in enumerate(var.choices)}
    if by:
        r["by"] = _names(by_var, r.pop(by), table.lang)
        by_pos = {c: i for i, c in enumerate(by_var.choices)}
        r["count"] = [counts[by_pos[b], position[c]] for b, c in zip(r["by"], r["choice"])]
    else:
        r["count"] = [counts[0, position[c]] for c in r["choice"]]
    return r.assign(kind="percent")


def _shares(table, var, by, by_var, level, ci_method) -> pd.DataFrame:
    r = as_percent(proportion(table.design, var.name, by=by, ci_method=ci_method, level=level, deff=True))
    r["choice"] = _names(var, r.pop("level"), table.lang)
    counts = _respondents(table, table.choice_codes(var.name), len(var.choices),
                          table.choice_codes(by) if by else None)
    return _with_counts(r, counts, table, var, by, by_var)


def _out_of_core(table, var, by, by_var, level, ci_method) -> pd.DataFrame | None:
    if var.kind == "number":
        estimates = out_of_core.numbers(table, var, by, level, [p for _, p in QUARTILES])
        return None if estimates is None else _numbers(table, var, by, by_var, level, ci_method, estimates)
    r = (out_of_core.shares if var.kind == "categorical" else out_of_core.options)(table, var, by, level, ci_method)
    if r is None:
        return None
    r = as_percent(r)
    r["choice"] = _names(var, r.pop("level"), table.lang)
    if by:
        r["by"] = _names(by_var, r.pop(by), table.lang)
    return r.assign(kind="percent")


def _options(table, var, by, by_var, level, ci_method) -> pd.DataFrame:
    columns = {f"_o{j}": pd.to_numeric(table.frame[col], errors="coerce").to_numpy(dtype=float, na_value=np.nan)
               for j, col in enumerate(var.columns)}
    r = shares(table.design.update(**columns), list(columns), by=by, ci_method=ci_method, level=level,
               deff=True)
    r = as_percent(r)
    r["choice"] = r.pop("level").map(dict(zip(columns, var.choices))).to_numpy(dtype=object)
    by_codes = table.choice_codes(by) if by else None
    counts = np.column_stack([_respondents(table, np.where(values == 1, 0, -1), 1, by_codes)[:, 0]
                              for values in columns.values()])
    return _with_counts(r, counts, table, var, by, by_var)


def _numbers(table, var, by, by_var, level, ci_method, estimates=None) -> pd.DataFrame:
    """``estimates``: (mean, quantiles) computed elsewhere (out of core), else in memory."""
    d = table.design
    m, q = estimates or (mean(d, var.name, by=by, level=level, deff=True),
                         quantile(d, var.name, [p for _, p in QUARTILES], by=by, level=level))
    m = m.assign(statistic="mean")
    q["statistic"] = q.pop("prob").map({p: name for name, p in QUARTILES})
    q["deff"] = np.nan
    r = pd.concat([m, q], ignore_index=True)
    if by:
        r["by"] = _names(by_var, r.pop(by), table.lang)
        order = {c: i for i, c in enumerate(by_var.choices)}
        stat = {"mean": 0, **{name: i + 1 for i, (name, _) in enumerate(QUARTILES)}}
        r = r.iloc[np.lexsort((r["statistic"].map(stat), r["by"].map(order)))].reset_index(drop=True)
    kind = "idr" if var.question.money else "number"
    return r.assign(kind=kind)


# ---- cross-tabs ---------------------------------------------------------------------------
def rao_scott_sentence(row_label: dict, col_label: dict, test: tuple, alpha: float = 0.05) -> dict[str, str]:
    """The Rao-Scott F test in words, per language."""
    f, ndf, ddf, p = test
    out = {}
    for lang in LANGUAGES:
        row, col = pick(row_label, lang), pick(col_label, lang)
        if not np.isfinite(f):
            out[lang] = (f"Uji Rao-Scott tidak dapat dihitung untuk “{row}” menurut “{col}” (terlalu sedikit "
                         "kategori atau data)." if lang == "id" else
                         f"The Rao-Scott test cannot be computed for “{row}” by “{col}” (too few categories or data).")
            continue
        if not np.isfinite(p):   # degf 0 (a layer of one PSU per stratum): R's p-value is NaN too
            out[lang] = _NOTES["no_df"][lang].format(row=row, col=col)
            continue
        sep = "; " if lang == "id" else ", "
        stat = (f"F({formatting.number(ndf, lang, 1)}{sep}{formatting.number(ddf, lang, 0)}) = "
                f"{formatting.number(f, lang, 1)}{sep}{formatting.pvalue(p, lang)}")
        if lang == "id":
            verdict = "berbeda menurut" if p < alpha else "tidak berbeda nyata menurut"
            out[lang] = f"“{row}” {verdict} “{col}”: {stat} (uji Rao-Scott)."
        else:
            verdict = "differs by" if p < alpha else "does not differ significantly by"
            out[lang] = f"“{row}” {verdict} “{col}”: {stat} (Rao-Scott test)."
    return out


def _cramers_sentence(v: float) -> dict[str, str]:
    return {lang: f"Cramér's V = {formatting.number(v, lang, 2)}" for lang in LANGUAGES}


def _expected(counts: pd.DataFrame, n: int) -> np.ndarray:
    table = counts.to_numpy(dtype=float)
    total = table.sum()
    if total <= 0:
        return np.full(table.shape, np.nan)
    return n * (table.sum(axis=1, keepdims=True) / total) * (table.sum(axis=0, keepdims=True) / total)


def crosstab_table(data, row: str, col: str, layer: str | None = None, percent: str = "row",
                   level: float = 0.95, ci_method: str = "logit") -> SummaryTable:
    """The cross-tabulation of two choice questions (see the module docstring).

    ``percent``: "row" (each row's distribution over the columns), "col" or "total".
    One test per layer level (or for the whole table without a layer); sentences and
    warnings are the table's notes, the numbers in ``stats["tests"]``, each test with
    its own texts too (``sentence``, ``cramers`` and ``warning``: ``{lang: text}`` or None),
    so a page can show a layer's test beside its chart.
    """
    if percent not in PERCENT_OF:
        raise ValueError(f"percent must be one of {PERCENT_OF}, not {percent!r}")
    if row == col:
        raise ValueError("row and column must be different questions")
    table = next((t for t in data.tables.values() if row in t.variables and col in t.variables), None)
    if table is None:
        raise KeyError(f"{row!r} and {col!r} are not choice questions of one table of {data.instrument.id}")
    rvar, cvar = (_by_table(table, name) for name in (row, col))
    lvar = _by_table(table, layer)
    keys = tuple(k for k in ("layer", "row", "col") if k != "layer" or layer)
    columns = {"layer": Column(lvar.labels)} if layer else {}
    columns.update(row=Column(rvar.labels), col=Column(cvar.labels))
    columns.update(estimate_columns(level))
    columns["estimate"] = Column({"id": {"row": "% baris", "col": "% kolom", "total": "% total"}[percent],
                                  "en": {"row": "Row %", "col": "Column %", "total": "Total %"}[percent]}, "row")
    columns.update(count=Column({"id": "Jumlah tertimbang", "en": "Weighted count"}, "count"),
                   cell_n=Column({"id": "n sel", "en": "Cell n"}, "count"))
    value_labels = {"row": rvar.value_labels(), "col": cvar.value_labels(), "reliability": RELIABILITY_LABELS}
    if layer:
        value_labels["layer"] = lvar.value_labels()
    title = {lang: f"{rvar.label(lang)} × {cvar.label(lang)}" for lang in LANGUAGES}
    stats = {"row": row, "col": col, "layer": layer, "percent": percent, "table": table.name, "level": level}
    if table.design is None or table.n == 0:
        return empty_table(title, columns, (RELIABILITY_NOTE,), data.provenance, "crosstab", keys,
                           {**stats, "tests": ()}, value_labels)
    computed = out_of_core.crosstab_layers(table, rvar, cvar, lvar, percent, level, ci_method)   # the store's rows
    said_ooc = [out_of_core.NOTE] if computed is not None else []
    if computed is None:
        layers = [(None, table.design)]
        if layer:
            codes = table.choice_codes(layer)
            present = np.unique(codes[table.design.in_subset & (codes >= 0)])
            layers = [(lvar.choices[j], table.design.subset(codes == j)) for j in present]
        computed = ((name, *_one_crosstab(table, d, rvar, cvar, percent, level, ci_method)) for name, d in layers)
    parts, tests, notes = [], [], []
    for name, frame, test in computed:
        if layer:
            frame.insert(0, "layer", name)
        parts.append(frame)
        prefix = {lang: (f"{lvar.value_labels()[name][lang]}: " if layer else "") for lang in LANGUAGES}
        sentence = rao_scott_sentence(rvar.labels, cvar.labels, test["rao_scott"])
        said = {"sentence": {lang: prefix[lang] + sentence[lang] for lang in LANGUAGES}, "cramers": None,
                "warning": None}
        if np.isfinite(test["cramers_v"]):
            said["cramers"] = {lang: prefix[lang] + t for lang, t in _cramers_sentence(test["cramers_v"]).items()}
        if test["small_expected"]:
            detail = {lang: (f"{formatting.percent(100 * test['share_below_5'], lang, 0)} "
                             + ("sel di bawah 5, terkecil " if lang == "id" else "of cells below 5, smallest ")
                             + formatting.number(test["min_expected"], lang, 1)) for lang in LANGUAGES}
            small = texts(_NOTES, "small", detail=detail)
            said["warning"] = {lang: prefix[lang] + small[lang] for lang in LANGUAGES}
        tests.append({"layer": name, **test, **said})
        notes += [text for text in said.values() if text is not None]
    frame, fixed = without_sampling_error(pd.concat(parts, ignore_index=True), table.design,
                                          {v.name: v.labels for v in (lvar, rvar, cvar) if v is not None})
    frame = with_reliability(frame)
    notes = ([fixed] if fixed else []) + notes + [RELIABILITY_NOTE] + said_ooc
    order = [*keys, *[c for c in columns if c not in keys], "count_se", "expected", "df", "kind"]
    return SummaryTable(frame[order], title, columns, value_labels=value_labels, notes=notes,
                        provenance=data.provenance, kind="crosstab", stats={**stats, "tests": tuple(tests)},
                        keys=keys)


def _one_crosstab(table, d, rvar, cvar, percent, level, ci_method) -> tuple[pd.DataFrame, dict]:
    row, col = rvar.name, cvar.name
    ct = crosstab(d, row, col)
    rows, cols = list(ct.counts.index), list(ct.counts.columns)
    long = pd.DataFrame({
        "row": np.repeat(_names(rvar, pd.Series(rows), table.lang), len(cols)),
        "col": np.tile(_names(cvar, pd.Series(cols), table.lang), len(rows)),
        "count": ct.counts.to_numpy().ravel(), "count_se": ct.counts_se.to_numpy().ravel(),
        "cell_n": ct.n.to_numpy().ravel().astype(int),
    })
    complete = int(ct.n.to_numpy().sum())
    expected = _expected(ct.counts, complete)
    long["expected"] = expected.ravel()
    if percent == "row":
        p = as_percent(proportion(d, col, by=row, ci_method=ci_method, level=level, deff=True))
        p["row"], p["col"] = _names(rvar, p.pop(row), table.lang), _names(cvar, p.pop("level"), table.lang)
    elif percent == "col":
        p = as_percent(proportion(d, row, by=col, ci_method=ci_method, level=level, deff=True))
        p["col"], p["row"] = _names(cvar, p.pop(col), table.lang), _names(rvar, p.pop("level"), table.lang)
    else:
        rc, cc = table.choice_codes(row), table.choice_codes(col)
        n_r = len(rvar.choices)
        cell = np.where((rc >= 0) & (cc >= 0), cc * n_r + rc, -1)
        cells = pd.Categorical.from_codes(cell, categories=range(n_r * len(cvar.choices)))
        p = as_percent(proportion(d.update(_cell=cells), "_cell", ci_method=ci_method, level=level, deff=True))
        codes = p.pop("level").astype(int).to_numpy()
        p["row"] = np.asarray(rvar.choices, dtype=object)[codes % n_r]
        p["col"] = np.asarray(cvar.choices, dtype=object)[codes // n_r]
    merged = long.merge(p, on=["row", "col"], how="left").assign(kind="percent")
    observed = expected[(ct.n.to_numpy().sum(axis=1) > 0)][:, ct.n.to_numpy().sum(axis=0) > 0]
    share_below_5 = float((observed < 5).mean()) if observed.size else float("nan")
    min_expected = float(observed.min()) if observed.size else float("nan")
    test = {"rao_scott": ct.rao_scott, "chisq": ct.chisq, "pearson": ct.pearson, "cramers_v": ct.cramers_v,
            "n": complete, "share_below_5": share_below_5, "min_expected": min_expected,
            "small_expected": bool(observed.size and (min_expected < 1 or share_below_5 > 0.2))}
    return merged, test
