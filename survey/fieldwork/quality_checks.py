"""The six quality checks of survey.fieldwork.quality, each a pure function of the data.

What each flag means, its thresholds (the instrument's ``quality:`` block,
survey.questionnaire.quality_rules) and the statistics behind them are in the
docstring of survey.fieldwork.quality, whose ``flag_frame`` calls these. Each check
takes the main table's current revisions (``frame``, one row per response) and
returns ``(row, flag, detail)`` triples; the detail, in ``lang``, has numbers only:
no answer that identifies anyone (names and phones are compared as keyed hashes).
"""

from __future__ import annotations

import datetime as dt
import hmac
import math
import re
import unicodedata
from typing import Any, Iterable

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from survey.locale import WIB, number, pick, text
from survey.questionnaire.model import Question
from survey.questionnaire.quality_rules import QualityRules
from survey.questionnaire.validate import is_relevant, survey_today

__all__ = ["DETAILS", "duplicate_keys", "duplicates", "many_missing", "missing_counts", "odd_hours", "outliers",
           "straightlining", "too_fast"]


# ---- texts -------------------------------------------------------------------------------
DETAILS = {  # a flag's detail, read with survey.locale.text
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
    "odd_hour": {"en": "started at {time} WIB", "id": "dimulai pukul {time} WIB"},
    "odd_hour_sent": {"en": "submitted at {time} WIB (start not recorded)",
                      "id": "dikirim pukul {time} WIB (waktu mulai tidak tercatat)"},
    "duplicate": {"en": "same {what} as {others}", "id": "{what} sama dengan {others}"},
    "phone_too": {"en": " (and phone)", "id": " (dan telepon)"},
}


def _choice_label(q: Question, value: Any, lang: str) -> str:
    labels = q.choices.get(str(value))
    return f"“{pick(labels, lang)}”" if labels else f"“{value}”"


# ---- the checks --------------------------------------------------------------------------
def too_fast(inst, rules: QualityRules, frame, minutes: np.ndarray, done, counted, lang) -> list:
    if rules.min_minutes is None and rules.fast_ratio is None:
        return []
    out = []
    known = done & ~np.isnan(minutes)
    groups = frame[rules.size].astype("string").fillna("") if rules.size else pd.Series("", index=frame.index)
    reference = pd.Series(minutes).where(known & counted)
    median = reference.groupby(groups.to_numpy()).transform("median").to_numpy(dtype=float)
    peers = reference.groupby(groups.to_numpy()).transform("count").to_numpy(dtype=float)
    with np.errstate(invalid="ignore"):
        short = known & (minutes < rules.min_minutes) if rules.min_minutes is not None else np.zeros_like(known)
        quick = known & (peers >= rules.min_peers) & (minutes < rules.fast_ratio * median) \
            if rules.fast_ratio is not None else np.zeros_like(known)
    for i in np.flatnonzero(short | quick):   # the texts only for the interviews flagged
        reasons = []
        if short[i]:
            reasons.append(text(DETAILS, "min_minutes", lang, minutes=number(minutes[i], lang),
                                 limit=number(rules.min_minutes, lang, 0)))
        if quick[i]:
            who = (text(DETAILS, "peers_size", lang, question=rules.size, value=groups.iloc[i]) if rules.size
                   else text(DETAILS, "peers_all", lang))
            reasons.append(text(DETAILS, "median", lang, minutes=number(minutes[i], lang), ratio=number(100 * rules.fast_ratio, lang, 0),
                                 peers=who, median=number(median[i], lang), n=int(peers[i])))
        out.append((int(i), "too_fast", "; ".join(reasons)))
    return out


def straightlining(inst, rules: QualityRules, frame, members, done, lang) -> list:
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
        same = one_answer(values)
        hit = (answered >= rules.min_block) & same & done[index]
        seen = set()
        for j in np.flatnonzero(hit):
            i = int(index[j])
            if i in seen:
                continue
            seen.add(i)
            answer = values.iloc[j].dropna().iloc[0]
            where = text(DETAILS, "member", lang, i=int(member[j]) + 1) if member is not None else ""
            question = inst.question(present[0])
            out.append((i, "straightlining", text(DETAILS, "straight", lang, where=where, n=int(answered[j]),
                                                   first=present[0], last=present[-1],
                                                   answer=_choice_label(question, answer, lang))))
    return out


def one_answer(values) -> np.ndarray:
    """Per row of ``values`` (text columns): True when its answers, gaps left out, are all one
    answer: ``values.nunique(axis=1) == 1`` without a Python call per row (0.3 s for 2,000
    civil servants), by codes shared by every column (Arrow's dictionary encoding)."""
    if values.shape[1] == 0 or len(values) == 0:
        return np.zeros(len(values), dtype=bool)
    joined = pa.chunked_array([pa.array(values[c].array, type=pa.string()) for c in values.columns]).combine_chunks()
    codes = pc.dictionary_encode(joined).indices.fill_null(-1).to_numpy(zero_copy_only=False)
    codes = codes.astype(np.int64).reshape(values.shape[1], len(values)).T
    answered = codes >= 0
    high = np.where(answered, codes, -1).max(axis=1)
    low = np.where(answered, codes, np.iinfo(np.int64).max).min(axis=1)
    return answered.any(axis=1) & (high == low)


def _robust_scale(deviations: np.ndarray) -> float:
    """A standard deviation that outliers do not inflate: IQR / 1.349, else 1.4826 MAD, else
    1.2533 mean absolute deviation (each equals the SD of normal data); 0 when all are equal."""
    q1, q3 = np.percentile(deviations, [25, 75])
    for scale in ((q3 - q1) / 1.349, 1.4826 * np.median(np.abs(deviations)), 1.2533 * np.mean(np.abs(deviations))):
        if scale > 0:
            return float(scale)
    return 0.0


def outliers(inst, rules: QualityRules, frame, done, counted, lang) -> list:
    if not rules.outliers:
        return []
    out = []
    # groups by integer codes (a gap is the group ""): grouping 100,000 texts took 5 ms per statistic
    if rules.outlier_within and rules.outlier_within in frame.columns:
        codes, names = pd.factorize(frame[rules.outlier_within].astype("string").fillna(""))
        names = np.asarray(names, dtype=object)
    else:
        codes, names = np.zeros(len(frame), dtype=np.intp), np.array([""], dtype=object)
    within = inst.question(rules.outlier_within) if rules.outlier_within else None
    for rule in rules.outliers:
        if rule.question not in frame.columns:
            continue
        raw = pd.to_numeric(frame[rule.question], errors="coerce").to_numpy(dtype=float, na_value=np.nan)
        x = np.log1p(np.clip(raw, 0, None)) if rule.scale == "log" else raw
        usable = done & ~np.isnan(x)
        reference = pd.Series(np.where(usable & counted, x, np.nan))
        by = reference.groupby(codes)
        centre = by.transform("median").to_numpy(dtype=float)
        enough = by.transform("count").to_numpy(dtype=float) >= rules.outlier_min_group
        pooled = (x - centre)[usable & counted & enough]
        scale = _robust_scale(pooled) if len(pooled) >= rules.outlier_min_group else 0.0
        if scale == 0:
            continue
        z = np.abs(x - centre) / scale
        for i in np.flatnonzero(usable & enough & (z > rule.limit)):
            group = str(names[codes[i]])
            name = (pick(within.choices.get(group), lang) or group if within is not None and group
                    else text(DETAILS, "all_group", lang))
            middle = math.expm1(centre[i]) if rule.scale == "log" else centre[i]
            out.append((int(i), "outlier", text(DETAILS, "outlier", lang, question=rule.question,
                                                  value=number(raw[i], lang, 0 if float(raw[i]).is_integer() else 1),
                                                  group=name, median=number(middle, lang, 0), z=number(z[i], lang))))
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
        if not q.kind.entered or q.name not in context.columns \
                or q.name in rules.missing_ignore:
            continue
        offers = bool(dont_know & set(q.choices))
        optional = not q.required and q.kind.choices != "many"
        if not (optional or offers):
            continue
        asked = _asked(q, context, today)
        column = context[q.name]
        gap = np.zeros(len(context), dtype=bool)
        if optional:
            gap |= column.isna().to_numpy(dtype=bool)
        if offers and q.kind.choices == "one":
            gap |= column.astype("string").isin(dont_know).to_numpy(dtype=bool)
        elif offers:
            gap |= np.array([isinstance(v, (list, tuple, np.ndarray)) and bool(dont_know & set(map(str, v)))
                             for v in column], dtype=bool)
        countable += asked
        missing += asked & gap
    return countable, missing


def missing_counts(inst, rules: QualityRules, frame, members, today: dt.date | None = None) -> tuple[np.ndarray, np.ndarray]:
    """Per response: (questions asked that allow no answer, those left without one), main form
    and every roster item (see many_missing); each row's counts depend on its own answers only."""
    today = survey_today() if today is None else today
    asked, missing = _missing_counts([q for q in inst.questions if not q.kind.is_repeat], frame, rules, today)
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
    return asked, missing


def many_missing(inst, rules: QualityRules, frame, members, done, lang, counts=None) -> list:
    """``counts``: :func:`missing_counts` of ``frame``, when known already."""
    if rules.missing_share is None:
        return []
    asked, missing = missing_counts(inst, rules, frame, members) if counts is None else counts
    out = []
    with np.errstate(divide="ignore", invalid="ignore"):
        share = np.where(asked > 0, missing / np.maximum(asked, 1), 0.0)
    for i in np.flatnonzero(done & (share > rules.missing_share)):
        out.append((int(i), "many_missing", text(DETAILS, "missing", lang, missing=int(missing[i]), asked=int(asked[i]),
                                                   share=number(100 * share[i], lang, 0))))
    return out


def odd_hours(rules: QualityRules, started: pd.Series, submitted: pd.Series, lang) -> list:
    """The interview's own start, in WIB (when it was sent says when the tablet found a
    network, not when anyone was interviewed); the first submission only where no start is known."""
    began = pd.to_datetime(started, utc=True)
    known = began.notna().to_numpy(dtype=bool)
    local = began.where(known, pd.to_datetime(submitted, utc=True)).dt.tz_convert(WIB)
    minute = (local.dt.hour * 60 + local.dt.minute).to_numpy(dtype=float, na_value=np.nan)
    start = rules.odd_from.hour * 60 + rules.odd_from.minute
    end = rules.odd_to.hour * 60 + rules.odd_to.minute
    odd = (minute >= start) | (minute < end) if start > end else (minute >= start) & (minute < end)
    sep = "." if lang == "id" else ":"
    return [(int(i), "odd_hour", text(DETAILS, "odd_hour" if known[i] else "odd_hour_sent", lang,
                                       time=f"{int(minute[i]) // 60:02d}{sep}{int(minute[i]) % 60:02d}"))
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


def duplicate_keys(rules: QualityRules, frame, key: bytes) -> tuple[list, list]:
    """Per response: (the keyed hash of its ``duplicate.match`` answers, of its phone), None where
    an answer is missing; each row's hashes depend on its own answers only."""
    # PII is hashed at once; only the hashes are kept and compared.
    parts = [_each_distinct(frame[q], _normal) for q in rules.duplicate_match]
    household = [None if any(p is None for p in row) else _hash(key, row) for row in zip(*parts)]
    phone = (list(_each_distinct(frame[rules.duplicate_phone], lambda v: None if (p := _phone(v)) is None
                                 else _hash(key, ["phone", p])))
             if rules.duplicate_phone and rules.duplicate_phone in frame.columns else [None] * len(frame))
    return household, phone


def duplicates(inst, rules: QualityRules, frame, counted, key: bytes, lang, hashes=None, memo: dict | None = None) -> list:
    """``hashes``: :func:`duplicate_keys` of ``frame``, when known already; ``memo``: a dict kept
    between calls (survey.fieldwork.quality_rows), holding each group of repeated answers' flags
    by what they depend on (its responses, which of them count, their phones' hashes, the
    language), so that only the groups a change touched are worked out again."""
    if not rules.duplicate_match or any(q not in frame.columns for q in rules.duplicate_match):
        return []
    household, phone = duplicate_keys(rules, frame, key) if hashes is None else hashes
    ids = frame["_response_id"].astype(str).to_numpy()
    codes = pd.Series(household, dtype=object)
    repeated = np.flatnonzero(codes.notna().to_numpy() & codes.duplicated(keep=False).to_numpy())
    groups: dict[str, list[int]] = {}
    for i in repeated:     # only the answers that occur more than once
        groups.setdefault(household[i], []).append(int(i))
    what = ", ".join(rules.duplicate_match)
    out = []
    used: dict = {}
    for rows in groups.values():
        if memo is None:
            found = _group_flags(rows, ids, counted, phone, what, lang)
        else:
            # one text, not tuples: the memo outlives the call, and text is no work for the garbage collector
            group = "\x1e".join((lang, what, "\x1f".join([ids[j] for j in rows]),
                                  "".join(["1" if counted[j] else "0" for j in rows]),
                                  "\x1f".join(["" if phone[j] is None else phone[j] for j in rows])))
            found = memo.get(group)
            if found is None:
                found = _group_flags(rows, ids, counted, phone, what, lang)
            used[group] = found
        out.extend((rows[k], "duplicate_household", detail) for k, detail in found)
    if memo is not None:   # only the groups of this call: the others changed or went
        memo.clear()
        memo.update(used)
    return out


def _group_flags(rows: list[int], ids, counted, phone, what: str, lang) -> list[tuple[int, str]]:
    """(place in ``rows``, detail) of each response of one group of the same answers that
    repeats another response that counts (and has the same phone where both have one)."""
    out = []
    for k, i in enumerate(rows):
        matches = [j for j in rows if j != i and counted[j]
                   and (phone[i] is None or phone[j] is None or phone[i] == phone[j])]
        if not matches:
            continue
        both_phone = any(phone[i] is not None and phone[i] == phone[j] for j in matches)
        shown = ", ".join(ids[j][:8] for j in matches[:3]) + (" …" if len(matches) > 3 else "")
        out.append((k, text(DETAILS, "duplicate", lang, what=what + (
            text(DETAILS, "phone_too", lang) if both_phone else ""), others=shown)))
    return out
