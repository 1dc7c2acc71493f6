"""The synthetic access logs (issue 16, part 3): real log formats, the study's shares, reproducible, streamed."""

import datetime as dt
import gzip
import inspect
import itertools
import re
from collections import Counter

import iptocc
import pytest

from survey.simulate import main
from survey.simulate._traffic_web import COUNTRIES, CRAWLERS, HOSTS
from survey.simulate.traffic_logs import traffic_lines

# Apache's combined format: %h %l %u %t "%r" %>s %b "%{Referer}i" "%{User-Agent}i"
COMBINED = re.compile(r'(?P<ip>\d{1,3}(?:\.\d{1,3}){3}) (\S+) (\S+) \[(?P<time>\d{2}/\w{3}/\d{4}:\d{2}:\d{2}:\d{2} '
                      r'[+-]\d{4})\] "(?P<method>[A-Z]+) (?P<path>\S+) HTTP/1\.[01]" (?P<status>\d{3}) (?P<size>\d+|-) '
                      r'"(?P<referrer>[^"]*)" "(?P<agent>[^"]*)"$')
VHOST = re.compile(r"(?P<host>[a-z0-9.-]+):(\d+) (?P<rest>.*)$")
ASSET = re.compile(r"\.(css|js|png|jpe?g|webp|svg|ico|woff2?)$|^/robots\.txt$|^/sitemap\.xml$")
BOT = re.compile(r"bot|spider|crawl|externalhit|UptimeRobot|zgrab|python-requests|^-$", re.I)


def _device(agent: str) -> str:
    if "iPad" in agent or ("Android" in agent and "Mobile" not in agent):
        return "tablet"
    return "mobile" if "iPhone" in agent or "Mobile" in agent else "desktop"


@pytest.fixture(scope="module")
def lines():
    return list(traffic_lines(60, seed=3, visits_per_day=150))


@pytest.fixture(scope="module")
def page_views(lines):
    """Human page views as (day, host, ip, agent): GET answered 2xx/304 of a page or document, no known crawler."""
    views = []
    for host, line in lines:
        m = COMBINED.match(line)
        if m["method"] == "GET" and (m["status"].startswith("2") or m["status"] == "304") \
                and not ASSET.search(m["path"].split("?")[0]) and not BOT.search(m["agent"]):
            views.append((m["time"][:11], host, m["ip"], m["agent"]))
    return views


def test_every_line_is_combined_format_with_a_wib_time(lines):
    assert len(lines) > 100_000
    bad = [line for _, line in lines if not COMBINED.match(line)]
    assert bad == []
    assert {COMBINED.match(line)["time"][-5:] for _, line in lines[:1000]} == {"+0700"}


def test_host_shares_of_page_views_follow_the_study(page_views):
    shares = Counter(host for _, host, _, _ in page_views)
    total = sum(shares.values())
    for host, share in HOSTS[:3]:
        assert shares[host] / total == pytest.approx(share, abs=0.03), host
    others = sum(n for host, n in shares.items() if host not in dict(HOSTS[:3]))
    assert 0.002 < others / total < 0.03
    assert set(shares) == {host for host, _ in HOSTS}


def test_countries_come_from_their_real_allocations(page_views):
    countries = Counter(iptocc.country_code([ip for _, _, ip, _ in page_views]))
    total = sum(countries.values())
    assert set(countries) <= {code for code, _ in COUNTRIES}   # every address is where it was drawn
    assert countries["ID"] / total == pytest.approx(0.80, abs=0.05)
    assert countries.most_common(2)[1][0] == "JP"


def test_phones_are_the_majority_and_rising(page_views):
    months = {}
    for day, _, _, agent in page_views:
        months.setdefault(day[3:], Counter())[_device(agent)] += 1
    first, last = (months[m] for m in sorted(months, key=lambda m: dt.datetime.strptime(m, "%b/%Y"))[::len(months) - 1])
    share = [c["mobile"] / sum(c.values()) for c in (first, last)]
    assert 0.5 < share[0] < share[1]
    assert all(c["tablet"] and c["desktop"] for c in (first, last))


def test_bots_documents_redirects_errors_and_repeated_lines(lines):
    parsed = [COMBINED.match(line) for _, line in lines]
    robots_agents = {m["agent"] for m in parsed if m["path"] == "/robots.txt"}
    assert robots_agents == {agent for agent, _, _ in CRAWLERS}   # each crawler asks robots.txt first
    statuses = Counter(m["status"] for m in parsed)
    assert statuses["301"] and statuses["404"] and statuses["304"] and statuses["302"]
    assert {m["method"] for m in parsed} == {"GET", "HEAD", "POST"}
    extensions = Counter(m["path"].rsplit(".", 1)[-1].lower() for m in parsed if m["method"] == "GET")
    assert all(extensions[e] for e in ("pdf", "docx", "xlsx", "css", "js", "png", "woff2"))
    repeated = [line for (_, line), n in Counter(lines).items() if n > 1 and "HEAD" not in line]
    assert 0 < len(repeated) < len(lines) / 1000


def test_a_scraper_is_a_bot_by_behaviour_only(lines):
    """A desktop browser's user agent reading more than 20 pages and no asset in a day: the importer's rule."""
    per_key = Counter()
    assets = set()
    for _, line in lines:
        m = COMBINED.match(line)
        key = (m["time"][:11], m["ip"], m["agent"])
        if ASSET.search(m["path"]):
            assets.add(key)
        elif not BOT.search(m["agent"]):
            per_key[key] += 1
    assert [key for key, n in per_key.items() if n > 20 and key not in assets]


def test_same_seed_same_lines_other_seed_other_lines():
    first = list(traffic_lines(2, seed=5, visits_per_day=40))
    assert first == list(traffic_lines(2, seed=5, visits_per_day=40))
    assert first != list(traffic_lines(2, seed=6, visits_per_day=40))


def test_lines_are_streamed_day_by_day():
    """A hundred thousand days would not fit in memory: the first lines come from the first day alone."""
    stream = traffic_lines(100_000, seed=1, visits_per_day=20)
    assert inspect.isgenerator(stream)
    first = list(itertools.islice(stream, 50))
    assert {COMBINED.match(line)["time"][:11] for _, line in first} == {"01/Sep/2026"}


def test_command_line_writes_vhost_combined_gz_without_interviews(tmp_path, capsys):
    assert main(["--traffic-days", "2", "--traffic-visits", "30", "--out", str(tmp_path), "--seed", "2"]) == 0
    assert sorted(p.name for p in tmp_path.iterdir()) == ["access.log.gz"]   # no frame, no store
    with gzip.open(tmp_path / "access.log.gz", "rt") as f:
        rows = [VHOST.match(line.rstrip("\n")) for line in f]
    assert all(r and COMBINED.match(r["rest"]) for r in rows)
    assert {r["host"] for r in rows} >= {"surakarta.go.id", "dipenda.surakarta.go.id"}
    assert f"{len(rows)} lines" in capsys.readouterr().out


def test_command_line_writes_one_combined_file_per_host(tmp_path):
    main(["--traffic-days", "1", "--traffic-visits", "200", "--traffic-format", "combined", "--traffic-plain",
          "--traffic-start", "2026-03-01", "--out", str(tmp_path)])
    files = {p.name for p in tmp_path.iterdir()}
    assert "surakarta.go.id.access.log" in files and "dipenda.surakarta.go.id.access.log" in files
    text = (tmp_path / "surakarta.go.id.access.log").read_text().splitlines()
    assert all(COMBINED.match(line) for line in text) and "[01/Mar/2026:" in text[0]


def test_command_line_without_anything_to_simulate_is_an_error(tmp_path):
    with pytest.raises(SystemExit):
        main(["--out", str(tmp_path)])


def test_the_importer_reads_them_as_designed(tmp_path):
    """survey.traffic imports both layouts without a bad line, finds each host (from the vhost field or from a
    per-host file's name), and counts the study's shares; a second import adds nothing."""
    from survey import traffic

    logs, store = tmp_path / "logs", tmp_path / "store"
    main(["--traffic-days", "14", "--traffic-visits", "150", "--traffic-format", "combined", "--out", str(logs)])
    files = sorted(logs.iterdir())
    result = traffic.import_files(store, files)
    assert result.bad == 0 and not result.refused and result.added == sum(
        len(gzip.open(f, "rt").readlines()) for f in files)
    assert "unknown" not in result.hosts and len(result.hosts) == len(HOSTS)
    tables = traffic.traffic_tables(store)
    hosts = dict(zip(tables["by_host"]["host"], tables["by_host"]["share"]))
    assert hosts["surakarta.go.id"] == pytest.approx(0.81, abs=0.04)
    countries = dict(zip(tables["by_country"]["country"], tables["by_country"]["share"]))
    assert countries["ID"] == pytest.approx(0.80, abs=0.05)
    devices = tables["by_device"].groupby("device")["pageviews"].sum()
    assert devices["mobile"] == devices.max() and devices["tablet"] > 0
    assert 0 < tables["summary"]["bot_requests"].iloc[0] < tables["summary"]["requests"].iloc[0] / 2
    assert traffic.import_files(store, files).added == 0
