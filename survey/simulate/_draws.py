"""Small helpers for seeded random draws and the answers made from them.

Every generator takes its own stream from `random_stream(seed, purpose)`, so adding
draws to one instrument never changes another's answers.
"""

from __future__ import annotations

import math
import random
from typing import Any, Sequence


def random_stream(seed: int, stream: str) -> random.Random:
    """An independent, reproducible stream per purpose (str seeds are hashed stably)."""
    return random.Random(f"{seed}/{stream}")


def logistic(x: float) -> float:
    return 1.0 / (1.0 + math.exp(-x))


def chance(rng: random.Random, p: float) -> bool:
    return rng.random() < p


def yes(flag: bool) -> str:
    return "yes" if flag else "no"


def weighted(rng: random.Random, options: Sequence[tuple[Any, float]]) -> Any:
    values, weights = zip(*options)
    return rng.choices(values, weights=weights)[0]


def some(rng: random.Random, probabilities: Sequence[tuple[str, float]], at_least_one: bool) -> list[str]:
    """Each option independently with its probability, in list order; optionally never empty."""
    picked = [name for name, p in probabilities if chance(rng, p)]
    if not picked and at_least_one:
        picked = [weighted(rng, probabilities)]
    return picked
