"""What the exported HTML pages are checked for: self-contained, nothing that runs or loads."""

from __future__ import annotations

from html.parser import HTMLParser


class Tags(HTMLParser):
    """The page's elements and attributes (text is not markup)."""

    def __init__(self, page: str):
        super().__init__()
        self.tags: set[str] = set()
        self.attributes: list[tuple[str, str]] = []
        self.feed(page)

    def handle_starttag(self, tag, attrs):
        self.tags.add(tag)
        self.attributes += [(k, v or "") for k, v in attrs]


def assert_self_contained(page: str) -> Tags:
    """No script, no handler, nothing fetched from elsewhere; the page's tags for further checks."""
    tags = Tags(page)
    assert not tags.tags & {"script", "link", "img", "iframe", "object", "embed", "image", "use", "foreignobject"}
    assert not [(k, v) for k, v in tags.attributes if k in ("src", "href", "xlink:href") and not v.startswith("#")]
    assert not [k for k, _ in tags.attributes if k.startswith("on")]  # no event handlers
    assert "@import" not in page and "url(" not in page
    return tags
