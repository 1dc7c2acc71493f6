"""The command line for scripted exports.

    python -m analysis.export microdata --table household|household_members|civil_servant|agency \\
        --format csv|parquet|sav|dta|xlsx [--identified] [--lang id|en] [--replicate JKn|JK1|BRR|bootstrap] --out FILE
    python -m analysis.export codebook --instrument ID --format xlsx|html [--lang id|en] [--replicate ...] --out FILE
    python -m analysis.export xlsform --instrument ID --out FILE
    python -m analysis.export indicators --format xlsx|html [--lang id|en] --out FILE

Microdata carry the design's weights (weights.py) and the codebook says how they were
made; ``--replicate`` puts replicate weights in place of the strata and PSU (replicates.py); the indicator report holds every indicator table the data allow (report.py).
Every subcommand takes ``--data DIR`` (default ``$SURVEY_DATA_DIR``, else the project's
``data/``) in any position. The command line runs with the rights of whoever can read
the data folder, so ``--identified`` works here (in the app only admins may); each
export is in that folder's audit log as ``cli:<os user>``. A mistake (unknown table,
instrument or format, a missing folder) is one line on stderr and exit status 2;
a file that cannot be written, exit status 1.

Subcommands are the COMMANDS table: a new one is one more entry (name, help, the
function that adds its arguments, the function that runs it).
"""

from __future__ import annotations

import argparse
import getpass
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Callable, Sequence

from analysis.export.codebook.codebook import CODEBOOK_FORMATS, codebook, weight_texts
from analysis.export.errors import ExportError
from analysis.export.files import write_file
from analysis.export.microdata.labelled import MICRODATA_FORMATS, write_microdata
from analysis.export.microdata.replicates import REPLICATE_METHODS, design_replicates
from analysis.export.report import REPORT_FORMATS, indicator_report
from analysis.export.xlsform.xlsform import xlsform
from survey.command_line import add_data_option, data_dir
from survey.fieldwork.audit_log import AuditLog
from survey.locale import LANGUAGES
from survey.questionnaire.model import InstrumentError, list_instruments


@dataclass(frozen=True)
class Run:
    """What every subcommand gets: its arguments, the data folder and the audit user."""

    args: argparse.Namespace
    data: Path
    user: str

    def store(self):
        from survey import ResponseStore  # the store pulls in DuckDB: only for microdata

        return ResponseStore(self.data)

    def instrument(self):
        return self.store().instrument(self.args.instrument)


def _add_out(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--out", type=Path, required=True, help="the file to write")


def _add_microdata(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--table", required=True, help="household, household_members, civil_servant or agency")
    parser.add_argument("--format", required=True, choices=MICRODATA_FORMATS)
    parser.add_argument("--identified", action="store_true", help="keep the fields flagged pii (names, phone, GPS)")
    parser.add_argument("--lang", default="en", choices=LANGUAGES, help="language of labels (default en)")
    _add_replicate(parser)
    _add_out(parser)


def _add_replicate(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--replicate", choices=REPLICATE_METHODS, default=None,
                        help="replicate weights instead of strata and PSU (de-identified files)")


def _run_microdata(run: Run) -> Path:
    """Streamed to --out a batch at a time (a table of a million rows is never whole in memory)."""
    a = run.args
    return write_microdata(run.store(), a.table, a.format, a.out, user=run.user, lang=a.lang,
                           identified=a.identified, weights=True, replicate=a.replicate)


def _add_codebook(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--instrument", required=True, help=f"one of {', '.join(list_instruments())}")
    parser.add_argument("--format", required=True, choices=CODEBOOK_FORMATS)
    parser.add_argument("--lang", default="en", choices=LANGUAGES, help="language of headings (default en)")
    _add_replicate(parser)
    _add_out(parser)


def _run_codebook(run: Run) -> bytes:
    inst = run.instrument()
    replicates = design_replicates(run.store(), inst.id, run.args.replicate) if run.args.replicate else None
    return codebook(inst, run.args.format, user=run.user, audit=AuditLog(run.data), lang=run.args.lang,
                    weights=weight_texts(run.store(), inst.id), replicates=replicates)


def _add_xlsform(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--instrument", required=True, help=f"one of {', '.join(list_instruments())}")
    _add_out(parser)


def _run_xlsform(run: Run) -> bytes:
    return xlsform(run.instrument(), user=run.user, audit=AuditLog(run.data))


def _add_indicators(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--format", required=True, choices=REPORT_FORMATS)
    parser.add_argument("--lang", default="en", choices=LANGUAGES, help="language of the report (default en)")
    _add_out(parser)


def _run_indicators(run: Run) -> bytes:
    return indicator_report(run.store(), run.args.format, user=run.user, lang=run.args.lang)


@dataclass(frozen=True)
class Command:
    help: str
    add_arguments: Callable[[argparse.ArgumentParser], None]
    run: Callable[[Run], bytes | Path]  # the file's bytes, or the path it wrote them to itself


COMMANDS: dict[str, Command] = {
    "microdata": Command("labelled microdata of one table", _add_microdata, _run_microdata),
    "codebook": Command("the codebook of an instrument", _add_codebook, _run_codebook),
    "xlsform": Command("an instrument as an XLSForm for ODK/Kobo", _add_xlsform, _run_xlsform),
    "indicators": Command("the indicator report: every indicator table", _add_indicators, _run_indicators),
}


def _parser() -> argparse.ArgumentParser:
    # --data is accepted before and after the subcommand (a subcommand's only overrides when given).
    data = argparse.ArgumentParser(add_help=False)
    add_data_option(data, sub=True)
    parser = argparse.ArgumentParser(prog="python -m analysis.export", parents=[data],
                                     description="Export microdata, codebooks, XLSForms and the indicator report.")
    sub = parser.add_subparsers(dest="command", required=True)
    for name, command in COMMANDS.items():
        command.add_arguments(sub.add_parser(name, parents=[data], help=command.help))
    return parser


def _fail(message: str, status: int) -> int:
    print(f"error: {message}", file=sys.stderr)
    return status


def main(argv: Sequence[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    data = data_dir(args)
    if not data.is_dir():
        return _fail(f"there is no data folder at {data} (give --data DIR or set SURVEY_DATA_DIR)", 2)
    out: Path = args.out
    if not out.parent.is_dir():
        return _fail(f"cannot write {out}: the folder {out.parent} does not exist", 2)
    if out.is_dir():
        return _fail(f"cannot write {out}: it is a folder", 2)
    run = Run(args, data, f"cli:{getpass.getuser()}")
    try:
        content = COMMANDS[args.command].run(run)
        if not isinstance(content, Path):
            write_file(out, content)
        size = out.stat().st_size
    except (ExportError, InstrumentError) as exc:
        return _fail(str(exc), 2)
    except (OSError, RuntimeError) as exc:
        return _fail(str(exc), 1)
    print(f"wrote {out} ({size:,} bytes)")
    return 0
