"""A cheap Argon2id hasher for tests that log in but are not about hashing.

Production hashing (survey.fieldwork.accounts.DEFAULT_HASHER: m=64 MiB, t=3, p=4) costs
about a second a hash on the test machine, and the app's tests log in hundreds of times.
The accounts module's own tests keep the real one and check its parameters.
"""

from __future__ import annotations

from pathlib import Path

from argon2 import PasswordHasher

from survey.fieldwork.accounts import Accounts

CHEAP_HASHER = PasswordHasher(time_cost=1, memory_cost=8, parallelism=1)


def cheap_accounts(root: Path, **options) -> Accounts:
    """The accounts of `root`, hashed as the UI tests' app hashes them (CHEAP_HASHER)."""
    return Accounts(root, hasher=CHEAP_HASHER, **options)
