"""The questionnaire side of the store: which questionnaire each table is written and read with.

A mixin of ResponseStore (survey.store.response_store), which sets up what it uses:
``instruments_dir`` (the folder of the YAML files), ``versions`` (the VersionRegistry
of survey.store.versions: every questionnaire version the data folder has answers of),
the caches ``_sources``, ``_changes_cache``, ``_reading_cache`` and ``_kept`` with
``_lock``, and ``table_folder(table)``.

Writing uses the questionnaire file as it is now, checked against the stored versions
(``_checked``), and keeps a copy of it before its first answer (``_keep_version``);
reading never refuses (``_reading``): a file that is broken, gone or changed in a way
the answers cannot be read with is replaced by the newest stored copy.
"""

from __future__ import annotations

import hashlib
import logging
import os
from typing import Any

import pyarrow as pa

from survey.questionnaire.model import Instrument, InstrumentError, instrument_from_yaml, list_instruments, load_instrument
from survey.questionnaire.schema import REPEAT_METADATA, table_schemas
from survey.questionnaire.types import QUESTION_TYPES
from survey.store.durable import storage_error
from survey.store.inputs import MAX_ID_LENGTH, MAX_TABLE_LENGTH, NAME, check_instrument_id
from survey.store.layout import scan
from survey.store.reading import connect, readable_as
from survey.store.versions import IncompatibleInstrument, TypeChange, instrument_tables, type_changes

log = logging.getLogger(__name__)


def _fields(columns) -> list[pa.Field]:
    """Arrow fields of stored (question, type) pairs."""
    return [pa.field(name, QUESTION_TYPES[qtype].arrow_type) for name, qtype in columns
            if qtype in QUESTION_TYPES and QUESTION_TYPES[qtype].arrow_type is not None]


class Catalogue:
    """ResponseStore's questionnaires: instrument(), instrument_ids(), instrument_versions(), tables()."""

    def instrument(self, instrument_id: str) -> Instrument:
        """The questionnaire as its file is now, checked against the stored versions.

        Raises InstrumentError (a ValueError) when the file does not load, and
        IncompatibleInstrument (an InstrumentError) when a question changed type
        in a way the stored answers cannot be read with; the message names the
        question, both types and the fix. Stored answers stay readable meanwhile.
        """
        return self._checked(instrument_id)[0]

    def instrument_versions(self, instrument_id: str) -> list[int]:
        """The versions of this instrument whose questionnaire the store keeps (oldest first)."""
        return self.versions.versions(check_instrument_id(instrument_id))

    def instrument_ids(self) -> list[str]:
        """The ids of the questionnaire files in this store's folder (the study's three first).

        Every list of questionnaires to choose from goes through here, so a store whose
        questionnaires live in another folder lists its own."""
        return list_instruments(self.instruments_dir)

    def _source(self, instrument_id: str) -> tuple[Instrument, bytes]:
        """The instrument file as it is now, parsed from the very bytes that are read."""
        check_instrument_id(instrument_id)
        path = self.instruments_dir / f"{instrument_id}.yaml"
        try:
            stat = os.stat(path)
        except FileNotFoundError:
            load_instrument(instrument_id, self.instruments_dir)  # raises, listing the available ones
            raise
        key = (stat.st_mtime_ns, stat.st_size, stat.st_ino)
        cached = self._sources.get(instrument_id)
        if cached is None or cached[0] != key:
            try:
                data = path.read_bytes()
                inst = instrument_from_yaml(data.decode("utf-8"), source=path.name)
                for table in table_schemas(inst):
                    if len(table) > MAX_TABLE_LENGTH:
                        raise InstrumentError(path.name, None, f"the table name {table[:40]}... is too long "
                                              f"(at most {MAX_TABLE_LENGTH} characters): shorten the repeat's name")
                value: Any = (inst, data)
            except UnicodeDecodeError:
                value = InstrumentError(path.name, None, "the file is not UTF-8 text")
            except InstrumentError as exc:
                value = exc
            cached = self._sources[instrument_id] = (key, value)
        if isinstance(cached[1], Exception):
            raise cached[1]
        return cached[1]

    def _checked(self, instrument_id: str) -> tuple[Instrument, bytes]:
        inst, data = self._source(instrument_id)
        changes = self._changes(inst, data)
        if changes:
            raise IncompatibleInstrument(inst.source, changes)
        return inst, data

    def _changes(self, inst: Instrument, data: bytes) -> list[TypeChange]:
        """What in `inst` the stored answers cannot be read with ([]: nothing)."""
        names = self.versions.names(inst.id)
        key = (inst.id, hashlib.sha256(data).digest(), names)
        cached = self._changes_cache.get(key)
        if cached is None:
            if names:
                cached = type_changes(instrument_tables(inst), self.versions.stored(inst.id))
            else:  # answers stored before versions were kept: compare with the files themselves
                cached = self._file_changes(inst)
            self._changes_cache[key] = cached
        return cached

    def _file_changes(self, inst: Instrument) -> list[TypeChange]:
        out = []
        for table, schema in table_schemas(inst).items():
            found = scan(self.table_folder(table), table == inst.id)
            files = [str(self.table_folder(table) / n) for n in found.parts + found.small]
            if not files:
                continue
            con = connect()
            try:
                stored = con.sql("SELECT * FROM read_parquet($files, union_by_name = true) LIMIT 0",
                                 params={"files": files}).to_arrow_table().schema
            except Exception:  # unreadable or already mixed: reading deals with it
                continue
            finally:
                con.close()
            types = dict(instrument_tables(inst)[table])
            for f in stored:
                i = schema.get_field_index(f.name)
                if f.name in types and i >= 0 and not readable_as(f.type, schema.field(i).type):
                    out.append(TypeChange(table, f.name, str(f.type), types[f.name], "the stored files"))
        return out

    def _keep_version(self, inst: Instrument, data: bytes) -> None:
        """Keep a copy of the questionnaire before its first answer is stored."""
        key = (inst.id, hashlib.sha256(data).hexdigest())
        if key in self._kept:
            return

        def check(stored):
            changes = type_changes(instrument_tables(inst), stored)
            if changes:
                raise IncompatibleInstrument(inst.source, changes)

        try:
            self.versions.register(inst, data, check)
        except OSError as exc:
            raise storage_error(exc) from exc
        self._kept.add(key)

    def _reading(self, instrument_id: str) -> tuple[Instrument, dict[str, pa.Schema]]:
        """(the instrument to read with, {table: schema to read it with}); never refuses.

        The current file when it loads and fits the stored answers, else the newest
        stored copy. Tables and questions known only from older stored versions are
        added with their stored types, so nothing stored becomes unreadable.
        """
        try:
            current: Instrument | None = self._checked(instrument_id)[0]
        except InstrumentError:
            current = None
        names = self.versions.names(instrument_id)
        key = (instrument_id, id(current), names)
        with self._lock:
            cached = self._reading_cache.get(key)
        if cached is not None and (current is None or cached[0] is current):
            return cached
        stored = self.versions.stored(instrument_id)
        base = current
        if base is None:
            if not stored:
                self._checked(instrument_id)  # raises the reason the file cannot be used
            base = self.versions.load(stored[-1])
        schemas = table_schemas(base)
        for version in reversed(stored):
            for table, columns in version.tables.items():
                fields = _fields(columns)
                if table not in schemas:  # a repeat group that the current file no longer has
                    schemas[table] = pa.schema([*REPEAT_METADATA, *fields])
                    continue
                extra = [f for f in fields if f.name not in schemas[table].names]
                if extra:
                    schemas[table] = pa.schema([*schemas[table], *extra])
        with self._lock:
            self._reading_cache[key] = (base, schemas)
        return base, schemas

    def table_owner(self, table: str) -> tuple[str, bool, dict[str, pa.Schema]]:
        """(instrument id, is it the main table, {table: read schema}) of `table`."""
        if not isinstance(table, str) or len(table) > MAX_TABLE_LENGTH or not NAME.fullmatch(table):
            raise ValueError(f"unknown table {table!r:.80}")
        candidates = [table] + [table[:i] for i, char in enumerate(table) if char == "_" and i <= MAX_ID_LENGTH]
        for candidate in candidates:
            if len(candidate) > MAX_ID_LENGTH:
                continue
            if not (self.instruments_dir / f"{candidate}.yaml").is_file() and not self.versions.names(candidate):
                continue
            try:
                _, schemas = self._reading(candidate)
            except InstrumentError:
                continue
            if table in schemas:
                return candidate, table == candidate, schemas
        raise ValueError(f"unknown table {table!r}: no instrument defines it")

    def tables(self) -> list[str]:
        """Every table of every instrument (main table, then its repeats), by instrument id.

        Instruments whose file is gone or broken but whose answers are stored are
        included (read with their stored versions).
        """
        ids = {p.stem for p in self.instruments_dir.glob("*.yaml")
               if NAME.fullmatch(p.stem) and len(p.stem) <= MAX_ID_LENGTH}
        ids |= set(self.versions.instruments())
        out = []
        for instrument_id in sorted(ids):
            try:
                out.extend(self._reading(instrument_id)[1])
            except InstrumentError:
                log.warning("skipping instrument %s that does not load", instrument_id)
        return out
