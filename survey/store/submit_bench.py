"""Submit latency, one interview after another: ``python -m survey.store.submit_bench``.

    python -m survey.store.submit_bench --households 20000 --out DIR [--seed 1] [--existing] [--writers 3]

Submits simulated households (survey.simulate.generate) one by one into a new store
at DIR (``--existing``: into the store already there, for example one filled by
``python -m survey.simulate --bulk``), as a field team does over weeks, and prints the latency of each submit()
(median, p99, max, in seconds) by thousands stored; compaction runs as the store
runs it (after every 64 small files). ``--writers N``: N threads submit at once into the
one store (as the app's server does for several enumerators), the latencies of all of
them together. The questionnaire is loaded before the first submit is timed. The store is left in DIR.
"""

from __future__ import annotations

import argparse
import statistics
import threading
import time
from pathlib import Path
from typing import Sequence


def main(argv: Sequence[str] | None = None) -> int:
    from survey.simulate import generate
    from survey.store.response_store import ResponseStore

    parser = argparse.ArgumentParser(prog="python -m survey.store.submit_bench", description=__doc__.split("\n\n")[0])
    parser.add_argument("--households", type=int, default=20000)
    parser.add_argument("--out", required=True, type=Path)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--existing", action="store_true", help="add to the store already in --out")
    parser.add_argument("--writers", type=int, default=1, help="threads submitting at the same time")
    args = parser.parse_args(argv)
    if not args.existing and args.out.exists() and any(args.out.iterdir()):
        parser.error(f"{args.out} is not empty")
    store = ResponseStore(args.out, audit=False)
    answers = generate("household", args.households, seed=args.seed)
    store.instrument("household")   # the questionnaire loaded before the clock starts, as a running server has it
    times: list[float] = [0.0] * len(answers)

    def writer(first: int) -> None:
        for i in range(first, len(answers), args.writers):
            start = time.perf_counter()
            store.submit("household", answers[i], enumerator=f"enum{i % 20:02d}",
                         response_id=f"bench-{args.seed}-{i:07d}")
            times[i] = time.perf_counter() - start

    threads = [threading.Thread(target=writer, args=(w,)) for w in range(args.writers)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    waited = getattr(store, "wait_for_compaction", lambda: True)()

    def line(label: str, values: list[float]) -> str:
        ordered = sorted(values)
        p99 = ordered[min(len(ordered) - 1, int(len(ordered) * 0.99))]
        return (f"{label:>16}  n {len(values):>6}  median {statistics.median(values):.4f}  p99 {p99:.4f}  "
                f"max {max(values):.4f}  over 0.5 s {sum(v > 0.5 for v in values)}")

    step = max(1, len(times) // 4)
    for start in range(0, len(times), step):
        print(line(f"{start + 1}-{min(start + step, len(times))}", times[start:start + step]))
    print(line("all", times))
    print(f"stored {store.count('household')} households; background compaction finished: {waited}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
