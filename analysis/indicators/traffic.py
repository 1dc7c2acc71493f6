"""The website-traffic instrument's tables: the study's "visitors per month, visitors by country, the
most visited hosts", the device classes month by month (the evidence for the study's "from electronic
to mobile government") and the most requested documents (the Interactive stage's downloads).

The counting is ``survey.traffic``'s (DuckDB over the stored requests: ``traffic_tables(root, start,
end, host)``); this module turns its frames into SummaryTables with the definitions and caveats beside
the numbers, in both languages (DOMAIN.md, "The websites"): a visitor is a device and browser on a day,
not a person; bots are excluded and counted apart; NAT undercounts visitors; summed daily visitors
overcount people; and visitors as a share of the population (only with ``population.csv``'s persons)
divide devices, many from elsewhere, by residents. Shares are percentages (0-100) of human page views.
"""

from __future__ import annotations

from pathlib import Path
from typing import Mapping

import numpy as np
import pandas as pd

from analysis.dataset.datafiles import POPULATION_FILE, numbers, population_totals, read_csv
from analysis.tables.summary_table import Column, SummaryTable
from survey import locale
from survey.locale import LANGUAGES

__all__ = ["COUNTRY_LABELS", "DEVICE_LABELS", "NOTES", "TABLES", "population_persons", "traffic_summary_tables",
           "traffic_tables"]

TABLES = ("summary", "by_month", "by_country", "by_host", "by_device", "top_documents")

NOTES: Mapping[str, Mapping[str, str]] = {
    "visitor": {
        "en": "A visitor is one device and browser on one day (a keyed hash of the IP address and the user agent, "
              "days in WIB), not a person: one person with a phone and a laptop is two visitors. Visitors per "
              "month count each key once in the month.",
        "id": "Pengunjung adalah satu perangkat dan peramban dalam satu hari (hash berkunci dari alamat IP dan "
              "user agent, hari menurut WIB), bukan orang: satu orang dengan ponsel dan laptop dihitung dua "
              "pengunjung. Pengunjung per bulan menghitung setiap kunci sekali dalam bulan itu."},
    "pageview": {
        "en": "A page view is a GET of a page or a document answered 2xx or 304; style sheets, scripts, images, "
              "fonts, robots.txt and sitemaps, redirects, errors, POST and HEAD are requests only. A visit ends "
              "after 30 minutes without a page view.",
        "id": "Tampilan halaman adalah GET atas halaman atau dokumen yang dijawab 2xx atau 304; style sheet, skrip, "
              "gambar, fon, robots.txt dan sitemap, pengalihan, galat, POST dan HEAD hanya dihitung sebagai "
              "permintaan. Satu kunjungan berakhir setelah 30 menit tanpa tampilan halaman."},
    "bots": {
        "en": "Bots are excluded from page views, visits, visitors and shares and counted separately (bot "
              "requests): known crawlers by user agent, anything that fetches robots.txt, and a visitor who reads "
              "more than 20 pages and no asset in a day. Headless browsers that behave like people slip through.",
        "id": "Bot tidak dihitung dalam tampilan halaman, kunjungan, pengunjung dan persentase, tetapi dihitung "
              "tersendiri (permintaan bot): crawler yang dikenal dari user agent, apa pun yang mengambil robots.txt, "
              "dan pengunjung yang membaca lebih dari 20 halaman tanpa aset dalam sehari. Peramban headless yang "
              "berperilaku seperti manusia tetap lolos."},
    "nat": {
        "en": "NAT undercounts visitors: the mobile carriers' carrier-grade NAT puts many phones behind one "
              "address, and phones with the same browser version then count as one visitor.",
        "id": "NAT membuat pengunjung terhitung kurang: carrier-grade NAT operator seluler menaruh banyak ponsel "
              "di balik satu alamat, dan ponsel dengan versi peramban yang sama lalu terhitung satu pengunjung."},
    "daily_sum": {
        "en": "Summed daily visitors overcount people: someone who comes back on ten days counts ten times.",
        "id": "Jumlah pengunjung harian menghitung orang secara berlebih: orang yang kembali pada sepuluh hari "
              "terhitung sepuluh kali."},
    "population": {
        "en": "Visitors as a share of the population divide devices, many of them not from the city and some "
              "from abroad, by the {persons} residents of population.csv: not the share of residents who visited.",
        "id": "Pengunjung sebagai persentase penduduk membagi perangkat, banyak di antaranya bukan dari kota dan "
              "sebagian dari luar negeri, dengan {persons} penduduk menurut population.csv: bukan persentase "
              "penduduk yang berkunjung."},
    "no_population": {
        "en": "No visitors as a share of the population: the data folder has no population.csv with persons.",
        "id": "Tanpa pengunjung sebagai persentase penduduk: folder data tidak punya population.csv berisi "
              "jumlah penduduk."},
    "shares": {
        "en": "Shares of human page views (bots excluded).",
        "id": "Persentase dari tampilan halaman manusia (tanpa bot)."},
    "country": {
        "en": "Country of the address's allocation by its Regional Internet Registry (offline database), not "
              "where the visitor was; ZZ: unknown.",
        "id": "Negara dari alokasi alamat oleh Regional Internet Registry (basis data luring), bukan tempat "
              "pengunjung berada; ZZ: tidak diketahui."},
    "device": {
        "en": "Device class from the user agent: phones are mobile; iPads and Android without 'Mobile' are "
              "tablets. An iPad that asks for the desktop site counts as a desktop.",
        "id": "Kelas perangkat dari user agent: ponsel adalah seluler; iPad dan Android tanpa 'Mobile' adalah "
              "tablet. iPad yang meminta situs desktop terhitung desktop."},
    "documents": {
        "en": "Documents: .pdf .doc .docx .xls .xlsx .ppt .pptx .odt .ods .csv .zip, requested by people.",
        "id": "Dokumen: .pdf .doc .docx .xls .xlsx .ppt .pptx .odt .ods .csv .zip, yang diminta oleh manusia."},
}

_TITLES = {
    "summary": {"id": "Lalu lintas situs web kota", "en": "Traffic of the city's websites"},
    "by_month": {"id": "Pengunjung per bulan", "en": "Visitors per month"},
    "by_country": {"id": "Pengunjung menurut negara", "en": "Visitors by country"},
    "by_host": {"id": "Situs yang paling banyak dikunjungi", "en": "The most visited hosts"},
    "by_device": {"id": "Perangkat per bulan", "en": "Devices per month"},
    "top_documents": {"id": "Dokumen yang paling banyak diunduh", "en": "The most downloaded documents"},
}
_MEASURES = {
    "requests": {"id": "Permintaan (manusia dan bot)", "en": "Requests (people and bots)"},
    "bot_requests": {"id": "Permintaan bot", "en": "Bot requests"},
    "bot_share": {"id": "Permintaan bot, % dari permintaan", "en": "Bot requests, % of requests"},
    "pageviews": {"id": "Tampilan halaman", "en": "Page views"},
    "visits": {"id": "Kunjungan", "en": "Visits"},
    "visitors_daily_sum": {"id": "Pengunjung harian, dijumlahkan", "en": "Daily visitors, summed"},
    "visitors_month_mean": {"id": "Pengunjung per bulan, rata-rata", "en": "Visitors per month, average"},
    "visitors_population": {"id": "Pengunjung per bulan, % penduduk", "en": "Visitors per month, % of population"},
}
DEVICE_LABELS = {
    "mobile": {"id": "Ponsel", "en": "Mobile phone"},
    "tablet": {"id": "Tablet", "en": "Tablet"},
    "desktop": {"id": "Desktop", "en": "Desktop"},
    "other": {"id": "Lainnya", "en": "Other"},
}
COUNTRY_LABELS = {
    "ID": {"id": "Indonesia", "en": "Indonesia"}, "JP": {"id": "Jepang", "en": "Japan"},
    "US": {"id": "Amerika Serikat", "en": "United States"}, "SG": {"id": "Singapura", "en": "Singapore"},
    "MY": {"id": "Malaysia", "en": "Malaysia"}, "NL": {"id": "Belanda", "en": "Netherlands"},
    "AU": {"id": "Australia", "en": "Australia"}, "DE": {"id": "Jerman", "en": "Germany"},
    "CN": {"id": "Tiongkok", "en": "China"}, "KR": {"id": "Korea Selatan", "en": "South Korea"},
    "GB": {"id": "Britania Raya", "en": "United Kingdom"}, "IN": {"id": "India", "en": "India"},
    "FR": {"id": "Prancis", "en": "France"}, "TW": {"id": "Taiwan", "en": "Taiwan"},
    "HK": {"id": "Hong Kong", "en": "Hong Kong"}, "TH": {"id": "Thailand", "en": "Thailand"},
    "PH": {"id": "Filipina", "en": "Philippines"}, "VN": {"id": "Vietnam", "en": "Vietnam"},
    "SA": {"id": "Arab Saudi", "en": "Saudi Arabia"}, "ZZ": {"id": "Tidak diketahui", "en": "Unknown"},
}
_COLUMNS = {
    "month": Column({"id": "Bulan", "en": "Month"}),
    "requests": Column({"id": "Permintaan", "en": "Requests"}, "count"),
    "pageviews": Column({"id": "Tampilan halaman", "en": "Page views"}, "count"),
    "visits": Column({"id": "Kunjungan", "en": "Visits"}, "count"),
    "visitors": Column({"id": "Pengunjung (bulan)", "en": "Visitors (month)"}, "count"),
    "visitors_population": Column({"id": "Pengunjung, % penduduk", "en": "Visitors, % of population"}, "percent"),
    "bot_requests": Column({"id": "Permintaan bot", "en": "Bot requests"}, "count"),
    "country": Column({"id": "Negara", "en": "Country"}),
    "host": Column({"id": "Situs", "en": "Host"}),
    "device": Column({"id": "Perangkat", "en": "Device"}),
    "share": Column({"id": "Persentase", "en": "Share"}, "percent"),
    "path": Column({"id": "Dokumen", "en": "Document"}),
}


def population_persons(data_dir: str | Path) -> float | None:
    """The residents in the data folder's population.csv (its persons, summed over kecamatan or sex), or None."""
    try:
        population = read_csv(Path(data_dir) / POPULATION_FILE)
    except ValueError:
        return None
    if population is None or "unit" not in population:
        return None
    for by in (["kecamatan"], ["sex"]):
        totals = population_totals(population, "person", by)
        if totals is not None and len(totals):
            return float(totals["total"].sum())
    persons = numbers(population.loc[population["unit"] == "person", "total"])
    return float(np.nansum(persons)) if len(persons) and np.nansum(persons) > 0 else None


def _notes(names: list[str], persons: float | None) -> list[dict[str, str]]:
    """The notes in both languages, the population note naming the residents in each language's numbers."""
    counted = {lang: locale.number(persons, lang, 0) for lang in LANGUAGES} if persons else {}
    return [{lang: text.format(persons=counted.get(lang, "")) for lang, text in NOTES[n].items()} for n in names]


def _subtitle(period: tuple | None) -> dict[str, str] | None:
    """The period's first and last day in each language's date format."""
    return {lang: f"{locale.date(period[0], lang)} – {locale.date(period[1], lang)}" for lang in LANGUAGES} \
        if period else None


def _table(name: str, frame: pd.DataFrame, columns: list[str], notes: list[str], period: tuple | None,
           value_labels: Mapping | None = None, keys: tuple[str, ...] = (),
           persons: float | None = None) -> SummaryTable:
    shown = {c: _COLUMNS[c] for c in columns}
    return SummaryTable(frame.reset_index(drop=True), _TITLES[name], shown, value_labels=value_labels,
                        notes=_notes(notes, persons), subtitle=_subtitle(period), kind="traffic", keys=keys)


def _summary(frames: Mapping[str, pd.DataFrame], persons: float | None, period: tuple | None) -> SummaryTable:
    summary = frames["summary"].iloc[0] if len(frames["summary"]) else pd.Series(dtype=object)
    months = frames["by_month"]

    def value(name: str) -> float:
        number = summary.get(name, 0)
        return 0.0 if pd.isna(number) else float(number)

    requests = value("requests")
    rows = [("requests", requests, "count"), ("bot_requests", value("bot_requests"), "count"),
            ("bot_share", 100 * value("bot_requests") / requests if requests else np.nan, "percent"),
            ("pageviews", value("pageviews"), "count"), ("visits", value("visits"), "count"),
            ("visitors_daily_sum", value("visitors_daily_sum"), "count")]
    mean = float(months["visitors"].mean()) if len(months) else np.nan
    rows.append(("visitors_month_mean", mean, "count"))
    notes = ["visitor", "pageview", "bots", "nat", "daily_sum"]
    if persons:
        rows.append(("visitors_population", 100 * mean / persons, "percent"))
    notes.append("population" if persons else "no_population")
    frame = pd.DataFrame(rows, columns=["measure", "value", "kind"])
    columns = {"measure": Column({"id": "Ukuran", "en": "Measure"}), "value": Column({"id": "Nilai", "en": "Value"},
                                                                                      "row")}
    return SummaryTable(frame, _TITLES["summary"], columns, value_labels={"measure": _MEASURES},
                        notes=_notes(notes, persons), subtitle=_subtitle(period), kind="traffic", keys=("measure",),
                        stats={"persons": persons, "visitors_month_mean": mean, "period": period})


def traffic_summary_tables(frames: Mapping[str, pd.DataFrame], persons: float | None = None) -> dict[str, SummaryTable]:
    """The SummaryTables of ``survey.traffic.traffic_tables``'s frames, by the same names (:data:`TABLES`).

    ``persons``: the residents (``population_persons``); without them no share of the population is shown."""
    summary = frames["summary"]
    period = None
    if len(summary) and pd.notna(summary["first_day"].iloc[0]):
        period = tuple(pd.Timestamp(summary[day].iloc[0]).date() for day in ("first_day", "last_day"))
    months = frames["by_month"].copy()
    month_columns = ["month", "requests", "pageviews", "visits", "visitors", "bot_requests"]
    month_notes = ["visitor", "bots", "nat"]
    if persons:
        months["visitors_population"] = 100 * months["visitors"] / persons
        month_columns.insert(5, "visitors_population")
        month_notes.append("population")
    countries = frames["by_country"].assign(share=lambda f: 100 * f["share"])
    hosts = frames["by_host"].assign(share=lambda f: 100 * f["share"])
    devices = frames["by_device"].assign(share=lambda f: 100 * f["share"])
    documents = frames["top_documents"]
    return {
        "summary": _summary(frames, persons, period),
        "by_month": _table("by_month", months, month_columns, month_notes, period, keys=("month",),
                           persons=persons),
        "by_country": _table("by_country", countries, ["country", "pageviews", "share"], ["shares", "country"], period,
                             value_labels={"country": COUNTRY_LABELS}, keys=("country",)),
        "by_host": _table("by_host", hosts, ["host", "pageviews", "share"], ["shares", "bots"], period, keys=("host",)),
        "by_device": _table("by_device", devices, ["month", "device", "pageviews", "share"], ["device", "shares"],
                            period, value_labels={"device": DEVICE_LABELS}, keys=("month", "device")),
        "top_documents": _table("top_documents", documents, ["host", "path", "requests"], ["documents"], period,
                                keys=("host", "path")),
    }


def traffic_tables(root: str | Path, start=None, end=None, host: str | None = None) -> dict[str, SummaryTable]:
    """The traffic stored under ``root`` for a period (dates, WIB; None: the data's first or last day) and
    optionally one host, as SummaryTables; the population share from ``root``'s population.csv."""
    from survey import traffic

    frames = traffic.traffic_tables(root, start=start, end=end, host=host)
    return traffic_summary_tables(frames, population_persons(root))
