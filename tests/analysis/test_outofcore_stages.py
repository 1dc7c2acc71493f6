"""Out of core on the app's household design: two stages (blocks, then households, an fpc
at each) and post-stratification, equal to the in-memory SurveyDesign to 1e-9."""

import numpy as np
import pandas as pd
import pytest

import analysis
from analysis import outofcore
from analysis.estimation.design_variables import factor_codes
from analysis.outofcore import numbers
from analysis.outofcore.shares import proportion

pytestmark = [pytest.mark.filterwarnings("ignore:The 'future.infer_string' option is deprecated"),
              pytest.mark.filterwarnings("ignore:fetch_arrow_table\\(\\) is deprecated")]


def households(seed=3) -> pd.DataFrame:
    """Blocks in 4 kecamatan (one with a single block), households in blocks, 1-4 members each."""
    rng = np.random.default_rng(seed)
    rows = []
    for h, kec in enumerate(["Jebres", "Laweyan", "Pasar Kliwon", "Serengan"]):
        n_blocks = 1 if kec == "Serengan" else int(rng.integers(3, 6))
        for b in range(n_blocks):
            m = int(rng.integers(1, 7))   # some blocks with one household (a lonely second-stage unit)
            for u in range(m):
                for person in range(int(rng.integers(1, 5))):
                    rows.append({"kec": kec, "block": f"b{b}", "hh": f"{kec[:3]}{b}h{u}", "person": person,
                                 "N1": 12 if kec != "Serengan" else 1, "N2": 40 + 5 * b})
    df = pd.DataFrame(rows)
    df["sex"] = rng.choice(["f", "m"], len(df))
    df["tenure"] = pd.Categorical(rng.choice(["own", "rent", "free", None], len(df), p=[.5, .3, .15, .05]),
                                  categories=["own", "rent", "free", "other"])
    income = np.round(rng.lognormal(14, 0.8, len(df)), -4)   # ties
    df["income"] = np.where(rng.random(len(df)) < 0.08, np.nan, income)
    df["water"] = rng.choice(np.array(["pipe", "well", None], dtype=object), len(df), p=[.6, .35, .05])
    n = df.groupby("kec")["block"].transform("nunique")
    m = df.groupby(["kec", "block"])["hh"].transform("nunique")
    df["w0"] = df["N1"] / n * df["N2"] / m
    return df


def designs(df: pd.DataFrame, by: list[str], tmp_path, lonely="adjust"):
    """The in-memory post-stratified two-stage design and the out-of-core one over its Parquet copy."""
    d = analysis.SurveyDesign(df, weights="w0", strata="kec", psu=["block", "hh"], fpc=["N1", "N2"],
                              lonely_psu=lonely, nest=True)
    cells = df[by].drop_duplicates().reset_index(drop=True)
    cells["total"] = np.arange(len(cells)) * 7.0 + 100
    theirs = analysis.poststratify(d, None, cells, by).design
    copy = df.assign(_w=theirs.weights, tenure=factor_codes(df["tenure"])[0],
                     water=factor_codes(df["water"])[0])
    for col in ("tenure", "water"):
        copy[col] = copy[col].where(copy[col] >= 0).astype("Int64")
    path = tmp_path / "rows.parquet"
    copy.to_parquet(path)
    con = outofcore.duckdb_connection(memory_limit="256MB", threads=1)
    ours = outofcore.OutOfCoreDesign(outofcore.read_parquet(con, path), weights="_w", strata="kec", psu="block",
                                     fpc="N1", ssu="hh", fpc2="N2", lonely_psu=lonely, poststrata=by)
    return ours, theirs


def compare(ours: pd.DataFrame, theirs: pd.DataFrame):
    assert list(ours.columns) == list(theirs.columns)
    for col in ours.columns:
        a, b = ours[col].to_numpy(), theirs[col].to_numpy()
        if a.dtype.kind in "fi":
            np.testing.assert_allclose(a.astype(float), b.astype(float), rtol=1e-9, atol=1e-12, err_msg=col)
        else:
            assert list(map(str, a)) == list(map(str, b)), col


@pytest.mark.parametrize("lonely", ["adjust", "remove"])
def test_household_shares_two_stages_poststratified(tmp_path, lonely):
    df = households().drop_duplicates("hh").reset_index(drop=True)   # one row per household
    ours, theirs = designs(df, ["kec"], tmp_path, lonely)
    levels = df["tenure"].cat.categories
    compare(proportion(ours, "tenure", levels, deff=True),
            analysis.proportion(theirs, "tenure", deff=True))
    water = factor_codes(df["water"])[1]
    compare(proportion(ours, "tenure", levels, by="water", by_levels=water, deff=True),
            analysis.proportion(theirs, "tenure", by="water", deff=True))


def test_member_shares_cells_within_households(tmp_path):
    """Members: the post-strata (kecamatan x sex) cut across households, the second-stage units."""
    df = households()
    ours, theirs = designs(df, ["kec", "sex"], tmp_path)
    levels, water = df["tenure"].cat.categories, factor_codes(df["water"])[1]
    compare(proportion(ours, "tenure", levels, by="water", by_levels=water, deff=True),
            analysis.proportion(theirs, "tenure", by="water", deff=True))


def test_without_second_stage_the_variance_is_the_first_stages(tmp_path):
    """The second stage adds to the variance (the test above would not pass without it)."""
    df = households().drop_duplicates("hh").reset_index(drop=True)
    ours, theirs = designs(df, ["kec"], tmp_path)
    levels = df["tenure"].cat.categories
    one = outofcore.OutOfCoreDesign(ours.table, weights="_w", strata="kec", psu="block", fpc="N1",
                                    lonely_psu="adjust", poststrata=["kec"])
    assert (proportion(one, "tenure", levels)["se"] < proportion(ours, "tenure", levels)["se"]).sum() >= 2


def test_poststratification_residuals_matter(tmp_path):
    """Without the residuals the SEs differ (the first test would not pass without them)."""
    df = households().drop_duplicates("hh").reset_index(drop=True)
    ours, _ = designs(df, ["kec"], tmp_path)
    levels = df["tenure"].cat.categories
    plain = outofcore.OutOfCoreDesign(ours.table, weights="_w", strata="kec", psu="block", fpc="N1", ssu="hh",
                                      fpc2="N2", lonely_psu="adjust")
    a, b = proportion(plain, "tenure", levels)["se"], proportion(ours, "tenure", levels)["se"]
    assert np.abs(a - b).max() > 1e-4


@pytest.mark.parametrize("members", [False, True])
@pytest.mark.parametrize("by", [None, "water"])
def test_means_and_quartiles_two_stages_poststratified(tmp_path, members, by):
    df = households()
    if not members:
        df = df.drop_duplicates("hh").reset_index(drop=True)
    ours, theirs = designs(df, ["kec", "sex"] if members else ["kec"], tmp_path)
    water = factor_codes(df["water"])[1]
    compare(numbers.mean(ours, "income", by=by, by_levels=water),
            analysis.mean(theirs, "income", by=by, deff=True))
    compare(numbers.quantile(ours, "income", [0.25, 0.5, 0.75], by=by, by_levels=water),
            analysis.quantile(theirs, "income", [0.25, 0.5, 0.75], by=by))


@pytest.mark.parametrize("members", [False, True])
def test_a_subpopulation_as_the_in_memory_subset(tmp_path, members):
    """A filter (R's subset): rows outside count zero, the design and its calibration stay whole,
    the degrees of freedom count the subset's PSUs (one kecamatan's blocks all left out)."""
    df = households()
    if not members:
        df = df.drop_duplicates("hh").reset_index(drop=True)
    df["_in"] = (df["kec"] != "Laweyan") & (np.random.default_rng(1).random(len(df)) < 0.7)
    ours, full = designs(df, ["kec", "sex"] if members else ["kec"], tmp_path)
    theirs = full.subset(df["_in"].to_numpy())
    levels, water = df["tenure"].cat.categories, factor_codes(df["water"])[1]
    for by in (None, "water"):
        compare(proportion(ours, "tenure", levels, by=by, by_levels=water, deff=True, subset="_in"),
                analysis.proportion(theirs, "tenure", by=by, deff=True))
        compare(numbers.mean(ours, "income", by=by, by_levels=water, subset="_in"),
                analysis.mean(theirs, "income", by=by, deff=True))
        compare(numbers.quantile(ours, "income", [0.25, 0.5, 0.75], by=by, by_levels=water, subset="_in"),
                analysis.quantile(theirs, "income", [0.25, 0.5, 0.75], by=by))
