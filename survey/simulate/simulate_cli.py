"""The command line: a synthetic sample into a ResponseStore folder, with its frame.csv,
population.csv and kelurahan.csv (the small-area model's area auxiliaries).

    python -m survey.simulate --households 500 --out data [--seed 1] \\
        [--civil-servants 200] [--agencies 20] [--outcomes] [--bad N] [--pace SECONDS] [--bulk]

``--outcomes`` gives the household visits realistic outcomes: some sampled households
refuse, are not at home, are vacant or refuse consent, and are stored as short
records that the response rates count (``survey.simulate.fieldwork``). ``--bad N``
adds deliberately bad interviews for checking the monitor's flags: N two-minute
household interviews, N straight-lined civil servants and N households entered twice;
their response ids are printed. ``--pace SECONDS`` submits one interview every
SECONDS, enumerators in turn, as a field team fills the store during the day.
Every interview has a start time (``_started_at``), so its length is known, and both
it and the submission time fall in the field hours, 07:00-21:00 WIB
(``fieldwork.field_times``: run at night, the interviews are last evening's).

Run into a folder that already has a store (another ``--seed``: new response ids) to
add interviews, for example with ``--pace`` while the app is open: the new sample's
PSUs join the folder's frame.csv (``sampling.merge_frames``) rather than replace it,
so every stored household keeps its PSU and its weight. A frame.csv the simulator
did not write is never replaced.

``--bulk`` (benchmarks and demos) writes the same sample straight into a new store as
compacted parts (``survey.simulate.bulk``) instead of submitting it interview by
interview: minutes instead of hours for 100,000 households.

``--traffic-days N`` writes N days of the city's web server access logs into ``--out``
(``survey.simulate.traffic_logs``; no interviews needed): ``access.log.gz`` in Apache's
``vhost_combined`` format, or with ``--traffic-format combined`` one ``<host>.access.log.gz``
per host; ``--traffic-visits`` sets the human visits per day (about 15 lines each, bots
included), ``--traffic-start`` the first day, ``--traffic-plain`` leaves them uncompressed.

    python -m survey.simulate --traffic-days 90 --out demo-logs
"""

from __future__ import annotations

import argparse
import datetime as dt
import time
import uuid
from pathlib import Path
from typing import Callable, Sequence

from survey.fieldwork.accounts import SIMULATED_PREFIX
from survey.simulate._draws import random_stream
from survey.simulate.sampling import (
    merge_frames,
    read_frame,
    sample_frame,
    write_frame,
    write_kelurahan,
    write_population,
)


def _response_ids(seed: int, stream: str) -> Callable[[], str]:
    rng = random_stream(seed, f"ids/{stream}")
    return lambda: str(uuid.UUID(int=rng.getrandbits(128), version=4))


def _already_stored(args) -> bool:
    """Whether the store holds this run's households (the same seed again: response ids are
    reproducible), whose PSUs its frame.csv then has already."""
    from survey import ResponseStore, UnknownResponse

    if not args.households:
        return True
    try:
        ResponseStore(args.out, audit=False).history("household", _response_ids(args.seed, "household")())
    except UnknownResponse:
        return False
    return True


def _household_enumerators(frame) -> list[str]:
    """An enumerator per household: each covers three PSUs in turn. Simulated names start with
    ``sim-``, which no account may (survey.fieldwork.accounts), so a person's account never owns them."""
    return [f"{SIMULATED_PREFIX}enum{(i // 3) % 20 + 1:02d}" for i, psu in enumerate(frame)
            for _ in range(psu.households_sampled)]


def _government_enumerator(i: int) -> str:
    return f"{SIMULATED_PREFIX}enum{i % 5 + 21:02d}"


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="python -m survey.simulate",
                                     description="A realistic synthetic sample for demos, tests and benchmarks.")
    parser.add_argument("--households", type=int, default=0, help="number of households sampled")
    parser.add_argument("--out", type=Path, required=True,
                        help="store folder (ResponseStore root); the access logs of --traffic-days go there too")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--civil-servants", type=int, default=0)
    parser.add_argument("--agencies", type=int, default=0)
    parser.add_argument("--outcomes", action="store_true",
                        help="realistic visit outcomes: refusals, nobody home, vacant dwellings, refused consent")
    parser.add_argument("--bad", type=int, default=0, metavar="N",
                        help="N two-minute interviews, N straight-lined civil servants and N repeated households")
    parser.add_argument("--pace", type=float, default=0.0, metavar="SECONDS",
                        help="wait this long between submissions (a field team filling the store)")
    parser.add_argument("--bulk", action="store_true",
                        help="write compacted parts directly into a new store (benchmarks and demos)")
    traffic = parser.add_argument_group("website traffic (raw access logs of the city's hosts)")
    traffic.add_argument("--traffic-days", type=int, default=0, metavar="N", help="days of access logs to write")
    traffic.add_argument("--traffic-start", type=dt.date.fromisoformat, default=None, metavar="YYYY-MM-DD",
                         help="the first day of the logs (default 2026-09-01, so a seed gives the same logs)")
    traffic.add_argument("--traffic-visits", type=int, default=None, metavar="N",
                         help="human visits per day on average (default 1000)")
    traffic.add_argument("--traffic-format", choices=("vhost_combined", "combined"), default="vhost_combined",
                         help="one vhost_combined file, or one combined file per host")
    traffic.add_argument("--traffic-plain", action="store_true", help="write .log files, not .log.gz")
    return parser


def _write_traffic(args) -> None:
    from survey.simulate.traffic_logs import TRAFFIC_START, VISITS_PER_DAY, write_traffic_logs

    started = time.perf_counter()
    counts = write_traffic_logs(args.out, args.traffic_days, args.seed, args.traffic_start or TRAFFIC_START,
                                VISITS_PER_DAY if args.traffic_visits is None else args.traffic_visits,
                                args.traffic_format, compress=not args.traffic_plain)
    for path, n in counts.items():
        print(f"traffic: {n} lines -> {path}")
    print(f"traffic: {args.traffic_days} days, {sum(counts.values())} lines "
          f"({time.perf_counter() - started:.1f} s); import with: python -m survey.traffic import "
          f"{' '.join(str(p) for p in counts)}")


def main(argv: Sequence[str] | None = None) -> int:
    parser = _parser()
    args = parser.parse_args(argv)
    if args.bad < 0 or args.pace < 0:
        parser.error("--bad and --pace must not be negative")
    if args.bulk and args.pace:
        parser.error("--pace submits interviews one by one; it does not go with --bulk")
    if args.households < 0 or args.traffic_days < 0 or (args.traffic_visits or 0) < 0:
        parser.error("--households, --traffic-days and --traffic-visits must not be negative")
    if not (args.households or args.civil_servants or args.agencies or args.traffic_days):
        parser.error("nothing to simulate: give --households, --civil-servants, --agencies or --traffic-days")
    if args.traffic_days:
        _write_traffic(args)
        if not (args.households or args.civil_servants or args.agencies):
            return 0

    # Imported here: the store is heavy, and the package imports this module for `main`.
    from survey.simulate import generate
    from survey.simulate.fieldwork import Plan
    from survey.simulate.government import agency_answers, civil_servant_answers
    from survey.simulate.households import iter_household_answers

    args.out.mkdir(parents=True, exist_ok=True)
    frame = sample_frame(args.households, args.seed) if args.households else []
    frame_path = args.out / "frame.csv"
    if frame_path.exists():   # a store being filled again: its interviews keep their PSUs
        if args.bulk:
            parser.error(f"--bulk writes a new store, and {args.out} already has a frame.csv")
        try:
            frame_before = read_frame(frame_path)
        except ValueError as exc:
            parser.exit(2, f"error: {exc}; it is left as it is: use an empty folder, or move it away\n")
        frame_now = frame_before if _already_stored(args) else merge_frames(frame_before, frame)
        print(f"frame: {len(frame_now) - len(frame_before)} PSUs added to the existing {frame_path}")
    else:
        frame_now = frame
    write_frame(frame_now, frame_path)
    write_population(args.out / "population.csv")
    write_kelurahan(args.out / "kelurahan.csv")   # the small-area model's auxiliaries (issue 18, item 4)
    enumerators = _household_enumerators(frame)
    started = time.perf_counter()
    if args.bulk and not (args.outcomes or args.bad):
        households = iter_household_answers(args.households, args.seed) if args.households else []
        civil_servants, agencies = civil_servant_answers(args.civil_servants, args.seed), \
            agency_answers(args.agencies, args.seed)
        plan = None
    else:
        households = generate("household", args.households, args.seed, outcomes=args.outcomes)
        civil_servants = generate("civil_servant", args.civil_servants, args.seed)
        agencies = generate("agency", args.agencies, args.seed)
        plan = Plan()
    batches = [("household", households, enumerators.__getitem__),
               ("civil_servant", civil_servants, _government_enumerator),
               ("agency", agencies, _government_enumerator)]
    if plan is None:   # a large plain sample: streamed, never held in memory
        return _bulk_stream(parser, args, batches, frame, started)
    for instrument_id, rows, who in batches:
        plan.add(instrument_id, list(rows), who, args.seed)
    plan.add_bad(args.bad, args.seed, civil_servant_answers, _government_enumerator)
    ids: dict[str, list[str]] = {}
    for name, records in plan.records.items():
        next_id = _response_ids(args.seed, name)
        ids[name] = [next_id() for _ in records]
    if args.bulk:
        from survey.simulate.bulk import BulkError, write_responses

        try:
            for name, records in plan.records.items():
                n = write_responses(args.out, name, (r.answers for r in records), iter(ids[name]).__next__,
                                    lambda i, rs=records: rs[i].enumerator, args.seed,
                                    minutes=lambda i, answers, rs=records: rs[i].minutes)
                if n:
                    print(f"{name}: {n} responses (bulk)")
        except BulkError as exc:
            parser.exit(2, f"error: {exc}\n")
    else:
        _submit(args, plan, ids)
    _report_bad(plan, ids)
    _report(args, frame_now, started)
    return 0


def _bulk_stream(parser, args, batches, frame, started: float) -> int:
    from survey.simulate.bulk import BulkError, write_responses
    from survey.simulate.fieldwork import minutes

    try:
        for instrument_id, rows, who in batches:
            rng = random_stream(args.seed, f"durations/{instrument_id}")   # as fieldwork.Plan draws them
            n = write_responses(args.out, instrument_id, rows, _response_ids(args.seed, instrument_id), who,
                                args.seed, minutes=lambda i, answers, r=rng, name=instrument_id: minutes(r, name, answers))
            if n:
                print(f"{instrument_id}: {n} responses (bulk)")
    except BulkError as exc:
        parser.exit(2, f"error: {exc}\n")
    _report(args, frame, started)
    return 0


def _submit(args, plan, ids: dict[str, list[str]]) -> None:
    """Submit the plan interview by interview, enumerators in turn (``--pace`` apart)."""
    from survey import ResponseStore
    from survey.simulate.fieldwork import field_times

    store = ResponseStore(args.out)
    for name, records in plan.records.items():
        done = 0
        clock = random_stream(args.seed, f"clock/{name}")
        for i in plan.interleaved(name):
            record = records[i]
            start, end = field_times(dt.datetime.now(dt.timezone.utc), record.minutes, clock)
            receipt = store.submit(name, record.answers, enumerator=record.enumerator, response_id=ids[name][i],
                                   lang="id", started_at=start, submitted_at=end)
            done += not receipt.duplicate
            if args.pace:
                time.sleep(args.pace)
        if records:
            print(f"{name}: {len(records)} responses ({done} new)")


def _report_bad(plan, ids: dict[str, list[str]]) -> None:
    for kind in ("too_fast", "straightlining", "duplicate_household"):
        found = [ids[name][i] for name, records in plan.records.items() for i, r in enumerate(records) if r.bad == kind]
        if found:
            print(f"deliberately bad, {kind}: {', '.join(found)}")


def _report(args, frame, started: float) -> None:
    print(f"frame: {len(frame)} PSUs -> {args.out / 'frame.csv'}; population totals -> "
          f"{args.out / 'population.csv'} ({time.perf_counter() - started:.1f} s)")
