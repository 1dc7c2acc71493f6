"""The app's pages, one row each: module, roles, icon and title. Not a page itself.

A page is the module ``ui/pages/<name>.py`` plus its row here, nothing else: app.py
builds the navigation from these rows (in this order), ui.auth reads the roles
(``auth.ACCESS``, ``auth.allowed``), and each page heads itself with its title
(:func:`title`). A test checks that every page module has a row and every row a module.
"""

from __future__ import annotations

from dataclasses import dataclass
from types import MappingProxyType
from typing import Mapping

from survey.locale import pick

__all__ = ["PAGES", "RegisteredPage", "names", "title"]



@dataclass(frozen=True)
class RegisteredPage:
    name: str                   # ui/pages/<name>.py, and the page's address /<name>
    roles: frozenset[str]       # the roles that may open it (survey.fieldwork.accounts.ROLES)
    icon: str                   # its icon in the navigation
    title: Mapping[str, str]    # {id, en}: its entry in the navigation and its header
    home_of: frozenset[str] = frozenset()   # the roles that land on it after logging in


def _page(name: str, roles: set[str], icon: str, title: dict[str, str],
          home_of: set[str] = frozenset()) -> RegisteredPage:
    return RegisteredPage(name, frozenset(roles), icon, MappingProxyType(title), frozenset(home_of))


PAGES: tuple[RegisteredPage, ...] = (
    _page("entry", {"enumerator", "supervisor", "admin"}, ":material/edit_note:",
          {"id": "Isi wawancara", "en": "Enter an interview"}, home_of={"enumerator", "admin"}),
    _page("my_submissions", {"enumerator", "supervisor", "admin"}, ":material/checklist:",
          {"id": "Kiriman saya", "en": "My submissions"}),
    _page("monitor", {"supervisor", "admin"}, ":material/monitoring:",
          {"id": "Pemantauan lapangan", "en": "Fieldwork monitor"}, home_of={"supervisor"}),
    _page("review", {"supervisor", "admin"}, ":material/fact_check:",
          {"id": "Pemeriksaan wawancara", "en": "Review interviews"}),
    _page("explore", {"supervisor", "admin"}, ":material/bar_chart:",
          {"id": "Jelajahi pertanyaan", "en": "Explore a question"}),
    _page("crosstab", {"supervisor", "admin"}, ":material/table_chart:",
          {"id": "Tabulasi silang", "en": "Cross-tabulation"}),
    _page("indicators", {"supervisor", "admin"}, ":material/speed:",
          {"id": "Indikator", "en": "Indicators"}),
    _page("traffic", {"supervisor", "admin"}, ":material/language:",
          {"id": "Lalu lintas situs web", "en": "Website traffic"}),
    _page("design", {"admin"}, ":material/tune:",
          {"id": "Desain sampel", "en": "Sampling design"}),
    _page("export", {"supervisor", "admin"}, ":material/download:",
          {"id": "Ekspor", "en": "Export"}),
    _page("admin", {"admin"}, ":material/admin_panel_settings:",
          {"id": "Administrasi", "en": "Administration"}),
)
_BY_NAME = {page.name: page for page in PAGES}


def names() -> tuple[str, ...]:
    """The pages' names, in the navigation's order."""
    return tuple(_BY_NAME)


def title(name: str, lang: str) -> str:
    """The page's title in ``lang`` (its header and its entry in the navigation)."""
    return pick(_BY_NAME[name].title, lang)
