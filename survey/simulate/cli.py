"""The command line: a synthetic sample into a ResponseStore folder, with its frame.csv.

    python -m survey.simulate --households 500 --out data [--seed 1] \
        [--civil-servants 200] [--agencies 20]
"""

from __future__ import annotations

import argparse
import uuid
from pathlib import Path
from typing import Callable, Sequence

from survey.simulate._draws import random_stream
from survey.simulate.sampling import sample_frame, write_frame


def _response_ids(seed: int, stream: str) -> Callable[[], str]:
    rng = random_stream(seed, f"ids/{stream}")
    return lambda: str(uuid.UUID(int=rng.getrandbits(128), version=4))


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m survey.simulate",
                                     description="A realistic synthetic sample for demos, tests and benchmarks.")
    parser.add_argument("--households", type=int, required=True, help="number of households")
    parser.add_argument("--out", type=Path, required=True, help="store folder (ResponseStore root)")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--civil-servants", type=int, default=0)
    parser.add_argument("--agencies", type=int, default=0)
    args = parser.parse_args(argv)

    # Imported here: the store is heavy, and the package imports this module for `main`.
    from survey import ResponseStore
    from survey.simulate import generate

    args.out.mkdir(parents=True, exist_ok=True)
    frame = sample_frame(args.households, args.seed) if args.households else []
    write_frame(frame, args.out / "frame.csv")
    store = ResponseStore(args.out)

    households = generate("household", args.households, args.seed)
    enumerators = [f"enum{(i // 3) % 20 + 1:02d}" for i, psu in enumerate(frame) for _ in range(psu.households_sampled)]
    batches = [("household", households, enumerators),
               ("civil_servant", generate("civil_servant", args.civil_servants, args.seed), None),
               ("agency", generate("agency", args.agencies, args.seed), None)]
    for instrument_id, rows, who in batches:
        next_id = _response_ids(args.seed, instrument_id)
        for i, answers in enumerate(rows):
            enumerator = who[i] if who else f"enum{i % 5 + 21:02d}"
            store.submit(instrument_id, answers, enumerator=enumerator, response_id=next_id())
        if rows:
            print(f"{instrument_id}: {len(rows)} responses")
    print(f"frame: {len(frame)} PSUs -> {args.out / 'frame.csv'}")
    return 0
