"""The command line of the traffic store: import, report, bench."""

from __future__ import annotations

import argparse
import json
import sys
from datetime import date
from pathlib import Path
from typing import Sequence

import duckdb

from survey.command_line import CommandError, add_data_option, data_dir
from survey.traffic import formats


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m survey.traffic",
                                     description="Website traffic from the city's own logs and exports.")
    add_data_option(parser)
    commands = parser.add_subparsers(dest="command", required=True)
    imp = commands.add_parser("import", help="import access logs or analytics exports (plain or .gz)")
    add_data_option(imp, sub=True)
    imp.add_argument("files", nargs="+", metavar="FILE", type=Path)
    imp.add_argument("--format", choices=formats.FORMATS, help="the files' format (detected when not given)")
    imp.add_argument("--host", help="the website's host name when the log does not name it (vhost_combined does)")
    rep = commands.add_parser("report", help="requests, page views, visits, visitors, shares, top documents")
    add_data_option(rep, sub=True)
    rep.add_argument("--from", dest="start", type=_day, metavar="YYYY-MM-DD", help="first day (WIB)")
    rep.add_argument("--to", dest="end", type=_day, metavar="YYYY-MM-DD", help="last day (WIB)")
    rep.add_argument("--host", help="one host only")
    rep.add_argument("--format", choices=("json", "csv"), default="json")
    bench = commands.add_parser("bench", help="time the import of N generated log lines")
    add_data_option(bench, sub=True)
    bench.add_argument("--lines", type=int, default=1_000_000)
    args = parser.parse_args(argv)
    root = data_dir(args)
    if args.command == "import":
        return _import(root, args)
    if args.command == "report":
        return _report(root, args)
    from survey.traffic.bench import run_bench
    return run_bench(args.lines, getattr(args, "data", None))


def _day(text: str) -> date:
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a date YYYY-MM-DD") from None


def _import(root: Path, args) -> int:
    from survey.traffic.importer import import_files

    for path in args.files:
        if not path.is_file():
            raise CommandError(f"{path}: no such file")
    try:
        result = import_files(root, args.files, format=args.format, host=args.host)
    except duckdb.Error as exc:   # e.g. out of memory or disk while writing: nothing was stored
        raise CommandError(f"the import stopped, nothing was stored: {str(exc).splitlines()[0]}") from None
    if result.refused:
        raise CommandError(result.refused)
    print(result.summary())
    for name, line, reason, text in result.bad_examples:
        print(f"  bad line {name}:{line}: {reason}: {text}")
    if result.bad > len(result.bad_examples):
        print(f"  ... and {result.bad - len(result.bad_examples)} more bad line(s)")
    return 0


def _report(root: Path, args) -> int:
    from survey.traffic.report import traffic_report, traffic_tables

    if args.start and args.end and args.start > args.end:
        raise CommandError("--from is after --to")
    if args.format == "json":
        print(json.dumps(traffic_report(root, args.start, args.end, args.host), ensure_ascii=False, indent=1))
        return 0
    # CSV: each table under a "# name" line, blank line between (one stream, like the JSON)
    for i, (name, frame) in enumerate(traffic_tables(root, args.start, args.end, args.host).items()):
        if i:
            sys.stdout.write("\n")
        sys.stdout.write(f"# {name}\n")
        frame.to_csv(sys.stdout, index=False, lineterminator="\n")
    return 0
