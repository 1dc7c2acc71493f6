"""The website checker against fixture sites on 127.0.0.1 (never the internet): the evidence it
finds, the limits it keeps, the traps it survives, and every request the sites receive."""

from __future__ import annotations

import datetime as dt
import json

import pytest

from survey.webcheck import Limits, check_site, check_sites
from survey.webcheck.dates import dates_in, newest
from survey.webcheck.fetching import USER_AGENT
from survey.webcheck.page_parser import parse_page
from survey.webcheck.snapshots import read_all
from tests.support.websites import Route, Site, html

FAST = Limits(max_pages=30, delay=0.0, timeout=2.0)
TODAY = dt.datetime.now(dt.timezone.utc).date()
RECENT = TODAY - dt.timedelta(days=10)
INDONESIAN_MONTHS = ("Januari", "Februari", "Maret", "April", "Mei", "Juni", "Juli", "Agustus", "September",
                     "Oktober", "November", "Desember")


def indonesian(day: dt.date) -> str:
    return f"{day.day} {INDONESIAN_MONTHS[day.month - 1]} {day.year}"


@pytest.fixture
def sites():
    made = []

    def make(routes, **options):
        site = Site(routes, **options)
        made.append(site)
        return site

    yield make
    for site in made:
        site.close()


VIEWPORT = '<meta name="viewport" content="width=device-width, initial-scale=1">'


def interactive_routes() -> dict[str, Route]:
    """An agency site at the Interactive stage: recent news, documents, e-mail, WhatsApp, a contact form."""
    return {
        "/robots.txt": Route("User-agent: *\nDisallow: /private/\n", content_type="text/plain"),
        "/": Route(html('<a href="/berita">Berita</a> <a href="/unduhan">Unduhan</a> <a href="/kontak">Kontak</a>'
                        '<a href="/private/secret">intern</a> <a href="https://elsewhere.example/x">mitra</a>'
                        '<form action="/cari" role="search"><input type="search" name="q"></form>', VIEWPORT)),
        "/berita": Route(html(f"<p>Diperbarui {indonesian(RECENT)}</p><p>Agenda 2 Januari 2099</p>")),
        "/unduhan": Route(html('<a href="/files/formulir-izin.pdf">Formulir</a> <a href="/files/data.XLSX">Data</a>')),
        "/kontak": Route(html('<a href="mailto:info@dinas.surakarta.go.id">e-mail</a>'
                              '<a href="https://wa.me/628123456789">WhatsApp</a> <a href="tel:+62271123">telp</a>'
                              '<form method="post" action="/kirim"><input name="nama"><textarea name="pesan">'
                              '</textarea><button type="submit">Kirim</button></form>')),
        "/private/secret": Route(html("<p>rahasia</p>")),
    }


def test_an_interactive_site_shows_its_evidence_and_only_gets_are_sent(sites):
    site = sites(interactive_routes())
    result = check_site(site.url("/"), FAST)
    assert result["reachable"] and result["status"] == 200 and result["https"] is False
    assert result["http_redirects_to_https"] is False and result["certificate_valid"] is None
    assert result["mobile_viewport"] is True and result["search"] is True
    assert result["newest_date"] == RECENT.isoformat()          # the 2099 agenda is not an update
    assert result["documents"] == [site.url("/files/data.XLSX"), site.url("/files/formulir-izin.pdf")]
    assert set(result["contacts"]) == {"email", "whatsapp", "phone", "form"}
    assert result["transactions"] == [] and result["other_agencies"] == []
    assert result["stage_evidence"] == {"Emerging": True, "Enhanced": True, "Interactive": True,
                                        "Transactional": False, "Seamless": False}
    assert result["pages_visited"] == 4
    # robots.txt first, with the tool's user agent; its Disallow kept; no form sent; no document fetched
    assert site.paths()[0] == "/robots.txt"
    assert {r.user_agent for r in site.requests} == {USER_AGENT}
    assert "/private/secret" not in site.paths() and "/kirim" not in site.paths() and "/cari" not in site.paths()
    assert {r.method for r in site.requests} == {"GET"}
    assert not any(p.startswith("/files/") for p in site.paths())
    assert all(r.host.startswith("127.0.0.1:") for r in site.requests)
    assert result["errors"] == []


def test_a_transactional_site_with_links_into_other_agencies(sites):
    routes = {
        "/robots.txt": Route("", status=404),
        "/": Route(html('<a href="/layanan">Layanan</a>'
                        '<a href="https://sso.surakarta.go.id/login">Masuk dengan akun SSO</a>'
                        '<a href="https://dukcapil.surakarta.go.id/layanan/akta">Akta kelahiran</a>'),
                   headers={"Last-Modified": "Tue, 01 Mar 2022 10:00:00 GMT"}),
        "/layanan": Route(html('<a href="/bayar-retribusi">Bayar retribusi online</a>'
                               '<form action="/portal/login"><input name="user"><input type="password" name="pw">'
                               '</form><form action="/lacak"><input name="nomor_permohonan"></form>')),
        "/bayar-retribusi": Route(html("<p>Pembayaran melalui virtual account, 5/3/2022</p>")),
    }
    site = sites(routes)
    result = check_site(site.url("/"), FAST)
    assert set(result["transactions"]) >= {"payment", "portal_login", "tracking"}
    assert result["other_agencies"] == ["dukcapil.surakarta.go.id", "sso.surakarta.go.id"]
    assert result["single_sign_on"] is True
    assert result["newest_date"] == "2022-03-05"                      # content beats the older Last-Modified
    assert result["stage_evidence"]["Transactional"] and result["stage_evidence"]["Seamless"]
    assert not result["stage_evidence"]["Enhanced"] and not result["stage_evidence"]["Interactive"]
    assert "/portal/login" not in site.paths() and "/lacak" not in site.paths()


def test_the_sitemap_lastmod_counts_as_an_update(sites):
    site = sites({"/": Route(html("<p>Statis</p>"))})
    site.routes["/robots.txt"] = Route(f"Sitemap: {site.url('/peta.xml')}\n", content_type="text/plain")
    site.routes["/peta.xml"] = Route(f"<urlset><url><loc>/</loc><lastmod>{RECENT.isoformat()}T08:00:00+07:00"
                                     "</lastmod></url></urlset>", content_type="application/xml")
    result = check_site(site.url("/"), FAST)
    assert result["newest_date"] == RECENT.isoformat() and result["stage_evidence"]["Enhanced"]
    assert site.paths() == ["/robots.txt", "/", "/peta.xml"]


def test_endless_links_stop_at_the_page_limit_breadth_first(sites):
    def endless(path):
        n = int(path.rsplit("/", 1)[-1] or 0)
        return html(f'<a href="/p/{2 * n + 1}">a</a><a href="/p/{2 * n + 2}">b</a>').encode()

    site = sites({"/robots.txt": Route("", status=404), "/": Route(html('<a href="/p/0">start</a>')),
                  **{f"/p/{n}": Route(endless) for n in range(2000)}})
    result = check_site(site.url("/"), Limits(max_pages=7, delay=0, timeout=2))
    assert result["pages_visited"] == 7
    pages = [p for p in site.paths() if p.startswith("/p/") or p == "/"]
    assert pages == ["/", "/p/0", "/p/1", "/p/2", "/p/3", "/p/4", "/p/5"]     # breadth first


def test_other_hosts_are_never_contacted(sites):
    other = sites({"/": Route(html("<p>other</p>")), "/robots.txt": Route("", status=404)})
    site = sites({"/robots.txt": Route("", status=404),
                  "/": Route(html(f'<a href="{other.url("/")}">other port</a>'
                                  f'<a href="http://localhost:{other.port}/">same server, other name</a>'))})
    result = check_site(site.url("/"), FAST)
    assert result["pages_visited"] == 1 and other.requests == []


def test_http_redirects_to_https_with_a_trusted_certificate(sites, tmp_path):
    secure = sites({"/robots.txt": Route("", status=404), "/": Route(html("<p>aman</p>", VIEWPORT))},
                   tls=True, cert_dir=tmp_path / "tls")
    plain = sites({"/": Route("", status=301, headers={"Location": secure.url("/")})})
    result = check_site(plain.url("/"), FAST, cafile=secure.cafile)
    assert result["https"] is True and result["http_redirects_to_https"] is True
    assert result["certificate_valid"] is True and 28 <= result["certificate_days_left"] <= 30
    assert result["pages_visited"] == 1 and result["status"] == 200 and result["errors"] == []
    assert secure.paths() == ["/robots.txt", "/", "/sitemap.xml"]


def test_an_https_site_is_asked_whether_plain_http_sends_visitors_to_https(sites):
    from survey.webcheck.crawler import _http_redirects, _Site
    from survey.webcheck.fetching import Fetcher
    for location, expected in (("https://127.0.0.1/", True), ("http://127.0.0.1:9/other", False)):
        plain = sites({"/robots.txt": Route("", status=404), "/": Route("", status=301, headers={"Location": location})})
        site = _Site(Fetcher(delay=0, timeout=2), FAST)
        site.host, site.port = "127.0.0.1", 443
        assert _http_redirects(site, http_port=plain.port) is expected
        assert plain.paths() == ["/robots.txt", "/"]


def test_a_self_signed_certificate_is_reported_and_the_site_still_read(sites, tmp_path):
    secure = sites({"/robots.txt": Route("", status=404), "/": Route(html('<a href="mailto:a@b.go.id">m</a>'))},
                   tls=True, cert_dir=tmp_path / "tls")
    result = check_site(secure.url("/"), FAST)
    assert result["https"] is True and result["certificate_valid"] is False
    # the expiry of a certificate that does not verify is read with the optional cryptography package
    assert result["certificate_days_left"] in ((28, 29, 30) if _has_cryptography() else (None,))
    assert result["contacts"] == ["email"] and any("certificate" in e for e in result["errors"])


def _has_cryptography() -> bool:
    try:
        import cryptography  # noqa: F401
    except ImportError:
        return False
    return True


def test_traps_a_hanging_page_a_redirect_loop_a_huge_body_and_garbage(sites):
    routes = {
        "/robots.txt": Route("", status=404),
        "/": Route(html('<a href="/slow">s</a><a href="/loop">l</a><a href="/huge">h</a><a href="/junk">j</a>'
                        '<a href="/ok">ok</a>')),
        "/slow": Route(html("<p>late</p>"), hang=4),
        "/loop": Route("", status=302, headers={"Location": "/loop2"}),
        "/loop2": Route("", status=302, headers={"Location": "/loop"}),
        "/huge": Route(size=50_000_000),
        "/junk": Route(b"<a href='/ok'<<<!--<![CDATA[ \x00\xff\xfe <scr<script>ipt> </form></a>" * 5000),
        "/ok": Route(html("<p>1 Mei 2021</p>")),
    }
    site = sites(routes)
    result = check_site(site.url("/"), Limits(max_pages=30, delay=0, timeout=1.5))
    errors = " | ".join(result["errors"])
    assert site.url("/slow") in errors and "timed out" in errors
    assert site.url("/loop") in errors and "redirect loop" in errors
    assert site.url("/huge") in errors and "size limit" in errors
    assert result["newest_date"] == "2021-05-01" and result["reachable"]
    assert site.paths().count("/loop") == 1 and site.paths().count("/huge") == 1


def test_robots_txt_disallowing_everything_keeps_the_checker_out(sites):
    site = sites({"/robots.txt": Route("User-agent: survey.webcheck\nDisallow: /\n", content_type="text/plain"),
                  "/": Route(html("<p>hi</p>"))})
    result = check_site(site.url("/"), FAST)
    assert site.paths() == ["/robots.txt"] and result["pages_visited"] == 0
    assert any("robots.txt" in e and site.url("/") in e for e in result["errors"])


def test_a_failing_robots_txt_keeps_the_checker_out_of_a_reachable_site(sites):
    site = sites({"/robots.txt": Route("oops", status=503), "/": Route(html("<p>hi</p>"))})
    result = check_site(site.url("/"), FAST)
    assert site.paths() == ["/robots.txt"] and result["pages_visited"] == 0 and result["reachable"] is True
    assert result["errors"] == [f"{site.url('')}/robots.txt: could not be read (503); the site was not crawled"]


def test_an_unreachable_site_is_a_report(sites):
    site = sites({})
    url = site.url("/")
    site.close()
    result = check_site(url, FAST)
    assert result["reachable"] is False and result["status"] is None and result["https"] is False
    assert result["stage_evidence"] == dict.fromkeys(result["stage_evidence"], False) and result["errors"]


def test_dates_in_english_and_indonesian():
    text = "Senin, 3 Agt 2026 · 12 Desember 2025 · March 4, 2024 · 2023-02-01 · 31/12/2022 · 31/02/2022 · © 2027"
    assert sorted(d for d in dates_in(text) if d) == [dt.date(2022, 12, 31), dt.date(2023, 2, 1), dt.date(2024, 3, 4),
                                                      dt.date(2025, 12, 12), dt.date(2026, 8, 3)]
    assert newest(dates_in(text), dt.date(2026, 1, 1)) == dt.date(2025, 12, 12)


def test_a_hostile_page_is_parsed_within_bounds():
    page = parse_page("<a href='/x'>" * 100_000 + "<p>" + "y" * 1_000_000)
    assert len(page.links) == 2000 and len(page.text) <= 200_001
    # html.parser spent over a minute on 2 MB of "<!"; "<!" opens a bogus comment up to the next ">" (as in
    # browsers), other stray "<" are text, and the tags after them still count
    page = parse_page("<!" * 1_000_000 + ">" + "<" * 100_000 + "<a<a 2 < 3 <a href='/x?a=1&amp;b=2'>ok &gt;</a>")
    assert page.links == [("/x?a=1&b=2", "ok >")] and "2 < 3" in page.text
    page = parse_page("<script>document.write('<a href=/no>')</script><!-- <a href=/c> --><a href=/yes>y</a><!--")
    assert page.links == [("/yes", "y")]


def test_the_command_prints_json_and_stores_dated_snapshots(sites, tmp_path, capsys):
    from survey.webcheck.webcheck_cli import main
    site = sites(interactive_routes())
    assert main(["--data", str(tmp_path), "--delay", "0", "--max-pages", "2", "--format", "json", site.url("/")]) == 0
    printed = json.loads(capsys.readouterr().out)
    assert isinstance(printed, list) and len(printed) == 1
    fields = {"url", "checked_at", "reachable", "status", "https", "http_redirects_to_https", "certificate_valid",
              "certificate_days_left", "response_ms", "mobile_viewport", "newest_date", "pages_visited", "documents",
              "contacts", "search", "transactions", "other_agencies", "stage_evidence", "errors"}
    assert fields <= set(printed[0]) and printed[0]["pages_visited"] == 2
    assert set(printed[0]["stage_evidence"]) == {"Emerging", "Enhanced", "Interactive", "Transactional", "Seamless"}
    stored = read_all(tmp_path)
    assert [s["url"] for s in stored] == [site.url("/")] and stored[0]["checked_at"] == printed[0]["checked_at"]
    check_sites(tmp_path, [site.url("/")], Limits(max_pages=1, delay=0, timeout=2))
    assert len(read_all(tmp_path)) == 2                   # a second check is a second dated snapshot
