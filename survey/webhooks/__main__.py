"""`python -m survey.webhooks deliver [--data DIR]`: one delivery pass, for cron.

Recovers events a crash cut off, sends what is due, and prints the counts by outcome.
"""

from __future__ import annotations

import argparse
import time

from survey.command_line import default_data_dir
from survey.webhooks import delivery, events


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m survey.webhooks")
    sub = parser.add_subparsers(dest="command", required=True)
    deliver = sub.add_parser("deliver", help="send the webhook deliveries that are due")
    deliver.add_argument("--data", help="the data folder (default: SURVEY_DATA_DIR or data/)")
    args = parser.parse_args(argv)
    root = args.data or default_data_dir()
    from survey.store.response_store import ResponseStore

    events.recover(root, ResponseStore(root, audit=False))
    counts = delivery.deliver(root, time.time())
    print(" ".join(f"{k}={v}" for k, v in sorted(counts.items())) or "nothing due")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
