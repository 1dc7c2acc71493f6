"""``python -m survey.odk COMMAND``: ODK/Kobo data in (``import``)."""

from __future__ import annotations

import argparse
from typing import Sequence

from survey.command_line import add_data_option, run
from survey.odk.import_cli import add_import_command


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m survey.odk")
    add_data_option(parser)
    sub = parser.add_subparsers(dest="command", required=True)
    add_import_command(sub)
    args = parser.parse_args(argv)
    return args.run(args)


if __name__ == "__main__":
    run(main)
