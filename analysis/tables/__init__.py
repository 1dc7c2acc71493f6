"""``SummaryTable`` (an immutable spec: data, labels, notes) and the builders that make one
from a Dataset: a question's estimates, cross-tabs, histograms, the weighting summary."""

from analysis.tables.summary_table import SummaryTable

__all__ = ["SummaryTable"]
