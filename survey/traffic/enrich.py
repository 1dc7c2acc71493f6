"""Offline enrichment of parsed requests: what was asked (page, document, asset), from where
(country), by what (device class, known crawler) and by whom (a keyed hash, never the address).

Each lookup runs once per distinct value of a chunk (dictionary encoding), so a million lines
with a few thousand addresses and user agents cost a few thousand lookups.

- Country: ``iptocc`` (the five Regional Internet Registries' allocations, built into its wheel;
  no network). An address the registries do not place (private, reserved) is ``ZZ``.
- Device class: ``ua-parser`` (uap-core's rules, ``ua-parser-builtins``) plus the issue's rules:
  phones -> mobile; iPads and Android without "Mobile" -> tablet; desktop; bot; other.
- Known crawlers: ``crawler-user-agents`` (monperrus/crawler-user-agents) or ua-parser's "Spider".
"""

from __future__ import annotations

import hashlib
import hmac
from functools import lru_cache

import pyarrow as pa
import pyarrow.compute as pc

DOCUMENTS = ("pdf", "doc", "docx", "xls", "xlsx", "ppt", "pptx", "odt", "ods", "csv", "zip")
ASSETS = ("css", "js", "mjs", "map", "png", "jpg", "jpeg", "gif", "svg", "webp", "avif", "ico", "bmp",
          "woff", "woff2", "ttf", "otf", "eot")
# robots.txt, sitemaps and favicons are assets whatever their extension (the definition).
_ASSET_NAMES = r"(^/robots\.txt$|/sitemap[^/]*\.xml(\.gz)?$|/favicon[^/]*$|/apple-touch-icon[^/]*$)"
DESKTOP_OS = {"Windows", "Mac OS X", "Linux", "Ubuntu", "Fedora", "Debian", "Chrome OS", "ChromeOS",
              "FreeBSD", "OpenBSD", "NetBSD", "Solaris", "macOS"}


def path_of(target: pa.Array) -> pa.Array:
    """The path without its query string or fragment (a query string does not change what a path is;
    it is also where personal data hides, so it is not stored)."""
    path = pc.replace_substring_regex(target, r"[?#].*$", "")
    return pc.replace_substring_regex(path, r"^[a-zA-Z][a-zA-Z0-9+.-]*://[^/]*", "")  # absolute-form targets


def kinds(path: pa.Array) -> pa.Array:
    """page | document | asset | other ("other": no path, e.g. a request line of "-" or "*")."""
    lower = pc.utf8_lower(pc.fill_null(path, ""))
    found = pc.extract_regex(lower, r"\.(?P<ext>[a-z0-9]+)$")
    ext = pc.fill_null(pc.if_else(found.is_valid(), found.field("ext"), None), "")
    document = pc.is_in(ext, value_set=pa.array(DOCUMENTS))
    asset = pc.or_(pc.is_in(ext, value_set=pa.array(ASSETS)), pc.match_substring_regex(lower, _ASSET_NAMES))
    page = pc.starts_with(lower, "/")
    return pc.case_when(pc.make_struct(asset, document, page), "asset", "document", "page", "other")


def pageviews(method: pa.Array, status: pa.Array, kind: pa.Array) -> pa.Array:
    """A GET answered 2xx or 304 for a page or a document."""
    answered = pc.or_(pc.and_(pc.greater_equal(status, 200), pc.less(status, 300)), pc.equal(status, 304))
    wanted = pc.is_in(kind, value_set=pa.array(["page", "document"]))
    return pc.fill_null(pc.and_(pc.and_(pc.equal(method, "GET"), answered), wanted), False)


def countries(ip: pa.Array) -> pa.Array:
    """ISO 3166-1 alpha-2 per address, "ZZ" when unknown."""
    import iptocc

    encoded = pc.dictionary_encode(pc.fill_null(ip, ""))
    codes = iptocc.country_code(encoded.dictionary.to_pylist())
    table = pa.array([c.upper() if c else "ZZ" for c in codes], pa.string())
    return table.take(encoded.indices)


@lru_cache(maxsize=200_000)
def device_of(ua: str) -> tuple[str, bool]:
    """(device class, known crawler) of a user agent."""
    import crawleruseragents
    import ua_parser

    if not ua or ua == "-":
        return "other", False
    parsed = ua_parser.parse(ua)
    family = parsed.device.family if parsed.device else "Other"
    if crawleruseragents.is_crawler(ua) or family == "Spider":
        return "bot", True
    os_family = parsed.os.family if parsed.os else "Other"
    if family == "iPad" or (os_family == "Android" and "Mobile" not in ua):
        return "tablet", False
    if os_family in ("iOS", "Android") or "Mobile" in ua or "iPhone" in ua:
        return "mobile", False
    if os_family in DESKTOP_OS:
        return "desktop", False
    return "other", False


def devices(ua: pa.Array) -> tuple[pa.Array, pa.Array]:
    encoded = pc.dictionary_encode(pc.fill_null(ua, ""))
    found = [device_of(u) for u in encoded.dictionary.to_pylist()]
    device = pa.array([d for d, _ in found], pa.string()).take(encoded.indices)
    bot = pa.array([b for _, b in found], pa.bool_()).take(encoded.indices)
    return device, bot


def visitors(ip: pa.Array, ua: pa.Array, salt: bytes) -> pa.Array:
    """HMAC-SHA256(salt, ip NUL user agent), 16 bytes as hex: the visitor key, the address gone."""
    pair = pc.binary_join_element_wise(pc.fill_null(ip, ""), pc.fill_null(ua, ""), "\x00")
    encoded = pc.dictionary_encode(pair)
    keys = [hmac.new(salt, p.encode("utf-8"), hashlib.sha256).hexdigest()[:32]
            for p in encoded.dictionary.to_pylist()]
    return pa.array(keys, pa.string()).take(encoded.indices)


def mask_ip(text: str) -> str:
    """A line shown to people: IPv4 addresses keep their first octet, IPv6 their first group."""
    import re

    text = re.sub(r"\b(\d{1,3})\.\d{1,3}\.\d{1,3}\.\d{1,3}\b", r"\1.x.x.x", text)
    return re.sub(r"\b([0-9A-Fa-f]{1,4}):(?:[0-9A-Fa-f]{0,4}:){1,6}[0-9A-Fa-f]{0,4}\b", r"\1:x:x", text)
