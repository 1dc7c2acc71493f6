"""The "use my location" button: the browser's geolocation, checked against Surakarta.

A small Streamlit component (st.components.v2, inline HTML and JavaScript, nothing
loaded from the network) asks `navigator.geolocation` for one fix with its accuracy.
Browsers allow that only in a secure context: over HTTPS, or on localhost. A fix
inside Kota Surakarta (survey.fieldwork.geo) fills the geopoint answer as ODK writes it
("lat lon altitude accuracy"); one outside is shown and not used. Typing
"lat lon" by hand stays possible whenever the phone has no fix.
"""

from __future__ import annotations

from functools import partial

import streamlit as st
from streamlit.components.v2 import component

from survey.fieldwork.geo import POOR_ACCURACY_M, Point, in_surakarta, parse_point
from ui.i18n import t

_HTML = '<div class="gps"><button type="button"></button><p class="status" role="status" aria-live="polite"></p></div>'

_CSS = """
.gps { font-family: var(--st-font, sans-serif); }
button {
  min-height: 44px; min-width: 44px; padding: 0.5rem 1rem; font: inherit; font-size: 0.95rem; cursor: pointer;
  color: var(--st-text-color, #31333f); background: var(--st-secondary-background-color, #f0f2f6);
  border: 1px solid var(--st-border-color, rgba(49, 51, 63, 0.2)); border-radius: 0.5rem;
}
button:hover, button:focus-visible { border-color: var(--st-primary-color, #1f6f8b); color: var(--st-primary-color, #1f6f8b); }
button:disabled { opacity: 0.6; cursor: progress; }
.status { margin: 0.25rem 0 0; font-size: 0.9rem; color: var(--st-text-color, #31333f); }
.status:empty { display: none; }
.status.bad { color: var(--st-red-color, #c0392b); }
"""

_JS = """
export default function (component) {
  const { data, parentElement, setTriggerValue } = component;
  const button = parentElement.querySelector("button");
  const status = parentElement.querySelector(".status");
  const show = (text, bad) => { status.textContent = text; status.classList.toggle("bad", Boolean(bad)); };
  button.textContent = data.label;
  button.disabled = false;
  show("");
  button.onclick = () => {
    if (!window.isSecureContext || !("geolocation" in navigator)) { show(data.insecure, true); return; }
    button.disabled = true;
    show(data.waiting);
    navigator.geolocation.getCurrentPosition(
      (position) => {
        button.disabled = false;
        show("");
        const c = position.coords;
        setTriggerValue("position", { lat: c.latitude, lon: c.longitude, accuracy: c.accuracy, altitude: c.altitude });
      },
      (error) => {
        button.disabled = false;
        show(data.errors[String(error.code)] || data.errors["0"], true);
      },
      { enableHighAccuracy: true, timeout: 30000, maximumAge: 0 },
    );
  };
}
"""

_LOCATE = component("survey_gps_locate", html=_HTML, css=_CSS, js=_JS)
_READING = "_gps_reading_"


def locate_ui(key: str, lang: str) -> None:
    """The button, under the geopoint field `key`: a fix it brings fills the field when it lies in Surakarta."""
    texts = {
        "label": t("gps_button", lang), "waiting": t("gps_waiting", lang), "insecure": t("gps_insecure", lang),
        "errors": {"0": t("gps_failed", lang), "1": t("gps_denied", lang), "2": t("gps_unavailable", lang),
                   "3": t("gps_timeout", lang)},
    }
    _LOCATE(key=_component_key(key), data=texts, on_position_change=partial(_take_fix, key))


def _component_key(key: str) -> str:
    return f"{key}_locate"


def _take_fix(key: str) -> None:
    """The component's handler (it runs before the form is drawn, so it may set the field)."""
    fix = (st.session_state.get(_component_key(key)) or {}).get("position")
    if not isinstance(fix, dict):
        return
    try:
        point = Point(float(fix["lat"]), float(fix["lon"]),
                      None if fix.get("altitude") is None else float(fix["altitude"]),
                      None if fix.get("accuracy") is None else float(fix["accuracy"]))
    except (KeyError, TypeError, ValueError):
        return
    inside = in_surakarta(point.lat, point.lon)
    st.session_state[_READING + key] = {"text": point.text(), "inside": inside}
    if inside:
        st.session_state[key] = point.text()


def point_notes(key: str, lang: str) -> None:
    """Under the field: the fix's accuracy, and a warning for a point outside the city or a poor fix."""
    value = st.session_state.get(key)
    reading = st.session_state.get(_READING + key)
    if reading and not reading["inside"] and reading["text"] != value:
        point = parse_point(reading["text"])
        st.warning(t("gps_not_used", lang, point=f"{point.lat:.5f} {point.lon:.5f}"), icon=":material/wrong_location:")
    point = parse_point(value)
    if point is None:
        return
    if point.accuracy is not None:
        st.caption(t("gps_accuracy", lang, metres=round(point.accuracy)))
    if not in_surakarta(point.lat, point.lon):
        st.warning(t("gps_outside", lang), icon=":material/wrong_location:")
    elif point.accuracy is not None and point.accuracy > POOR_ACCURACY_M:
        st.warning(t("gps_poor", lang, metres=round(point.accuracy)), icon=":material/location_searching:")
