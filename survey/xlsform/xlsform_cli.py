"""``python -m survey.xlsform import FORM.xlsx [--id NAME] [--out survey/instruments/]``: an XLSForm
(ODK, KoboToolbox) as a questionnaire YAML of ours.

The file is written only when the loader accepts it (the same checks as every questionnaire);
each feature left out, and each change to check, is printed with its sheet, row (the
spreadsheet's numbering, the header being row 1) and column, and kept as a comment at the top
of the YAML. An existing file is not replaced without ``--force``."""

from __future__ import annotations

import argparse
import json
from pathlib import Path
from typing import Sequence

from survey.command_line import CommandError, run
from survey.questionnaire.model import INSTRUMENT_DIR, InstrumentError
from survey.xlsform.form import import_xlsform


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="python -m survey.xlsform", description=__doc__.split("\n\n")[0])
    sub = parser.add_subparsers(dest="command", required=True)
    imp = sub.add_parser("import", help="an XLSForm (.xlsx) -> survey/instruments/<id>.yaml")
    imp.add_argument("form", type=Path, metavar="FORM.xlsx")
    imp.add_argument("--id", help="the questionnaire id (default: the form's form_id)")
    imp.add_argument("--out", type=Path, default=INSTRUMENT_DIR, help="the folder of the YAML (default: %(default)s)")
    imp.add_argument("--force", action="store_true", help="replace an existing questionnaire of that id")
    imp.add_argument("--format", choices=("text", "json"), default="text")
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    if not args.form.is_file():
        raise CommandError(f"{args.form}: no such file")
    try:
        imported = import_xlsform(args.form, args.id)
    except (ValueError, KeyError) as exc:  # not a workbook, no survey sheet
        raise CommandError(f"{args.form}: not an XLSForm we can read ({exc})") from None
    except Exception as exc:  # openpyxl's own errors for a damaged or non-xlsx file
        raise CommandError(f"{args.form}: not an .xlsx workbook ({type(exc).__name__})") from None
    text = imported.yaml_text(args.form.name)
    try:
        imported.instrument()
    except InstrumentError as exc:
        raise CommandError(f"the imported questionnaire does not load, nothing written: {exc}") from None
    target = args.out / f"{imported.data['id']}.yaml"
    if target.exists() and not args.force:
        raise CommandError(f"{target} exists; give another --id, or --force to replace it")
    args.out.mkdir(parents=True, exist_ok=True)
    temporary = target.with_suffix(".yaml.tmp")
    temporary.write_text(text, encoding="utf-8")
    temporary.replace(target)
    if args.format == "json":
        print(json.dumps({"written": str(target), "findings": [
            {"kind": f.kind, "sheet": f.sheet, "row": f.row, "column": f.column, "message": f.message}
            for f in imported.findings]}, ensure_ascii=False))
    else:
        for finding in imported.findings:
            print(finding)
        print(f"written: {target} ({len(imported.unsupported)} unsupported, "
              f"{len(imported.findings) - len(imported.unsupported)} warnings)")
    return 0


if __name__ == "__main__":
    run(main)
