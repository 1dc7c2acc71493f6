"""Interview durations and quality flags per response, from the store (no Streamlit).

``flags(store, instrument_id)`` returns one row per flag raised, columns
``_response_id, flag, detail`` (the detail in ``lang``, with numbers only: no answer
that identifies anyone). The thresholds are the instrument's ``quality:`` block
(:mod:`survey.questionnaire.quality_rules`, documented in docs/instruments.md):

* ``too_fast``: a completed interview shorter than ``min_minutes``, or shorter than
  ``fast_ratio`` times the median of the completed interviews with the same answer
  to ``size`` (the household size; at least ``min_peers`` of them).
* ``straightlining``: every item of a Likert block (``likert``, at least ``min_block``
  answered) has the same answer (Kim et al. 2019, "Straightlining: overview of
  measurement, comparison of indicators, and effects in mail-web mixed-mode surveys").
* ``outlier``: a number further than ``limit`` robust standard deviations from the
  median of its group (``within``, e.g. the kecamatan, with at least ``min_group``
  answers), on ``log(1 + x)`` for amounts: ``z = |x - group median| / s``, ``s`` the
  IQR / 1.349 of every answer's deviation from its group's median (pooled over the
  groups, which differ in level more than in spread; IQR / 1.349, like 1.4826 MAD in
  Iglewicz & Hoaglin 1993's modified z-score, is the standard deviation of normal
  data, and the pooled IQR stays stable for small counts such as the household size,
  where a group's own MAD jumps between 0.5 and 1). When the IQR is 0: 1.4826 MAD,
  then 1.2533 times the mean absolute deviation.
* ``many_missing``: of the questions the interview asked (skip logic applied, main
  form and every roster item) that allow no answer (optional ones, and those offering
  one of ``choices``: don't know, refused), more than ``share`` left unanswered or
  answered with one of ``choices``. Required questions always have an answer, so they
  would only dilute the share; an optional select_multiple left empty is an answer
  ("none of these"); ``ignore`` lists optional questions, such as the enumerator's
  comments, whose skipping says nothing.
* ``odd_hour``: first submitted between ``odd_hours.from`` and ``to`` (WIB), any record.
* ``duplicate_household``: the same answers to ``duplicate.match`` (respondent's name
  and kelurahan), and the same ``phone`` where both have one, as another response.
  The answers are compared as keyed hashes (HMAC-SHA256 with a salt kept in the data
  folder, created once with mode 0600), so names and phone numbers never leave this
  function.

A duration runs from ``_started_at`` to the ``_submitted_at`` of the first revision (a
correction or a review does not lengthen an interview). Completed means the answers
the questionnaire's ``fieldwork:`` block names (the visit went ahead, the respondent
agreed) where the instrument asks them. The medians and groups that the rules compare
with are computed over the responses that count
(``survey.questionnaire.schema.COUNTED_STATUSES``: every status but rejected); every
response is flagged against them. A
rejected response is a duplicate only of one that counts, so rejecting a repeated
household clears the original's flag.
"""

from __future__ import annotations

import datetime as dt
import hmac
import math
import os
import re
import secrets
import unicodedata
from pathlib import Path
from typing import Any, Iterable, Mapping

import numpy as np
import pandas as pd

from survey.questionnaire.model import Instrument, Question
from survey.questionnaire.quality_rules import QualityRules
from survey.questionnaire.schema import counted_rows
from survey.questionnaire.validate import SURVEY_TIMEZONE, is_relevant, survey_today

__all__ = ["COLUMNS", "FLAGS", "SALT_FILE", "completed", "durations", "flag_frame", "flags", "salt"]

FLAGS = ("too_fast", "straightlining", "outlier", "many_missing", "odd_hour", "duplicate_household")
COLUMNS = ["_response_id", "flag", "detail"]
SALT_FILE = "quality_salt"
_process_salt = secrets.token_bytes(32)   # when the data folder cannot keep one


# ---- texts -------------------------------------------------------------------------------
_DETAIL = {
    "min_minutes": {"en": "{minutes} min, under the minimum of {limit} min",
                    "id": "{minutes} menit, di bawah batas minimal {limit} menit"},
    "median": {"en": "{minutes} min, under {ratio}% of the median of {peers} ({median} min, {n} interviews)",
               "id": "{minutes} menit, di bawah {ratio}% median {peers} ({median} menit, {n} wawancara)"},
    "peers_size": {"en": "interviews with {question} = {value}", "id": "wawancara dengan {question} = {value}"},
    "peers_all": {"en": "all completed interviews", "id": "semua wawancara selesai"},
    "straight": {"en": "{where}{n} items {first} … {last} all answered {answer}",
                 "id": "{where}{n} butir {first} … {last} semuanya dijawab {answer}"},
    "member": {"en": "member {i}: ", "id": "anggota {i}: "},
    "outlier": {"en": "{question} = {value}, far from the median of {group} ({median}; robust z {z})",
                "id": "{question} = {value}, jauh dari median {group} ({median}; z robust {z})"},
    "all_group": {"en": "all responses", "id": "semua respons"},
    "missing": {"en": "{missing} of {asked} questions asked ({share}%) unanswered or don't know / refused",
                "id": "{missing} dari {asked} pertanyaan yang ditanyakan ({share}%) tidak dijawab atau tidak tahu / menolak"},
    "odd_hour": {"en": "submitted at {time} WIB", "id": "dikirim pukul {time} WIB"},
    "duplicate": {"en": "same {what} as {others}", "id": "{what} sama dengan {others}"},
    "phone_too": {"en": " (and phone)", "id": " (dan telepon)"},
}


def _num(value: float, lang: str, decimals: int = 1) -> str:
    text = f"{value:,.{decimals}f}"
    return text.replace(",", "\0").replace(".", ",").replace("\0", ".") if lang == "id" else text


def _text(key: str, lang: str, **values: Any) -> str:
    template = _DETAIL[key]
    return template.get(lang, template["en"]).format(**values)


def _choice_label(q: Question, value: Any, lang: str) -> str:
    labels = q.choices.get(str(value))
    return f"“{labels.get(lang, labels['en'])}”" if labels else f"“{value}”"


# ---- reading -----------------------------------------------------------------------------
def completed(inst: Instrument, frame: pd.DataFrame) -> np.ndarray:
    """True for completed, consented interviews, as the questionnaire's ``fieldwork:`` block
    says (rows of versions that did not ask: True)."""
    keep = np.ones(len(frame), dtype=bool)
    for question, wanted in inst.fieldwork.completion:
        if question in frame.columns:
            answer = frame[question].astype("string")
            keep &= (answer.isna() | (answer == wanted)).to_numpy(dtype=bool)
    return keep


def durations(store, instrument_id: str) -> pd.DataFrame:
    """One row per response: ``_response_id, started_at, submitted_at`` (first revision, UTC)
    and ``minutes`` (NaN when the start is unknown)."""
    history = store.read(instrument_id, history=True)
    return _durations(history)


def _durations(history: pd.DataFrame) -> pd.DataFrame:
    if history.empty:
        return pd.DataFrame({"_response_id": pd.Series([], dtype="string"),
                             "started_at": pd.Series([], dtype="datetime64[us, UTC]"),
                             "submitted_at": pd.Series([], dtype="datetime64[us, UTC]"),
                             "minutes": pd.Series([], dtype=float)})
    first = history.sort_values(["_response_id", "_revision"], kind="stable").groupby("_response_id", sort=False).head(1)
    minutes = (first["_submitted_at"] - first["_started_at"]).dt.total_seconds() / 60
    minutes = minutes.where(minutes >= 0)
    # Whole columns, not .to_numpy(): that turns a time-zone-aware column into Python objects.
    return pd.DataFrame({"_response_id": first["_response_id"], "started_at": first["_started_at"],
                         "submitted_at": first["_submitted_at"],
                         "minutes": minutes.astype(float)}).reset_index(drop=True)


def salt(root: str | os.PathLike) -> bytes:
    """The data folder's secret salt for the duplicate check: created once (mode 0600), then read.

    A folder that cannot keep one gets a salt for this process only: hashes are
    only ever compared within one run of the check, never stored."""
    path = Path(root) / SALT_FILE
    for _ in range(2):
        try:
            text = path.read_text(encoding="ascii").strip()
            if re.fullmatch(r"[0-9a-f]{64}", text):
                return bytes.fromhex(text)
            return _process_salt
        except FileNotFoundError:
            pass
        except OSError:
            return _process_salt
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
            fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        except FileExistsError:
            continue   # another process made it meanwhile: read it
        except OSError:
            return _process_salt
        try:
            os.write(fd, secrets.token_hex(32).encode("ascii") + b"\n")
            os.fsync(fd)
        finally:
            os.close(fd)
    return _process_salt


def flags(store, instrument_id: str, lang: str = "en") -> pd.DataFrame:
    """The quality flags of every stored response of ``instrument_id`` (see the module docstring)."""
    return checked(store, instrument_id, lang)[2]


def checked(store, instrument_id: str, lang: str = "en") -> tuple[pd.DataFrame, pd.DataFrame, pd.DataFrame]:
    """(the current records, :func:`durations`, :func:`flags`) of ``instrument_id``, each table
    read once: what the monitor needs together."""
    inst = store.instrument(instrument_id)
    history = store.read(inst.id, history=True)
    times = _durations(history)
    if history.empty:
        return store.read(inst.id), times, pd.DataFrame({c: pd.Series([], dtype=object) for c in COLUMNS})
    current = current_revisions(history)
    members = {inst.table_name(r): store.read(inst.table_name(r)) for r in inst.repeats}
    return current, times, flag_frame(inst, current, times, members, salt(store.root), lang)


def current_revisions(history: pd.DataFrame) -> pd.DataFrame:
    """What ``store.read(table)`` gives, from the ``history=True`` read of the same moment: each
    response's latest revision, in the store's order (one read of the table instead of two)."""
    latest = history.groupby("_response_id", sort=False)["_revision"].transform("max")
    return history[(history["_revision"] == latest).to_numpy(dtype=bool)].reset_index(drop=True)


# ---- the checks --------------------------------------------------------------------------
def flag_frame(inst: Instrument, current: pd.DataFrame, times: pd.DataFrame,
               members: Mapping[str, pd.DataFrame] | None = None, key: bytes = b"", lang: str = "en") -> pd.DataFrame:
    """The flags of ``current`` (the main table's current revisions) given each response's
    ``times`` (:func:`durations`) and its repeat tables' rows: a pure function of the data."""
    rules = inst.quality
    current = current.reset_index(drop=True)
    members = members or {}
    times = times.assign(_response_id=times["_response_id"].astype(str)).set_index("_response_id") \
        .reindex(current["_response_id"].astype(str).to_numpy())
    done = completed(inst, current)
    counted = counted_rows(current)
    found: list[tuple[int, str, str]] = []
    found += _too_fast(inst, rules, current, times["minutes"].to_numpy(dtype=float), done, counted, lang)
    found += _straightlining(inst, rules, current, members, done, lang)
    found += _outliers(inst, rules, current, done, counted, lang)
    found += _many_missing(inst, rules, current, members, done, lang)
    found += _odd_hours(rules, times["submitted_at"], lang)
    found += _duplicates(inst, rules, current, counted, key, lang)
    order = {flag: i for i, flag in enumerate(FLAGS)}
    found.sort(key=lambda item: (item[0], order[item[1]]))
    ids = current["_response_id"].astype(str).to_numpy()
    return pd.DataFrame({"_response_id": [ids[i] for i, _, _ in found], "flag": [f for _, f, _ in found],
                         "detail": [d for _, _, d in found]}, columns=COLUMNS)


def _too_fast(inst, rules: QualityRules, frame, minutes: np.ndarray, done, counted, lang) -> list:
    if rules.min_minutes is None and rules.fast_ratio is None:
        return []
    out = []
    known = done & ~np.isnan(minutes)
    groups = frame[rules.size].astype("string").fillna("") if rules.size else pd.Series("", index=frame.index)
    reference = pd.Series(minutes).where(known & counted)
    median = reference.groupby(groups.to_numpy()).transform("median").to_numpy(dtype=float)
    peers = reference.groupby(groups.to_numpy()).transform("count").to_numpy(dtype=float)
    for i in np.flatnonzero(known):
        reasons = []
        if rules.min_minutes is not None and minutes[i] < rules.min_minutes:
            reasons.append(_text("min_minutes", lang, minutes=_num(minutes[i], lang),
                                 limit=_num(rules.min_minutes, lang, 0)))
        if rules.fast_ratio is not None and peers[i] >= rules.min_peers and minutes[i] < rules.fast_ratio * median[i]:
            who = (_text("peers_size", lang, question=rules.size, value=groups.iloc[i]) if rules.size
                   else _text("peers_all", lang))
            reasons.append(_text("median", lang, minutes=_num(minutes[i], lang), ratio=_num(100 * rules.fast_ratio, lang, 0),
                                 peers=who, median=_num(median[i], lang), n=int(peers[i])))
        if reasons:
            out.append((i, "too_fast", "; ".join(reasons)))
    return out


def _straightlining(inst, rules: QualityRules, frame, members, done, lang) -> list:
    out = []
    rows = {rid: i for i, rid in enumerate(frame["_response_id"].astype(str))}
    for block in rules.likert_blocks:
        if block.repeat is None:
            table, index, member = frame, np.arange(len(frame)), None
        else:
            table = members.get(inst.table_name(inst.question(block.repeat)))
            if table is None or table.empty:
                continue
            index = table["_response_id"].astype(str).map(rows).to_numpy(dtype=float, na_value=np.nan)
            keep = ~np.isnan(index)
            table, index = table[keep].reset_index(drop=True), index[keep].astype(int)
            member = table["_member_index"].to_numpy()
        present = [q for q in block.questions if q in table.columns]
        if len(present) < rules.min_block:
            continue
        values = table[present].astype("string")
        answered = values.notna().sum(axis=1).to_numpy()
        same = values.nunique(axis=1, dropna=True).to_numpy() == 1
        hit = (answered >= rules.min_block) & same & done[index]
        seen = set()
        for j in np.flatnonzero(hit):
            i = int(index[j])
            if i in seen:
                continue
            seen.add(i)
            answer = values.iloc[j].dropna().iloc[0]
            where = _text("member", lang, i=int(member[j]) + 1) if member is not None else ""
            question = inst.question(present[0])
            out.append((i, "straightlining", _text("straight", lang, where=where, n=int(answered[j]),
                                                   first=present[0], last=present[-1],
                                                   answer=_choice_label(question, answer, lang))))
    return out


def _robust_scale(deviations: np.ndarray) -> float:
    """A standard deviation that outliers do not inflate: IQR / 1.349, else 1.4826 MAD, else
    1.2533 mean absolute deviation (each equals the SD of normal data); 0 when all are equal."""
    q1, q3 = np.percentile(deviations, [25, 75])
    for scale in ((q3 - q1) / 1.349, 1.4826 * np.median(np.abs(deviations)), 1.2533 * np.mean(np.abs(deviations))):
        if scale > 0:
            return float(scale)
    return 0.0


def _outliers(inst, rules: QualityRules, frame, done, counted, lang) -> list:
    if not rules.outliers:
        return []
    out = []
    if rules.outlier_within and rules.outlier_within in frame.columns:
        groups = frame[rules.outlier_within].astype("string").fillna("").to_numpy(dtype=object)
    else:
        groups = np.full(len(frame), "", dtype=object)
    within = inst.question(rules.outlier_within) if rules.outlier_within else None
    for rule in rules.outliers:
        if rule.question not in frame.columns:
            continue
        raw = pd.to_numeric(frame[rule.question], errors="coerce").to_numpy(dtype=float, na_value=np.nan)
        x = np.log1p(np.clip(raw, 0, None)) if rule.scale == "log" else raw
        usable = done & ~np.isnan(x)
        reference = pd.Series(np.where(usable & counted, x, np.nan))
        by = reference.groupby(groups)
        centre = by.transform("median").to_numpy(dtype=float)
        enough = by.transform("count").to_numpy(dtype=float) >= rules.outlier_min_group
        pooled = (x - centre)[usable & counted & enough]
        scale = _robust_scale(pooled) if len(pooled) >= rules.outlier_min_group else 0.0
        if scale == 0:
            continue
        z = np.abs(x - centre) / scale
        for i in np.flatnonzero(usable & enough & (z > rule.limit)):
            group = groups[i]
            name = (within.choices.get(group, {}).get(lang, group) if within is not None and group
                    else _text("all_group", lang))
            middle = math.expm1(centre[i]) if rule.scale == "log" else centre[i]
            out.append((int(i), "outlier", _text("outlier", lang, question=rule.question,
                                                  value=_num(raw[i], lang, 0 if float(raw[i]).is_integer() else 1),
                                                  group=name, median=_num(middle, lang, 0), z=_num(z[i], lang))))
    return out


def _python(value: Any) -> Any:
    """A stored cell as the evaluator takes it (None when unanswered)."""
    if value is None or value is pd.NA or value is pd.NaT:
        return None
    if isinstance(value, float) and math.isnan(value):
        return None
    if isinstance(value, pd.Timestamp):
        return value.date()
    if isinstance(value, np.generic):
        return value.item()
    if isinstance(value, (list, tuple, np.ndarray)):
        return tuple(str(v) for v in value) or None
    return value


def _codes(column: pd.Series) -> tuple[np.ndarray, list]:
    """(code per row, -1 when unanswered; the distinct answers as the evaluator takes them)."""
    if column.dtype == object:   # select_multiple lists: hashable as tuples
        column = pd.Series([tuple(v) if isinstance(v, (list, np.ndarray)) else v for v in column], dtype=object)
    codes, uniques = pd.factorize(column, use_na_sentinel=True)
    return codes, [_python(u) for u in uniques]


def _asked(q: Question, context: pd.DataFrame, today: dt.date) -> np.ndarray:
    """Per row, whether ``q`` is relevant: its expression evaluated once per distinct
    combination of the answers it refers to."""
    if q.relevant is None:
        return np.ones(len(context), dtype=bool)
    refs = sorted(r for r in q.relevant.references if r in context.columns)
    if not refs or len(context) == 0:
        return np.full(len(context), is_relevant(q, {}, today), dtype=bool)
    key = np.zeros(len(context), dtype=np.int64)
    parts = []
    for ref in refs:
        codes, values = _codes(context[ref])
        key = key * (len(values) + 1) + (codes + 1)
        parts.append((ref, codes, values))
    _, first, inverse = np.unique(key, return_index=True, return_inverse=True)
    relevant = []
    for row in first:
        answers = {ref: (list(values[codes[row]]) if isinstance(values[codes[row]], tuple) else values[codes[row]])
                   for ref, codes, values in parts if codes[row] >= 0 and values[codes[row]] is not None}
        relevant.append(is_relevant(q, answers, today))
    return np.asarray(relevant, dtype=bool)[inverse.reshape(-1)]


def _missing_counts(questions: Iterable[Question], context: pd.DataFrame, rules: QualityRules,
                    today: dt.date) -> tuple[np.ndarray, np.ndarray]:
    """Per row: (asked questions that allow no answer, those left without one).

    A question allows no answer when it is optional (not a select_multiple: an empty
    selection answers "none of these") or offers one of the missing choices; it counts
    when skip logic asked it and it is not ignored."""
    countable = np.zeros(len(context), dtype=int)
    missing = np.zeros(len(context), dtype=int)
    dont_know = set(rules.missing_choices)
    for q in questions:
        if not q.stores_answer or q.type in ("calculate", "repeat") or q.name not in context.columns \
                or q.name in rules.missing_ignore:
            continue
        offers = bool(dont_know & set(q.choices))
        optional = not q.required and q.type != "select_multiple"
        if not (optional or offers):
            continue
        asked = _asked(q, context, today)
        column = context[q.name]
        gap = np.zeros(len(context), dtype=bool)
        if optional:
            gap |= column.isna().to_numpy(dtype=bool)
        if offers and q.type == "select_one":
            gap |= column.astype("string").isin(dont_know).to_numpy(dtype=bool)
        elif offers:
            gap |= np.array([isinstance(v, (list, tuple, np.ndarray)) and bool(dont_know & set(map(str, v)))
                             for v in column], dtype=bool)
        countable += asked
        missing += asked & gap
    return countable, missing


def _many_missing(inst, rules: QualityRules, frame, members, done, lang) -> list:
    if rules.missing_share is None:
        return []
    today = survey_today()
    asked, missing = _missing_counts([q for q in inst.questions if q.type != "repeat"], frame, rules, today)
    position = pd.Series(np.arange(len(frame)), index=frame["_response_id"].astype(str))
    for repeat in inst.repeats:
        table = members.get(inst.table_name(repeat))
        if table is None or table.empty:
            continue
        rows = table["_response_id"].astype(str).map(position).to_numpy(dtype=float, na_value=np.nan)
        keep = ~np.isnan(rows)
        table, rows = table[keep].reset_index(drop=True), rows[keep].astype(int)
        outer = [r for q in repeat.questions if q.relevant is not None for r in q.relevant.references]
        extra = {r: frame[r].to_numpy()[rows] for r in set(outer) if r in frame.columns and r not in table.columns}
        context = table.assign(**extra) if extra else table
        a, m = _missing_counts(repeat.questions, context, rules, today)
        asked += np.bincount(rows, weights=a, minlength=len(frame)).astype(int)
        missing += np.bincount(rows, weights=m, minlength=len(frame)).astype(int)
    out = []
    with np.errstate(divide="ignore", invalid="ignore"):
        share = np.where(asked > 0, missing / np.maximum(asked, 1), 0.0)
    for i in np.flatnonzero(done & (share > rules.missing_share)):
        out.append((int(i), "many_missing", _text("missing", lang, missing=int(missing[i]), asked=int(asked[i]),
                                                   share=_num(100 * share[i], lang, 0))))
    return out


def _odd_hours(rules: QualityRules, submitted: pd.Series, lang) -> list:
    local = pd.to_datetime(submitted, utc=True).dt.tz_convert(SURVEY_TIMEZONE)
    minute = (local.dt.hour * 60 + local.dt.minute).to_numpy(dtype=float, na_value=np.nan)
    start = rules.odd_from.hour * 60 + rules.odd_from.minute
    end = rules.odd_to.hour * 60 + rules.odd_to.minute
    odd = (minute >= start) | (minute < end) if start > end else (minute >= start) & (minute < end)
    sep = "." if lang == "id" else ":"
    return [(int(i), "odd_hour", _text("odd_hour", lang, time=f"{int(minute[i]) // 60:02d}{sep}{int(minute[i]) % 60:02d}"))
            for i in np.flatnonzero(odd & ~np.isnan(minute))]


_SPACES = re.compile(r"\s+")


def _normal(value: Any) -> str | None:
    """Text compared as a person would: Unicode-normalised, case-folded, blanks collapsed."""
    if value is None or value is pd.NA or (isinstance(value, float) and math.isnan(value)):
        return None
    text = _SPACES.sub(" ", unicodedata.normalize("NFKC", str(value)).casefold()).strip()
    return text or None


def _phone(value: Any) -> str | None:
    text = _normal(value)
    if text is None:
        return None
    digits = re.sub(r"\D", "", text)
    return "0" + digits[2:] if digits.startswith("62") else digits or None


def _hash(key: bytes, parts: Iterable[str]) -> str:
    return hmac.digest(key, "\x1f".join(parts).encode("utf-8"), "sha256").hex()


def _each_distinct(values: pd.Series, function) -> np.ndarray:
    """``function`` of each value, computed once per distinct value (a kelurahan repeats
    thousands of times, names and phones often); None for a missing value."""
    codes, uniques = pd.factorize(values)
    lookup = np.empty(len(uniques) + 1, dtype=object)
    lookup[:-1] = [function(v) for v in uniques]
    lookup[-1] = None          # factorize's code -1: a missing value
    return lookup[codes]


def _duplicates(inst, rules: QualityRules, frame, counted, key: bytes, lang) -> list:
    if not rules.duplicate_match or any(q not in frame.columns for q in rules.duplicate_match):
        return []
    # PII is hashed at once; only the hashes are compared.
    parts = [_each_distinct(frame[q], _normal) for q in rules.duplicate_match]
    household = [None if any(p is None for p in row) else _hash(key, row) for row in zip(*parts)]
    phone = (_each_distinct(frame[rules.duplicate_phone], lambda v: None if (p := _phone(v)) is None
                            else _hash(key, ["phone", p]))
             if rules.duplicate_phone and rules.duplicate_phone in frame.columns else [None] * len(frame))
    del parts
    ids = frame["_response_id"].astype(str).to_numpy()
    groups: dict[str, list[int]] = {}
    for i, h in enumerate(household):
        if h is not None:
            groups.setdefault(h, []).append(i)
    what = ", ".join(rules.duplicate_match)
    out = []
    for rows in groups.values():
        if len(rows) < 2:
            continue
        for i in rows:
            matches = [j for j in rows if j != i and counted[j]
                       and (phone[i] is None or phone[j] is None or phone[i] == phone[j])]
            if not matches:
                continue
            both_phone = any(phone[i] is not None and phone[i] == phone[j] for j in matches)
            shown = ", ".join(ids[j][:8] for j in matches[:3]) + (" …" if len(matches) > 3 else "")
            out.append((i, "duplicate_household", _text("duplicate", lang, what=what + (
                _text("phone_too", lang) if both_phone else ""), others=shown)))
    return out
