"""The entry form on a phone: tap targets, stacked scales, whole chips, and the connection state.

Streamlit's own layout is made for a desktop: radio circles of about 16 px, scales
of five options side by side that wrap mid-label, multiselect chips cut at a fixed
width. The CSS below keeps every tap target at least 44 px high (Apple's and
Google's guideline), stacks radio groups of three or more options on screens
narrower than 640 px, and lets chips wrap whole words.

When the connection to the server drops, Streamlit greys the page under an English
dialog. A small script checks the server's health endpoint (same origin, nothing
from the internet) and, while it cannot be reached, shows an explanation in the
user's language above everything: what was typed up to the last change is saved
as a draft on the server, and the interview comes back after a reload and login.
"""

from __future__ import annotations

import html

import streamlit as st

from ui.i18n import t

_CSS = """
<style>
.stMain [data-testid="stRadioOption"], .stMain [data-testid="stCheckbox"] label {
  min-height: 44px; align-items: center; padding-right: 0.75rem;
}
.stMain [data-testid="stRadioGroup"] { row-gap: 0; }
.stMain [data-testid="stButton"] button, .stMain [data-testid="stPopover"] button,
.stMain [data-testid="stExpander"] summary { min-height: 44px; }
.stMain [data-testid="stTextInputRootElement"], .stMain [data-testid="stNumberInputContainer"],
.stMain [data-testid="stDateInputField"] { height: 44px; min-height: 44px; }
/* The select box's own field (its combobox), not only its frame, is the 44 px target. */
.stMain [data-testid="stSelectbox"] [role="group"] { height: auto; min-height: 46px; }
.stMain [data-testid="stSelectbox"] [role="combobox"] { min-height: 44px; }
.stMain [data-testid="stMultiSelect"] [role="group"] { min-height: 44px; }
.stMain [data-testid="stNumberInputStepDown"], .stMain [data-testid="stNumberInputStepUp"] { min-width: 44px; height: 100%; }
.stMain [data-testid="stMultiSelectTagsContainer"] [data-tag] { height: auto; max-width: 100%; padding-top: 4px; padding-bottom: 4px; }
.stMain [data-testid="stMultiSelectTagsContainer"] [data-tag] > span[title] {
  white-space: normal; overflow: visible; text-overflow: clip; max-width: none;
}
@media (max-width: 640px) {
  .stMain [data-testid="stRadioGroup"][aria-orientation="horizontal"]:has(> :nth-child(3)) { flex-direction: column; }
  .stMain [data-testid="stRadioGroup"][aria-orientation="horizontal"]:has(> :nth-child(3)) > * { width: 100%; }
  .stMain h2 { font-size: 1.15rem; }
  .stMain h3 { font-size: 1.4rem; }
}
#survey-offline {
  position: fixed; left: 0; right: 0; top: 0; z-index: 1000010; display: none;
  padding: 0.75rem 1rem; background: #fff4e5; color: #5f3b00; border-bottom: 2px solid #f0a020;
  font: inherit; font-size: 1rem; line-height: 1.4; box-shadow: 0 2px 8px rgba(0, 0, 0, 0.2);
}
</style>
"""

_WATCH = """
<span id="survey-offline-text" hidden data-text="%s"></span>
<script>
(() => {
  // The banner lives on the document body, outside the app, so that Streamlit's greying of a stale page leaves it readable.
  const source = document.querySelector("#survey-offline-text");
  if (source) window.__surveyOfflineText = source.dataset.text;
  let banner = document.querySelector("#survey-offline");
  if (!banner) {
    banner = document.createElement("div");
    banner.id = "survey-offline";
    banner.setAttribute("role", "alert");
    document.body.appendChild(banner);
  }
  banner.textContent = window.__surveyOfflineText;
  if (window.__surveyOfflineWatch) return;
  window.__surveyOfflineWatch = true;
  const health = new URL("_stcore/health", document.baseURI).href;
  let failures = 0;
  const show = (down) => {
    const node = document.querySelector("#survey-offline");
    if (node) node.style.display = down ? "block" : "none";
  };
  const check = async () => {
    try {
      const reply = await fetch(health, { cache: "no-store" });
      failures = reply.ok ? 0 : failures + 1;
    } catch (error) {
      failures += 1;
    }
    show(failures >= 2 || !navigator.onLine);
  };
  window.addEventListener("offline", () => show(true));
  window.addEventListener("online", check);
  setInterval(check, 3000);
})();
</script>
"""


def style(lang: str) -> None:
    """The phone CSS and the connection watcher, in the user's language."""
    st.html(_CSS)
    st.html(_WATCH % html.escape(t("offline", lang), quote=True), unsafe_allow_javascript=True)
