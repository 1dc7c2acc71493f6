"""`python -m survey.traffic bench --lines N`: generate N access-log lines, import them, report lines/s
and the peak memory of the process (the generator is a simple one of its own, streamed to a file;
the realistic simulator is ``survey.simulate --traffic-days``)."""

from __future__ import annotations

import random
import resource
import tempfile
import time
from pathlib import Path

HOSTS = ["surakarta.go.id"] * 8 + ["dipenda.surakarta.go.id", "bko-disnaker.surakarta.go.id"]
AGENTS = [
    "Mozilla/5.0 (Linux; Android 13; SM-A515F) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/{v}.0 Mobile Safari/537.36",
    "Mozilla/5.0 (iPhone; CPU iPhone OS 17_{v} like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Mobile/15E148",
    "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/{v}.0 Safari/537.36",
    "Mozilla/5.0 (Linux; Android 12; SM-X200) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/{v}.0 Safari/537.36",
    "Mozilla/5.0 (compatible; Googlebot/2.1; +http://www.google.com/bot.html)",
]
PATHS = ["/", "/berita/{n}", "/layanan", "/assets/app.css", "/assets/app.js", "/img/{n}.jpg",
         "/docs/perda-{n}.pdf", "/search?q={n}"]


def generate(path: Path, lines: int, seed: int = 1) -> None:
    """`lines` vhost_combined lines over 30 days, ~20,000 visitors (IPs in a few real ranges)."""
    rng = random.Random(seed)
    prefixes = ["36.68", "36.72", "114.4", "110.136", "182.253", "133.1", "66.249"]
    visitors = [(f"{rng.choice(prefixes)}.{rng.randrange(256)}.{rng.randrange(1, 255)}",
                 rng.choice(AGENTS).format(v=rng.randrange(100, 125))) for _ in range(20_000)]
    start = 1_727_740_800   # 1 Oct 2024 00:00 UTC
    step = 30 * 86400 / max(lines, 1)
    with open(path, "w", buffering=1 << 20) as out:
        for i in range(lines):
            ip, ua = visitors[int(rng.paretovariate(1.2) * 7) % len(visitors)]
            when = time.strftime("%d/%b/%Y:%H:%M:%S +0000", time.gmtime(start + int(i * step)))
            target = rng.choice(PATHS).format(n=rng.randrange(500))
            status = 200 if rng.random() < 0.93 else rng.choice((304, 404, 301))
            out.write(f'{rng.choice(HOSTS)}:443 {ip} - - [{when}] "GET {target} HTTP/1.1" {status} '
                      f'{rng.randrange(200, 90000)} "-" "{ua}"\n')


def run_bench(lines: int, data: Path | None = None) -> int:
    from survey.traffic.importer import import_files

    with tempfile.TemporaryDirectory() as scratch:
        log = Path(scratch) / "bench-access.log"
        t0 = time.perf_counter()
        generate(log, lines)
        print(f"generated {lines:,} lines ({log.stat().st_size / 1e6:.0f} MB) in {time.perf_counter() - t0:.1f} s")
        rss_before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
        cpu0 = _cpu()
        t0 = time.perf_counter()
        result = import_files(Path(data) if data else Path(scratch) / "data", [log])
        seconds = time.perf_counter() - t0
        cpu = _cpu() - cpu0
        peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
        print(result.summary())
        print(f"import: {seconds:.1f} s, {lines / seconds:,.0f} lines/s; CPU time {cpu:.1f} s (both cores; "
              f"wall time grows when other programs share them); peak memory {peak / 1024:.0f} MB "
              f"(before the import {rss_before / 1024:.0f} MB)")
    return 0


def _cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime
