"""Every page in Bahasa Indonesia, for every role that may open it, without Streamlit's or our
own English showing through: a widget's default placeholder ("Choose options", "Choose an
option", "No options to select"), the uploader's "Upload / 200MB per file", a unit named in
English inside an Indonesian sentence ("total household"), or markdown escaping that a
screen reader reads out ("Nama \\*").

Streamlit writes a widget's default placeholder in the browser, in English, when the
placeholder it was given is empty: so every multiselect, and every selectbox that can be
empty, must be given one.  The uploader's words are replaced by CSS (ui.uploader); the
browser test checks what that draws.
"""

from __future__ import annotations

import pytest
from google.protobuf.json_format import MessageToDict

from tests.support.analysis_store import copy_to
from tests.support.app import open_app
from ui.pages.registry import PAGES

ENGLISH = ("Choose options", "Choose an option", "No options to select", "Drag and drop", "200MB per file",
           "Browse files", "\\*", "total household", "total person", "per household", "per person")
ROLES = ("enumerator", "supervisor", "admin")
VISITS = [(page.name, role) for page in PAGES for role in ROLES if role in page.roles]


def _nodes(node):
    yield node
    for child in getattr(node, "children", {}).values():
        yield from _nodes(child)


def _strings(value):
    if isinstance(value, str):
        yield value
    elif isinstance(value, dict):
        for inner in value.values():
            yield from _strings(inner)
    elif isinstance(value, list):
        for inner in value:
            yield from _strings(inner)


def _shows_nothing(selectbox) -> bool:
    """No option chosen (where Streamlit writes its placeholder); None may be an option itself."""
    return selectbox.value is None and str(selectbox.format_func(None)) not in selectbox.options


def english_on(at) -> list[str]:
    """What the page shows that is English (see the module docstring)."""
    found = []
    nodes = [n for n in _nodes(at._tree) if getattr(n, "proto", None) is not None]
    for node in nodes:
        for text in _strings(MessageToDict(node.proto)):
            found += [f"{node.type}: {text[:120]!r}" for phrase in ENGLISH if phrase in text]
    for widget in at.multiselect:
        if not widget.proto.placeholder:
            found.append(f"multiselect {widget.key}: Streamlit's own 'Choose options'")
    for widget in at.selectbox:
        if not widget.proto.placeholder and (not widget.options or _shows_nothing(widget)):
            found.append(f"selectbox {widget.key}: Streamlit's own 'Choose an option'")
    uploaders = [n for n in nodes if n.type == "file_uploader"]
    restyled = any("stFileUploaderDropzoneInstructions" in getattr(n.proto, "body", "") for n in nodes
                   if n.type == "html")
    if uploaders and not restyled:
        found.append("file_uploader: Streamlit's own 'Upload' and '200MB per file'")
    return found


@pytest.fixture
def store_dir(data_dir, analysis_store):
    return copy_to(analysis_store, data_dir)


def test_the_login_page_in_indonesian(store_dir):
    at = open_app(store_dir)
    at.radio(key="lang").set_value("id").run()
    assert english_on(at) == []


@pytest.mark.parametrize("page, role", VISITS)
def test_every_page_in_indonesian_shows_no_english_widget_text(store_dir, page, role):
    at = open_app(store_dir, f"{role}_id", role)
    at.radio(key="lang").set_value("id").run()
    at.switch_page(f"ui/pages/{page}.py").run()
    assert not at.exception, at.exception
    if page == "entry":                     # the household's first steps: required questions, choices
        at.selectbox(key="instrument").set_value("household").run()
    assert english_on(at) == []
