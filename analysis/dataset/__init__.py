"""Store + questionnaire + the data folder's frame and population files -> a ``Dataset``:
labelled analysis columns, each table with its design and weights, response rates and
provenance."""

from analysis.dataset.dataset import Dataset, build_dataset, load_dataset

__all__ = ["Dataset", "build_dataset", "load_dataset"]
