"""Questionnaires as data, validation and the Parquet response store.

Public API (stable; see DESIGN.md): load_instrument, validate, ResponseStore,
ValidationError, Problem.
"""

from survey.questionnaire.model import Instrument, InstrumentError, Question, load_instrument
from survey.questionnaire.problems import Problem, ValidationError
from survey.questionnaire.validate import validate

__all__ = [
    "ConflictError", "IncompatibleInstrument", "Instrument", "InstrumentError", "Problem", "Question", "Receipt",
    "ResponseStore", "StorageFull", "UnknownResponse", "ValidationError", "load_instrument", "validate",
]
_STORE_NAMES = {"ResponseStore", "Receipt", "ConflictError", "UnknownResponse", "StorageFull", "IncompatibleInstrument"}


def __getattr__(name: str):
    # The store pulls in DuckDB and pyarrow datasets; import it on first use so that
    # loading and validating a questionnaire stays light.
    if name in _STORE_NAMES:
        from survey.store import response_store as store

        return getattr(store, name)
    raise AttributeError(name)
