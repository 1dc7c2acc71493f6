"""The file uploader's words in the user's language.

Streamlit 1.67's ``st.file_uploader`` writes its own English ("Upload", "200MB per file • CSV",
"Drag and drop a file here") and takes no parameter for them.  The CSS below hides those
texts (``visibility: hidden`` takes them out of what a screen reader reads, too) and writes
ours in their place as generated content; a small script gives the button and the hidden
file input (which Streamlit labels "file upload") our words as their accessible names.
Looked at in Chromium: the button's text is the markdown paragraph inside the dropzone's
button; the size line and the drag-and-drop line are inside
``stFileUploaderDropzoneInstructions``.
"""

from __future__ import annotations

import html

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


_NAMES = """
<span id="survey-upload-name" hidden data-text="%s"></span>
<script>
(() => {
  const name = document.querySelector("#survey-upload-name").dataset.text;
  const label = () => document.querySelectorAll('[data-testid="stFileUploaderDropzone"]').forEach((zone) => {
    zone.querySelectorAll('button, input[type="file"]').forEach((e) => {
      if (e.getAttribute("aria-label") !== name) e.setAttribute("aria-label", name);
    });
  });
  label();
  if (window.__surveyUploadNames) window.__surveyUploadNames.disconnect();
  window.__surveyUploadNames = new MutationObserver(label);
  window.__surveyUploadNames.observe(document.body, { childList: true, subtree: true });
})();
</script>
"""


def _css_text(text: str) -> str:
    return text.replace("\\", "\\\\").replace('"', '\\"').replace("<", "\\3c ")


def style(lang: str) -> None:
    """The uploader's button and size line in ``lang`` (every uploader of the page)."""
    megabytes = int(st.get_option("server.maxUploadSize"))
    st.html(_CSS % {"button": _css_text(t("upload_button", lang)),
                    "limit": _css_text(t("upload_limit", lang, mb=megabytes))})
    st.html(_NAMES % html.escape(t("upload_button", lang), quote=True), unsafe_allow_javascript=True)
