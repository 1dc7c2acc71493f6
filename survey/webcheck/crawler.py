"""Check one website: robots.txt first, then its pages breadth first within the site's host.

Limits: ``max_pages`` HTML pages delivered (redirects, robots.txt, sitemaps and refused or
failed requests do not count), ``MAX_REQUESTS`` requests in all, ``MAX_REDIRECTS`` hops per
link (a loop is reported), and the fetcher's time and size limits per request.  Only GET is
sent: forms are read, never submitted, and nothing logs in.  Documents are counted from their
links and never downloaded.
"""

from __future__ import annotations

import datetime as dt
import re
from collections import deque
from dataclasses import dataclass
from urllib import robotparser
from urllib.parse import urldefrag, urljoin, urlsplit

from survey.webcheck import dates
from survey.webcheck.fetching import USER_AGENT, Fetcher, Response
from survey.webcheck.findings import contact_of, is_document, page_findings, stage_evidence
from survey.webcheck.page_parser import parse_page

MAX_REDIRECTS = 5
MAX_SITEMAPS = 2
MAX_URL = 2000
_LASTMOD = re.compile(rb"<lastmod>\s*([^<]{4,40})\s*</lastmod>", re.IGNORECASE)


@dataclass(frozen=True)
class Limits:
    max_pages: int = 30
    delay: float = 1.0
    timeout: float = 10.0

    @property
    def max_requests(self) -> int:    # pages, their redirects and failures, robots.txt and sitemaps
        return 3 * self.max_pages + 10


def _default_port(scheme: str) -> int:
    return 443 if scheme == "https" else 80


class _Site:
    """The site's scope (its host and port), robots.txt rules per origin, and its findings."""

    def __init__(self, fetcher: Fetcher, limits: Limits):
        self.fetcher, self.limits = fetcher, limits
        self.robots: dict[str, robotparser.RobotFileParser] = {}
        self.sitemaps: list[str] = []
        self.errors: list[str] = []
        self.host = ""
        self.port = 0
        self.answered = False            # some request got an HTTP answer (robots.txt included)
        self.unreadable_robots = False

    def in_scope(self, url: str) -> bool:
        """Same host name, and the same port (or http's and https' usual ones: 80 and 443)."""
        parts = urlsplit(url)
        if parts.scheme not in ("http", "https") or (parts.hostname or "").lower() != self.host:
            return False
        port = parts.port or _default_port(parts.scheme)
        return port == self.port or {port, self.port} == {80, 443}

    def allowed(self, url: str) -> bool:
        parts = urlsplit(url)
        origin = f"{parts.scheme}://{parts.netloc}"
        if origin not in self.robots:
            self.robots[origin] = self._robots(origin)
        return self.robots[origin].can_fetch(USER_AGENT, url)

    def _robots(self, origin: str) -> robotparser.RobotFileParser:
        """robots.txt with our own user agent (RFC 9309): 4xx means no rules, but 401/403 and an
        unreachable or failing robots.txt mean stay out."""
        rules = robotparser.RobotFileParser(origin + "/robots.txt")
        response = self.fetcher.get(origin + "/robots.txt")
        self.answered = self.answered or response.status is not None
        if response.error or response.status is None or response.status >= 500 or response.status in (401, 403):
            rules.disallow_all = True
            self.unreadable_robots = True
            self.errors.append(f"{origin}/robots.txt: could not be read "
                               f"({response.error or response.status}); the site was not crawled")
        elif response.status >= 300:
            rules.allow_all = True
        else:
            rules.parse(response.body.decode("utf-8", errors="replace").splitlines())
            self.sitemaps += [u for u in (rules.site_maps() or []) if self.in_scope(u)]
            if rules.crawl_delay(USER_AGENT):
                self.fetcher.delay = max(self.fetcher.delay, min(float(rules.crawl_delay(USER_AGENT)), 30.0))
        return rules

    def follow(self, url: str, first: bool = False) -> tuple[Response | None, list[Response]]:
        """GET ``url`` and follow its redirects within the site (the first request may move the site,
        from http to https or to another host); the final response and the hops before it."""
        hops: list[Response] = []
        seen = {url}
        while True:
            if self.fetcher.requests >= self.limits.max_requests:
                return None, hops
            response = self.fetcher.get(url, read_body=False)
            if response.location is None:
                return response, hops
            hops.append(response)
            target = urldefrag(urljoin(url, response.location[:MAX_URL]))[0]
            if target in seen or len(hops) > MAX_REDIRECTS:
                self.errors.append(f"{hops[0].url}: redirect loop or too many redirects (via {target})")
                return None, hops
            seen.add(target)
            if first:
                parts = urlsplit(target)
                self.host, self.port = (parts.hostname or "").lower(), parts.port or _default_port(parts.scheme)
            if not self.in_scope(target):
                self.errors.append(f"{url}: redirects to another site ({target}); not followed")
                return None, hops
            if not self.allowed(target):
                self.errors.append(f"{target}: disallowed by robots.txt; not fetched")
                return None, hops
            url = target


def check_site(url: str, limits: Limits = Limits(), cafile: str | None = None,
               now: dt.datetime | None = None, fetcher: Fetcher | None = None) -> dict:
    """The dated snapshot of one website (the fields of ``--format json``)."""
    now = now or dt.datetime.now(dt.timezone.utc)
    fetcher = fetcher or Fetcher(timeout=limits.timeout, delay=limits.delay, cafile=cafile)
    site = _Site(fetcher, limits)
    start = urlsplit(url)
    snapshot = {"url": url, "checked_at": now.isoformat(timespec="seconds"), "reachable": False, "status": None,
                "https": start.scheme == "https", "http_redirects_to_https": None, "certificate_valid": None,
                "certificate_days_left": None, "response_ms": None, "mobile_viewport": False, "newest_date": None,
                "pages_visited": 0, "documents": [], "contacts": [], "search": False, "transactions": [],
                "other_agencies": [], "single_sign_on": False, "stage_evidence": {}, "errors": site.errors}
    if start.scheme not in ("http", "https") or not start.hostname:
        site.errors.append(f"{url}: not an http:// or https:// address")
        return _finish(snapshot, now)
    site.host, site.port = start.hostname.lower(), start.port or _default_port(start.scheme)
    found = {"documents": set(), "contacts": set(), "transactions": set(), "other_agencies": set(), "sso": set(),
             "search": set()}
    found_dates: list[dt.date] = []
    queue, queued = deque([urldefrag(url)[0]]), {urldefrag(url)[0]}
    first = True
    while queue and snapshot["pages_visited"] < limits.max_pages and fetcher.requests < limits.max_requests:
        page_url = queue.popleft()
        if not site.allowed(page_url):
            if first and not site.unreadable_robots:
                site.errors.append(f"{page_url}: disallowed by robots.txt; not fetched")
            first = False
            continue
        response, hops = site.follow(page_url, first=first)
        if first:
            _first_response(snapshot, response, hops, start.scheme)
            first = False
        if response is None:
            continue
        if response.error:
            site.errors.append(response.error)
        if not response.is_html or response.status != 200 or not response.body:
            continue
        snapshot["pages_visited"] += 1
        found_dates.append(dates.http_date(response.headers.get("last-modified")))
        page = parse_page(response.text())
        snapshot["mobile_viewport"] = snapshot["mobile_viewport"] or page.viewport
        found_dates += list(dates.dates_in(page.text)) + [d for s in page.datetimes for d in dates.dates_in(s)]
        here = response.url

        def resolve(href: str, base: str = here) -> str | None:
            if len(href) > MAX_URL or contact_of(href):
                return None
            absolute = urldefrag(urljoin(base, href))[0]
            return absolute if urlsplit(absolute).scheme in ("http", "https") else None

        for key, values in page_findings(page, here, site.host, resolve).items():
            found[key] |= values
        for href, _ in page.links:
            link = resolve(href)
            if link and link not in queued and site.in_scope(link) and not is_document(link):
                queued.add(link)
                queue.append(link)
    snapshot["reachable"] = snapshot["reachable"] or site.answered
    if start.scheme == "https" and snapshot["reachable"] and site.port == 443:
        snapshot["http_redirects_to_https"] = _http_redirects(site)
    found_dates += _sitemap_dates(site)
    snapshot["newest_date"] = (lambda d: d.isoformat() if d else None)(dates.newest(found_dates, now.date()))
    snapshot.update(documents=sorted(found["documents"])[:200], contacts=sorted(found["contacts"]),
                    search=bool(found["search"]), transactions=sorted(found["transactions"]),
                    other_agencies=sorted(found["other_agencies"]), single_sign_on=bool(found["sso"]))
    return _finish(snapshot, now)


def _first_response(snapshot: dict, response: Response | None, hops: list[Response], scheme: str) -> None:
    """Reachability, status, HTTPS and its certificate, the response time: from the first page's requests."""
    chain = hops + ([response] if response is not None else [])
    answered = [r for r in chain if r.status is not None]
    snapshot["reachable"] = bool(answered)
    if answered:
        snapshot["status"] = answered[-1].status
        snapshot["response_ms"] = answered[0].elapsed_ms
    final = chain[-1].url if chain else snapshot["url"]
    ends_https = urlsplit(final).scheme == "https" and bool(answered) and answered[-1] is chain[-1]
    snapshot["https"] = ends_https or (scheme == "https" and snapshot["reachable"])
    if scheme == "http":
        snapshot["http_redirects_to_https"] = ends_https
    for r in chain:
        if r.certificate is not None:
            snapshot["certificate_valid"] = r.certificate["valid"]
            snapshot["certificate_days_left"] = r.certificate["days_left"]
            if not r.certificate["valid"]:
                snapshot["errors"].append(f"{r.url}: the certificate does not verify "
                                          f"({r.certificate.get('reason') or 'untrusted'})")
            break


def _http_redirects(site: _Site, http_port: int = 80) -> bool | None:
    """Does http://host/ send visitors to HTTPS?  (Asked of a site given as https://, on its usual
    ports only: for another port the plain-HTTP one is unknown.)"""
    url = f"http://{site.host}{'' if http_port == 80 else f':{http_port}'}/"
    if site.fetcher.requests >= site.limits.max_requests or not site.allowed(url):
        return None
    response = site.fetcher.get(url, read_body=False)
    if response.status is None:
        return False
    target = urljoin(url, response.location or "")
    return response.location is not None and urlsplit(target).scheme == "https" and \
        (urlsplit(target).hostname or "").lower() == site.host


def _sitemap_dates(site: _Site) -> list[dt.date]:
    """``<lastmod>`` dates of the sitemaps robots.txt names (and /sitemap.xml), robots.txt permitting."""
    urls = site.sitemaps[:MAX_SITEMAPS] or [f"{scheme}://{netloc}/sitemap.xml" for scheme, netloc in
                                            [urlsplit(o)[:2] for o in list(site.robots)[-1:]]]
    found = []
    for url in urls[:MAX_SITEMAPS]:
        if site.fetcher.requests >= site.limits.max_requests or not site.allowed(url):
            continue
        response = site.fetcher.get(url)
        if response.status == 200 and not response.error:
            for raw in _LASTMOD.findall(response.body[:site.fetcher.max_bytes]):
                found += list(dates.dates_in(raw.decode("ascii", errors="replace")))
    return found


def _finish(snapshot: dict, now: dt.datetime) -> dict:
    snapshot["stage_evidence"] = stage_evidence(snapshot, now.date())
    return snapshot
