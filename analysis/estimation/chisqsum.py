"""Distribution of a linear combination of chi-squares, for svychisq's "lincom" and "saddlepoint".

* :func:`davies` is Davies' (1980) algorithm AS 155 ("The distribution of a linear
  combination of chi-squared random variables", *Applied Statistics* 29, 323-333):
  numerical inversion of the characteristic function (Davies 1973) with the paper's
  bounds on the truncation and integration errors, step for step as R's
  ``CompQuadForm::davies`` (its C ``qfc``), so results agree with R's to rounding.
* :func:`saddle` is R survey's ``saddle`` (Kuonen 1999's saddlepoint approximation) and
  :func:`pfsum` is survey's ``pFsum``: the upper tail of ``sum(a_i chi2_1) / (chi2_ddf / ddf)``
  at ``x``, i.e. ``P(sum a_i chi2_1 - x/ddf chi2_ddf > 0)``. As R, ``ddf`` enters
  ``davies`` through ``as.integer`` (truncated) and ``rep(a, df)`` likewise.
* :func:`pchisqsum` is survey's ``pchisqsum``: the upper tail of ``sum(a_i chi2_1)`` at ``x``
  (no denominator df), which ``svychisq`` of a replicate design uses.  R integrates it with
  ``CompQuadForm::farebrother`` when every ``a_i > 0`` (else ``davies`` with acc 1e-7): the
  series of Ruben (1962) that Farebrother's AS 204 sums, here :func:`ruben` (to an absolute
  error below 1e-14; Davies' to 1e-9 when the series converges slowly).
"""

from __future__ import annotations

import math

import numpy as np
from scipy import optimize, stats

_LOG28 = 0.0866   # log(2) / 8, as the paper
_PI = 3.14159265358979   # the paper's (and CompQuadForm's) value of pi


class _LimitReached(Exception):
    pass


def _exp1(x: float) -> float:
    return 0.0 if x < -50.0 else math.exp(x)


def _log1(x: float, first: bool) -> float:
    """log(1 + x) if first, else log(1 + x) - x, accurate for small x."""
    if abs(x) > 0.1:
        return math.log(1.0 + x) if first else math.log(1.0 + x) - x
    y = x / (2.0 + x)
    term = 2.0 * y ** 3
    k = 3.0
    s = (2.0 if first else -x) * y
    y = y * y
    s1 = s + term / k
    while s1 != s:
        k += 2.0
        term *= y
        s = s1
        s1 = s + term / k
    return s


class _Davies:
    """State of one evaluation of AS 155 (the C code keeps it in statics)."""

    def __init__(self, lb, nc, n, sigma, c, lim):
        self.lb, self.nc, self.n = list(map(float, lb)), list(map(float, nc)), list(map(int, n))
        self.r, self.c, self.lim = len(self.lb), float(c), int(lim)
        self.sigsq = sigma * sigma
        self.count = 0
        self.intl = self.ersm = 0.0
        self.fail = False
        self.th = None

    def counter(self):
        self.count += 1
        if self.count > self.lim:
            raise _LimitReached

    def order(self):
        """Indices of lb by decreasing absolute value (insertion sort, ties keep order)."""
        th = []
        for j in range(self.r):
            lj = abs(self.lb[j])
            k = len(th)
            while k > 0 and lj > abs(self.lb[th[k - 1]]):
                k -= 1
            th.insert(k, j)
        self.th = th

    def errbd(self, u):
        """Bound on the tail probability from the mgf, and the cutoff point."""
        self.counter()
        xconst = u * self.sigsq
        sum1 = u * xconst
        u = 2.0 * u
        for j in range(self.r - 1, -1, -1):
            nj, lj, ncj = self.n[j], self.lb[j], self.nc[j]
            x = u * lj
            y = 1.0 - x
            xconst = xconst + lj * (ncj / y + nj) / y
            sum1 = sum1 + ncj * (x / y) ** 2 + nj * (x * x / y + _log1(-x, False))
        return _exp1(-0.5 * sum1), xconst

    def ctff(self, accx, upn):
        """Cut-off c2 with P(Q > c2) < accx (upn > 0) or P(Q < c2) < accx (upn < 0)."""
        u2, u1, c1 = upn, 0.0, self.mean
        rb = 2.0 * (self.lmax if u2 > 0.0 else self.lmin)
        u = u2 / (1.0 + u2 * rb)
        bound, c2 = self.errbd(u)
        while bound > accx:
            u1, c1, u2 = u2, c2, 2.0 * u2
            u = u2 / (1.0 + u2 * rb)
            bound, c2 = self.errbd(u)
        u = (c1 - self.mean) / (c2 - self.mean)
        while u < 0.9:
            u = (u1 + u2) / 2.0
            bound, xconst = self.errbd(u / (1.0 + u * rb))
            if bound > accx:
                u1, c1 = u, xconst
            else:
                u2, c2 = u, xconst
            u = (c1 - self.mean) / (c2 - self.mean)
        return c2, u2

    def truncation(self, u, tausq):
        """Bound on the integration error from truncating at u."""
        self.counter()
        sum1 = prod2 = prod3 = 0.0
        s = 0
        sum2 = (self.sigsq + tausq) * u * u
        prod1 = 2.0 * sum2
        u = 2.0 * u
        for j in range(self.r):
            lj, ncj, nj = self.lb[j], self.nc[j], self.n[j]
            x = (u * lj) ** 2
            sum1 = sum1 + ncj * x / (1.0 + x)
            if x > 1.0:
                prod2 = prod2 + nj * math.log(x)
                prod3 = prod3 + nj * _log1(x, True)
                s = s + nj
            else:
                prod1 = prod1 + nj * _log1(x, True)
        sum1 = 0.5 * sum1
        prod2, prod3 = prod1 + prod2, prod1 + prod3
        x = _exp1(-sum1 - 0.25 * prod2) / _PI
        y = _exp1(-sum1 - 0.25 * prod3) / _PI
        err1 = 1.0 if s == 0 else x * 2.0 / s
        err2 = 2.5 * y if prod3 > 1.0 else 1.0
        if err2 < err1:
            err1 = err2
        x = 0.5 * sum2
        err2 = 1.0 if x <= y else y / x
        return err1 if err1 < err2 else err2

    def findu(self, ut, accx):
        """u with truncation(u) < accx and truncation(u / 1.2) > accx."""
        u = ut / 4.0
        if self.truncation(u, 0.0) > accx:
            u = ut
            while self.truncation(u, 0.0) > accx:
                ut = ut * 4.0
                u = ut
        else:
            ut = u
            u = u / 4.0
            while self.truncation(u, 0.0) <= accx:
                ut = u
                u = u / 4.0
        for divis in (2.0, 1.4, 1.2, 1.1):
            u = ut / divis
            if self.truncation(u, 0.0) <= accx:
                ut = u
        return ut

    def integrate(self, nterm, interv, tausq, mainx):
        """The integration with nterm terms at step interv (times the convergence factor
        1 - exp(-tausq u^2 / 2) when not mainx); the terms as one array (C: a loop)."""
        inpi = interv / _PI
        u = (np.arange(nterm, -1, -1) + 0.5) * interv
        sum1 = -2.0 * u * self.c
        sum2 = np.abs(sum1)
        sum3 = -0.5 * self.sigsq * u * u
        for j in range(self.r - 1, -1, -1):
            nj = self.n[j]
            x = 2.0 * self.lb[j] * u
            y = x * x
            sum3 = sum3 - 0.25 * nj * np.log1p(y)
            y = self.nc[j] * x / (1.0 + y)
            z = nj * np.arctan(x) + y
            sum1 = sum1 + z
            sum2 = sum2 + np.abs(z)
            sum3 = sum3 - 0.5 * x * y
        x = inpi * np.where(sum3 < -50.0, 0.0, np.exp(np.maximum(sum3, -50.0))) / u
        if not mainx:
            x = x * (1.0 - np.where(-0.5 * tausq * u * u < -50.0, 0.0, np.exp(-0.5 * tausq * u * u)))
        self.intl += float(np.sum(np.sin(0.5 * sum1) * x))
        self.ersm += float(np.sum(0.5 * sum2 * x))

    def cfe(self, x):
        """Coefficient of tausq in the error when the convergence factor is used at x."""
        self.counter()
        if self.th is None:
            self.order()
        axl = abs(x)
        sxl = 1.0 if x > 0.0 else -1.0
        sum1 = 0.0
        for j in range(self.r - 1, -1, -1):
            t = self.th[j]
            if self.lb[t] * sxl > 0.0:
                lj = abs(self.lb[t])
                axl1 = axl - lj * (self.n[t] + self.nc[t])
                axl2 = lj / _LOG28
                if axl1 > axl2:
                    axl = axl1
                else:
                    if axl > axl2:
                        axl = axl2
                    sum1 = (axl - axl1) / lj
                    for k in range(j - 1, -1, -1):
                        sum1 = sum1 + (self.n[self.th[k]] + self.nc[self.th[k]])
                    break
        if sum1 > 100.0:
            self.fail = True
            return 1.0
        return 2.0 ** (sum1 / 4.0) / (_PI * axl * axl)

    def run(self, acc):
        """(P(Q < c), ifault) as qfc computes it."""
        sd = self.sigsq
        self.lmax = self.lmin = self.mean = 0.0
        for lj, nj, ncj in zip(self.lb, self.n, self.nc):
            if nj < 0 or ncj < 0.0:
                return -1.0, 3
            sd += lj * lj * (2 * nj + 4.0 * ncj)
            self.mean += lj * (nj + ncj)
            if self.lmax < lj:
                self.lmax = lj
            elif self.lmin > lj:
                self.lmin = lj
        if sd == 0.0:
            return (1.0 if self.c > 0.0 else 0.0), 0
        if self.lmin == 0.0 and self.lmax == 0.0 and self.sigsq == 0.0:
            return -1.0, 3
        sd = math.sqrt(sd)
        almx = -self.lmin if self.lmax < -self.lmin else self.lmax
        utx, up = 16.0 / sd, 4.5 / sd
        un = -up
        acc1, xlim = acc, float(self.lim)
        utx = self.findu(utx, 0.5 * acc1)
        if self.c != 0.0 and almx > 0.07 * sd:   # does a convergence factor help?
            tausq = 0.25 * acc1 / self.cfe(self.c)
            if self.fail:
                self.fail = False
            elif self.truncation(utx, tausq) < 0.2 * acc1:
                self.sigsq += tausq
                utx = self.findu(utx, 0.25 * acc1)
        acc1 = 0.5 * acc1
        while True:   # the range of the distribution; quit if c is outside it
            cut, up = self.ctff(acc1, up)
            d1 = cut - self.c
            if d1 < 0.0:
                return 1.0, 0
            cut, un = self.ctff(acc1, un)
            d2 = self.c - cut
            if d2 < 0.0:
                return 0.0, 0
            intv = 2.0 * _PI / (d1 if d1 > d2 else d2)
            xnt, xntm = utx / intv, 3.0 / math.sqrt(acc1)
            if not xnt > xntm * 1.5:
                break
            if xntm > xlim:   # auxiliary integration
                return -1.0, 1
            ntm = int(math.floor(xntm + 0.5))
            intv1 = utx / ntm
            x = 2.0 * _PI / intv1
            if x <= abs(self.c):
                break
            tausq = 0.33 * acc1 / (1.1 * (self.cfe(self.c - x) + self.cfe(self.c + x)))
            if self.fail:
                break
            acc1 = 0.67 * acc1
            self.integrate(ntm, intv1, tausq, False)
            xlim -= xntm
            self.sigsq += tausq
            utx = self.findu(utx, 0.25 * acc1)
            acc1 = 0.75 * acc1
        if xnt > xlim:   # main integration
            return -1.0, 1
        nt = int(math.floor(xnt + 0.5))
        self.integrate(nt, intv, 0.0, True)
        qfval = 0.5 - self.intl
        ifault = 0
        up = self.ersm
        x = up + acc / 10.0
        for rat in (1, 2, 4, 8):   # round-off could be significant
            if rat * x == rat * up:
                ifault = 2
        return qfval, ifault


def davies(q: float, lam, h=None, delta=None, sigma: float = 0.0, lim: int = 10000,
           acc: float = 1e-4) -> tuple[float, int]:
    """``P(sum lam_j chi2(h_j, delta_j) + sigma Z > q)`` and ifault, as ``CompQuadForm::davies``
    (its ``Qq``; ifault 1: accuracy not reached, 2: round-off possibly significant, 3: invalid
    parameters, 4: integration parameters not found within ``lim`` steps)."""
    lam = np.atleast_1d(np.asarray(lam, dtype=float))
    h = np.ones(len(lam), dtype=int) if h is None else np.asarray(h).astype(int)   # R: as.integer
    delta = np.zeros(len(lam)) if delta is None else np.asarray(delta, dtype=float)
    state = _Davies(lam, delta, h, sigma, q, lim)
    try:
        qfval, ifault = state.run(acc)
    except _LimitReached:
        qfval, ifault = -1.0, 4
    return 1.0 - qfval, ifault


def saddle(x: float, lam) -> float:
    """R survey's ``saddle``: the saddlepoint upper tail of ``sum lam_i chi2_1`` at x (NaN: R's NA)."""
    lam = np.asarray(lam, dtype=float)
    d = lam.max()
    lam = lam / d
    x = x / d

    def k0(z):
        return -np.sum(np.log(1 - 2 * z * lam)) / 2

    def kprime0(z):
        return np.sum(lam / (1 - 2 * z * lam))

    def kpprime0(z):
        return 2 * np.sum(lam ** 2 / (1 - 2 * z * lam) ** 2)

    if (lam < 0).any():
        lmin = np.max(1 / (2 * lam[lam < 0])) * 0.99999
    elif x > lam.sum():
        lmin = -0.01
    else:
        lmin = -len(lam) / (2 * x)
    lmax = np.min(1 / (2 * lam[lam > 0])) * 0.99999
    # R's uniroot(tol = 1e-8) is Brent's zeroin with tolerance 2 eps |b| + tol / 2, as brentq's
    try:
        zeta = optimize.brentq(lambda z: kprime0(z) - x, lmin, lmax, xtol=1e-8, rtol=4 * np.finfo(float).eps,
                               maxiter=1000)
    except ValueError:   # no sign change (R's uniroot stops with an error): no saddlepoint value
        return np.nan
    w = np.sign(zeta) * np.sqrt(2 * (zeta * x - k0(zeta)))
    v = zeta * np.sqrt(kpprime0(zeta))
    if abs(zeta) < 1e-4:
        return np.nan
    return float(stats.norm.sf(w + np.log(v / w) / w))


def pfsum(x: float, a, ddf: float, method: str) -> float:
    """R survey's ``pFsum(x, rep(1, length(a)), a, ddf, lower.tail = FALSE, method)`` for
    method "integration" (Davies) or "saddlepoint"; ``ddf`` finite."""
    a = np.asarray(a, dtype=float)
    if not (ddf > 0 and np.isfinite(x) and np.isfinite(a).all()):   # no design df: no test
        return np.nan
    if method == "integration":
        lam = np.append(a, -x / ddf)
        h = np.append(np.ones(len(a), dtype=int), int(ddf))
        p, ifault = davies(0.0, lam, h, acc=1e-7)
        if ifault not in (0, 2):
            p, _ = davies(0.0, lam, h, acc=1e-5)
        return p
    if method != "saddlepoint":
        raise ValueError(f"method must be 'integration' or 'saddlepoint', not {method!r}")
    tr = a.mean()
    tr2 = np.mean(a ** 2) / tr ** 2
    scale, ndf = tr * tr2, len(a) / tr2
    rval = float(stats.f.sf(x / ndf / scale, ndf, ddf))
    copies = int(ddf) if ddf > 1 else 1   # R: if (any(df > 1)) a <- rep(c(a, -x/ddf), c(1, ..., ddf))
    lam = np.append(a, np.repeat(-x / ddf, copies))
    s = saddle(0.0, lam)
    return rval if np.isnan(s) else s


def pchisqsum(x: float, a, method: str) -> float:
    """R survey's ``pchisqsum(x, rep(1, length(a)), a, lower.tail = FALSE, method)`` for method
    "integration" or "saddlepoint" (falling back to Satterthwaite's chi-square when the
    saddlepoint has no root, as R)."""
    a = np.asarray(a, dtype=float)
    if not (np.isfinite(x) and len(a) and np.isfinite(a).all()):
        return np.nan
    tr = a.mean()
    tr2 = np.mean(a ** 2) / tr ** 2
    guess = float(stats.chi2.sf(x / (tr * tr2), len(a) / tr2))
    if method == "integration":
        if (a > 0).all():
            p, left = ruben(x, a)
            # eigenvalues far apart: the series is slow; Davies with a long integration instead
            return p if left <= 1e-14 else davies(x, a, acc=1e-9, lim=10 ** 6)[0]
        return davies(x, a, acc=1e-7)[0]
    if method != "saddlepoint":
        raise ValueError(f"method must be 'integration' or 'saddlepoint', not {method!r}")
    s = saddle(x, a)
    return guess if np.isnan(s) else s


def ruben(x: float, a, tol: float = 1e-15, max_terms: int = 2_000) -> tuple[float, float]:
    """``P(sum a_i chi2_1 > x)`` for positive ``a`` by Ruben's (1962) mixture of chi-squares,
    ``sum_k c_k P(chi2_{n+2k} > x / b)`` with ``b = min(a)`` (the series of Farebrother's AS 204,
    R's ``CompQuadForm::farebrother``): (the tail, the mixture weight left out).  Stops when
    that weight is below ``tol`` or after ``max_terms`` (eigenvalues far apart); the tail is then
    low by at most the weight left."""
    a = np.asarray(a, dtype=float)
    if x <= 0:
        return 1.0, 0.0
    b = a.min()
    gamma = 1 - b / a
    c = np.zeros(max_terms + 1)
    g = np.zeros(max_terms + 1)   # g[j] = sum(gamma^j) / 2
    c[0] = np.prod(np.sqrt(b / a))
    mass, k, power = c[0], 0, np.ones_like(gamma)
    while 1 - mass > tol and k < max_terms and gamma.max() > 0:
        k += 1
        power = power * gamma
        g[k] = 0.5 * power.sum()
        c[k] = np.dot(g[k:0:-1], c[:k]) / k   # c_k = sum_{r<k} g_{k-r} c_r / k
        mass += c[k]
    dof = len(a) + 2 * np.arange(k + 1)
    return float(np.dot(c[:k + 1], stats.chi2.sf(x / b, dof))), max(1 - mass, 0.0)
