"""Helpers the tests share; no tests in here (test modules import from here, never from each other).

* ``analysis_store``: the one seeded store with awkward data (built once per run by the
  ``analysis_store`` fixture of tests/conftest.py);
* ``anchors``: the R anchor data sets of tests/fixtures/anchors/;
* ``app``: driving the app through ``streamlit.testing.v1.AppTest``;
* ``browser``: Debian's Chromium and ``streamlit run`` for the end-to-end tests and the
  docs' screenshots (tests/e2e/screenshots.py);
* ``hashing``: a cheap password hasher for tests that log in but are not about hashing;
* ``html_pages``: what an exported HTML page is checked for;
* ``interviews``: household answers the entry tests type in;
* ``store_worker``: a process that writes to a store (run as a script by the store tests);
* ``visits``: a hand-counted fieldwork for the response-rate and progress tests.
"""
