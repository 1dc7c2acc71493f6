"""Helper process for the store tests: submits responses and reports each receipt.

    python tests/support/store_worker.py ROOT START STOP [--threshold N] [--seed S]

writes the instrument below into ROOT/instruments (if missing), then submits the
responses with ids r<START>..r<STOP-1> (in a shuffled order with --seed), and
after each submit() returns prints "<response id> <submitted_at in microseconds>
<duplicate 0/1>" and flushes, so that the parent knows which submissions were
acknowledged (and "compacting"/"compacted" around explicit compactions with
--compact-every N). `--threshold` is the store's compaction threshold (small values make
compaction run often, so a kill can land in the middle of one).
"""

from __future__ import annotations

import argparse
import datetime as dt
import random
import sys
from pathlib import Path

SCRIPT = str(Path(__file__).resolve())  # what the tests run, in a process of its own
sys.path.insert(0, str(Path(__file__).resolve().parents[2]))

INSTRUMENT = """
id: hh
version: 1
title: {id: Rumah tangga, en: Household}
choice_lists:
  devices:
    - {name: radio, label: {id: Radio, en: Radio}}
    - {name: tv, label: {id: TV, en: TV}}
    - {name: mobile, label: {id: HP, en: Mobile}}
questions:
  - {name: head_name, type: text, label: {id: Nama, en: Name}}
  - {name: hh_size, type: integer, label: {id: Jumlah, en: Size}}
  - {name: devices, type: select_multiple, choices: devices, label: {id: Alat, en: Devices}}
  - name: members
    type: repeat
    label: {id: Anggota, en: Members}
    questions:
      - {name: m_name, type: text, label: {id: Nama, en: Name}}
      - {name: age, type: integer, label: {id: Umur, en: Age}}
"""


EPOCH = dt.datetime(1970, 1, 1, tzinfo=dt.timezone.utc)


def response_id(i: int) -> str:
    return f"r{i:05d}"


def answers(i: int) -> dict:
    """Deterministic answers for response i: i % 4 members."""
    n = i % 4
    return {
        "head_name": f"head {i}",
        "hh_size": n,
        "devices": ["tv", "mobile"][: i % 3],
        "members": [{"m_name": f"member {i}-{k}", "age": 20 + k} for k in range(n)],
    }


def write_instrument(root: Path) -> Path:
    folder = root / "instruments"
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / "hh.yaml"
    if not path.exists():
        path.write_text(INSTRUMENT, encoding="utf-8")
    return folder


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("root")
    parser.add_argument("start", type=int)
    parser.add_argument("stop", type=int)
    parser.add_argument("--threshold", type=int, default=64)
    parser.add_argument("--seed", type=int, default=None)
    parser.add_argument("--compact-every", type=int, default=0, help="also call compact() after every N submits")
    args = parser.parse_args()

    from survey.store.response_store import ResponseStore

    root = Path(args.root)
    store = ResponseStore(root / "data", instruments_dir=write_instrument(root), compact_threshold=args.threshold)
    order = list(range(args.start, args.stop))
    if args.seed is not None:
        random.Random(args.seed).shuffle(order)
    print("ready", flush=True)
    done = 0
    for i in order:
        receipt = store.submit("hh", answers(i), enumerator=f"enum{i % 3}", response_id=response_id(i))
        us = (receipt.submitted_at - EPOCH) // dt.timedelta(microseconds=1)
        print(f"{receipt.response_id} {us} {int(receipt.duplicate)}", flush=True)
        done += 1
        if args.compact_every and done % args.compact_every == 0:
            print("compacting", flush=True)
            store.compact()
            print("compacted", flush=True)


if __name__ == "__main__":
    main()
