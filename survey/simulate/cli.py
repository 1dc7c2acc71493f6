"""The command line: a synthetic sample into a ResponseStore folder, with its frame.csv
and population.csv.

    python -m survey.simulate --households 500 --out data [--seed 1] \
        [--civil-servants 200] [--agencies 20] [--bulk]

``--bulk`` (benchmarks and demos) writes the same sample straight into a new store as
compacted parts (``survey.simulate.bulk``) instead of submitting it interview by
interview: minutes instead of hours for 100,000 households.
"""

from __future__ import annotations

import argparse
import time
import uuid
from pathlib import Path
from typing import Callable, Sequence

from survey.simulate._draws import random_stream
from survey.simulate.sampling import sample_frame, write_frame, write_population


def _response_ids(seed: int, stream: str) -> Callable[[], str]:
    rng = random_stream(seed, f"ids/{stream}")
    return lambda: str(uuid.UUID(int=rng.getrandbits(128), version=4))


def _household_enumerators(frame) -> list[str]:
    """An enumerator per household: each covers three PSUs in turn."""
    return [f"enum{(i // 3) % 20 + 1:02d}" for i, psu in enumerate(frame) for _ in range(psu.households_sampled)]


def _government_enumerator(i: int) -> str:
    return f"enum{i % 5 + 21:02d}"


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m survey.simulate",
                                     description="A realistic synthetic sample for demos, tests and benchmarks.")
    parser.add_argument("--households", type=int, required=True, help="number of households")
    parser.add_argument("--out", type=Path, required=True, help="store folder (ResponseStore root)")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--civil-servants", type=int, default=0)
    parser.add_argument("--agencies", type=int, default=0)
    parser.add_argument("--bulk", action="store_true",
                        help="write compacted parts directly into a new store (benchmarks and demos)")
    args = parser.parse_args(argv)

    # Imported here: the store is heavy, and the package imports this module for `main`.
    from survey import ResponseStore
    from survey.simulate import generate
    from survey.simulate.bulk import BulkError, write_responses
    from survey.simulate.government import agency_answers, civil_servant_answers
    from survey.simulate.households import iter_household_answers

    args.out.mkdir(parents=True, exist_ok=True)
    frame = sample_frame(args.households, args.seed) if args.households else []
    write_frame(frame, args.out / "frame.csv")
    write_population(args.out / "population.csv")
    enumerators = _household_enumerators(frame)
    started = time.perf_counter()
    if args.bulk:
        batches = [("household", iter_household_answers(args.households, args.seed) if args.households else [],
                    enumerators.__getitem__),
                   ("civil_servant", civil_servant_answers(args.civil_servants, args.seed), _government_enumerator),
                   ("agency", agency_answers(args.agencies, args.seed), _government_enumerator)]
        try:
            for instrument_id, rows, who in batches:
                n = write_responses(args.out, instrument_id, rows, _response_ids(args.seed, instrument_id), who,
                                    args.seed)
                if n:
                    print(f"{instrument_id}: {n} responses (bulk)")
        except BulkError as exc:
            parser.exit(2, f"error: {exc}\n")
    else:
        store = ResponseStore(args.out)
        batches = [("household", generate("household", args.households, args.seed), enumerators.__getitem__),
                   ("civil_servant", generate("civil_servant", args.civil_servants, args.seed),
                    _government_enumerator),
                   ("agency", generate("agency", args.agencies, args.seed), _government_enumerator)]
        for instrument_id, rows, who in batches:
            next_id = _response_ids(args.seed, instrument_id)
            for i, answers in enumerate(rows):
                store.submit(instrument_id, answers, enumerator=who(i), response_id=next_id())
            if rows:
                print(f"{instrument_id}: {len(rows)} responses")
    print(f"frame: {len(frame)} PSUs -> {args.out / 'frame.csv'}; population totals -> "
          f"{args.out / 'population.csv'} ({time.perf_counter() - started:.1f} s)")
    return 0
