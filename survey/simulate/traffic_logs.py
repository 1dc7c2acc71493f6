"""Synthetic raw access logs of the city's websites, for demos, tests and the import benchmark.

``traffic_lines(days, seed)`` yields one day after another, each day's requests in time order, as
``(host, line)`` where ``line`` is Apache/Nginx's ``combined`` format (``vhost_combined`` puts
``host:443`` before it). Only one day is held in memory, so millions of lines stream in constant
memory. ``write_traffic_logs`` writes them as one ``vhost_combined`` file or one ``combined`` file
per host (``<host>.access.log``), gzipped or plain. The same seed and arguments give the same lines.

What is in them (``_traffic_web`` has the tables):

- visits as bursts of page views by one visitor (an IP address and a browser) in WIB daytime, more on
  weekdays, slowly growing; each page brings its style sheets, scripts, images and fonts (later pages
  mostly from the cache), some redirects (301) and broken links (404), a form POST now and then, and
  document downloads (PDF, DOCX, XLSX, CSV), among them visitors from a search result who open one PDF
  and nothing else;
- visitors from Indonesia (80%) and abroad (Japan first), with addresses the registries allocated to
  their country; Indonesian phones often share a carrier's NAT address; people who come back on other
  days; phones the majority and rising month by month (the study's "mobile government"), tablets,
  desktops;
- crawlers (Googlebot, bingbot, ...) from their real networks, each fetching robots.txt, an uptime
  monitor's HEAD requests, probes for /wp-login.php and /.env, and now and then a scraper with a
  desktop browser's user agent that reads dozens of pages and no asset (a bot only by behaviour);
- a few identical lines twice (a double click within one second), which an import must count twice.
"""

from __future__ import annotations

import datetime as dt
import gzip
import random
from pathlib import Path
from typing import Iterator, NamedTuple

from survey.simulate import _traffic_web as web
from survey.simulate._draws import random_stream, weighted

TRAFFIC_START = dt.date(2026, 9, 1)   # fixed, so a seed gives the same logs on any day
VISITS_PER_DAY = 1000
MOBILE_SHARE = (0.60, 0.74)   # of human visitors' devices, on the first and on the last day
TABLET_SHARE = 0.05
HOURS_WIB = tuple(enumerate((1, 0.5, 0.3, 0.3, 0.6, 2, 4, 7, 9, 10, 10, 9, 8, 8, 8, 7, 6, 6, 7, 8, 8, 6, 4, 2)))
_MONTHS = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")
_SEARCH = ("https://www.google.com/", "https://www.google.co.id/", "https://www.bing.com/",
           "android-app://com.google.android.googlequicksearchbox/")
_SOCIAL = ("https://m.facebook.com/", "https://l.instagram.com/", "https://t.co/", "https://web.whatsapp.com/")


class Visitor(NamedTuple):
    ip: str
    agent: str
    device: str   # mobile | tablet | desktop (what the simulator meant; the importer judges for itself)
    country: str


class _Request(NamedTuple):
    second: int
    host: str
    ip: str
    method: str
    path: str
    status: int
    size: int
    referrer: str
    agent: str


def _day_stamp(day: dt.date) -> str:
    return f"{day.day:02d}/{_MONTHS[day.month - 1]}/{day.year}:"


def _line(request: _Request, stamp: str) -> str:
    s = request.second
    size = request.size if request.size else "-"   # Apache's %b writes "-" for an empty body (a 304)
    return (f'{request.ip} - - [{stamp}{s // 3600:02d}:{s // 60 % 60:02d}:{s % 60:02d} +0700] '
            f'"{request.method} {request.path} HTTP/1.1" {request.status} {size} "{request.referrer}" '
            f'"{request.agent}"')


class _Crowd:
    """Who visits: new visitors drawn per visit, a fixed group of regulars who come back, and the Indonesian
    mobile carriers' shared NAT addresses."""

    def __init__(self, seed: int, days: int, visits_per_day: int):
        self.rng = random_stream(seed, "traffic/visitors")
        self.days = max(days - 1, 1)
        self.nat = [web.address_in(self.rng, "ID") for _ in range(max(visits_per_day // 5, 20))]
        self.regulars = [self.new(0) for _ in range(max(visits_per_day * 2, 50))]

    def device(self, day_index: int, country: str) -> str:
        mobile = MOBILE_SHARE[0] + (MOBILE_SHARE[1] - MOBILE_SHARE[0]) * day_index / self.days
        if country != "ID":
            mobile *= 0.6   # visitors from abroad read more on desktops
        r = self.rng.random()
        return "mobile" if r < mobile else "tablet" if r < mobile + TABLET_SHARE else "desktop"

    def new(self, day_index: int) -> Visitor:
        country = weighted(self.rng, web.COUNTRIES)
        device = self.device(day_index, country)
        if country == "ID" and device == "mobile" and self.rng.random() < 0.5:
            ip = self.rng.choice(self.nat)   # carrier-grade NAT: one address, many phones
        else:
            ip = web.address_in(self.rng, country)
        return Visitor(ip, web.user_agent(self.rng, device), device, country)

    def pick(self, day_index: int) -> Visitor:
        return self.rng.choice(self.regulars) if self.rng.random() < 0.3 else self.new(day_index)


def _page_requests(rng: random.Random, out: list, t: int, host: str, v: Visitor, path: str, referrer: str,
                   first: bool) -> int:
    """One page view with what it brings along; returns the second after it."""
    page_url = f"https://{host}{path}"
    if rng.random() < 0.04:   # an old link without the trailing slash or over http: a redirect first
        out.append(_Request(t, host, v.ip, "GET", path.rstrip("/") + "/index.php", 301, 0, referrer, v.agent))
    if rng.random() < 0.02:
        out.append(_Request(t, host, v.ip, "GET", path.rstrip("/") + "-lama", 404, 3200, referrer, v.agent))
        return t + 5
    page = _Request(t, host, v.ip, "GET", path, 200, rng.randrange(9000, 60000), referrer, v.agent)
    out.append(page)
    if rng.random() < 0.003:   # a double click: the identical line twice
        out.append(page)
    assets = web.ASSETS + tuple(rng.sample(web.IMAGES, rng.randint(2, 4))) if first else \
        tuple(rng.sample(web.IMAGES, rng.randint(0, 2)))
    for asset in assets:
        cached = not first and rng.random() < 0.5
        out.append(_Request(t + rng.randint(0, 2), host, v.ip, "GET", asset, 304 if cached else 200,
                            0 if cached else rng.randrange(800, 90000), page_url, v.agent))
    return t + 3


def _visit(rng: random.Random, out: list, day_index: int, crowd: _Crowd) -> None:
    host = weighted(rng, web.HOSTS)
    v = crowd.pick(day_index)
    t = weighted(rng, HOURS_WIB) * 3600 + rng.randrange(3600)
    if rng.random() < 0.1:   # from a search result straight to a document, nothing else
        doc = rng.choice(web.documents(host))
        out.append(_Request(t, host, v.ip, "GET", doc, 200, rng.randrange(90_000, 3_000_000), rng.choice(_SEARCH),
                            v.agent))
        return
    r = rng.random()
    referrer = rng.choice(_SEARCH) if r < 0.45 else rng.choice(_SOCIAL) if r < 0.6 else "-"
    site = web.pages(host)
    path = site[0] if rng.random() < 0.35 else site[min(int(rng.paretovariate(1.2)), len(site) - 1)]
    for n in range(min(1 + int(rng.expovariate(0.5)), 15)):
        t = _page_requests(rng, out, t, host, v, path, referrer, first=n == 0)
        referrer = f"https://{host}{path}"
        if rng.random() < 0.12:
            t += rng.randint(5, 60)
            out.append(_Request(t, host, v.ip, "GET", rng.choice(web.documents(host)), 200,
                                rng.randrange(90_000, 3_000_000), referrer, v.agent))
        if path == "/kontak" and rng.random() < 0.2:
            out.append(_Request(t + rng.randint(30, 200), host, v.ip, "POST", "/kontak", 302, 0, referrer, v.agent))
        t += int(rng.expovariate(1 / 45)) + 2
        path = rng.choice(site)


def _robots(rng: random.Random, out: list, day_index: int, visits: int) -> None:
    """Crawlers per host in proportion to its size, each starting with robots.txt; an uptime monitor; probes; and
    every third day a scraper that looks like a desktop browser but reads many pages and no asset."""
    for host, share in web.HOSTS:
        for agent, networks, weight in web.CRAWLERS:
            n = int(visits * share * weight * 1.2 + rng.random() * 3)
            if not n:
                continue
            ip = web.in_network(rng, rng.choice(networks))
            t = rng.randrange(86400 - 3600)
            out.append(_Request(t, host, ip, "GET", "/robots.txt", 200, 120, "-", agent))
            for _ in range(n):
                path = rng.choice(web.documents(host)) if rng.random() < 0.1 else \
                    "/sitemap.xml" if rng.random() < 0.03 else rng.choice(web.pages(host))
                status = 200 if rng.random() < 0.93 else rng.choice((301, 404))
                out.append(_Request(rng.randrange(86400), host, ip, "GET", path, status, rng.randrange(300, 60000),
                                    "-", agent))
    for minute in range(0, 24 * 60, 10):
        out.append(_Request(minute * 60 + 7, "surakarta.go.id", web.in_network(rng, web.UPTIME_NETWORK), "HEAD", "/",
                            200, 0, "-", web.UPTIME_AGENT))
    for _ in range(rng.randint(2, 6)):
        out.append(_Request(rng.randrange(86400), weighted(rng, web.HOSTS), web.address_in(rng, rng.choice(("CN", "US"))),
                            "GET", rng.choice(web.PROBES), 404, 3200, "-", rng.choice(web.PROBE_AGENTS)))
    if day_index % 3 == 1:
        ip, t = web.address_in(rng, rng.choice(("SG", "NL", "US"))), rng.randrange(86400 - 7200)
        agent = web.user_agent(rng, "desktop")
        for path in rng.choices(web.pages("surakarta.go.id"), k=rng.randint(30, 90)):
            t += rng.randint(2, 40)
            out.append(_Request(t, "surakarta.go.id", ip, "GET", path, 200, rng.randrange(9000, 60000), "-", agent))


def traffic_lines(days: int, seed: int = 1, start: dt.date = TRAFFIC_START,
                  visits_per_day: int = VISITS_PER_DAY) -> Iterator[tuple[str, str]]:
    """``(host, combined line)`` for every request of ``days`` days from ``start``, day by day in time order."""
    if days < 0 or visits_per_day < 0:
        raise ValueError("days and visits per day must not be negative")
    crowd = _Crowd(seed, days, visits_per_day)
    for i in range(days):
        day = start + dt.timedelta(days=i)
        rng = random_stream(seed, f"traffic/{day.isoformat()}")
        weekday = (1.1, 1.1, 1.1, 1.05, 1.0, 0.8, 0.7)[day.weekday()]
        visits = max(0, round(visits_per_day * weekday * (1 + 0.15 * i / max(days, 1)) * rng.gauss(1, 0.05)))
        requests: list[_Request] = []
        for _ in range(visits):
            _visit(rng, requests, i, crowd)
        _robots(rng, requests, i, visits)
        requests.sort(key=lambda r: r.second)   # stable: a visit's requests keep their order within a second
        stamp = _day_stamp(day)
        for request in requests:
            yield request.host, _line(request._replace(second=min(request.second, 86399)), stamp)


def write_traffic_logs(out: Path, days: int, seed: int = 1, start: dt.date = TRAFFIC_START,
                       visits_per_day: int = VISITS_PER_DAY, format: str = "vhost_combined",
                       compress: bool = True) -> dict[Path, int]:
    """Write the logs into ``out``: ``access.log[.gz]`` in ``vhost_combined``, or ``<host>.access.log[.gz]`` per
    host in ``combined``. Returns the lines written per file."""
    if format not in ("vhost_combined", "combined"):
        raise ValueError(f"unknown log format {format!r} (vhost_combined or combined)")
    out.mkdir(parents=True, exist_ok=True)
    suffix = ".log.gz" if compress else ".log"
    files: dict[str, object] = {}
    counts: dict[Path, int] = {}

    def handle(name: str):
        if name not in files:
            path = out / f"{name}{suffix}"
            files[name] = gzip.open(path, "wt", compresslevel=5, encoding="utf-8", newline="\n") if compress \
                else path.open("w", encoding="utf-8", newline="\n")
            counts[path] = 0
        return files[name], out / f"{name}{suffix}"

    try:
        for host, line in traffic_lines(days, seed, start, visits_per_day):
            if format == "vhost_combined":
                f, path = handle("access")
                f.write(f"{host}:443 {line}\n")
            else:
                f, path = handle(f"{host}.access")
                f.write(line + "\n")
            counts[path] += 1
    finally:
        for f in files.values():
            f.close()
    return counts

