"""Questionnaires as data, validation and the Parquet response store.

Public API (stable; see DESIGN.md): load_instrument, validate, ResponseStore,
ValidationError, Problem.
"""

from survey.model import Instrument, InstrumentError, Question, load_instrument
from survey.problems import Problem, ValidationError
from survey.validate import validate

__all__ = [
    "Instrument", "InstrumentError", "Problem", "Question", "ResponseStore",
    "ValidationError", "load_instrument", "validate",
]


def __getattr__(name: str):
    # The store pulls in DuckDB and pyarrow datasets; import it on first use so that
    # loading and validating a questionnaire stays light.
    if name == "ResponseStore":
        from survey.store import ResponseStore

        return ResponseStore
    raise AttributeError(name)
