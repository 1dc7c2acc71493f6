"""How a write stays crash-safe: one revision published so that it is never lost or doubled.

Every file is written to a hidden temp name in its folder, flushed and
fsynced, published, and the folder fsynced. Repeat-table files go first, named
with a token (the submission's ``_submitted_at`` in microseconds). The commit
point is the main table's file, published by an atomic exclusive create,
``os.link(temp, "<rid>__r<rev>.parquet")``: ``FileExistsError`` means this
(response, revision) is already stored (a duplicate submit, or a revision
conflict). After a successful link, and before acknowledging, the writer reads
what the table holds (parts and small files): a link that succeeded only because
the file had been compacted away (or because its ``_committed`` marker was lost)
finds an earlier copy of (rid, rev), removes its own file and returns the original
receipt. A marker alone never decides: one whose row no part holds is moved to
quarantine, so that it does not hide the new file. A repeat row counts only
when its (response, revision, token) matches a committed main row, so a crash
between the two writes leaves nothing visible.

A writer stalled past ``orphan_seconds`` puts back the repeat files that
compaction collected meanwhile, before and after its commit. A full disk is a
StorageFull (an OSError with errno ENOSPC), and leaves nothing.

A mixin of ResponseStore (survey.store.response_store): ``_write`` is called by
submit, revise and set_status (survey.store.writing) and uses the store's
``_folder``, ``_ensure_folder``, ``_main_rows`` and ``_auto_compact``.
"""

from __future__ import annotations

import datetime as dt
import logging
import os
import threading
import time
from pathlib import Path
from typing import Mapping

import pyarrow as pa

from survey.questionnaire.model import Instrument
from survey.questionnaire.schema import table_schemas
from survey.store.durable import fsync_dir, fsync_file, storage_error, unlink, write_parquet_temp
from survey.store.frames import replace_columns
from survey.store.layout import COMMITTED, marker, scan
from survey.store.reading import READ_ATTEMPTS, query
from survey.store.receipts import ConflictError, Receipt

log = logging.getLogger(__name__)


_clock_lock = threading.Lock()
_last_us = 0


def _now_us() -> int:
    """Microseconds since the epoch, strictly increasing within the process."""
    global _last_us
    with _clock_lock:
        now = time.time_ns() // 1000
        _last_us = now if now > _last_us else _last_us + 1
        return _last_us


def _from_us(us: int) -> dt.datetime:
    return dt.datetime(1970, 1, 1, tzinfo=dt.timezone.utc) + dt.timedelta(microseconds=us)


def _to_us(moment: dt.datetime) -> int:
    """Epoch microseconds of an aware datetime (a simulated submission time)."""
    delta = moment - dt.datetime(1970, 1, 1, tzinfo=dt.timezone.utc)
    return (delta.days * 86400 + delta.seconds) * 1_000_000 + delta.microseconds


class Commit:
    """ResponseStore's commit protocol: _write and its steps (see the module docstring)."""

    def _receipt(self, inst: Instrument, rid: str, rev: int, at: dt.datetime, duplicate: bool = False) -> Receipt:
        return Receipt(rid, inst.id, rev, at, tuple(table_schemas(inst)), duplicate=duplicate)

    def _original(self, inst: Instrument, rid: str, rev: int) -> dt.datetime | None:
        """`_submitted_at` of the stored (rid, rev) (the first copy), or None when it is not (yet) visible."""
        return self._first_elsewhere(inst, rid, rev, None)

    def _first_elsewhere(self, inst: Instrument, rid: str, rev: int, token: int | None) -> dt.datetime | None:
        """`_submitted_at` of the first stored copy of (rid, rev) stored before `token`, or None.

        Parts and small files are read, not markers; `token` None: any copy. Only the parts
        that hold (rid, rev) are queried (survey.store.part_keys).
        """
        own = f"{rid}__r{rev}.parquet"
        if token is not None:
            # After this writer's own link only a part can hold an earlier copy, and a part is
            # published before the files it merged are deleted: one listing of the parts is
            # enough to know that none may hold (rid, rev), without the reader's whole listing.
            folder = self.table_folder(inst.id)
            parts = [str(folder / name) for name in scan(folder, True).parts]
            if not self._part_keys.that_may_hold(parts, rid, rev):
                return None

        def build(listings):  # parts, and the one small file that can hold (rid, rev): its own name
            found = listings[inst.id]
            # with a token, the own name is this writer's file (its token, never an earlier one)
            files = self._part_keys.that_may_hold(found.parts, rid, rev) + \
                [f for f in found.small if os.path.basename(f) == own and token is None]
            if not files:
                return None
            return ("SELECT epoch_us(_submitted_at) AS us FROM read_parquet($files, union_by_name = true) "
                    "WHERE _response_id = $rid AND _revision = $rev"), {"files": files, "rid": rid, "rev": rev}

        rows = query(self.responses, build, {inst.id: True}, self.quarantine, self._reading(inst.id)[1])
        times = [] if rows is None else rows.column("us").to_pylist()
        earlier = [us for us in times if token is None or us < token]
        return _from_us(min(earlier)) if earlier else None

    def _write(self, inst: Instrument, rid: str, rev: int, build, conflict: bool,
               at: dt.datetime | None = None) -> Receipt:
        """Publish one revision: repeat files, then the main file as the commit point.

        ``at``: the submission time to record (a simulated one); default this clock.
        A token taken twice is replaced by the next one, as for the clock's own.

        Until the main file is linked, a failure removes everything this call wrote
        (a full disk leaves nothing behind) and is raised, as StorageFull when the
        disk is full. Around the commit the repeat files are checked: compaction
        may have collected them as orphans while this writer was stalled.
        """
        main = inst.id
        token = _now_us() if at is None else _to_us(at)
        tables = build(_from_us(token))
        repeats = {name: table for name, table in tables.items() if name != main and table.num_rows}
        linked: dict[str, Path] = {}
        temps: dict[str, Path] = {}
        try:
            main_folder = self._ensure_folder(main)
            for name in repeats:
                self._ensure_folder(name)
            # Every file is written before any is fsynced: the first fsync then mostly writes the
            # others' data too (one journal commit), so the later ones cost little. Each file is
            # still durable before its name is published, and each name before the next step.
            first = token
            main_table = replace_columns(tables[main], {"_submitted_at": _from_us(token)})
            for name, table in repeats.items():
                temps[name], _ = write_parquet_temp(self.table_folder(name), table, sync=False)
            temps[main], stat = write_parquet_temp(main_folder, main_table, sync=False)
            for path in temps.values():
                try:
                    fsync_file(path)
                except FileNotFoundError:   # collected while this writer was stalled: written again below
                    pass
            token = self._publish_repeats(rid, rev, token, repeats, linked, temps)
            if token != first:   # the token was taken (practically never): the main row gets the new one
                main_table = replace_columns(tables[main], {"_submitted_at": _from_us(token)})
                unlink(temps.pop(main))
            self._keep_repeats(rid, rev, token, repeats)
            won, stat = self._commit(main_folder, rid, rev, main_table, temps.pop(main, None), stat)
        except BaseException as exc:
            for path in linked.values():
                unlink(path)
            if isinstance(exc, OSError):
                raise storage_error(exc) from exc
            raise
        finally:
            for path in temps.values():
                unlink(path)
        at = _from_us(token)
        final = main_folder / f"{rid}__r{rev}.parquet"
        if won:
            fsync_dir(main_folder)
            # A marker alone does not decide: the first stored copy of (rid, rev) is
            # the one kept, wherever it is (a part whose marker was lost, too).
            if self._first_elsewhere(inst, rid, rev, token) is not None:
                try:
                    if os.path.samestat(os.stat(final), stat):
                        unlink(final)
                except FileNotFoundError:
                    pass
                won = False
            elif marker(main_folder, rid, rev).exists() and self._original(inst, rid, rev) is None:
                # a marker of a row that no part holds: it would hide ours
                self.quarantine.move(main_folder / COMMITTED, f"{rid}__r{rev}", "marker without a row",
                                     table_folder=main_folder)
        if won:
            # Committed: a repeat file collected in the last moments is written again.
            self._keep_repeats(rid, rev, token, repeats)
        else:
            for path in linked.values():
                unlink(path)
            if conflict:
                raise ConflictError(f"{rid}: revision {rev} was stored by another writer first")
            original = None
            for attempt in range(READ_ATTEMPTS):
                original = self._original(inst, rid, rev)
                if original is not None:
                    break
                if attempt == 0:
                    self._unhide(main_folder, rid, rev)
                time.sleep(0.01)
            if original is None:
                raise RuntimeError(f"{rid}: stored, but its row cannot be read")
            return self._receipt(inst, rid, rev, original, duplicate=True)
        self._auto_compact([main, *repeats])
        return self._receipt(inst, rid, rev, at)

    def _unhide(self, folder: Path, rid: str, rev: int) -> None:
        """The stored file of (rid, rev) is not read: a marker of a row that no part holds hides
        it. The marker goes to quarantine (a compaction merges that file later all the same)."""
        if (folder / f"{rid}__r{rev}.parquet").exists() and marker(folder, rid, rev).exists():
            self.quarantine.move(folder / COMMITTED, f"{rid}__r{rev}", "marker without a row", table_folder=folder)

    def _repeat_path(self, name: str, rid: str, rev: int, token: int) -> Path:
        return self.table_folder(name) / f"{rid}__r{rev}__t{token}.parquet"

    def _publish_repeats(self, rid: str, rev: int, token: int, repeats: Mapping[str, pa.Table],
                         linked: dict[str, Path], temps: dict[str, Path]) -> int:
        """Link every repeat table's file (its fsynced temp in `temps`) under the token's name;
        return the token used. The repeat temps are deleted from `temps` and the disk."""
        temps_of = temps
        temps = {name: temps_of.pop(name) for name in repeats}
        try:
            for attempt in range(READ_ATTEMPTS):
                try:
                    for name, tmp in temps.items():
                        if name not in linked:
                            final = self._repeat_path(name, rid, rev, token)
                            os.link(tmp, final)
                            linked[name] = final
                    break
                except FileExistsError:  # the same token twice: practically never; take the next
                    for path in linked.values():
                        unlink(path)
                    linked.clear()
                    token = _now_us()
                except FileNotFoundError:  # a temp collected while this writer was stalled
                    for name in temps:
                        if name not in linked and not temps[name].exists():
                            temps[name], _ = write_parquet_temp(self.table_folder(name), repeats[name])
            for name in temps:
                fsync_dir(self.table_folder(name))
        finally:
            for tmp in temps.values():
                unlink(tmp)
        return token

    def _keep_repeats(self, rid: str, rev: int, token: int, repeats: Mapping[str, pa.Table]) -> None:
        """Write again any repeat file of this submission that is no longer there."""
        for name, table in repeats.items():
            final = self._repeat_path(name, rid, rev, token)
            if final.exists():
                continue
            log.warning("%s: repeat file %s was collected while the writer was stalled; writing it again",
                        rid, final.name)
            tmp, _ = write_parquet_temp(self.table_folder(name), table)
            try:
                os.link(tmp, final)
            except FileExistsError:  # put back by compaction meanwhile: the same rows
                pass
            finally:
                unlink(tmp)
            fsync_dir(self.table_folder(name))

    def _commit(self, folder: Path, rid: str, rev: int, table: pa.Table, tmp: Path | None = None,
                stat: os.stat_result | None = None) -> tuple[bool, os.stat_result]:
        """Link the main file, the commit point: (won, its stat). False: the name was taken.
        `tmp` (and its `stat`): the main file already written and fsynced under a temp name."""
        final = folder / f"{rid}__r{rev}.parquet"
        for attempt in range(3):
            if tmp is None:
                tmp, stat = write_parquet_temp(folder, table)
            try:
                os.link(tmp, final)
                return True, stat
            except FileExistsError:
                return False, stat
            except FileNotFoundError:  # the temp was collected while this writer was stalled
                if attempt == 2:
                    raise
            finally:
                unlink(tmp)
                tmp = None
        raise AssertionError("unreachable")
