"""End to end: the real app served by `streamlit run`, driven in Debian's headless Chromium.

On a phone-sized screen (390 x 844) an enumerator switches to Bahasa Indonesia, logs
in and interviews a household one section at a time: the date is already today's,
the kelurahan waits for the kecamatan, the GPS button takes the (granted, emulated)
location. Halfway the page is reloaded: after logging in again the interview is back
on the same step. A 3-year-old is not asked about the internet; the review step says
everything is complete; a double click on submit stores one response, under the
login's name. A second test gets a location outside the city (not used), drops the
connection (the explanation appears in Bahasa Indonesia) and restarts the server
mid-interview: nothing typed is lost.

With $E2E_SCREENSHOTS set to a folder, every step is photographed whole there (the
viewport grows to the page's height for the shot), for a person to look at; the paths
are printed.
"""

from __future__ import annotations

import datetime as dt
import os
from pathlib import Path

import pytest
from playwright.sync_api import TimeoutError as PlaywrightTimeout
from playwright.sync_api import expect

from survey import ResponseStore
from survey.fieldwork.accounts import Accounts
from survey.fieldwork.drafts import Drafts
from survey.questionnaire.validate import survey_today
from tests.support.browser import Server, main_height, new_page, require_chromium, resize, settle, widget

require_chromium()

PHONE = {"width": 390, "height": 844}
BALAI_KOTA = {"latitude": -7.5695, "longitude": 110.8290, "accuracy": 12}

pytestmark = pytest.mark.browser


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    data = tmp_path_factory.mktemp("store")
    Accounts(data).add("enum01", "enumerator", "field-password-1")
    Accounts(data).add("enum02", "enumerator", "field-password-2")
    running = Server(data, data.parent / "server.log")
    running.start()
    yield running
    running.stop()


@pytest.fixture(scope="module")
def shots() -> Path | None:
    """Where the steps are photographed: $E2E_SCREENSHOTS, or nowhere."""
    if not os.environ.get("E2E_SCREENSHOTS"):
        return None
    folder = Path(os.environ["E2E_SCREENSHOTS"])
    folder.mkdir(parents=True, exist_ok=True)
    print(f"\nscreenshots in {folder}")
    return folder


@pytest.fixture
def phone(browser):
    """A phone-sized page whose location (granted) is Surakarta's city hall."""
    page = new_page(browser, viewport=PHONE, is_mobile=True, has_touch=True, device_scale_factor=1,
                    geolocation=BALAI_KOTA, permissions=["geolocation"], locale="id-ID")
    page.set_default_timeout(20_000)
    yield page
    page.context.close()


def shoot(page, folder: Path | None, name: str, connected: bool = True) -> Path | None:
    """Once the app has settled, the whole page as a phone shows it when scrolled (the viewport
    grows to the content for the shot), if there is a folder for it."""
    if connected:
        settle(page)
    if folder is None:
        return None
    resize(page, PHONE["width"], max(PHONE["height"], main_height(page)))
    path = folder / f"{name}.png"
    page.screenshot(path=str(path))
    resize(page, PHONE["width"], PHONE["height"])
    print(path)
    return path


def choose(page, key: str, label: str) -> None:
    option = widget(page, key).get_by_test_id("stRadioOption").filter(has_text=label).first
    option.click()
    settle(page)
    expect(widget(page, key).get_by_role("radio", name=label, exact=True)).to_be_checked()


def type_in(page, key: str, text: str) -> None:
    box = widget(page, key).locator("input, textarea").first
    box.fill(text)
    box.press("Enter")
    settle(page)


def pick(page, key: str, label: str) -> None:
    """Choose `label` in a select box or multiselect by typing it, as on a phone's long list."""
    box = widget(page, key).locator("input").first
    for _ in range(3):
        box.click()
        box.fill(label)
        option = page.get_by_role("option").filter(has_text=label).first
        try:
            option.wait_for(timeout=3000)
        except PlaywrightTimeout:
            page.keyboard.press("Escape")
            continue
        page.keyboard.press("Enter")
        settle(page)
        if chosen(page, key, label):
            if page.get_by_role("listbox").count():  # a multiselect's list stays open
                page.keyboard.press("Escape")
                settle(page)
            return
    raise AssertionError(f"{label!r} could not be chosen in {key}")


def chosen(page, key: str, label: str) -> bool:
    """A select box shows its choice as the input's value, a multiselect as a chip."""
    settle(page)
    return bool(widget(page, key).get_by_text(label).count()) or widget(page, key).locator("input").first.input_value() == label


def step_title(page):
    return page.locator("[data-testid='stMain'] h3").first


def next_step(page, title: str) -> None:
    widget(page, "next_step").locator("button").click()
    settle(page)
    expect(step_title(page)).to_have_text(title)


def log_in(page, url: str, name: str = "enum01", password: str = "field-password-1") -> None:
    page.goto(url)
    choose(page, "lang", "Bahasa Indonesia")
    expect(page.get_by_role("heading", name="Masuk")).to_be_visible()
    widget(page, "login_user").locator("input").fill(name)
    widget(page, "login_password").locator("input").fill(password)
    widget(page, "login").locator("button").click()
    expect(page.get_by_role("heading", name="Survei Rumah Tangga", exact=False)).to_be_visible()
    settle(page)


def tap_target_heights(page, selector: str) -> list[float]:
    # A rerun may still be re-sending the lower part of the page (a new note above the step's
    # buttons replaces them for a moment): measure once the targets are on screen again.
    settle(page)
    expect(page.locator(selector).first).to_be_visible()
    return page.locator(selector).evaluate_all("nodes => nodes.map(n => n.getBoundingClientRect().height)")


def test_a_household_on_a_phone_with_a_reload_in_the_middle(server, phone, shots):
    page = phone
    log_in(page, server.url)
    expect(step_title(page)).to_have_text("Kunjungan dan persetujuan")
    expect(page.get_by_text("Bagian 1 dari 7")).to_be_visible()
    choose(page, "visit_outcome", "Ada responden: wawancara dilakukan")
    choose(page, "consent", "Ya")
    assert min(tap_target_heights(page, ".st-key-visit_outcome [data-testid='stRadioOption']")) >= 44
    shoot(page, shots, "01-kunjungan-dan-persetujuan")

    next_step(page, "Lokasi dan identitas rumah tangga")
    date_box = widget(page, "interview_date").locator("input").first
    expect(date_box).to_have_value(survey_today().strftime("%Y-%m-%d"))  # today, already
    expect(widget(page, "kelurahan").locator("input")).to_have_attribute("placeholder", "Pilih kecamatan dulu")
    expect(widget(page, "kelurahan").locator("input")).to_be_disabled()
    shoot(page, shots, "02-lokasi-kosong")
    choose(page, "kecamatan", "Jebres")
    pick(page, "kelurahan", "Mojosongo")
    type_in(page, "rw", "4")
    type_in(page, "rt", "2")
    type_in(page, "psu", "JEB-007")
    type_in(page, "respondent_name", "Sri Rahayu")
    type_in(page, "address", "Jl. Ki Hajar Dewantara 12")
    page.get_by_role("button", name="Pakai lokasi saya").click()
    settle(page)
    expect(widget(page, "gps").locator("input")).to_have_value("-7.569500 110.829000 0.0 12.0")
    expect(page.get_by_text("Akurasi: ± 12 m")).to_be_visible()
    for target in ("[data-testid='stRadioOption']", "[data-testid='stButton'] button", "[data-testid='stTextInputRootElement']",
                   "[data-testid='stNumberInputContainer']", "[data-testid='stDateInputField']",
                   "[data-testid='stSelectbox'] [role='group']", "[data-testid='stBidiComponentIsolated']"):
        heights = tap_target_heights(page, f"[data-testid='stMain'] {target}")
        assert heights and min(heights) >= 44, (target, heights)  # a thumb's width
    shoot(page, shots, "03-lokasi-dengan-gps")

    next_step(page, "Akses TIK rumah tangga")
    for key in ("has_radio", "has_tv", "has_fixed_phone", "has_computer", "has_internet"):
        choose(page, key, "Tidak")
    choose(page, "has_mobile", "Ya")
    pick(page, "no_internet_reason", "Biaya layanan/langganan terlalu mahal")
    type_in(page, "ict_spending", "250000")
    expect(page.get_by_text("Rp250.000")).to_be_visible()
    shoot(page, shots, "04-akses-tik")

    # A reload ends the session: log in again and the interview is back, on this step.
    page.reload()
    expect(page.get_by_role("heading", name="Masuk")).to_be_visible()   # the language rides in the address
    assert "lang=id" in page.url
    log_in(page, server.url)
    expect(page.get_by_text("kembali seperti saat ditinggalkan", exact=False)).to_be_visible()
    expect(step_title(page)).to_have_text("Akses TIK rumah tangga")
    expect(widget(page, "ict_spending").locator("input")).to_have_value("250000")
    expect(widget(page, "has_mobile").get_by_role("radio", name="Ya", exact=True)).to_be_checked()
    shoot(page, shots, "05-setelah-muat-ulang")

    next_step(page, "Anggota rumah tangga")
    type_in(page, "hh_size", "1")
    shoot(page, shots, "06-anggota-rumah-tangga")
    next_step(page, "Anggota 1")
    type_in(page, "member_name__0", "Bagus")
    expect(step_title(page)).to_have_text("Anggota 1: Bagus")
    choose(page, "sex__0", "Laki-laki")
    type_in(page, "age__0", "250")
    expect(page.get_by_text("Masukkan nilai dari 0 sampai 120.")).to_be_visible()
    expect(page.get_by_text("Kelompok umur (ITU)", exact=False)).to_have_count(0)  # not from a rejected age
    type_in(page, "age__0", "3")
    expect(page.get_by_text("Masukkan nilai dari 0 sampai 120.")).to_have_count(0)
    pick(page, "relationship__0", "Anak (kandung, tiri, angkat)")
    expect(widget(page, "used_internet__0")).to_have_count(0)  # not asked of a 3-year-old
    shoot(page, shots, "07-anggota-1")

    next_step(page, "Layanan e-government Pemerintah Kota")
    choose(page, "used_egov", "Ya")
    expect(widget(page, "egov_satisfaction").get_by_test_id("stRadioOption")).to_have_count(5)  # asked now
    boxes = widget(page, "egov_satisfaction").get_by_test_id("stRadioOption").evaluate_all(
        "nodes => nodes.map(n => { const r = n.getBoundingClientRect(); return [r.left, r.top]; })")
    assert len({left for left, _ in boxes}) == 1 and [top for _, top in boxes] == sorted(top for _, top in boxes)
    shoot(page, shots, "08-e-government-skala")  # the five-point scale, one option under the other
    choose(page, "used_egov", "Tidak")
    shoot(page, shots, "08-e-government")
    next_step(page, "Penutup")
    shoot(page, shots, "09-penutup")
    next_step(page, "Periksa dan kirim")
    expect(page.get_by_text("Semua jawaban sudah lengkap.")).to_be_visible()
    shoot(page, shots, "10-periksa-dan-kirim")

    submit = widget(page, "submit").locator("button")
    submit.dblclick()
    expect(page.get_by_text("Tersimpan. ID respons:", exact=False)).to_be_visible()
    shoot(page, shots, "11-tanda-terima")

    store = ResponseStore(server.data)
    households = store.read("household")
    assert len(households) == 1
    row = households.iloc[0]
    assert (row["kecamatan"], row["kelurahan"], row["_enumerator"], row["_lang"]) == ("jebres", "mojosongo", "enum01", "id")
    assert row["gps"] == "-7.569500 110.829000 0.0 12.0" and row["ict_spending"] == 250000
    assert dt.date.fromisoformat(str(row["interview_date"])[:10]) == survey_today()
    members = store.read("household_members")
    assert list(members["age"]) == [3] and list(members["age_group"]) == ["0-4"]
    assert Drafts(server.data).list("enum01") == []

    # The next interview starts with the neighbour's location; the rest is empty.
    widget(page, "new_interview").locator("button").click()
    settle(page)
    next_step(page, "Lokasi dan identitas rumah tangga")
    expect(widget(page, "psu").locator("input")).to_have_value("JEB-007")
    expect(widget(page, "respondent_name").locator("input")).to_have_value("")
    shoot(page, shots, "12-wawancara-berikutnya")


def test_a_dropped_connection_and_a_server_restart_lose_nothing(server, phone, shots):
    page = phone
    log_in(page, server.url, "enum02", "field-password-2")
    choose(page, "visit_outcome", "Ada responden: wawancara dilakukan")
    choose(page, "consent", "Ya")
    next_step(page, "Lokasi dan identitas rumah tangga")
    type_in(page, "respondent_name", "Wahyu Hidayat")
    page.context.set_geolocation({"latitude": -6.1754, "longitude": 106.8272, "accuracy": 20})  # Jakarta
    page.get_by_role("button", name="Pakai lokasi saya").click()
    expect(page.get_by_text("berada di luar Kota Surakarta, sehingga tidak dipakai", exact=False)).to_be_visible()
    expect(widget(page, "gps").locator("input")).to_have_value("")  # typing it stays possible

    page.context.set_offline(True)
    banner = page.locator("#survey-offline")
    expect(banner).to_be_visible(timeout=15_000)
    expect(banner).to_contain_text("Koneksi ke server terputus")
    shoot(page, shots, "20-koneksi-terputus", connected=False)
    page.context.set_offline(False)
    expect(banner).to_be_hidden(timeout=20_000)
    settle(page)
    type_in(page, "address", "Gg. Melati 3")

    server.stop()  # a restart: every session is gone
    expect(banner).to_be_visible(timeout=15_000)
    server.start()
    expect(banner).to_be_hidden(timeout=30_000)
    expect(page.get_by_role("heading", name="Masuk")).to_be_visible(timeout=30_000)
    shoot(page, shots, "21-setelah-server-dimulai-ulang")
    log_in(page, server.url, "enum02", "field-password-2")
    expect(step_title(page)).to_have_text("Lokasi dan identitas rumah tangga")
    expect(widget(page, "respondent_name").locator("input")).to_have_value("Wahyu Hidayat")
    expect(widget(page, "address").locator("input")).to_have_value("Gg. Melati 3")
    shoot(page, shots, "22-wawancara-kembali")
