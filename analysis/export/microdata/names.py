"""Variable names that Stata and SPSS both accept, made unique within one file.

Stata allows 32 characters (SPSS 64 bytes), but pyreadstat names a variable's value-label
set in a .dta after the variable plus a counter and Stata caps that name at 32 too, so
names here have at most 29 characters (room for 999 labelled variables). They are
ASCII letters, digits and ``_``, starting with a letter, and not one of either's
reserved words (SPSS: ALL AND BY EQ GE GT LE LT NE NOT OR TO WITH, in any case;
Stata: byte double float if in int long str# strL using with _all _b _n ...). SPSS
names ignore case, so uniqueness is checked without case. Names that are already
valid are kept first, so a clean question name never changes because of another
column; the others are cleaned, cut and numbered (``_2``, ``_3`` ...). The mapping
is part of every codebook.
"""

from __future__ import annotations

import re
import unicodedata

MAX_LENGTH = 29
_VALID = re.compile(rf"[A-Za-z][A-Za-z0-9_]{{0,{MAX_LENGTH - 1}}}")
_RESERVED = {
    "all", "and", "by", "eq", "ge", "gt", "le", "lt", "ne", "not", "or", "to", "with",  # SPSS
    "byte", "double", "float", "if", "in", "int", "long", "strl", "using",  # Stata
}
_STATA_STR = re.compile(r"str[0-9]+", re.IGNORECASE)
CHOICE_PART = 20  # characters of the choice kept in a long <question>_<choice> name


def is_valid(name: str) -> bool:
    return bool(_VALID.fullmatch(name)) and name.lower() not in _RESERVED and not _STATA_STR.fullmatch(name)


def dummy_name(question: str, choice: str) -> str:
    """``<question>_<choice>``; when that is too long the question part is shortened
    first, so the choice stays readable (internet_act_government_services)."""
    choice = _clean(choice) or "choice"
    name = f"{question}_{choice}"
    if len(name) <= MAX_LENGTH:
        return name
    choice = choice[:CHOICE_PART]
    return f"{question[:MAX_LENGTH - 1 - len(choice)].rstrip('_')}_{choice}"


def _clean(name: str) -> str:
    ascii_name = unicodedata.normalize("NFKD", name).encode("ascii", "ignore").decode()
    return re.sub(r"_+", "_", re.sub(r"[^A-Za-z0-9_]", "_", ascii_name)).strip("_")


def _candidate(wanted: str) -> str:
    name = _clean(wanted)
    if not name or not name[0].isalpha():
        name = "v_" + name if name else "v"
    name = name[:MAX_LENGTH].rstrip("_") or "v"
    if not is_valid(name):  # a reserved word
        name = name[: MAX_LENGTH - 1] + "_"
    return name


def export_names(wanted: list[str], taken: set[str] | None = None) -> list[str]:
    """A valid, unique export name for each wanted name, in the same order.

    `taken`: names already used in the file (compared without case); extended in place.
    """
    used = taken if taken is not None else set()
    out: list[str | None] = [None] * len(wanted)
    for i, name in enumerate(wanted):  # valid names first: they stay as they are
        if is_valid(name) and name.lower() not in used:
            out[i] = name
            used.add(name.lower())
    for i, name in enumerate(wanted):
        if out[i] is not None:
            continue
        base = _candidate(name)
        candidate, n = base, 1
        while candidate.lower() in used:
            n += 1
            suffix = f"_{n}"
            candidate = base[: MAX_LENGTH - len(suffix)].rstrip("_") + suffix
        out[i] = candidate
        used.add(candidate.lower())
    return out  # type: ignore[return-value]
