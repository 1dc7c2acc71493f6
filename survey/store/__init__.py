"""The Parquet response store, split by topic (see ``response_store`` for how a write stays safe):

    response_store  ResponseStore: submit, revise, set_status, read, history, compact
    versions        the questionnaire versions the store holds answers of
    layout          a table folder's file names, markers and journal
    durable         crash-safe file primitives (temp, fsync, publish, unlink)
    reading         DuckDB reads that see each (response, revision) once
    compaction      merging small files into parts, recovering from a crash
    quarantine      files a table cannot use, moved aside and reported
    frames          Arrow rows sorted, shaped to a schema, converted to pandas
    revisions       a response's revisions and what each changed
    stored_answers  a stored response read back as the answers that produced it
    integrity       ``python -m survey.check``: stray, corrupt and orphaned files
    backups         ``python -m survey.backup``: consistent snapshots while writers write
"""

from survey.store.durable import StorageFull
from survey.store.response_store import ConflictError, Receipt, ResponseStore, UnknownResponse
from survey.store.versions import IncompatibleInstrument

__all__ = ["ConflictError", "IncompatibleInstrument", "Receipt", "ResponseStore", "StorageFull", "UnknownResponse"]
