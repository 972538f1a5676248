"""Uncertain inputs as probability distributions, sampled reproducibly and in bulk.

Every distribution is sampled by *inverse transform*: a uniform number ``u`` in (0, 1) goes through
the distribution's quantile function (``ppf``). That one mechanism gives

- rank correlation through a Gaussian copula: correlated standard normals ``z`` become correlated
  uniforms ``u = Φ(z)`` and then values ``x = ppf(u)``; the *ranks* of the inputs are correlated as
  asked, whatever their shapes;
- percentiles for the tornado chart (P10 = ``ppf(0.1)``, median = ``ppf(0.5)``, P90 = ``ppf(0.9)``);
- reproducibility independent of how the draws are split into chunks: draws are generated in fixed
  blocks of :data:`BLOCK` rows, block ``b`` from its own generator ``SeedSequence(seed, spawn_key=(b,))``.

One exception, for speed: a PERT input correlated with no other input is drawn straight from NumPy's
beta generator with the PERT parameters (the same distribution; inverting the incomplete beta
function per draw cost more than the rest of the sampling). Its quantiles (tornado, medians) still
come from ``ppf``.

Values here are plain floats (effects, counts, unit costs); money becomes ``Decimal`` at the edge of
the simulation, not here.
"""

from __future__ import annotations

import functools
import math
from collections.abc import Sequence
from typing import Annotated, Literal, Self, Union

import numpy as np
from pydantic import BaseModel, ConfigDict, Field, model_validator
from scipy import special

#: draws per reproducibility block; chunk sizes are rounded up to a multiple of it.
BLOCK = 2048

# keep u strictly inside (0, 1) so that every quantile function returns a finite number
_U_MIN = 2.0**-53
_U_MAX = 1.0 - 2.0**-53


class _Dist(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    def ppf(self, u: np.ndarray) -> np.ndarray:  # pragma: no cover - overridden
        raise NotImplementedError

    def support(self) -> tuple[float, float]:  # pragma: no cover - overridden
        raise NotImplementedError

    def quantile(self, q: float) -> float:
        """The value below which a share ``q`` of outcomes fall (``q`` = 0.1 gives P10)."""
        return float(self.ppf(np.array([q], dtype=float))[0])

    def median(self) -> float:
        return self.quantile(0.5)

    def sample(self, rng: np.random.Generator, n: int) -> np.ndarray:
        """``n`` independent draws (inverse transform of ``Φ(z)``, ``z`` standard normal)."""
        return self.ppf(uniforms_from_normals(rng.standard_normal(n)))


class Fixed(_Dist):
    kind: Literal["fixed"] = Field(description="A known value: no uncertainty.")
    value: float = Field(description="The value.", allow_inf_nan=False)

    def ppf(self, u: np.ndarray) -> np.ndarray:
        return np.full(np.shape(u), self.value, dtype=float)

    def support(self) -> tuple[float, float]:
        return (self.value, self.value)


class Uniform(_Dist):
    kind: Literal["uniform"] = Field(description="Every value between low and high equally likely.")
    low: float = Field(description="Smallest possible value.", allow_inf_nan=False)
    high: float = Field(description="Largest possible value (≥ low).", allow_inf_nan=False)

    @model_validator(mode="after")
    def _check(self) -> Self:
        if self.high < self.low:
            raise ValueError("high must be ≥ low")
        return self

    def ppf(self, u: np.ndarray) -> np.ndarray:
        return self.low + np.asarray(u, dtype=float) * (self.high - self.low)

    def support(self) -> tuple[float, float]:
        return (self.low, self.high)


class Normal(_Dist):
    kind: Literal["normal"] = Field(description="Bell curve, optionally truncated to [low, high].")
    mean: float = Field(description="Mean (centre) of the untruncated bell curve.", allow_inf_nan=False)
    sd: float = Field(ge=0, description="Standard deviation (0 = no uncertainty).", allow_inf_nan=False)
    low: float | None = Field(default=None, description="Optional lower truncation bound.")
    high: float | None = Field(default=None, description="Optional upper truncation bound.")

    @model_validator(mode="after")
    def _check(self) -> Self:
        lo = -math.inf if self.low is None else self.low
        hi = math.inf if self.high is None else self.high
        if hi < lo:
            raise ValueError("high must be ≥ low")
        if self.sd == 0 and not (lo <= self.mean <= hi):
            raise ValueError("with sd = 0 the mean must lie within [low, high]")
        return self

    def ppf(self, u: np.ndarray) -> np.ndarray:
        u = np.asarray(u, dtype=float)
        if self.sd == 0:
            return np.full(u.shape, self.mean)
        a = 0.0 if self.low is None else special.ndtr((self.low - self.mean) / self.sd)
        b = 1.0 if self.high is None else special.ndtr((self.high - self.mean) / self.sd)
        uu = np.clip(a + u * (b - a), _U_MIN, _U_MAX)
        x = self.mean + self.sd * special.ndtri(uu)
        lo, hi = self.support()
        return np.clip(x, lo, hi)

    def support(self) -> tuple[float, float]:
        if self.sd == 0:
            return (self.mean, self.mean)
        return (
            -math.inf if self.low is None else self.low,
            math.inf if self.high is None else self.high,
        )


class LogNormal(_Dist):
    kind: Literal["lognormal"] = Field(
        description="Positive and skewed to the right (costs, durations); given by its mean and sd."
    )
    mean: float = Field(gt=0, description="Mean of the value itself (not of its logarithm).")
    sd: float = Field(ge=0, description="Standard deviation of the value itself (0 = no uncertainty).")

    def _mu_sigma(self) -> tuple[float, float]:
        sigma2 = math.log1p((self.sd / self.mean) ** 2)
        return math.log(self.mean) - sigma2 / 2, math.sqrt(sigma2)

    def ppf(self, u: np.ndarray) -> np.ndarray:
        u = np.asarray(u, dtype=float)
        if self.sd == 0:
            return np.full(u.shape, self.mean)
        mu, sigma = self._mu_sigma()
        return np.exp(mu + sigma * special.ndtri(np.clip(u, _U_MIN, _U_MAX)))

    def support(self) -> tuple[float, float]:
        if self.sd == 0:
            return (self.mean, self.mean)
        return (0.0, math.inf)


class Triangular(_Dist):
    kind: Literal["triangular"] = Field(description="Lowest, most likely and highest value.")
    low: float = Field(description="Smallest possible value.", allow_inf_nan=False)
    mode: float = Field(description="Most likely value.", allow_inf_nan=False)
    high: float = Field(description="Largest possible value.", allow_inf_nan=False)

    @model_validator(mode="after")
    def _check(self) -> Self:
        if not (self.low <= self.mode <= self.high):
            raise ValueError("need low ≤ mode ≤ high")
        return self

    def ppf(self, u: np.ndarray) -> np.ndarray:
        u = np.asarray(u, dtype=float)
        a, c, b = self.low, self.mode, self.high
        if b == a:
            return np.full(u.shape, a)
        fc = (c - a) / (b - a)
        left = a + np.sqrt(u * (b - a) * (c - a))
        right = b - np.sqrt((1 - u) * (b - a) * (b - c))
        return np.clip(np.where(u < fc, left, right), a, b)

    def support(self) -> tuple[float, float]:
        return (self.low, self.high)


class Pert(_Dist):
    kind: Literal["pert"] = Field(
        description="Like triangular but smoother: a beta curve through lowest, most likely, highest."
    )
    low: float = Field(description="Smallest possible value.", allow_inf_nan=False)
    mode: float = Field(description="Most likely value.", allow_inf_nan=False)
    high: float = Field(description="Largest possible value.", allow_inf_nan=False)
    weight: float = Field(default=4.0, gt=0, description="Weight on the most likely value (classic PERT: 4).")

    @model_validator(mode="after")
    def _check(self) -> Self:
        if not (self.low <= self.mode <= self.high):
            raise ValueError("need low ≤ mode ≤ high")
        return self

    def ppf(self, u: np.ndarray) -> np.ndarray:
        u = np.asarray(u, dtype=float)
        a, c, b = self.low, self.mode, self.high
        if b == a:
            return np.full(u.shape, a)
        alpha = 1 + self.weight * (c - a) / (b - a)
        beta = 1 + self.weight * (b - c) / (b - a)
        return np.clip(a + (b - a) * beta_ppf(alpha, beta, u), a, b)

    def support(self) -> tuple[float, float]:
        return (self.low, self.high)


class Beta(_Dist):
    kind: Literal["beta"] = Field(description="Beta curve on [low, high] (shares and probabilities).")
    alpha: float = Field(gt=0, description="First shape parameter.")
    beta: float = Field(gt=0, description="Second shape parameter.")
    low: float = Field(default=0.0, description="Lower end of the range.", allow_inf_nan=False)
    high: float = Field(default=1.0, description="Upper end of the range.", allow_inf_nan=False)

    @model_validator(mode="after")
    def _check(self) -> Self:
        if self.high < self.low:
            raise ValueError("high must be ≥ low")
        return self

    def ppf(self, u: np.ndarray) -> np.ndarray:
        u = np.asarray(u, dtype=float)
        if self.high == self.low:
            return np.full(u.shape, self.low)
        x = beta_ppf(self.alpha, self.beta, u)
        return np.clip(self.low + (self.high - self.low) * x, self.low, self.high)

    def support(self) -> tuple[float, float]:
        return (self.low, self.high)


class Discrete(_Dist):
    kind: Literal["discrete"] = Field(description="A few possible values, each with its probability.")
    values: list[float] = Field(min_length=1, description="The possible values.")
    probabilities: list[float] = Field(min_length=1, description="Their probabilities (sum to 1).")

    @model_validator(mode="after")
    def _check(self) -> Self:
        if len(self.values) != len(self.probabilities):
            raise ValueError("values and probabilities must have the same length")
        if any(p < 0 for p in self.probabilities):
            raise ValueError("probabilities must not be negative")
        if abs(sum(self.probabilities) - 1.0) > 1e-9:
            raise ValueError("probabilities must sum to 1")
        return self

    def _sorted(self) -> tuple[np.ndarray, np.ndarray]:
        order = np.argsort(np.asarray(self.values, dtype=float), kind="stable")
        vals = np.asarray(self.values, dtype=float)[order]
        probs = np.asarray(self.probabilities, dtype=float)[order]
        cum = np.cumsum(probs)
        cum[-1] = 1.0
        return vals, cum

    def ppf(self, u: np.ndarray) -> np.ndarray:
        u = np.asarray(u, dtype=float)
        vals, cum = self._sorted()
        # smallest value whose cumulative probability reaches u (the standard quantile definition)
        idx = np.searchsorted(cum, u, side="left")
        return vals[np.minimum(idx, len(vals) - 1)]

    def support(self) -> tuple[float, float]:
        vals = [v for v, p in zip(self.values, self.probabilities, strict=True) if p > 0]
        return (min(vals), max(vals))


Distribution = Annotated[
    Union[Fixed, Uniform, Normal, LogNormal, Triangular, Pert, Beta, Discrete],
    Field(discriminator="kind"),
]


class Correlation(BaseModel):
    """A rank correlation between two named inputs (Spearman's rho)."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    a: str = Field(description="Name of the first input.")
    b: str = Field(description="Name of the second input.")
    rho: float = Field(ge=-1, le=1, description="Target rank correlation, between -1 and 1.")


@functools.lru_cache(maxsize=64)
def _beta_table(a: float, b: float) -> tuple[np.ndarray, np.ndarray]:
    """CDF of the standard beta distribution on a fixed grid (a pure function of a and b)."""
    grid = np.linspace(0.0, 1.0, 16385)
    cdf = special.betainc(a, b, grid)
    grid.setflags(write=False)
    cdf.setflags(write=False)
    return grid, cdf


def beta_ppf(a: float, b: float, u: np.ndarray) -> np.ndarray:
    """Quantiles of the standard beta distribution, fast: interpolation in a cached CDF table, one
    Halley step, and the exact (slow) ``betaincinv`` for any value whose CDF then misses ``u`` by
    more than 1e-12."""
    u = np.asarray(u, dtype=float)
    grid, cdf = _beta_table(float(a), float(b))
    x = np.interp(u, cdf, grid)
    log_b = special.betaln(a, b)
    with np.errstate(all="ignore"):
        f = special.betainc(a, b, x) - u
        pdf = np.exp((a - 1) * np.log(x) + (b - 1) * np.log1p(-x) - log_b)
        d2 = pdf * ((a - 1) / x - (b - 1) / (1 - x))
        step = 2 * f * pdf / (2 * pdf * pdf - f * d2)
        x = np.where(np.isfinite(step) & (pdf > 0), np.clip(x - step, 0.0, 1.0), x)
        bad = ~(np.abs(special.betainc(a, b, x) - u) <= 1e-12)
    if bad.any():
        x[bad] = special.betaincinv(a, b, u[bad])
    return x


def uniforms_from_normals(z: np.ndarray) -> np.ndarray:
    """Φ(z), kept strictly inside (0, 1)."""
    return np.clip(special.ndtr(z), _U_MIN, _U_MAX)


def correlation_factor(names: list[str], correlations: list[Correlation]) -> np.ndarray | None:
    """Lower Cholesky factor of the normal-scale correlation matrix, or None when independent.

    A Spearman rank correlation ``rho_s`` between two inputs is produced by normals correlated with
    ``2·sin(π·rho_s/6)`` (exact for the Gaussian copula). Raises ``ValueError`` naming
    ``correlations`` when a name is unknown, a pair is repeated or the matrix is not positive
    semi-definite.
    """
    if not correlations:
        return None
    index = {n: i for i, n in enumerate(names)}
    k = len(names)
    m = np.eye(k)
    seen: set[frozenset[str]] = set()
    for j, c in enumerate(correlations):
        for end in (c.a, c.b):
            if end not in index:
                raise _field_error(f"correlations.{j}", f"unknown input {end!r}")
        if c.a == c.b:
            raise _field_error(f"correlations.{j}", "an input cannot be correlated with itself")
        pair = frozenset((c.a, c.b))
        if pair in seen:
            raise _field_error(f"correlations.{j}", f"pair {c.a!r}/{c.b!r} given twice")
        seen.add(pair)
        r = 2.0 * math.sin(math.pi * c.rho / 6.0)
        m[index[c.a], index[c.b]] = m[index[c.b], index[c.a]] = r
    eig = np.linalg.eigvalsh(m)
    if eig.min() < -1e-10:
        raise _field_error(
            "correlations", "the correlations are inconsistent (matrix not positive semi-definite)"
        )
    # tiny jitter so that semi-definite matrices (rho = ±1) still factorise
    jitter = max(0.0, 1e-12 - eig.min())
    return np.linalg.cholesky(m + jitter * np.eye(k))


def _field_error(field: str, message: str) -> ValueError:
    exc = ValueError(f"{field}: {message}")
    # callers read `.field` to name the offending input; ValueError has no such attribute declared
    exc.field = field  # type: ignore[attr-defined]
    return exc


def block_rng(seed: int, block: int) -> np.random.Generator:
    """The generator for reproducibility block ``block`` of a run seeded with ``seed``."""
    return np.random.Generator(np.random.PCG64(np.random.SeedSequence(seed, spawn_key=(block,))))


def correlate(z: np.ndarray, factor: np.ndarray | None) -> np.ndarray:
    """Rows of ``z`` times ``factor``ᵀ, written as column sums so that each row's result does not
    depend on how many rows there are (a BLAS product may sum in a different order)."""
    if factor is None:
        return z
    out = np.zeros_like(z)
    for i in range(z.shape[1]):
        for j in range(i + 1):
            if factor[i, j] != 0.0:
                out[:, i] += factor[i, j] * z[:, j]
    return out


def _independent(j: int, factor: np.ndarray | None) -> bool:
    """Is input ``j`` correlated with no other input?"""
    if factor is None:
        return True
    others = np.delete(np.arange(factor.shape[0]), j)
    return not (np.any(factor[j, others] != 0.0) or np.any(factor[others, j] != 0.0))


def _direct_beta(d: _Dist) -> tuple[float, float, float, float] | None:
    """(alpha, beta, low, high) when ``d`` is a PERT curve sampled directly by the beta generator."""
    if isinstance(d, Pert) and d.high > d.low:
        w = d.high - d.low
        alpha = 1 + d.weight * (d.mode - d.low) / w
        beta = 1 + d.weight * (d.high - d.mode) / w
        return alpha, beta, d.low, d.high
    return None


def sample_draws(
    dists: Sequence[_Dist], seed: int, start: int, stop: int, factor: np.ndarray | None = None
) -> np.ndarray:
    """Draws ``start`` .. ``stop - 1`` of a run, shape (stop - start, len(dists)); column j follows
    ``dists[j]``.

    Draw ``i`` uses the same random numbers whatever ``start``/``stop`` are used to reach it (blocks
    of :data:`BLOCK` rows, each with its own generator), so results do not depend on the chunk size.

    A PERT input that is correlated with no other input is drawn directly from NumPy's beta
    generator with the PERT parameters (after the block's normals, from the same generator): the
    same distribution as the inverse transform, without inverting the incomplete beta function per
    draw. Correlated PERT inputs go through the copula (inverse transform) like every other input.
    """
    k = len(dists)
    if stop <= start:
        return np.empty((0, k))
    direct = {j: p for j, d in enumerate(dists) if (p := _direct_beta(d)) and _independent(j, factor)}
    first, last = start // BLOCK, (stop - 1) // BLOCK
    parts, betas = [], []
    for b in range(first, last + 1):
        rng = block_rng(seed, b)
        parts.append(rng.standard_normal((BLOCK, k)))
        if direct:
            betas.append(np.column_stack([rng.beta(p[0], p[1], BLOCK) for p in direct.values()]))
    z = parts[0] if len(parts) == 1 else np.concatenate(parts, axis=0)
    offset = start - first * BLOCK
    n = stop - start
    z = z[offset : offset + n]
    u = uniforms_from_normals(correlate(z, factor))
    out = np.empty_like(u)
    for j, d in enumerate(dists):
        if j not in direct:
            out[:, j] = d.ppf(u[:, j])
    if direct:
        x = betas[0] if len(betas) == 1 else np.concatenate(betas, axis=0)
        x = x[offset : offset + n]
        for i, (j, (_, _, lo, hi)) in enumerate(direct.items()):
            out[:, j] = np.clip(lo + (hi - lo) * x[:, i], lo, hi)
    return out
