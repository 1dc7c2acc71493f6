"""``python -m survey.webcheck [--data DIR] [--max-pages N] [--delay S] [--timeout S] [--format text|json] [URL...]``

Visits each website politely (survey.webcheck.crawler) and appends a dated snapshot per site to
``<data folder>/webcheck/snapshots.jsonl``.  Without URLs: every agency's address in the store.
``--format json`` prints a JSON array with one object per site.
"""

from __future__ import annotations

import argparse
import json
import sys
from typing import Sequence

from survey.command_line import CommandError, add_data_option, data_dir, run
from survey.webcheck.crawler import Limits
from survey.webcheck.runs import check_sites


def _positive(kind):
    def parse(text: str):
        value = kind(text)
        if value < 0 or (kind is int and value < 1):
            raise argparse.ArgumentTypeError(f"must be {'at least 1' if kind is int else 'zero or more'}: {text}")
        return value
    return parse


def parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(prog="python -m survey.webcheck",
                                description="Check each agency's website for the features of the e-government stages.")
    add_data_option(p)
    p.add_argument("--max-pages", type=_positive(int), default=30, metavar="N",
                   help="HTML pages read per site (default 30)")
    p.add_argument("--delay", type=_positive(float), default=1.0, metavar="S",
                   help="seconds between two requests (default 1; robots.txt's Crawl-delay can ask for more)")
    p.add_argument("--timeout", type=_positive(float), default=10.0, metavar="S",
                   help="seconds allowed for one request, body included (default 10)")
    p.add_argument("--format", choices=("text", "json"), default="text", help="what to print (default text)")
    p.add_argument("--ca-file", default=None, metavar="FILE", help="certificates to trust besides the system's")
    p.add_argument("urls", nargs="*", metavar="URL", help="addresses to check (default: every agency's in the store)")
    return p


def _line(site: dict) -> str:
    evidence = [stage for stage, shown in site["stage_evidence"].items() if shown]
    return (f"{site['url']}: {'reachable' if site['reachable'] else 'NOT reachable'}, status {site['status']}, "
            f"{site['pages_visited']} pages, newest date {site['newest_date'] or '-'}, "
            f"{len(site['documents'])} documents, contacts {','.join(site['contacts']) or '-'}, "
            f"transactions {','.join(site['transactions']) or '-'}; evidence for {', '.join(evidence) or 'no stage'}"
            + (f"; {len(site['errors'])} problem(s)" if site["errors"] else ""))


def main(argv: Sequence[str] | None = None) -> int:
    args = parser().parse_args(argv)
    folder = data_dir(args)
    limits = Limits(max_pages=args.max_pages, delay=args.delay, timeout=args.timeout)
    if not args.urls and not folder.exists():
        raise CommandError(f"no data folder {folder}: give the addresses to check, or --data DIR")

    def progress(done: int, total: int, url: str) -> None:
        if url and args.format == "text":
            print(f"[{done + 1}/{total}] {url}", file=sys.stderr)

    sites = check_sites(folder, args.urls, limits, cafile=args.ca_file, progress=progress)
    if not sites:
        raise CommandError(f"no agency in {folder} gave a website address: give the addresses to check")
    if args.format == "json":
        print(json.dumps(sites, ensure_ascii=False, indent=1))
    else:
        for site in sites:
            print(_line(site))
    return 0


def entry() -> None:
    run(main)
