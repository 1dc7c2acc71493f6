"""What one HTML page holds for the checker: links, forms, the viewport, dates and some text.

A small linear scanner (:func:`parse_page`) over the (size-limited) body: it never raises on
broken markup, never takes more than one pass, and what it keeps is bounded too (links,
forms, text), so a hostile page can make the checker neither hang nor run out of memory.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from html import unescape

MAX_LINKS = 2000
MAX_FORMS = 50
MAX_TEXT = 200_000        # characters of visible text kept for dates and words
MAX_LINK_TEXT = 200


@dataclass
class Form:
    action: str
    method: str
    inputs: list[tuple[str, str]] = field(default_factory=list)   # (type, name) of its fields
    textarea: bool = False
    role: str = ""


@dataclass
class Page:
    links: list[tuple[str, str]] = field(default_factory=list)    # (href, link text)
    forms: list[Form] = field(default_factory=list)
    viewport: bool = False
    text: str = ""
    datetimes: list[str] = field(default_factory=list)            # <time datetime>, modified-time metas
    search_role: bool = False


class _Parser:
    """What the scan below finds, kept within bounds (the handler names are html.parser's)."""

    def __init__(self):
        self.page = Page()
        self._text: list[str] = []
        self._size = 0
        self._skip = 0                    # inside <script> or <style>
        self._link: list | None = None    # the open <a>: [href, text]
        self._form: Form | None = None

    def handle_starttag(self, tag, attrs):
        a = {k.lower(): (v or "") for k, v in attrs[:50]}
        page = self.page
        if tag in ("script", "style"):
            self._skip += 1
        elif tag == "a" and a.get("href") and len(page.links) < MAX_LINKS:
            self._close_link()
            self._link = [a["href"].strip(), ""]
        elif tag == "area" and a.get("href") and len(page.links) < MAX_LINKS:
            page.links.append((a["href"].strip(), a.get("alt", "")))
        elif tag == "iframe" and a.get("src") and len(page.links) < MAX_LINKS:
            page.links.append((a["src"].strip(), a.get("title", "")))
        elif tag == "meta":
            name = (a.get("name") or a.get("property") or a.get("itemprop") or "").lower()
            if name == "viewport" and "width" in a.get("content", "").lower():
                page.viewport = True
            elif "modified" in name or "published" in name or name in ("date", "dc.date"):
                page.datetimes.append(a.get("content", "")[:40])
        elif tag == "time" and a.get("datetime"):
            page.datetimes.append(a["datetime"][:40])
        elif tag == "form" and len(page.forms) < MAX_FORMS:
            self._form = Form(a.get("action", ""), a.get("method", "get").lower(), role=a.get("role", "").lower())
            page.forms.append(self._form)
        elif tag in ("input", "select", "button") and self._form is not None and len(self._form.inputs) < 100:
            self._form.inputs.append((a.get("type", "text" if tag == "input" else tag).lower(),
                                      (a.get("name") or a.get("id") or a.get("placeholder") or "").lower()[:80]))
        elif tag == "textarea" and self._form is not None:
            self._form.textarea = True
        if a.get("role", "").lower() == "search":
            page.search_role = True

    def handle_endtag(self, tag):
        if tag in ("script", "style"):
            self._skip = max(0, self._skip - 1)
        elif tag == "a":
            self._close_link()
        elif tag == "form":
            self._form = None

    def handle_data(self, data):
        if self._skip:
            return
        if self._link is not None and len(self._link[1]) < MAX_LINK_TEXT:
            self._link[1] += data[:MAX_LINK_TEXT]
        if self._size < MAX_TEXT:
            piece = data[:MAX_TEXT - self._size]
            self._text.append(piece)
            self._size += len(piece)

    def _close_link(self):
        if self._link is not None and len(self.page.links) >= MAX_LINKS:
            self._link = None
        if self._link is not None and len(self.page.links) < MAX_LINKS:
            self.page.links.append((self._link[0], " ".join(self._link[1].split())))
            self._link = None

    def result(self) -> Page:
        self._close_link()
        self.page.text = " ".join(" ".join(self._text).split())
        return self.page


_TAG = re.compile(r"<(/?)([A-Za-z][A-Za-z0-9:-]{0,40})([^<>]{0,4000})>")
_ATTR = re.compile(r"""([^\s=/>"']{1,60})(?:\s*=\s*("[^"]*"|'[^']*'|[^\s"'>]+))?""")
_RAW_TEXT = ("script", "style", "textarea", "title")
MAX_ATTRS = 50


def _attrs(raw: str) -> list[tuple[str, str]]:
    out = []
    for match in _ATTR.finditer(raw):
        value = match.group(2) or ""
        if value[:1] in ("'", '"'):
            value = value[1:-1]
        out.append((match.group(1).lower(), unescape(value)))
        if len(out) >= MAX_ATTRS:
            break
    return out


def parse_page(html: str) -> Page:
    """The page's parts; broken or hostile markup gives what could be read, never an error.

    A linear scan in one pass (each character is looked at a bounded number of times): the
    standard library's html.parser re-scans from every "<" that does not open a tag, so 2 MB of
    "<!" took it over a minute.  Tags are ``<name attributes>`` of bounded length; any other
    "<" is text; an unclosed comment or script ends the page."""
    parser = _Parser()
    lowered = html.lower()
    i, n = 0, len(html)
    while i < n:
        j = html.find("<", i)
        if j < 0:
            parser.handle_data(unescape(html[i:]))
            break
        if j > i:
            parser.handle_data(unescape(html[i:j]))
        if html.startswith("<!--", j):
            end = html.find("-->", j + 4)
            if end < 0:
                break
            i = end + 3
            continue
        tag = _TAG.match(html, j)
        if tag is None:
            if html.startswith(("<!", "<?"), j):          # a declaration or processing instruction: skipped
                end = html.find(">", j)
                i = n if end < 0 else end + 1
            else:
                parser.handle_data("<")
                i = j + 1
            continue
        closing, name, raw = tag.group(1), tag.group(2).lower(), tag.group(3)
        i = tag.end()
        if closing:
            parser.handle_endtag(name)
            continue
        parser.handle_starttag(name, _attrs(raw))
        if name in _RAW_TEXT and not raw.rstrip().endswith("/"):
            end = lowered.find(f"</{name}", i)
            end = n if end < 0 else end
            if name in ("textarea", "title"):
                parser.handle_data(unescape(html[i:end]))
            close = html.find(">", end)
            i = n if close < 0 else close + 1
            parser.handle_endtag(name)
    return parser.result()
