"""Checks of 06-sampling-distributions: codings drawn from a Gaussian or a uniform prior, the
half-width of the uniform prior that matches a standard deviation, and a Gaussian fitted to the
aggregate posterior.

The test cells write what they expect in NumPy (the half-width, the mean and the covariance) and
pass it in; for draws, what is expected is a distribution, and these helpers compare the draws
with it (moments, range and a Kolmogorov-Smirnov distance) and name the likely mistake. NumPy and
SciPy only: the test cells call the student's functions and pass their results.
"""

from __future__ import annotations

import math

import numpy as np

from . import check_close, check_numpy_array, check_shape, to_numpy

#: Within this relative distance of a value, a measured standard deviation or bound "matches" it.
_CLOSE = 0.05


def _near(value: float, target: float) -> bool:
    return abs(value - target) <= _CLOSE * abs(target)


# --- draws from a prior ------------------------------------------------------------------------


def check_draws_array(draws, n: int, codings_size: int, what: str) -> np.ndarray:
    """``draws`` is a NumPy float32 array of shape (n, codings_size) with finite values; returns
    it as float64."""
    check_numpy_array(draws, what)
    if draws.shape == (codings_size, n) and n != codings_size:
        raise AssertionError(
            f"{what}: shape {draws.shape}, which is transposed: one ROW per coding, "
            f"shape (n, codings_size) = ({n}, {codings_size})."
        )
    check_shape(draws, (n, codings_size), what, "One row per coding: shape (n, codings_size).")
    if draws.dtype != np.float32:
        raise AssertionError(
            f"{what}: dtype {draws.dtype}; return float32, the dtype the decoders take (NumPy "
            "draws float64 by default: add .astype(np.float32))."
        )
    if not np.all(np.isfinite(draws)):
        raise AssertionError(f"{what}: the draws contain NaN or inf.")
    return draws.astype(np.float64)


def _ks_distance(values: np.ndarray, cdf) -> float:
    """The Kolmogorov-Smirnov distance between the empirical distribution of ``values`` and
    ``cdf``."""
    x = np.sort(values)
    f = cdf(x)
    k = np.arange(1, len(x) + 1) / len(x)
    return float(max(np.max(k - f), np.max(f - (k - 1 / len(x)))))


def _ks_limit(count: int) -> float:
    """The KS distance that honest draws of ``count`` numbers exceed with probability about
    1e-6."""
    return math.sqrt(-0.5 * math.log(0.5e-6)) / math.sqrt(count)


def _uniform_mistake(z: np.ndarray, scale: float) -> str | None:
    """The likely mistake behind draws that should be U(-scale, scale) but are not, if any."""
    low, high, std = float(z.min()), float(z.max()), float(z.std())
    if low >= 0:
        if scale != 1 and high <= 1:
            return "they lie in [0, 1): U(0, 1), neither shifted nor scaled to [-scale, scale]"
        return (
            "they all lie in [0, scale): U(0, scale) instead of U(-scale, scale); shift "
            "them: low=-scale, high=scale (or (2 * u - 1) * scale for u in [0, 1))"
        )
    if _near(std, scale) and abs(float(np.mean(z**4)) / std**4 - 3) < 0.5:
        return (
            "they look Gaussian with standard deviation scale: is kind='uniform' ignored? "
            "U(-scale, scale) draws uniformly between -scale and scale"
        )
    if high > scale * (1 + 1e-6) or low < -scale * (1 + 1e-6):
        if _near(high, math.sqrt(3) * scale):
            return (
                "they reach +-sqrt(3) * scale: scale is already the half-width; "
                "sample_prior draws from U(-scale, scale) (matched_uniform_half_width "
                "computes sqrt(3) * std separately)"
            )
        if _near(high, 2 * scale):
            return "they reach +-2 * scale: scale is the half-width of U(-scale, scale)"
        return f"values from {low:.3g} to {high:.3g}, outside [-scale, scale]"
    if scale != 1 and _near(high, 1.0):
        return "they lie in [-1, 1]: the scale is not applied"
    if _near(high, scale / 2):
        return (
            "they lie in [-scale / 2, scale / 2]: scale is the half-width, not the width "
            "of the interval"
        )
    return None


def _gaussian_mistake(z: np.ndarray, scale: float) -> str | None:
    """The likely mistake behind draws that should be N(0, scale^2) but are not, if any."""
    low, high, std = float(z.min()), float(z.max()), float(z.std())
    if low >= 0 and high <= max(1.0, scale):
        return "they all lie in [0, 1) or [0, scale): uniform draws, not Gaussian"
    kurtosis = float(np.mean((z - z.mean()) ** 4)) / std**4
    if kurtosis < 2.2 and high <= scale * 1.0001 and low >= -scale * 1.0001:
        return (
            "they look uniform in [-scale, scale]: is kind='gaussian' ignored? N(0, scale^2) "
            "draws standard normal values times scale"
        )
    if scale != 1 and _near(std, math.sqrt(scale)):
        return (
            "their standard deviation is sqrt(scale): scale is used as the variance. In "
            "N(0, scale^2), scale is the standard deviation: multiply standard normal draws by "
            "scale (NumPy's normal(loc, scale) also takes the standard deviation)"
        )
    if scale != 1 and _near(std, scale**2):
        return "their standard deviation is scale^2: multiply standard normal draws by scale once"
    if scale != 1 and _near(std, 1.0):
        return "their standard deviation is 1: the scale is not applied"
    return None


def check_prior_draws(draws, n: int, codings_size: int, kind: str, scale: float, what: str):
    """Many draws (n, codings_size) look like independent draws of N(0, scale^2) (kind
    "gaussian") or of U(-scale, scale) (kind "uniform"): moments, range, and a
    Kolmogorov-Smirnov distance to the distribution."""
    from scipy.special import ndtr

    z = check_draws_array(draws, n, codings_size, what)
    if n > 1 and np.all(z == z[0]):
        raise AssertionError(
            f"{what}: every row is the same coding. Draw all n * codings_size numbers: "
            f"shape ({n}, {codings_size})."
        )
    if codings_size > 1 and np.all(z == z[:, :1]):
        raise AssertionError(
            f"{what}: within each row, every dimension holds the same value. Draw each one."
        )
    mistake = _uniform_mistake(z, scale) if kind == "uniform" else _gaussian_mistake(z, scale)
    if mistake is not None:
        raise AssertionError(f"{what}: {mistake}.")
    flat = z.ravel()
    if kind == "uniform":
        name, std = f"U(-{scale:g}, {scale:g})", scale / math.sqrt(3)

        def cdf(x):
            return np.clip((x + scale) / (2 * scale), 0, 1)

    else:
        name, std = f"N(0, {scale:g}^2)", scale

        def cdf(x):
            return ndtr(x / scale)

    distance, limit = _ks_distance(flat, cdf), _ks_limit(flat.size)
    if distance > limit:
        raise AssertionError(
            f"{what}: these {flat.size:,} numbers do not look drawn from {name}: their mean is "
            f"{flat.mean():.3f} (expected 0), their standard deviation {flat.std():.3f} (expected "
            f"{std:.3f}), from {flat.min():.3f} to {flat.max():.3f}; the largest gap between "
            f"their distribution and {name}'s is {distance:.3f} (honest draws stay below "
            f"{limit:.3f})."
        )
    if codings_size > 1 and n > 50:
        correlation = np.abs(np.corrcoef(z, rowvar=False) - np.eye(codings_size)).max()
        if correlation > 10 / math.sqrt(n):
            raise AssertionError(
                f"{what}: the dimensions are correlated (up to {correlation:.2f}): draw each "
                "number independently."
            )


def check_seeded_draws(first, again, other, what: str) -> None:
    """Two calls with the same seed gave the same draws; another seed, other draws."""
    first, again, other = (np.asarray(to_numpy(x)) for x in (first, again, other))
    if not np.array_equal(first, again):
        raise AssertionError(
            f"{what}: two calls with the same seed gave different draws: the seed is ignored. "
            "Draw from a generator made from the seed, e.g. np.random.default_rng(seed)."
        )
    if np.array_equal(first, other):
        raise AssertionError(
            f"{what}: two different seeds gave the same draws: is the seed replaced by a constant?"
        )


def check_fresh_draws(first, second, what: str) -> None:
    """Two calls with seed=None gave different draws."""
    if np.array_equal(np.asarray(to_numpy(first)), np.asarray(to_numpy(second))):
        raise AssertionError(
            f"{what}: two calls with seed=None gave the same draws. Without a seed, every call "
            "must draw fresh numbers. (A torch.Generator() that is never seeded starts from the "
            "same fixed seed every time: leave it out when seed is None, or call its .seed().)"
        )


def check_rejects_kind(call, kind: str, what: str) -> None:
    """``call()`` raises a ValueError for the unknown ``kind``."""
    try:
        result = call()
    except ValueError:
        return
    except Exception as error:  # noqa: BLE001 - the message names what was raised instead
        raise AssertionError(
            f"{what} raised {type(error).__name__}: {error}. An unknown kind must raise a "
            "ValueError (raise ValueError(...) yourself, after checking kind)."
        ) from None
    raise AssertionError(
        f"{what} returned a value of type {type(result).__name__} instead of raising a "
        f"ValueError: an unknown kind such as {kind!r} is a mistake of the caller, and must not "
        "silently give some other distribution."
    )


# --- the matched half-width --------------------------------------------------------------------


def half_width_mistakes(std: float) -> dict[str, float]:
    """What some common mistakes of ``matched_uniform_half_width`` return."""
    return {
        "std / sqrt(3) is upside down: the variance of U(-a, a) is a^2 / 3, so a^2 = 3 * std^2 "
        "and a = sqrt(3) * std": std / math.sqrt(3),
        "sqrt(12) * std is the WIDTH b - a of an interval U(a, b) with that standard deviation; "
        "the half-width is half of it, sqrt(3) * std": math.sqrt(12) * std,
        "3 * std is three standard deviations, not the matched half-width sqrt(3) * std": 3 * std,
        "sqrt(3 * std) takes the root of the standard deviation; a^2 / 3 = std^2 gives "
        "a = sqrt(3 * std^2)": math.sqrt(3 * std),
        "sqrt(3) * std^2 uses the variance where the standard deviation goes": math.sqrt(3)
        * std**2,
    }


def check_half_width(result, expected: float, std: float, what: str) -> None:
    """``result`` is the number ``expected`` (the half-width sqrt(3) * std)."""
    if result is None or np.ndim(to_numpy(result)) != 0:
        raise AssertionError(
            f"{what} returned {result!r}: return one number, the half-width a of U(-a, a)."
        )
    check_close(
        float(to_numpy(result)),
        expected,
        what,
        mistakes=half_width_mistakes(std),
        hint="U(-a, a) has the variance a^2 / 3: solve a^2 / 3 = std^2 for a.",
        rtol=1e-6,
        atol=1e-9,
    )


# --- a Gaussian fitted to the aggregate posterior --------------------------------------------


def covariance_mistakes(z_means) -> dict[str, np.ndarray]:
    """What some common mistakes of the covariance in ``fit_aggregate_posterior`` return."""
    z = np.asarray(z_means, np.float64)
    n = len(z)
    centred = z - z.mean(axis=0)
    return {
        "it divides by N (ddof=0, the maximum-likelihood estimate); the docstring asks for "
        "np.cov's default, which divides by N - 1 (ddof=1)": centred.T @ centred / n,
        "it holds only the variances (a diagonal matrix); a full covariance also holds the "
        "covariances between dimensions, off the diagonal": np.diag(np.var(z, axis=0, ddof=1)),
        "it holds only the variances (a diagonal matrix, ddof=0); a full covariance also holds "
        "the covariances between dimensions": np.diag(np.var(z, axis=0)),
        "the codings are not centred: subtract the mean before the outer products "
        "((z - mean).T @ (z - mean) / (N - 1))": z.T @ z / (n - 1),
        "the codings are not centred (and it divides by N): subtract the mean first": z.T @ z / n,
        "it is the correlation matrix (np.corrcoef), not the covariance": np.corrcoef(
            z, rowvar=False
        ),
    }


def check_aggregate_fit(result, z_means, expected_mean, expected_cov, what: str) -> None:
    """``result`` is ``(mean, cov)``: ``expected_mean`` (codings_size,) and ``expected_cov``
    (codings_size, codings_size), the sample covariance with ddof=1."""
    z = np.asarray(z_means, np.float64)
    n, size = z.shape
    if not isinstance(result, tuple | list) or len(result) != 2:
        raise AssertionError(
            f"{what} returned a value of type {type(result).__name__}: return a tuple (mean, cov)."
        )
    mean, cov = (to_numpy(part) for part in result)
    if mean.shape == (size, size) and cov.shape == (size,):
        raise AssertionError(f"{what} returned (cov, mean): the order is (mean, cov).")
    if mean.shape == (n,) and n != size:
        raise AssertionError(
            f"{what}: the mean has shape ({n},), one value per coding (image): average over "
            f"axis 0, over the images, to get one value per dimension, shape ({size},)."
        )
    check_shape(mean, (size,), f"the mean of {what}", "One value per dimension: (codings_size,).")
    if cov.shape == (n, n) and n != size:
        raise AssertionError(
            f"{what}: the covariance has shape ({n}, {n}), one row per coding: np.cov treats "
            "each ROW as a variable unless you pass rowvar=False (or z_means.T): this is the "
            "covariance of the transposed array."
        )
    check_shape(
        cov, (size, size), f"the covariance of {what}", "Shape (codings_size, codings_size)."
    )
    scale = float(np.abs(expected_cov).max())
    check_close(
        mean,
        expected_mean,
        f"the mean of {what}",
        hint="It is the mean of the codings over the images, np.mean(z_means, axis=0).",
        rtol=1e-4,
        atol=1e-6 * max(scale, 1.0),
    )
    check_close(
        cov,
        expected_cov,
        f"the covariance of {what}",
        mistakes=covariance_mistakes(z),
        hint="It is np.cov(z_means, rowvar=False): centred, divided by N - 1.",
        rtol=1e-4,
        atol=1e-6 * scale,
    )


def check_unchanged(after, before, what: str) -> None:
    """The input array ``after`` still holds ``before``: the function did not change it."""
    if not np.array_equal(np.asarray(after), np.asarray(before)):
        raise AssertionError(
            f"{what} changed its input z_means (an in-place operation such as z_means -= mean?): "
            "the caller's codings must stay as they were. Work on a new array: "
            "centred = z_means - mean."
        )
