"""A small hand-written access log with answers counted by hand (issue 16's checks).

Three hosts, four people, three bots (a known crawler, a robots.txt fetcher, 21 pages without an
asset), a genuinely repeated line, a request logged in UTC that falls on the next WIB day and
month, requests that are not page views, and two bad lines.
"""

from __future__ import annotations

S, D, B = "surakarta.go.id", "dipenda.surakarta.go.id", "bko-disnaker.surakarta.go.id"
WIN = "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/120.0 Safari/537.36"
MAC = ("Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/605.1.15 (KHTML, like Gecko) "
       "Version/17.0 Safari/605.1.15")
IPHONE = ("Mozilla/5.0 (iPhone; CPU iPhone OS 17_0 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) "
          "Version/17.0 Mobile/15E148 Safari/604.1")
TABLET = ("Mozilla/5.0 (Linux; Android 13; SM-X200) AppleWebKit/537.36 (KHTML, like Gecko) "
          "Chrome/120.0 Safari/537.36")
GOOGLEBOT = "Mozilla/5.0 (compatible; Googlebot/2.1; +http://www.google.com/bot.html)"
IPS = ["36.68.10.1", "133.1.1.1", "36.68.10.2", "66.249.66.1", "36.68.10.3", "36.68.10.4", "36.68.10.5"]


def line(host: str, ip: str, when: str, request: str, status: int, ua: str, vhost: bool = True) -> str:
    text = f'{ip} - - [{when}] "{request}" {status} 512 "-" "{ua}"'
    return f"{host}:443 {text}" if vhost else text


def lines(vhost: bool = True) -> list[str]:
    out = [
        (S, "36.68.10.1", "10/Oct/2024:10:00:00 +0700", "GET / HTTP/1.1", 200, WIN),
        (S, "36.68.10.1", "10/Oct/2024:10:00:01 +0700", "GET /style.css HTTP/1.1", 200, WIN),
        (S, "36.68.10.1", "10/Oct/2024:10:05:00 +0700", "GET /docs/Perda.PDF?dl=1 HTTP/1.1", 200, WIN),
        (S, "36.68.10.1", "10/Oct/2024:10:50:00 +0700", "GET /berita HTTP/1.1", 200, WIN),
        (D, "133.1.1.1", "10/Oct/2024:12:00:00 +0700", "GET / HTTP/2.0", 200, IPHONE),
        (D, "133.1.1.1", "10/Oct/2024:12:00:00 +0700", "GET / HTTP/2.0", 200, IPHONE),   # genuinely twice
        (B, "36.68.10.2", "11/Oct/2024:09:00:00 +0700", "GET /layanan HTTP/1.1", 200, TABLET),
        (B, "36.68.10.2", "11/Oct/2024:09:01:00 +0700", "POST /form HTTP/1.1", 302, TABLET),
        (B, "36.68.10.2", "11/Oct/2024:09:02:00 +0700", "GET /missing HTTP/1.1", 404, TABLET),
        (B, "36.68.10.2", "11/Oct/2024:09:03:00 +0700", "HEAD / HTTP/1.1", 200, TABLET),
        (S, "66.249.66.1", "10/Oct/2024:08:00:00 +0700", "GET /robots.txt HTTP/1.1", 200, GOOGLEBOT),
        (S, "66.249.66.1", "10/Oct/2024:08:00:05 +0700", "GET / HTTP/1.1", 200, GOOGLEBOT),
        (S, "36.68.10.3", "10/Oct/2024:09:00:00 +0700", "GET /robots.txt HTTP/1.1", 200, MAC),
        (S, "36.68.10.3", "10/Oct/2024:09:00:02 +0700", "GET / HTTP/1.1", 200, MAC),
    ]
    out += [(S, "36.68.10.4", f"11/Oct/2024:10:00:{i:02d} +0700", f"GET /p{i} HTTP/1.1", 200, MAC) for i in range(21)]
    out += [
        (S, "36.68.10.5", "11/Oct/2024:11:00:00 +0700", "GET /docs/a.pdf HTTP/1.1", 200, WIN),
        (S, "36.68.10.1", "31/Oct/2024:23:30:00 +0000", "GET / HTTP/1.1", 200, WIN),   # 1 Nov in WIB
    ]
    text = [line(*row, vhost=vhost) for row in out]
    text.append("this is not a log line from 36.68.10.9")
    text.append(line(S, "36.68.10.1", "32/Foo/2024:99:00:00 +0700", "GET / HTTP/1.1", 200, WIN, vhost=vhost))
    return text


def text(vhost: bool = True) -> str:
    return "\n".join(lines(vhost)) + "\n"


BAD = 2
EXPECTED = {
    "period": ["2024-10-10", "2024-11-01"],
    "requests": 37,
    "pageviews": 8,
    "visits": 6,
    "visitors_daily_sum": 5,
    "visitors_by_month": {"2024-10": 4, "2024-11": 1},
    "bot_requests": 25,
    "by_country": {"ID": 0.75, "JP": 0.25},
    "by_host": {S: 0.625, D: 0.25, B: 0.125},
    "by_device": {"mobile": 0.25, "tablet": 0.125, "desktop": 0.625, "other": 0.0},
    "top_documents": [{"path": "/docs/Perda.PDF", "host": S, "requests": 1},
                      {"path": "/docs/a.pdf", "host": S, "requests": 1}],
}
