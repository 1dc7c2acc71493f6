"""The polite website checker: each agency's site visited for the evidence of its e-government stage.

``fetching`` (one bounded GET), ``page_parser`` (links, forms, viewport, text of one page),
``dates`` (English and Indonesian dates), ``findings`` (what links and forms show; the stage
each finding supports), ``crawler`` (one site, breadth first), ``snapshots`` (the dated JSON
lines), ``runs`` (several sites; the page's background run), ``webcheck_cli``.
"""

from survey.webcheck.crawler import Limits, check_site
from survey.webcheck.runs import check_sites

__all__ = ["Limits", "check_site", "check_sites"]
