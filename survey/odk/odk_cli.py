"""`python -m survey.odk inbox [--data DIR] [--format text|json]`: what waits in the ODK inbox;
`python -m survey.odk import EXPORT --instrument ID ...`: an ODK Central or Kobo export in
(survey.odk.import_cli).

The inbox (survey.odk.inbox) holds the submissions that could not be stored as they came,
each with its reason; a supervisor accepts or discards them on the review page. JSON is
``[{"id", "instrument", "received_at", "enumerator", "reason"}]``, oldest first.
"""

from __future__ import annotations

import argparse
import json
from typing import Sequence

from survey.command_line import add_data_option, data_dir
from survey.odk.import_cli import add_import_command, run_import
from survey.odk.inbox import Inbox


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="python -m survey.odk", description="ODK Collect and Kobo data coming in.")
    add_data_option(parser)
    commands = parser.add_subparsers(dest="command", required=True)
    inbox = commands.add_parser("inbox", help="list the submissions waiting in the inbox")
    add_data_option(inbox, sub=True)
    inbox.add_argument("--format", choices=("text", "json"), default="text")
    add_import_command(commands)
    return parser


def inbox_command(args: argparse.Namespace) -> int:
    entries = Inbox(data_dir(args)).list()
    if args.format == "json":
        print(json.dumps(entries, ensure_ascii=False, indent=1))
        return 0
    if not entries:
        print("the inbox is empty")
    for e in entries:
        print(f"{e['id']}  {e['received_at']}  {e['instrument'] or '?'}  {e['enumerator']}  {e['reason']}")
    return 0


def main(argv: Sequence[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    return {"inbox": inbox_command, "import": run_import}[args.command](args)
