"""The file uploader's words in the user's language.

Streamlit 1.67's ``st.file_uploader`` writes its own English ("Upload", "200MB per file • CSV",
"Drag and drop a file here") and takes no parameter for them.  The CSS below hides those
texts (``visibility: hidden`` takes them out of what a screen reader reads, too) and writes
ours in their place as generated content, which the button's accessible name includes.
Looked at in Chromium: the button's text is the markdown paragraph inside the dropzone's
button; the size line and the drag-and-drop line are inside
``stFileUploaderDropzoneInstructions``.
"""

from __future__ import annotations

import streamlit as st

from ui.i18n import t

_CSS = """
<style>
[data-testid="stFileUploaderDropzone"] button [data-testid="stMarkdownContainer"] p { visibility: hidden; font-size: 0; }
[data-testid="stFileUploaderDropzone"] button [data-testid="stMarkdownContainer"] p::after {
  content: "%(button)s"; visibility: visible; font-size: 0.875rem;
}
[data-testid="stFileUploaderDropzoneInstructions"] > * { display: none; }
[data-testid="stFileUploaderDropzoneInstructions"]::after { content: "%(limit)s"; font-size: 0.875rem; opacity: 0.6; }
</style>
"""


def _css_text(text: str) -> str:
    return text.replace("\\", "\\\\").replace('"', '\\"').replace("<", "\\3c ")


def style(lang: str) -> None:
    """The uploader's button and size line in ``lang`` (every uploader of the page)."""
    megabytes = int(st.get_option("server.maxUploadSize"))
    st.html(_CSS % {"button": _css_text(t("upload_button", lang)),
                    "limit": _css_text(t("upload_limit", lang, mb=megabytes))})
