"""The sampling design and frame of the household survey.

Households come from a stratified two-stage design over Surakarta (Lohr, *Sampling:
Design and Analysis*, ch. 6): strata are the 5 kecamatan; stage 1 draws census blocks
(PSUs) by simple random sampling without replacement, allocated to strata in
proportion to their households; stage 2 draws about 10 households per PSU, again by
simple random sampling. `sample_frame()` gives each sampled PSU's selection
probabilities, so the base weight of a household is 1 / (prob_psu * prob_within);
`write_frame()` saves them as CSV, with each stage's population size
(``psus_in_stratum`` census blocks in the kecamatan, ``households_in_psu`` households in
the block): the finite population corrections of the household design's two-stage
variance (R's ``fpc=~N1+N2``). `population_counts()` are the population totals a
statistics office would publish for calibration (households per kecamatan: the whole
frame's; persons per kecamatan and sex: households times the simulator's mean
household size and share of men), written by `write_population()` as population.csv.
`kelurahan_auxiliaries()` are what a census or Podes would give per kelurahan for the small-area
model (households from the frame; persons, shares with electricity and with senior secondary
schooling drawn once, fixed for all seeds), written by `write_kelurahan()` as kelurahan.csv.
"""

from __future__ import annotations

import csv
import io
import math
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Sequence

from survey.simulate._city import STRATA
from survey.simulate._draws import random_stream
from survey.store.durable import replace_bytes

HOUSEHOLDS_PER_PSU = 10
HOUSEHOLD_SIZES = ((1, 8), (2, 16), (3, 22), (4, 23), (5, 15), (6, 8), (7, 4), (8, 2), (9, 1), (10, 1))
MALE_SHARE = 0.495  # of the simulator's members: heads 82% men, their spouses women, others half and half
POPULATION_COLUMNS = ("unit", "kecamatan", "sex", "total")
KELURAHAN_COLUMNS = ("kelurahan", "households", "population", "electricity_share", "senior_secondary_share")


@dataclass(frozen=True)
class FramePSU:
    """One sampled census block and its selection probabilities."""

    kecamatan: str
    psu: str
    households_in_psu: int
    psus_in_stratum: int
    prob_psu: float
    prob_within: float
    kelurahan: str
    rw: int
    households_sampled: int

    @property
    def base_weight(self) -> float:
        return 1.0 / (self.prob_psu * self.prob_within)


FRAME_COLUMNS = ("kecamatan", "psu", "households_in_psu", "psus_in_stratum", "prob_psu", "prob_within",
                 "kelurahan", "rw", "households_sampled")


def _population(stratum: str) -> list[tuple[str, str, int, int]]:
    """The frame of one stratum: (psu code, kelurahan, rw, households), fixed for all seeds."""
    prefix, blocks, kelurahan = STRATA[stratum]
    rng = random_stream(0, f"frame/{stratum}")
    out = []
    for i in range(blocks):
        village = kelurahan[i * len(kelurahan) // blocks]  # contiguous codes per kelurahan
        out.append((f"{prefix}-{i + 1:03d}", village, rng.randint(1, 15), rng.randint(60, 160)))
    return out


def _allocate(total: int, sizes: Sequence[int], minimum: int) -> list[int]:
    """Split `total` in proportion to `sizes` (largest remainder), each at least `minimum`."""
    base = [minimum] * len(sizes)
    rest = total - minimum * len(sizes)
    shares = [rest * s / sum(sizes) for s in sizes]
    alloc = [b + math.floor(x) for b, x in zip(base, shares)]
    order = sorted(range(len(sizes)), key=lambda i: shares[i] - math.floor(shares[i]), reverse=True)
    for i in order[: total - sum(alloc)]:
        alloc[i] += 1
    return alloc


def sample_frame(n: int, seed: int) -> list[FramePSU]:
    """The sampled PSUs for `n` households, with their selection probabilities.

    PSUs: about n/10, allocated to strata in proportion to households (at least one
    each when there are 5 or more). When a stratum would need more PSUs than it has,
    all of them are taken (prob_psu = 1) and each gets more households; a PSU asked
    for more households than it holds is enlarged, so prob_within stays at most 1.
    """
    if n < 1:
        raise ValueError("n must be at least 1")
    rng = random_stream(seed, "sample")
    strata = list(STRATA)
    populations = {s: _population(s) for s in strata}
    households = [sum(p[3] for p in populations[s]) for s in strata]
    n_psu = max(1, round(n / HOUSEHOLDS_PER_PSU))
    if n_psu >= len(strata):
        psu_alloc = _allocate(n_psu, households, 1)
    else:  # too few PSUs for every stratum: the largest strata get one each
        largest = sorted(range(len(strata)), key=lambda i: households[i], reverse=True)[:n_psu]
        psu_alloc = [1 if i in largest else 0 for i in range(len(strata))]
    psu_alloc = [min(k, len(populations[s])) for k, s in zip(psu_alloc, strata)]
    hh_alloc = _allocate(n, [k * HOUSEHOLDS_PER_PSU for k in psu_alloc], 0)

    frame = []
    for stratum, k, m_total in zip(strata, psu_alloc, hh_alloc):
        if k == 0:
            continue
        population = populations[stratum]
        chosen = sorted(rng.sample(range(len(population)), k))
        for j, index in enumerate(chosen):
            code, village, rw, size = population[index]
            m = m_total // k + (1 if j < m_total % k else 0)
            size = max(size, m)
            frame.append(FramePSU(stratum, code, size, len(population), k / len(population), m / size,
                                  village, rw, m))
    return frame


def write_frame(frame: Sequence[FramePSU], path: Path) -> None:
    """``frame`` as CSV, replacing ``path`` atomically: the app may be reading it meanwhile."""
    buffer = io.StringIO(newline="")
    writer = csv.writer(buffer)
    writer.writerow(FRAME_COLUMNS)
    for row in frame:
        writer.writerow([getattr(row, column) for column in FRAME_COLUMNS])
    replace_bytes(path, buffer.getvalue().encode("utf-8"))


def read_frame(path: Path) -> list[FramePSU]:
    """A frame.csv as this module writes it; ValueError when it is not one."""
    with open(path, newline="", encoding="utf-8-sig") as handle:
        reader = csv.DictReader(handle)
        if tuple(reader.fieldnames or ()) [:len(FRAME_COLUMNS)] != FRAME_COLUMNS:
            raise ValueError(f"{path} does not have the simulator's columns {', '.join(FRAME_COLUMNS)}")
        try:
            return [FramePSU(row["kecamatan"], row["psu"], int(row["households_in_psu"]), int(row["psus_in_stratum"]),
                             float(row["prob_psu"]), float(row["prob_within"]), row["kelurahan"], int(row["rw"]),
                             int(row["households_sampled"])) for row in reader]
        except (TypeError, ValueError) as exc:
            raise ValueError(f"{path} has a row the simulator cannot read: {exc}") from None


def merge_frames(old: Sequence[FramePSU], new: Sequence[FramePSU]) -> list[FramePSU]:
    """The frame of a store that already holds ``old``'s sample and gets ``new``'s as well.

    A PSU in both (a row that differs: another seed or size) has both samples' households,
    the union's PSUs per stratum set ``prob_psu``, and ``prob_within`` follows the summed
    households; a row repeated as it was (the same run again, whose interviews the store
    ignores as duplicates) changes nothing. Synthetic data only: a union of two simple
    random samples is treated as one."""
    merged = {(row.kecamatan, row.psu): row for row in old}
    for row in new:
        key = (row.kecamatan, row.psu)
        before = merged.get(key)
        if before is None:
            merged[key] = row
        elif before != row:
            sampled = before.households_sampled + row.households_sampled
            size = max(before.households_in_psu, sampled)
            merged[key] = replace(before, households_in_psu=size, households_sampled=sampled,
                                  prob_within=sampled / size)
    taken: dict[str, int] = {}
    for stratum, _ in merged:
        taken[stratum] = taken.get(stratum, 0) + 1
    return [replace(row, prob_psu=taken[row.kecamatan] / row.psus_in_stratum) for row in merged.values()]


def population_counts() -> list[tuple[str, str, str, int]]:
    """(unit, kecamatan, sex, total): households per kecamatan, persons per kecamatan and sex."""
    mean_size = sum(size * w for size, w in HOUSEHOLD_SIZES) / sum(w for _, w in HOUSEHOLD_SIZES)
    rows = []
    for stratum in STRATA:
        households = sum(block[3] for block in _population(stratum))
        rows.append(("household", stratum, "", households))
        persons = households * mean_size
        rows.append(("person", stratum, "male", round(persons * MALE_SHARE)))
        rows.append(("person", stratum, "female", round(persons * (1 - MALE_SHARE))))
    return rows


def write_population(path: Path) -> None:
    """population.csv, replacing ``path`` atomically."""
    buffer = io.StringIO(newline="")
    writer = csv.writer(buffer)
    writer.writerow(POPULATION_COLUMNS)
    writer.writerows(population_counts())
    replace_bytes(path, buffer.getvalue().encode("utf-8"))


def kelurahan_auxiliaries() -> list[tuple[str, int, int, float, float]]:
    """(kelurahan, households, population, electricity_share, senior_secondary_share), one per kelurahan."""
    rng = random_stream(0, "kelurahan")
    rows = []
    for stratum in STRATA:
        households: dict[str, int] = {}
        for _, village, _, size in _population(stratum):
            households[village] = households.get(village, 0) + size
        for village, count in households.items():
            persons = round(count * rng.uniform(3.3, 4.3))   # not a multiple of households: two auxiliaries
            rows.append((village, count, persons, round(rng.uniform(97.0, 100.0), 1),
                         round(rng.uniform(35.0, 70.0), 1)))
    return rows


def write_kelurahan(path: Path) -> None:
    """kelurahan.csv, replacing ``path`` atomically."""
    buffer = io.StringIO(newline="")
    writer = csv.writer(buffer)
    writer.writerow(KELURAHAN_COLUMNS)
    writer.writerows(kelurahan_auxiliaries())
    replace_bytes(path, buffer.getvalue().encode("utf-8"))
