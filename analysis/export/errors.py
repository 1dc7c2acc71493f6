"""The one error an export reports to its user, with its message in both languages."""

from __future__ import annotations

from typing import Mapping

from survey.locale import pick


class ExportError(ValueError):
    """An export that cannot be made as asked (unknown table or format, too many rows for
    the format): the user's mistake, reported with `texts` ({lang: message}); str() is English."""

    def __init__(self, texts: Mapping[str, str]):
        self.texts = dict(texts)
        super().__init__(pick(self.texts, "en"))

    def message(self, lang: str) -> str:
        return pick(self.texts, lang)


class ExportDenied(ExportError):
    """An export the user's role may not make (an identified file without admin rights)."""


IDENTIFIED_ADMINS_ONLY = {
    "id": "Hanya administrator yang boleh mengekspor berkas beridentitas (dengan data pribadi). "
          "Berkas tanpa identitas tetap bisa diunduh.",
    "en": "Only administrators may export identified files (with personal data). "
          "The de-identified file can still be downloaded.",
}


def check_option(value: object, allowed: tuple[str, ...], what: Mapping[str, str]) -> str:
    """`value` when it is one of `allowed`, else ExportError naming what was expected.
    `what`: the option's name, {lang: text}."""
    if value not in allowed:
        listed = ", ".join(allowed)
        raise ExportError({
            "id": f"{what['id']} {value!r} tidak dikenal; pilih salah satu: {listed}.",
            "en": f"Unknown {what['en']} {value!r}; choose one of: {listed}.",
        })
    return value  # type: ignore[return-value]
