"""Hadamard matrices as R's ``survey::hadamard`` builds them, for BRR and Fay replicates.

R keeps four precooked 0/1 matrices (orders 4, 16, 28, 36), builds larger ones by
Paley's construction from a prime p = 3 (mod 4) (Paley 1933) or by Sylvester doubling
``[[H, H], [H, 1 - H]]``, and picks the order as ``hadamard(n)`` does (survey 4.1), so
the BRR half-samples here are R's, column for column.
"""

from __future__ import annotations

from functools import cache

import numpy as np

_PRECOOKED = (
    (  # 4 x 4
    "1111",
    "1010",
    "1100",
    "1001",
    ),
    (  # 16 x 16
    "1111111111111111",
    "1010101010101010",
    "1100110011001100",
    "1001100110011001",
    "1111000011110000",
    "1010010110100101",
    "1100001111000011",
    "1001011010010110",
    "1111111100000000",
    "1010101001010101",
    "1100110000110011",
    "1001100101100110",
    "1111000000001111",
    "1010010101011010",
    "1100001100111100",
    "1001011001101001",
    ),
    (  # 28 x 28
    "1111111111111111111111111111",
    "1001110001110001110001111000",
    "1000001111001101001101111000",
    "1000001110110010111001100110",
    "1001101000001111100011010110",
    "1001010100101100010110101110",
    "1000110011010010001110011110",
    "0101100010101010011111110000",
    "0100010110110101100111010100",
    "0100011011001011110010101100",
    "0101011000010111011101001010",
    "0100101101100100111010011010",
    "0101100101011001101100100110",
    "0010110100011110101011101000",
    "0011011001100110101100110100",
    "0010101100111011010100011100",
    "0011000111010111010010110010",
    "0011001011111000100111001010",
    "0010110011101101011001000110",
    "1110101001010100010111100100",
    "1111000101100011001011001100",
    "1111000010011100111000011100",
    "1110010101001010110101010010",
    "1110011000111001001010110010",
    "1110100010100111100100101010",
    "1101111111111110000000000000",
    "1011111110000001111110000000",
    "0111111110000000000001111110",
    ),
    (  # 36 x 36
    "111111111111111111111111111111111111",
    "010111000111110111001000010101100100",
    "101110001111101110010000101011001000",
    "011100011111011100100001010110010010",
    "111000111110111001000010101100100100",
    "110001111101110010000101011001001010",
    "100011111011100100001010110010010110",
    "000111110111001000010101100100101110",
    "001111101110010000101011001001011100",
    "011111011100100001010110010010111000",
    "111110111001000010101100100101110000",
    "111101110010000101011001001011100010",
    "111011100100001010110010010111000110",
    "110111001000010101100100101110001110",
    "101110010000101011001001011100011110",
    "011100100001010110010010111000111110",
    "111001000010101100100101110001111100",
    "110010000101011001001011100011111010",
    "100100001010110010010111000111110110",
    "001000010101100100101110001111101110",
    "010000101011001001011100011111011100",
    "100001010110010010111000111110111000",
    "000010101100100101110001111101110010",
    "000101011001001011100011111011100100",
    "001010110010010111000111110111001000",
    "010101100100101110001111101110010000",
    "101011001001011100011111011100100000",
    "010110010010111000111110111001000010",
    "101100100101110001111101110010000100",
    "011001001011100011111011100100001010",
    "110010010111000111110111001000010100",
    "100100101110001111101110010000101010",
    "001001011100011111011100100001010110",
    "010010111000111110111001000010101100",
    "100101110001111101110010000101011000",
    "001011100011111011100100001010110010",
    ),
)
_SIZES = np.array([4, 16, 28, 36])
_SMALL_PRIMES = None   # R's list, read once from _primes()


def _precooked(i: int) -> np.ndarray:
    return np.array([[int(c) for c in row] for row in _PRECOOKED[i]], dtype=np.int8)


def _primes() -> np.ndarray:
    """R's ``small.primes`` in ``paley``: primes p = 3 (mod 4) up to 7919."""
    global _SMALL_PRIMES
    if _SMALL_PRIMES is None:
        n = 7920
        sieve = np.ones(n, dtype=bool)
        sieve[:2] = False
        for i in range(2, int(n ** 0.5) + 1):
            if sieve[i]:
                sieve[i * i::i] = False
        p = np.flatnonzero(sieve)
        _SMALL_PRIMES = p[p % 4 == 3]
    return _SMALL_PRIMES


def _doubled(h: np.ndarray) -> np.ndarray:
    return np.block([[h, h], [h, 1 - h]])


def _paley_prime(p: int) -> np.ndarray:
    """Paley's matrix of order p + 1 (R's ``paley(prime=p)``)."""
    m = np.add.outer(np.arange(p), np.arange(p)) % p
    residues = {0, 1} | {(i * i) % p for i in range(2, (p - 1) // 2 + 1)}
    m = np.where(np.isin(m, list(residues)), 0, 1).astype(np.int8)
    top = np.ones((1, p), dtype=np.int8)
    return np.column_stack([np.ones(p + 1, dtype=np.int8), np.vstack([top, m])])


def _paley(n: int, nmax: int) -> np.ndarray | None:
    """R's ``paley(n, nmax)``: a Paley-type matrix of order above n, or None."""
    primes = _primes()
    nceil = nn = n + 4 - (n % 4)
    if (n % 4) + 4 == (n % 8):
        while nn % 8 == 0:
            nn //= 2
        if nn - 1 in primes:
            m = _paley_prime(nn - 1)
            while nn < nceil:
                m = _doubled(m)
                nn *= 2
            return m
    if n > primes.max():
        return None
    p = int(primes[primes >= n].min())
    if p + 1 > nceil + 4 and nceil + 4 < nmax:
        return _paley(nceil + 3, 2 * (nceil + 3))
    if p > nmax:
        return None
    return _paley_prime(p)


@cache
def hadamard(n: int) -> np.ndarray:
    """R's ``hadamard(n)``: a 0/1 Hadamard matrix with more than n rows (read-only)."""
    m = n - n % 4
    fits = np.flatnonzero((m < _SIZES) & (m + 4 >= _SIZES))
    if len(fits):
        h = _precooked(int(fits.min()))
    elif (m < _SIZES).all():
        h = _precooked(0)
    else:
        sizes = _SIZES * 2 ** np.maximum(0, np.ceil(np.log2((n + 1) / _SIZES))).astype(int)
        best = int(np.argmin(sizes - n))
        h = _paley(n, int(sizes[best])) if sizes[best] - n > 4 else None
        if h is None:
            h = _precooked(best)
            for _ in range(int(np.ceil(np.log2(sizes[best] / _SIZES[best])))):
                h = _doubled(h)
    h.flags.writeable = False
    return h
