"""When the server cannot be reached: one message, in the user's language, on every page.

Streamlit greys a page whose server has gone and opens its own English dialog
("Connection error ... Are you connected to the internet?") with a "CONNECTING" status.
A small script checks the server's health endpoint (same origin, nothing from the
internet) and, while it cannot be reached, shows our explanation above everything
(during an interview: what was typed up to the last change is saved as a draft on the
server, and the interview comes back after a reload and login) and marks the page
offline, and the CSS below then hides Streamlit's dialog and status, so that the one
message a user reads is ours.

Streamlit 1.67 gives its connection dialog no test id of its own: it is the
``stDialog`` with no element of the app inside (a page's own ``st.dialog`` holds
blocks with test ids), and it is hidden only while the page is marked offline, so that
no other dialog can be caught by the rule.
"""

from __future__ import annotations

import html

import streamlit as st

_CSS = """
<style>
#survey-offline {
  position: fixed; left: 0; right: 0; top: 0; z-index: 1000010; display: none;
  padding: 0.75rem 1rem; background: #fff4e5; color: #5f3b00; border-bottom: 2px solid #f0a020;
  font: inherit; font-size: 1rem; line-height: 1.4; box-shadow: 0 2px 8px rgba(0, 0, 0, 0.2);
}
body[data-survey-offline="true"] #survey-offline { display: block; }
body[data-survey-offline="true"] [data-testid="stDialog"]:not(:has([data-testid])),
body[data-survey-offline="true"] [data-testid="stConnectionStatus"] { display: none !important; }
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
  const show = (down) => { document.body.dataset.surveyOffline = down ? "true" : "false"; };
  const check = async () => {
    try {
      const reply = await fetch(health, { cache: "no-store" });
      failures = reply.ok ? 0 : failures + 1;
    } catch (error) {
      failures += 1;
    }
    show(failures >= 2 || !navigator.onLine);
  };
  const again = () => { check().then(() => setTimeout(check, 500)); };
  window.addEventListener("offline", () => show(true));
  window.addEventListener("online", check);
  // Streamlit's own dialog or status appearing: ask the server at once rather than at the next tick
  new MutationObserver(() => {
    if (document.body.dataset.surveyOffline !== "true" && document.querySelector('[data-testid="stConnectionStatus"]')) again();
  }).observe(document.body, { childList: true, subtree: true });
  setInterval(check, 3000);
})();
</script>
"""


def watch(text: str) -> None:
    """The connection watcher and its banner, saying ``text`` (in the user's language)."""
    st.html(_CSS)
    st.html(_WATCH % html.escape(text, quote=True), unsafe_allow_javascript=True)
