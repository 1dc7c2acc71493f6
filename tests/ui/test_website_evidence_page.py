"""The indicators page's stage ladder with the websites' evidence beside the agencies' answers, in
both languages, and the administrator's background check (against fixture sites on 127.0.0.1)."""

from __future__ import annotations

import time

import pytest

from survey import ResponseStore
from survey.simulate import generate
from survey.webcheck import runs
from survey.webcheck.crawler import Limits
from tests.support.app import open_page
from tests.support.websites import Route, Site, html

YES = dict.fromkeys(("web_updated_regularly", "offers_downloads", "contact_web", "contact_email", "contact_sms"),
                    "yes")


@pytest.fixture
def agency_sites(data_dir):
    """Two agencies that both say they are Interactive: Dinas Kesehatan's site bears it out but
    shows no recent date, Dinas Perhubungan's has no documents and no contact."""
    health = Site({"/robots.txt": Route("", status=404),
                   "/": Route(html('<a href="/a.pdf">Formulir</a><a href="mailto:dinkes@surakarta.go.id">m</a>'
                                   "<p>12 Januari 2019</p>"))})
    transport = Site({"/robots.txt": Route("", status=404), "/": Route(html("<p>Selamat datang</p>"))})
    store = ResponseStore(data_dir)
    for answers, agency, site in zip(generate("agency", n=2, seed=3), ("dinkes", "dishub"), (health, transport)):
        answers.update(agency=agency, has_website="yes", website_url=site.url("/"), online_payment="no",
                       online_transactions="no", integrated_services="no", update_frequency="weekly", **YES)
        store.submit("agency", answers, enumerator="enum01")
    yield {"dinkes": health, "dishub": transport}
    for site in (health, transport):
        site.close()


def _markdown(at) -> str:
    return " ".join(m.value for m in at.markdown) + " ".join(w.value for w in at.warning)


def test_an_administrator_checks_the_websites_and_sees_the_disagreements(data_dir, agency_sites, monkeypatch):
    from ui.results import website_evidence
    monkeypatch.setattr(website_evidence, "LIMITS", Limits(max_pages=30, delay=0, timeout=2))
    at = open_page(data_dir, "indicators")
    at.radio(key="indicators_section").set_value("stages").run()
    assert any("No website has been checked yet" in i.value for i in at.info)
    at.button(key="indicators_webcheck").click().run()
    assert not at.exception, at.exception
    run = runs.background_run(data_dir)
    deadline = time.monotonic() + 60
    while not run.finished and time.monotonic() < deadline:
        time.sleep(0.1)
    assert run.finished and run.error is None and len(run.sites) == 2
    at.run()
    assert not at.exception, at.exception
    assert any("2 website(s) checked." in s.value for s in at.success)
    warning = " ".join(w.value for w in at.warning)
    assert "says downloads: yes; none found on 1 pages" in warning
    assert "says two-way contact: yes; none found on 1 pages" in warning
    assert "says updated regularly: yes; newest date 2019-01-12" in warning
    assert "Health Office" in warning and "Transport Office" in warning
    evidence = next(d.value for d in at.dataframe if "Disagreement" in d.value.columns)
    row = evidence[(evidence["Agency"] == "Health Office") & (evidence["Criterion"] == "Documents to download")]
    assert list(row[["Agency says", "Found on the website", "What was found"]].iloc[0]) == ["Yes", "Yes", "1 documents"]
    sites = next(d.value for d in at.dataframe if "Stage found" in d.value.columns)
    assert set(sites["Stage found"]) == {"Emerging"} and set(sites["Stage answered"]) == {"Interactive"}
    keys = [b.key for b in at.get("download_button")]
    assert {"indicators_webcheck_evidence_csv", "indicators_webcheck_sites_xlsx", "indicators_webcheck_history_html"} \
        <= set(keys)
    # no form sent, no document fetched, robots.txt first
    for site in agency_sites.values():
        assert site.paths()[0] == "/robots.txt" and "/a.pdf" not in site.paths()

    at.radio(key="lang").set_value("id").run()
    assert not at.exception, at.exception
    warning = " ".join(w.value for w in at.warning)
    assert "menyatakan unduhan: ya; tidak ditemukan di 1 halaman" in warning and "Dinas Perhubungan" in warning
    evidence = next(d.value for d in at.dataframe if "Ketidaksesuaian" in d.value.columns)
    assert "Dokumen dapat diunduh" in set(evidence["Kriteria"])
    assert at.button(key="indicators_webcheck").label == "Periksa situs web perangkat daerah sekarang"


def test_a_supervisor_sees_the_evidence_but_cannot_start_a_check(data_dir, agency_sites):
    runs.check_sites(data_dir, limits=Limits(max_pages=5, delay=0, timeout=2))
    at = open_page(data_dir, "indicators", role="supervisor", lang="id")
    at.radio(key="indicators_section").set_value("stages").run()
    assert not at.exception, at.exception
    assert "menyatakan kontak dua arah: ya; tidak ditemukan di 1 halaman" in " ".join(w.value for w in at.warning)
    assert not [b for b in at.button if b.key == "indicators_webcheck"]


def test_the_check_runs_in_the_background_and_the_page_shows_its_progress(data_dir, monkeypatch):
    """A site that answers after 3 s: the click returns at once, with the progress on the page."""
    from ui.results import website_evidence
    monkeypatch.setattr(website_evidence, "LIMITS", Limits(max_pages=2, delay=0, timeout=10))
    slow = Site({"/robots.txt": Route("", status=404, hang=3), "/": Route(html("<p>lambat</p>"))})
    try:
        first, second = generate("agency", n=2, seed=5)     # the page needs two agencies (one PSU has no variance)
        first.update(agency="dlh", has_website="yes", website_url=slow.url("/"), update_frequency="weekly", **YES)
        second.update(agency="dinsos", has_website="no")
        for key in [k for k in second if k in YES or k in ("website_url", "update_frequency", "online_payment",
                                                           "online_transactions", "integrated_services",
                                                           "monthly_visitors")]:
            del second[key]
        for answers in (first, second):
            ResponseStore(data_dir).submit("agency", answers, enumerator="enum01")
        at = open_page(data_dir, "indicators", lang="id")
        at.radio(key="indicators_section").set_value("stages").run()
        at.button(key="indicators_webcheck").click().run()
        assert not at.exception, at.exception
        run = runs.background_run(data_dir)
        assert not run.finished
        progress = at.get("progress")
        assert progress and ("Memeriksa" in progress[0].proto.text or "Memulai" in progress[0].proto.text)
        assert not [b for b in at.button if b.key == "indicators_webcheck"]     # one run at a time
        deadline = time.monotonic() + 60
        while not run.finished and time.monotonic() < deadline:
            time.sleep(0.1)
        at.run()
        assert any("1 situs web diperiksa." in s.value for s in at.success)
    finally:
        slow.close()
