"""What the simulated access logs are made of: the city's hosts and their pages and documents,
the visitors' countries and browsers, the crawlers, and where their addresses come from.

Shares follow the study (DOMAIN.md): surakarta.go.id 81% of page views, dipenda 10%, bko-disnaker
8%, a few other *.surakarta.go.id hosts 1%; visitors 80% Indonesian. Browsers are the ones seen in
Indonesia: Android phones (Samsung, Xiaomi, OPPO, vivo, realme) with Chrome's reduced user agent
(``Android 10; K``, so many phones send the same string), iPhones, a few in-app browsers.
"""

from __future__ import annotations

import functools
import ipaddress
import random

HOSTS: tuple[tuple[str, float], ...] = (
    ("surakarta.go.id", 0.81),
    ("dipenda.surakarta.go.id", 0.10),
    ("bko-disnaker.surakarta.go.id", 0.08),
    ("ppid.surakarta.go.id", 0.004),
    ("dispendukcapil.surakarta.go.id", 0.003),
    ("lpse.surakarta.go.id", 0.002),
    ("bappeda.surakarta.go.id", 0.001),
)

COUNTRIES: tuple[tuple[str, float], ...] = (
    ("ID", 0.80), ("JP", 0.08), ("US", 0.04), ("SG", 0.025), ("MY", 0.02), ("NL", 0.01), ("AU", 0.01),
    ("DE", 0.005), ("CN", 0.005), ("KR", 0.005),
)

# Pages per host (the first is the home page); documents are what the Interactive stage offers.
PAGES: dict[str, tuple[str, ...]] = {
    "surakarta.go.id": (
        "/", "/berita", "/pengumuman", "/agenda", "/profil/sejarah", "/profil/visi-misi", "/kontak",
        "/layanan/perizinan", "/layanan/kependudukan", "/layanan/kesehatan", "/layanan/pendidikan",
        "/pariwisata/keraton-kasunanan", "/pariwisata/pasar-gede", "/pariwisata/taman-balekambang",
        "/pemerintahan/walikota", "/pemerintahan/opd", "/ppid", "/galeri", "/search?q=ktp",
        *(f"/berita/{n}" for n in range(1201, 1261)),
    ),
    "dipenda.surakarta.go.id": ("/", "/pbb", "/bphtb", "/pajak-daerah/hotel", "/pajak-daerah/restoran",
                                "/pajak-daerah/reklame", "/cek-tagihan", "/pengumuman", "/kontak"),
    "bko-disnaker.surakarta.go.id": ("/", "/lowongan", "/pelatihan", "/kartu-kuning", "/bursa-kerja",
                                     *(f"/lowongan/{n}" for n in range(880, 920))),
}
_OTHER_PAGES = ("/", "/profil", "/informasi", "/kontak", "/pengumuman")
DOCUMENTS: dict[str, tuple[str, ...]] = {
    "surakarta.go.id": ("/uploads/2026/perwali-no-12-2026.pdf", "/uploads/2026/apbd-2026.xlsx",
                        "/uploads/2026/rkpd-2027.pdf", "/uploads/formulir/izin-keramaian.docx",
                        "/uploads/2025/LKPJ-2025.PDF", "/uploads/2026/data-penduduk-2026.csv"),
    "dipenda.surakarta.go.id": ("/files/formulir-pbb.docx", "/files/tarif-bphtb-2026.pdf",
                                "/files/realisasi-pad-2026.xlsx"),
    "bko-disnaker.surakarta.go.id": ("/files/formulir-ak1.pdf", "/files/jadwal-pelatihan.xlsx"),
}
_OTHER_DOCUMENTS = ("/files/dokumen-informasi-publik.pdf", "/files/laporan-tahunan.docx")
ASSETS = ("/assets/css/app.css", "/assets/js/jquery.min.js", "/assets/js/app.js", "/assets/fonts/inter.woff2",
          "/favicon.ico")
IMAGES = tuple(f"/assets/img/{name}" for name in ("logo.png", "banner-1.jpg", "banner-2.jpg", "walikota.png",
                                                  "icon-layanan.svg", "berita-thumb.webp"))
PROBES = ("/wp-login.php", "/.env", "/xmlrpc.php", "/phpmyadmin/", "/.git/config", "/admin/config.php")


def pages(host: str) -> tuple[str, ...]:
    return PAGES.get(host, _OTHER_PAGES)


def documents(host: str) -> tuple[str, ...]:
    return DOCUMENTS.get(host, _OTHER_DOCUMENTS)


_PHONES = ("SM-A145F", "SM-A055F", "SM-A256E", "Redmi Note 12", "23106RN0DA", "CPH2477", "CPH2591", "V2207",
           "V2333", "RMX3710", "RMX3830", "Infinix X6831")
_TABLETS = ("SM-X200", "SM-X110", "Lenovo TB-X606F", "MatePad T 10")
_CHROME = ("126.0.0.0", "127.0.0.0", "128.0.0.0", "129.0.0.0", "130.0.0.0")
_IOS = ("16_7", "17_5", "17_6", "18_0", "18_1")


def user_agent(rng: random.Random, device: str) -> str:
    """A browser of the device class: phones and tablets as Android or iOS, desktops as Windows, macOS or Linux."""
    chrome = rng.choice(_CHROME)
    if device == "mobile":
        kind = rng.random()
        if kind < 0.55:   # Chrome's reduced user agent: the model is gone, many phones send this one string
            return f"Mozilla/5.0 (Linux; Android 10; K) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/{chrome} Mobile Safari/537.36"
        if kind < 0.72:
            return (f"Mozilla/5.0 (Linux; Android {rng.choice((12, 13, 14))}; {rng.choice(_PHONES)}) AppleWebKit/537.36 "
                    f"(KHTML, like Gecko) SamsungBrowser/25.0 Chrome/121.0.0.0 Mobile Safari/537.36")
        if kind < 0.80:
            return (f"Mozilla/5.0 (Linux; Android 13; {rng.choice(_PHONES)}; wv) AppleWebKit/537.36 (KHTML, like Gecko) "
                    f"Version/4.0 Chrome/{chrome} Mobile Safari/537.36 [FB_IAB/FB4A;FBAV/475.0.0.41.109;]")
        ios = rng.choice(_IOS)
        return (f"Mozilla/5.0 (iPhone; CPU iPhone OS {ios} like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) "
                f"Version/{ios.split('_')[0]}.0 Mobile/15E148 Safari/604.1")
    if device == "tablet":
        if rng.random() < 0.5:
            ios = rng.choice(_IOS)
            return (f"Mozilla/5.0 (iPad; CPU OS {ios} like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) "
                    f"Version/{ios.split('_')[0]}.0 Mobile/15E148 Safari/604.1")
        return (f"Mozilla/5.0 (Linux; Android 13; {rng.choice(_TABLETS)}) AppleWebKit/537.36 (KHTML, like Gecko) "
                f"Chrome/{chrome} Safari/537.36")
    kind = rng.random()
    if kind < 0.55:
        return f"Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/{chrome} Safari/537.36"
    if kind < 0.70:
        return (f"Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/{chrome} "
                f"Safari/537.36 Edg/{chrome}")
    if kind < 0.82:
        return "Mozilla/5.0 (Windows NT 10.0; Win64; x64; rv:131.0) Gecko/20100101 Firefox/131.0"
    if kind < 0.95:
        return ("Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/605.1.15 (KHTML, like Gecko) "
                "Version/17.6 Safari/605.1.15")
    return "Mozilla/5.0 (X11; Ubuntu; Linux x86_64; rv:131.0) Gecko/20100101 Firefox/131.0"


# Known crawlers with the networks they really crawl from: (user agent, networks, share of crawling).
CRAWLERS: tuple[tuple[str, tuple[str, ...], float], ...] = (
    ("Mozilla/5.0 (Linux; Android 6.0.1; Nexus 5X Build/MMB29P) AppleWebKit/537.36 (KHTML, like Gecko) "
     "Chrome/129.0.6668.100 Mobile Safari/537.36 (compatible; Googlebot/2.1; +http://www.google.com/bot.html)",
     ("66.249.64.0/20", "66.249.72.0/21"), 0.30),
    ("Mozilla/5.0 (compatible; Googlebot/2.1; +http://www.google.com/bot.html)", ("66.249.64.0/20",), 0.15),
    ("Mozilla/5.0 AppleWebKit/537.36 (KHTML, like Gecko; compatible; bingbot/2.0; +http://www.bing.com/bingbot.htm) "
     "Chrome/116.0.1938.76 Safari/537.36", ("157.55.39.0/24", "207.46.13.0/24", "40.77.167.0/24"), 0.18),
    ("Mozilla/5.0 (compatible; AhrefsBot/7.0; +http://ahrefs.com/robot/)", ("54.36.148.0/23",), 0.10),
    ("Mozilla/5.0 (compatible; SemrushBot/7~bl; +http://www.semrush.com/bot.html)", ("185.191.171.0/24",), 0.07),
    ("Mozilla/5.0 (compatible; YandexBot/3.0; +http://yandex.com/bots)", ("5.255.253.0/24", "213.180.203.0/24"), 0.05),
    ("Mozilla/5.0 (Linux;u;Android 4.2.2;zh-cn;) AppleWebKit/534.46 (KHTML,like Gecko) Version/5.1 Mobile "
     "Safari/10600.6.3 (compatible; Baiduspider/2.0; +http://www.baidu.com/search/spider.html)",
     ("220.181.108.0/24",), 0.04),
    ("Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_5) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/13.1.1 "
     "Safari/605.1.15 (Applebot/0.1; +http://www.apple.com/go/applebot)", ("17.241.219.0/24", "17.241.227.0/24"), 0.05),
    ("facebookexternalhit/1.1 (+http://www.facebook.com/externalhit_uatext.php)", ("69.171.249.0/24",), 0.04),
    ("Mozilla/5.0 (compatible; PetalBot;+https://webmaster.petalsearch.com/site/petalbot)", ("114.119.128.0/19",), 0.02),
)
UPTIME_AGENT = "Mozilla/5.0+(compatible; UptimeRobot/2.0; http://www.uptimerobot.com/)"
UPTIME_NETWORK = "69.162.124.224/28"
PROBE_AGENTS = ("Mozilla/5.0 zgrab/0.x", "python-requests/2.32.3", "-")


def in_network(rng: random.Random, network: str) -> str:
    net = ipaddress.ip_network(network)
    return str(net.network_address + rng.randrange(1, net.num_addresses - 1))


@functools.cache
def _blocks() -> dict[str, tuple[int, ...]]:
    """The /16 blocks whose addresses the offline IP-to-country database (iptocc, the importer's) gives to a
    country, found by asking it about two addresses of every /16 (iptocc has no lookup the other way)."""
    import iptocc

    starts = [(a << 24) | (b << 16) for a in range(1, 224) for b in range(256)]
    found: dict[str, set[int]] = {}
    for offset in (1, 0x8001):
        codes = iptocc.country_code([str(ipaddress.IPv4Address(s + offset)) for s in starts])
        for start, code in zip(starts, codes):
            if code:
                found.setdefault(code, set()).add(start)
    return {code: tuple(sorted(blocks)) for code, blocks in found.items()}


def address_in(rng: random.Random, country: str) -> str:
    """An IPv4 address that the registries allocated to the country (checked against iptocc)."""
    import iptocc

    blocks = _blocks()[country]
    while True:
        candidate = str(ipaddress.IPv4Address(rng.choice(blocks) + rng.randrange(256, 65280)))
        if iptocc.country_code(candidate) == country:
            return candidate
