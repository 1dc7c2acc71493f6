"""The Parquet response store, split by topic (see ``commit`` for how a write stays safe):

    response_store  ResponseStore: its folders, read, count, history, compact; composed of
    catalogue         the questionnaires: instrument(), instrument_ids(), tables(), versions kept
    writing           submit, revise, set_status
    commit            the commit protocol: a revision is never lost or doubled
    inputs          the checks of ids, notes, times and people before anything is written
    receipts        Receipt, ConflictError, UnknownResponse
    versions        the questionnaire versions the store holds answers of
    layout          a table folder's file names, markers and journal
    durable         crash-safe file primitives (temp, fsync, publish, unlink)
    reading         DuckDB reads that see each (response, revision) once
    compaction      merging small files into parts, recovering from a crash
    background      compaction after the acknowledgement, in a thread of its own
    quarantine      files a table cannot use, moved aside and reported
    frames          Arrow rows sorted, shaped to a schema, converted to pandas
    revisions       a response's revisions and what each changed
    stored_answers  a stored response read back as the answers that produced it
    integrity       ``python -m survey.check``: stray, corrupt and orphaned files
    submit_bench    ``python -m survey.store.submit_bench``: submit latency while the store grows
    backups         ``python -m survey.backup``: consistent snapshots while writers write
"""

from survey.store.durable import StorageFull
from survey.store.receipts import ConflictError, Receipt, UnknownResponse
from survey.store.response_store import ResponseStore
from survey.store.versions import IncompatibleInstrument

__all__ = ["ConflictError", "IncompatibleInstrument", "Receipt", "ResponseStore", "StorageFull", "UnknownResponse"]
