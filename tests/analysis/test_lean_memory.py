"""Less memory for the side-by-side benchmark (issue 22, section 2, peak memory): the runner's
loader keeps every value while typing columns as R's read.csv/factor would, categorical codes
are counted as before without sorting the rows, and the estimators import without the
dataset's and tables' dependencies."""

import subprocess
import sys

import numpy as np
import pandas as pd

from analysis.benchmarks.generate import generate
from analysis.benchmarks.run_ours import load
from analysis.estimation.codes import factor_codes


def test_the_runner_loads_the_same_values_as_read_parquet(tmp_path):
    parquet, _ = generate(2000, tmp_path)
    ours, plain = load(parquet), pd.read_parquet(parquet)
    assert list(ours.columns) == list(plain.columns)
    for name in ["stratum", "psu", "b", "x4"]:
        assert ours[name].dtype == np.int32
        assert (ours[name].to_numpy() == plain[name].to_numpy()).all()
    for name in ["w", "y", "x1", "x2", "x3"]:
        assert ours[name].dtype == np.float64
        np.testing.assert_array_equal(ours[name].to_numpy(), plain[name].to_numpy())
    for name in ["dom", "r2", "c5"]:
        assert isinstance(ours[name].dtype, pd.CategoricalDtype)
        assert list(ours[name].cat.categories) == sorted(plain[name].unique())
        assert (ours[name].astype(str).to_numpy() == plain[name].to_numpy()).all()


def test_categorical_codes_drop_unused_categories_and_keep_their_order():
    values = pd.Series(pd.Categorical(["b", None, "d", "b", "a"], categories=["d", "c", "b", "a", "z"]))
    codes, labels = factor_codes(values)
    expected = values.cat.remove_unused_categories()
    assert codes.dtype == np.int64
    assert codes.tolist() == expected.cat.codes.tolist() == [1, -1, 0, 1, 2]
    assert labels.tolist() == ["d", "b", "a"]
    every = pd.Series(pd.Categorical(["x", "y", "x"]))
    assert factor_codes(every)[0].tolist() == [0, 1, 0]


def test_the_estimators_import_without_the_dataset_and_tables_dependencies():
    code = ("import sys; import analysis.estimation.estimates, analysis.estimation.models, "
            "analysis.estimation.contingency, analysis.estimation.survey_design; "
            "print(sorted(m for m in ('ibis', 'duckdb', 'sqlglot', 'analysis.dataset') if m in sys.modules))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]"
    import analysis
    assert analysis.SurveyDesign is analysis.estimation.survey_design.SurveyDesign
    assert {"quantile", "SummaryTable", "load_dataset"} <= set(dir(analysis))
