"""What every command line of the project shares: the data folder option and clean failures.

``--data DIR`` is accepted anywhere on the line (before or after a subcommand) and
defaults to ``$SURVEY_DATA_DIR``, else the project's ``data/`` folder. A user's
mistake ends with a one-line message on stderr and a non-zero exit, never a traceback.
"""

from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path
from typing import Callable, Sequence

DEFAULT_DATA_DIR = Path(__file__).resolve().parent.parent / "data"


class CommandError(Exception):
    """A failure to report to the user as a message (exit status 1)."""


def add_data_option(parser: argparse.ArgumentParser, sub: bool = False) -> None:
    """`--data DIR` on a parser; on a subparser it only overrides when given."""
    parser.add_argument(
        "--data", type=Path, metavar="DIR", default=argparse.SUPPRESS if sub else None,
        help="the data folder (default: $SURVEY_DATA_DIR, else data/ in the project)",
    )


def default_data_dir() -> Path:
    """`$SURVEY_DATA_DIR`, else the project's `data/` folder: the one default of every command and the app."""
    return Path(os.environ.get("SURVEY_DATA_DIR") or DEFAULT_DATA_DIR)


def data_dir(args: argparse.Namespace) -> Path:
    given = getattr(args, "data", None)
    return default_data_dir() if given is None else given


def run(main: Callable[[Sequence[str] | None], int], argv: Sequence[str] | None = None) -> None:
    """Run `main` and exit with its status; CommandError and OSError become a message."""
    try:
        status = main(argv)
    except CommandError as exc:
        print(f"error: {exc}", file=sys.stderr)
        status = 1
    except OSError as exc:
        where = f" ({exc.filename})" if getattr(exc, "filename", None) else ""
        print(f"error: {exc.strerror or exc}{where}", file=sys.stderr)
        status = 1
    except KeyboardInterrupt:
        print("interrupted", file=sys.stderr)
        status = 130
    sys.exit(status)
