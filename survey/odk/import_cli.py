"""``python -m survey.odk import EXPORT --instrument ID [--data DIR] [--enumerator NAME] [--format json]``:
an ODK Central or Kobo export into the store (survey.odk.export_import); prints what was added,
what was already there (stored, or waiting in the inbox) and what went to the inbox."""

from __future__ import annotations

import argparse
import json

from survey.command_line import CommandError, add_data_option, data_dir
from survey.odk.export_files import ExportError
from survey.odk.export_import import DEFAULT_ENUMERATOR, import_export
from survey.questionnaire.model import InstrumentError, load_instrument


def add_import_command(sub) -> None:
    imp = sub.add_parser("import", help="an ODK Central (.zip) or Kobo (.xlsx/.csv) export into the store")
    imp.add_argument("export", metavar="EXPORT")
    imp.add_argument("--instrument", required=True, help="the questionnaire id the export was filled with")
    imp.add_argument("--enumerator", default=DEFAULT_ENUMERATOR,
                     help="the enumerator of rows whose submitter is no account of ours (default: %(default)s)")
    imp.add_argument("--format", choices=("text", "json"), default="text")
    add_data_option(imp, sub=True)


def run_import(args: argparse.Namespace) -> int:
    try:
        inst = load_instrument(args.instrument)
    except InstrumentError as exc:
        raise CommandError(str(exc)) from None
    try:
        summary = import_export(data_dir(args), inst, args.export, enumerator=args.enumerator)
    except ExportError as exc:
        raise CommandError(f"{args.export}: {exc}") from None
    if args.format == "json":
        print(json.dumps(summary.as_dict()))
    else:
        for note in summary.notes:
            print(f"note: {note}")
        print(f"added {summary.added}, already present {summary.present}, sent to the inbox {summary.inbox}")
    return 0
