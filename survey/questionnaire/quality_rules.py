"""The quality checks of an instrument: its YAML ``quality:`` block -> frozen QualityRules.

``survey.fieldwork.quality.flags`` applies them to the stored responses; the format is documented
in docs/instruments.md ("Quality checks"). Everything that can be checked from the
instrument alone is checked when it loads (the questions exist, are stored and have
the right type, the choice lists are used, the numbers are in range), so a broken
block fails at load with the file and the key, never on the monitor page.

Without a ``quality:`` block an instrument gets one check, ``odd_hour`` with the
default window (22:00-05:00 WIB); every other check runs only when its keys are given.
A quality block changes nothing that is stored, so editing it needs no new version.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass
from typing import Any, Callable, Mapping, Sequence

SCALES = ("linear", "log")
_KEYS = {"min_minutes", "fast_ratio", "size", "min_peers", "likert", "min_block", "outliers", "missing",
         "odd_hours", "duplicate"}
_OUTLIER_KEYS = {"within", "limit", "min_group", "questions"}
_MISSING_KEYS = {"share", "choices", "ignore"}
_DUPLICATE_KEYS = {"match", "phone"}
_CLOCK = re.compile(r"([01][0-9]|2[0-3]):([0-5][0-9])")


@dataclass(frozen=True)
class OutlierRule:
    """A number checked against its group's median: |x - median| / (1.4826 MAD) > limit."""

    question: str
    scale: str          # "linear" | "log" (log(1 + x): amounts that spread over orders of magnitude)
    limit: float


@dataclass(frozen=True)
class LikertBlock:
    """A run of consecutive questions sharing a Likert choice list (in a repeat: per item)."""

    questions: tuple[str, ...]
    repeat: str | None = None       # the repeat group holding them; None: the main form


@dataclass(frozen=True)
class QualityRules:
    """A frozen ``quality:`` block (see the module docstring and docs/instruments.md)."""

    min_minutes: float | None = None          # too_fast: shorter than this ...
    fast_ratio: float | None = None           # ... or than this share of the median of its peers
    size: str | None = None                   # peers: completed interviews with the same answer to this
    min_peers: int = 5                        # a median needs at least this many peers
    likert_blocks: tuple[LikertBlock, ...] = ()
    min_block: int = 4                        # straightlining: at least this many answered items
    outliers: tuple[OutlierRule, ...] = ()
    outlier_within: str | None = None         # groups of the robust rule (None: all responses)
    outlier_min_group: int = 10               # a group needs this many answers to have a median
    missing_share: float | None = None        # many_missing: share of asked questions
    missing_choices: tuple[str, ...] = ()     # choices that count as missing (don't know, refused)
    missing_ignore: tuple[str, ...] = ()      # optional questions whose skipping does not count
    odd_from: dt.time = dt.time(22, 0)        # odd_hour: started from this time (WIB) ...
    odd_to: dt.time = dt.time(5, 0)           # ... up to this one
    duplicate_match: tuple[str, ...] = ()     # duplicate_household: the same answers to these ...
    duplicate_phone: str | None = None        # ... and the same phone where both have one

    @property
    def checks(self) -> tuple[str, ...]:
        """The flags these rules can raise."""
        out = []
        if self.min_minutes is not None or self.fast_ratio is not None:
            out.append("too_fast")
        if self.likert_blocks:
            out.append("straightlining")
        if self.outliers:
            out.append("outlier")
        if self.missing_share is not None:
            out.append("many_missing")
        out.append("odd_hour")
        if self.duplicate_match:
            out.append("duplicate_household")
        return tuple(out)


def parse_quality(raw: Any, questions: Sequence[Any], fail: Callable[[str], Exception]) -> QualityRules:
    """Checked QualityRules from the raw block; ``questions``: the instrument's, in form order."""
    if raw is None:
        return QualityRules()
    if not isinstance(raw, dict):
        raise fail("'quality' must be a mapping (min_minutes, fast_ratio, likert, outliers, ...)")
    _known(raw, _KEYS, "quality", fail)
    main = {q.name: q for q in questions}
    min_minutes = _number(raw.get("min_minutes"), "quality.min_minutes", fail, low=0, strict=True)
    fast_ratio = _number(raw.get("fast_ratio"), "quality.fast_ratio", fail, low=0, high=1, strict=True)
    size = raw.get("size")
    if size is not None:
        q = main.get(size) if isinstance(size, str) else None
        if q is None or not (q.kind.numeric or q.kind.choices == "one"):
            raise fail(f"quality.size must name a number or select_one question of the main form, not {size!r}")
    odd_from, odd_to = _hours(raw.get("odd_hours"), fail)
    return QualityRules(
        min_minutes=min_minutes, fast_ratio=fast_ratio, size=size,
        min_peers=_count(raw.get("min_peers", 5), "quality.min_peers", fail, low=1),
        likert_blocks=_blocks(raw.get("likert"), questions, fail),
        min_block=_count(raw.get("min_block", 4), "quality.min_block", fail, low=2),
        **_outliers(raw.get("outliers"), main, fail),
        **_missing(raw.get("missing"), questions, fail),
        odd_from=odd_from, odd_to=odd_to,
        **_duplicate(raw.get("duplicate"), main, fail),
    )


def _known(raw: dict, keys: set[str], where: str, fail) -> None:
    unknown = sorted(set(raw) - keys)
    if unknown:
        raise fail(f"{where}: unknown key(s) {', '.join(unknown)} (known: {', '.join(sorted(keys))})")


def _number(value: Any, where: str, fail, low: float, high: float | None = None, strict: bool = False) -> float | None:
    if value is None:
        return None
    ok = not isinstance(value, bool) and isinstance(value, (int, float)) and (value > low if strict else value >= low)
    if not ok or (high is not None and value > high):
        bounds = f"above {low}" if strict else f"at least {low}"
        raise fail(f"{where} must be a number {bounds}{f' and at most {high}' if high is not None else ''}, "
                   f"not {value!r}")
    return float(value)


def _count(value: Any, where: str, fail, low: int) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or value < low:
        raise fail(f"{where} must be a whole number of at least {low}, not {value!r}")
    return value


def _hours(raw: Any, fail) -> tuple[dt.time, dt.time]:
    if raw is None:
        return QualityRules.odd_from, QualityRules.odd_to
    if not isinstance(raw, dict) or set(raw) != {"from", "to"}:
        raise fail("quality.odd_hours is {from: \"22:00\", to: \"05:00\"} (WIB)")
    out = []
    for key in ("from", "to"):
        match = _CLOCK.fullmatch(str(raw[key])) if isinstance(raw[key], str) else None
        if match is None:
            raise fail(f"quality.odd_hours.{key} is a time of day as \"HH:MM\" (quote it), not {raw[key]!r}")
        out.append(dt.time(int(match[1]), int(match[2])))
    if out[0] == out[1]:
        raise fail("quality.odd_hours: from and to must differ")
    return out[0], out[1]


def _blocks(raw: Any, questions: Sequence[Any], fail) -> tuple[LikertBlock, ...]:
    """Maximal runs (two or more) of consecutive questions whose choice list is a Likert list."""
    if raw is None:
        return ()
    if not isinstance(raw, list) or not raw or not all(isinstance(name, str) for name in raw):
        raise fail("quality.likert lists the choice lists of Likert items, e.g. [likert5]")
    used = {q.choice_list for q in questions if q.kind.choices == "one"}
    used |= {inner.choice_list for q in questions for inner in q.questions if inner.kind.choices == "one"}
    unused = [name for name in raw if name not in used]
    if unused:
        raise fail(f"quality.likert: no select_one question uses the choice list(s) {', '.join(unused)}")
    lists = set(raw)
    blocks: list[LikertBlock] = []

    def runs(items: Sequence[Any], repeat: str | None) -> None:
        run: list[str] = []
        current = None
        for q in [*items, None]:
            key = q.choice_list if q is not None and q.kind.choices == "one" and q.choice_list in lists else None
            if key is not None and key == current:
                run.append(q.name)
                continue
            if len(run) >= 2:
                blocks.append(LikertBlock(tuple(run), repeat))
            run, current = ([q.name], key) if key is not None else ([], None)

    runs(list(questions), None)   # a repeat group or any other question ends a run
    for q in questions:
        if q.kind.is_repeat:
            runs(list(q.questions), q.name)
    if not blocks:
        raise fail("quality.likert: no two consecutive questions use these lists, so there is no block to check")
    return tuple(blocks)


def _outliers(raw: Any, main: Mapping[str, Any], fail) -> dict[str, Any]:
    if raw is None:
        return {}
    if not isinstance(raw, dict):
        raise fail("quality.outliers must be a mapping (within, limit, min_group, questions)")
    _known(raw, _OUTLIER_KEYS, "quality.outliers", fail)
    within = raw.get("within")
    if within is not None:
        q = main.get(within) if isinstance(within, str) else None
        if q is None or q.kind.choices != "one":
            raise fail(f"quality.outliers.within must name a select_one question of the main form, not {within!r}")
    limit = _number(raw.get("limit", 3.5), "quality.outliers.limit", fail, low=0, strict=True)
    spec = raw.get("questions")
    if not isinstance(spec, dict) or not spec:
        raise fail("quality.outliers.questions maps number questions to log or linear (or {scale, limit})")
    rules = []
    for name, how in spec.items():
        q = main.get(name) if isinstance(name, str) else None
        if q is None or not q.kind.numeric:
            raise fail(f"quality.outliers.questions: {name!r} is not a number question of the main form")
        if isinstance(how, str):
            how = {"scale": how}
        if not isinstance(how, dict) or set(how) - {"scale", "limit"} or how.get("scale") not in SCALES:
            raise fail(f"quality.outliers.questions.{name} is log, linear or {{scale: log|linear, limit: N}}")
        own = _number(how.get("limit", limit), f"quality.outliers.questions.{name}.limit", fail, low=0, strict=True)
        rules.append(OutlierRule(name, how["scale"], own))
    return {"outliers": tuple(rules), "outlier_within": within,
            "outlier_min_group": _count(raw.get("min_group", 10), "quality.outliers.min_group", fail, low=3)}


def _missing(raw: Any, questions: Sequence[Any], fail) -> dict[str, Any]:
    if raw is None:
        return {}
    if not isinstance(raw, dict) or "share" not in raw:
        raise fail("quality.missing needs share (and optionally choices, ignore)")
    _known(raw, _MISSING_KEYS, "quality.missing", fail)
    share = _number(raw["share"], "quality.missing.share", fail, low=0, high=1, strict=True)
    names = {inner.name for q in questions for inner in (q, *q.questions)}
    choices, ignore = raw.get("choices", []), raw.get("ignore", [])
    for key, value in (("choices", choices), ("ignore", ignore)):
        if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
            raise fail(f"quality.missing.{key} must be a list of names")
    unknown = [name for name in ignore if name not in names]
    if unknown:
        raise fail(f"quality.missing.ignore: unknown question(s) {', '.join(unknown)}")
    return {"missing_share": share, "missing_choices": tuple(choices), "missing_ignore": tuple(ignore)}


def _duplicate(raw: Any, main: Mapping[str, Any], fail) -> dict[str, Any]:
    if raw is None:
        return {}
    if not isinstance(raw, dict) or "match" not in raw:
        raise fail("quality.duplicate needs match (the questions that identify a household) and optionally phone")
    _known(raw, _DUPLICATE_KEYS, "quality.duplicate", fail)
    match = raw["match"]
    if not isinstance(match, list) or not match or not all(isinstance(m, str) for m in match):
        raise fail("quality.duplicate.match lists questions of the main form, e.g. [respondent_name, kelurahan]")
    for name in match:
        q = main.get(name)
        if q is None or not (q.kind.free_text or q.kind.choices == "one" or q.kind.whole_numbers):
            raise fail(f"quality.duplicate.match: {name!r} is not a text, select_one or integer question of the "
                       "main form")
    phone = raw.get("phone")
    if phone is not None and (not isinstance(phone, str) or main.get(phone) is None or not main[phone].kind.free_text):
        raise fail(f"quality.duplicate.phone must name a text question of the main form, not {phone!r}")
    return {"duplicate_match": tuple(match), "duplicate_phone": phone}
