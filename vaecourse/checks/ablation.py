"""Checks of 05-latent-loss-ablation: the metrics of one run (``summarize_run``) and the count of
active latent dimensions (``active_units``).

The test cells compute what they expect with NumPy and pass it in; these helpers compare, and
compute what the usual mistakes would give from the same inputs, so that a failure names the
mistake. NumPy only: no framework is imported.
"""

from __future__ import annotations

import numbers
from collections.abc import Mapping

import numpy as np

from . import _short, check_close, to_numpy

#: The keys that ``summarize_run`` returns.
SUMMARY_KEYS = ("reconstruction", "kl", "kl_per_dimension", "neg_elbo", "loss")


# --- summarize_run -------------------------------------------------------------------------------


KL_NEGATIVE = (
    "the KL is negative: check its sign, KL = 0.5 * (exp(z_log_var) + z_mean**2 - 1 - z_log_var) "
    "is at least 0"
)
KL_SUMMED = (
    "the KL is summed over the images instead of averaged (nats per image: the mean over the "
    "images)"
)
KL_LOG_SIGMA = (
    "z_log_var is used as log(sigma): it is the log-variance, gamma = log(sigma^2), so "
    "sigma^2 = exp(z_log_var)"
)
KL_PER_IMAGE = (
    "one value per image: kl_per_dimension holds one value per coding dimension, so average the "
    "KL over the images (axis 0) instead of summing it over the dimensions"
)
BETA_ON_RECONSTRUCTION = (
    "beta multiplies the reconstruction term: the loss is reconstruction + beta * KL"
)


def _kl_variants(right, log_sigma, n: int) -> dict:
    """What the usual KL mistakes give, from the right value and the log-sigma variant."""
    return {KL_NEGATIVE: -right, KL_SUMMED: right * n, KL_LOG_SIGMA: log_sigma}


def summary_mistakes(expected: Mapping, n: int, z_mean, z_log_var, beta: float) -> dict:
    """{key: {mistake: what that mistake returns}} for the usual mistakes of ``summarize_run``,
    from the right values ``expected`` (the test's), the number of images ``n`` and the inputs."""
    z_mean, z_log_var = to_numpy(z_mean), to_numpy(z_log_var)
    reconstruction, kl = float(expected["reconstruction"]), float(expected["kl"])
    per_dimension = np.asarray(expected["kl_per_dimension"], np.float64)
    # the KL per dimension when z_log_var is taken for log(sigma), that is log(sigma^2) / 2
    log_sigma = (0.5 * (np.exp(2 * z_log_var) + z_mean**2 - 1 - 2 * z_log_var)).mean(axis=0)
    # the KL of each image, summed over the dimensions: what a per-image answer returns
    per_image = (0.5 * (np.exp(z_log_var) + z_mean**2 - 1 - z_log_var)).sum(axis=1)
    loss = {
        BETA_ON_RECONSTRUCTION: beta * reconstruction + kl,
        "beta is ignored: the loss is reconstruction + beta * KL (the -ELBO is the sum without "
        "beta)": reconstruction + kl,
    }
    if beta:
        loss["the KL is divided by beta: the loss is reconstruction + beta * KL"] = (
            reconstruction + kl / beta
        )
    return {
        "reconstruction": {
            "the cross-entropy is averaged over the 784 pixels: a per-image loss is summed over "
            "the pixels (then averaged over the images)": reconstruction / 784,
            "the cross-entropy is summed over the images too: nats per image is the mean over "
            "the images": reconstruction * n,
        },
        "kl_per_dimension": {
            **_kl_variants(per_dimension, log_sigma, n),
            **({KL_PER_IMAGE: per_image} if len(per_image) == len(per_dimension) else {}),
        },
        "kl": {
            **_kl_variants(kl, log_sigma.sum(), n),
            "the KL is averaged over the coding dimensions: it is their sum": kl
            / len(per_dimension),
        },
        "neg_elbo": {
            "the -ELBO weighs the KL by beta: the -ELBO is reconstruction + KL whatever beta the "
            "run trained with (the weighted sum is the loss)": reconstruction + beta * kl,
            BETA_ON_RECONSTRUCTION + ", and the -ELBO is reconstruction + KL": beta * reconstruction
            + kl,
            "the KL is subtracted: the -ELBO is reconstruction + KL": reconstruction - kl,
        },
        "loss": loss,
    }


def check_summary(summary, expected: Mapping, n: int, z_mean, z_log_var, beta: float, what: str):
    """``summary`` (what ``summarize_run`` returned) holds every key of ``SUMMARY_KEYS`` with the
    values of ``expected``: numbers, and an array of one KL per coding dimension."""
    if not isinstance(summary, Mapping):
        raise AssertionError(
            f"{what} returned a {type(summary).__name__}: return a dict with the keys "
            f"{', '.join(SUMMARY_KEYS)}."
        )
    missing = [key for key in SUMMARY_KEYS if key not in summary]
    if missing:
        raise AssertionError(
            f"{what}: the dict has no key {', '.join(map(repr, missing))}. It needs all of "
            f"{', '.join(SUMMARY_KEYS)} (keys spelled exactly so)."
        )
    mistakes = summary_mistakes(expected, n, z_mean, z_log_var, beta)
    size = len(np.asarray(expected["kl_per_dimension"]))
    for key in ("reconstruction", "kl_per_dimension", "kl", "neg_elbo", "loss"):
        got = to_numpy(summary[key])
        label = f"{what}[{key!r}]"
        if key == "kl_per_dimension":
            _check_per_dimension_shape(got, n, size, label)
        elif got.size != 1:
            raise AssertionError(
                f"{label}: expected one number, got an array of shape {got.shape}. Nats per "
                "image is the mean over the images (and the sum over pixels or dimensions)."
            )
        else:
            got = got.reshape(())
        if key in ("kl_per_dimension", "kl") and np.all(np.isfinite(got)) and np.any(got < -1e-6):
            raise AssertionError(f"{label}: negative values ({_short(got)}): {KL_NEGATIVE}.")
        check_close(
            got,
            expected[key],
            label,
            mistakes=mistakes[key],
            hint=_HINTS[key],
            rtol=1e-4,
            atol=1e-4,
        )


def _check_per_dimension_shape(got: np.ndarray, n: int, size: int, label: str) -> None:
    if got.shape == (size,):
        return
    if got.shape in ((n,), (n, 1)) and n != size:
        raise AssertionError(f"{label}: shape {got.shape}, {KL_PER_IMAGE} (shape ({size},)).")
    if got.shape == (n, size):
        raise AssertionError(
            f"{label}: shape {got.shape}, one value per image and dimension: average over the "
            f"images (axis 0) to get shape ({size},)."
        )
    raise AssertionError(f"{label}: expected shape ({size},), one KL per coding dimension.")


_HINTS = {
    "reconstruction": "It is the Bernoulli cross-entropy of the images under the logits, summed "
    "over the pixels of each image and averaged over the images, computed stably from the "
    "logits: max(l, 0) - l * x + log(1 + exp(-|l|)).",
    "kl_per_dimension": "Entry j is the mean over the images of "
    "0.5 * (exp(z_log_var) + z_mean**2 - 1 - z_log_var) in dimension j.",
    "kl": "It is the sum of kl_per_dimension: the KL summed over the codings, averaged over "
    "the images.",
    "neg_elbo": "It is reconstruction + kl.",
    "loss": "It is reconstruction + beta * kl.",
}


# --- active_units --------------------------------------------------------------------------------


def active_unit_mistakes(z_means, threshold: float) -> dict[str, int]:
    """What the usual mistakes of ``active_units`` count for ``z_means`` (N, codings_size)."""
    z = to_numpy(z_means)
    variance = z.var(axis=0)
    mistakes = {
        "it compares the standard deviation with the threshold: compare the variance": int(
            np.count_nonzero(np.sqrt(variance) > threshold)
        ),
        "it counts a variance equal to the threshold: active means strictly greater (>)": int(
            np.count_nonzero(variance >= threshold)
        ),
        "it takes the variance of each row (each image, axis 1): take the variance of each "
        "dimension over the rows (axis 0)": int(np.count_nonzero(z.var(axis=1) > threshold)),
        "it counts the inactive dimensions (variance at most the threshold)": int(
            np.count_nonzero(variance <= threshold)
        ),
    }
    if len(z) > 1:
        sample = "it uses the sample variance (ddof=1, the default of torch.var and of pandas)"
        mistakes[sample + ": use the population variance, ddof=0 (np.var's default)"] = int(
            np.count_nonzero(z.var(axis=0, ddof=1) > threshold)
        )
    return mistakes


def check_active_units(count, expected: int, z_means, threshold: float, what: str) -> None:
    """``count`` (what ``active_units`` returned) is the int ``expected``; otherwise name the
    mistakes that give the same wrong count."""
    if isinstance(count, bool) or not isinstance(count, numbers.Integral):
        shape = np.shape(to_numpy(count))
        kind = type(count).__name__ + (f" of shape {shape}" if shape else "")
        raise AssertionError(
            f"{what} returned a {kind}: return the number of active dimensions as an int "
            "(int(...) converts a NumPy or framework count; a mask of the active dimensions is "
            "not a count)."
        )
    if count == expected:
        return
    size = np.shape(z_means)[1]
    wrong = [m for m, value in active_unit_mistakes(z_means, threshold).items() if value == count]
    if wrong:
        raise AssertionError(
            f"{what}: {count} active dimensions, expected {expected}. The count matches a "
            f"known mistake: {'; or '.join(wrong)}."
        )
    hint = (
        f" There are only {size} dimensions: is the variance taken over the right axis?"
        if count > size
        else ""
    )
    raise AssertionError(
        f"{what}: {count} active dimensions, expected {expected}. A dimension is active when the "
        "population variance over the rows of its column of z_means is strictly greater than "
        f"the threshold ({threshold:g}).{hint}"
    )
