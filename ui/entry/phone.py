"""The entry form on a phone: tap targets, stacked scales, whole chips, and the connection state.

Streamlit's own layout is made for a desktop: radio circles of about 16 px, scales
of five options side by side that wrap mid-label, multiselect chips cut at a fixed
width. The CSS below keeps every tap target at least 44 px high (Apple's and
Google's guideline), stacks radio groups of three or more options on screens
narrower than 640 px, and lets chips wrap whole words.

When the connection to the server drops, the banner of ui.connection says, in the
user's language, that what was typed up to the last change is saved as a draft on the
server, and that the interview comes back after a reload and login.
"""

from __future__ import annotations

import streamlit as st

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
</style>
"""



def style(lang: str) -> None:
    """The phone CSS (the connection banner, ui.connection, is drawn by app.py on every page)."""
    st.html(_CSS)
