"""analysis.monitoring.precision: the margin of error now and projected at the target, against the formula.

moe        = t(df) * SE
n_target   = n * H_target / H_now
moe_target = t(df_target) * 100 * sqrt(deff * p (1 - p) / n_target)
"""

import numpy as np
import pandas as pd
import pytest
from scipy import stats

from analysis.dataset.datafiles import read_csv
from analysis.dataset.dataset import load_dataset
from analysis.indicators.itu import household_indicators, individual_indicators
from analysis.monitoring.precision import ALL, precision_table, precision_tracker, projected_moe
from survey import ResponseStore
from survey.simulate import main as simulate


@pytest.fixture(scope="module")
def sample(tmp_path_factory):
    root = tmp_path_factory.mktemp("precision")
    simulate(["--households", "300", "--seed", "4", "--bulk", "--out", str(root)])
    return root


@pytest.fixture(scope="module")
def data(sample):
    return load_dataset(ResponseStore(sample, audit=False), "household")


def test_projected_moe_is_the_formula():
    # p = 50%, deff 2, n 400, df 30: 2.0423 * 100 * sqrt(2 * 0.25 / 400) = 7.2206
    assert projected_moe(50, 2.0, 400, 30) == pytest.approx(stats.t.ppf(0.975, 30) * 100 * np.sqrt(2 * 0.25 / 400))
    assert projected_moe(50, 2.0, 400, 30) == pytest.approx(7.2206, abs=1e-4)
    assert projected_moe([20, 80], [1, 1], [100, 100], [np.inf, np.inf]) == pytest.approx([1.96 * 4] * 2, rel=1e-3)


def test_the_tracker_follows_its_formula_row_by_row(sample, data):
    frame = read_csv(sample / "frame.csv")
    # half the sample is in: the target is twice the households the analysis holds now
    table = precision_tracker(data, frame.assign(households_sampled=(frame["households_sampled"].astype(int) * 2)
                                                 .astype(str)))
    assert table["indicator"].unique().tolist() == ["HH6", "HH7", "HH4"]
    assert table.groupby("indicator")["stratum"].apply(list).loc["HH6"] == [
        "laweyan", "serengan", "pasar_kliwon", "jebres", "banjarsari", ALL]
    t_now = stats.t.ppf(0.975, table["df"])
    assert table["moe"].to_numpy() == pytest.approx((t_now * table["se"]).to_numpy())
    assert table["n_target"].to_numpy() == pytest.approx((table["n"] * 2).to_numpy())
    p = table["estimate"] / 100
    expected = stats.t.ppf(0.975, table["df_target"]) * 100 * np.sqrt(table["deff"] * p * (1 - p) / table["n_target"])
    assert table["moe_target"].to_numpy() == pytest.approx(expected.to_numpy())
    assert set(table["status"]) <= {"meet", "miss"}
    assert (table["status"] == np.where(table["moe_target"] > 5, "miss", "meet")).all()


def test_estimates_and_targets_are_those_of_the_analysis_and_the_frame(sample, data):
    frame = read_csv(sample / "frame.csv")
    table = precision_tracker(data, frame).set_index(["indicator", "stratum"])
    hh = household_indicators(data, by="kecamatan").set_index(["code", "kecamatan"])
    assert table.loc[("HH6", "jebres"), "estimate"] == pytest.approx(hh.loc[("HH6", "jebres"), "estimate"])
    assert table.loc[("HH4", "jebres"), "deff"] == pytest.approx(hh.loc[("HH4", "jebres"), "deff"])
    overall = individual_indicators(data).set_index("code")
    assert table.loc[("HH7", ALL), "se"] == pytest.approx(overall.loc["HH7", "se"])
    sampled = frame.assign(n=frame["households_sampled"].astype(int))
    assert table.loc[("HH6", "laweyan"), "target_households"] == sampled.loc[sampled["kecamatan"] == "laweyan", "n"].sum()
    assert table.loc[("HH6", ALL), "target_households"] == 300
    psus = frame.groupby("kecamatan")["psu"].nunique()
    assert table.loc[("HH6", "laweyan"), "df_target"] == psus["laweyan"] - 1
    assert table.loc[("HH6", ALL), "df_target"] == psus.sum() - len(psus)
    # the whole sample is in: the projection is the margin of error now, up to R's n/(n-1) in the deff
    assert table.loc[("HH6", ALL), "n_target"] == table.loc[("HH6", ALL), "n"]
    assert table.loc[("HH6", ALL), "moe_target"] == pytest.approx(table.loc[("HH6", ALL), "moe"], rel=0.02)


def test_without_a_frame_nothing_is_projected_and_a_table_renders(data):
    table = precision_tracker(data, None)
    assert table["moe_target"].isna().all() and set(table["status"]) == {""}
    shown = precision_table(data, None).to_frame("id", formatted=True)
    assert shown.iloc[5]["Kecamatan"] == "Semua" and shown.iloc[0]["MOE pada target"] == "–"


def test_an_empty_dataset_has_no_rows(tmp_path):
    assert precision_tracker(load_dataset(ResponseStore(tmp_path), "household")).empty
    assert isinstance(precision_tracker(load_dataset(ResponseStore(tmp_path), "household")), pd.DataFrame)
