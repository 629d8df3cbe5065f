"""Checks of the VAE loss (assignment 03): the batch mean of the Bernoulli cross-entropy from
logits, summed over the pixels, plus beta times the KL divergence to N(0, I), summed over the
latent dimensions; and its gradients.

The expected values are written in NumPy (float64) here, next to what the common mistakes
return, so that a failure names the mistake. ``track`` ("pytorch" or "tensorflow") only picks
the wording of a hint.
"""

from __future__ import annotations

import numpy as np

from . import check_close, to_numpy
from .kl import kl_closed_form

_STABLE_CROSS_ENTROPY = {
    "pytorch": "F.binary_cross_entropy_with_logits(logits, x, reduction='none')",
    "tensorflow": "keras.ops.binary_crossentropy(x, logits, from_logits=True)",
}
_MEAN_OVER_LAST_AXIS = {
    "pytorch": "the cross-entropy is averaged over the last axis (one row of 28 pixels) instead of "
    "summed over all the pixels of each image",
    "tensorflow": "keras.losses.binary_crossentropy averages over the last axis; sum the "
    "element-wise cross-entropy (keras.ops.binary_crossentropy) over all the pixels instead",
}


def cross_entropy_sum(x, logits) -> np.ndarray:
    """Stable Bernoulli cross-entropy from logits, max(l, 0) - l x + log(1 + exp(-|l|)), summed
    over each example's pixels, in float64."""
    x, logits = np.asarray(x, np.float64), np.asarray(logits, np.float64)
    per_pixel = np.maximum(logits, 0) - logits * x + np.log1p(np.exp(-np.abs(logits)))
    return per_pixel.reshape(len(x), -1).sum(axis=1)


def _loss_and_mistakes(x, logits, z_mean, z_log_var, beta, track):
    rec, kl = cross_entropy_sum(x, logits), kl_closed_form(z_mean, z_log_var)
    n_dims, n_pixels = np.shape(z_mean)[-1], np.size(x) // len(x)
    return np.mean(rec + beta * kl), {
        "x and logits are swapped: the targets x come first in vae_loss(x, logits, ...); "
        f"check the argument order of the cross-entropy ({_STABLE_CROSS_ENTROPY[track]})": (
            np.mean(cross_entropy_sum(logits, x) + beta * kl)
        ),
        "beta is ignored: multiply the KL term by beta": np.mean(rec + kl),
        "beta multiplies the reconstruction term; it weighs the KL term": np.mean(beta * rec + kl),
        "the KL is averaged over the latent dimensions instead of summed": np.mean(
            rec + beta * kl / n_dims
        ),
        "the cross-entropy is averaged over the pixels instead of summed": np.mean(
            rec / n_pixels + beta * kl
        ),
        _MEAN_OVER_LAST_AXIS[track]: np.mean(rec / np.shape(x)[-1] + beta * kl),
        "both terms are averaged over the pixels (the book's divide-by-784 scale); the course "
        "sums over the pixels": np.mean(rec + beta * kl) / n_pixels,
        "summed over the batch instead of averaged: return the mean over the batch": np.sum(
            rec + beta * kl
        ),
        "the sign of the KL term is flipped: the loss adds beta * KL, and the KL is never "
        "negative": np.mean(rec - beta * kl),
        "one value per example: vae_loss returns their mean over the batch, a scalar": rec
        + beta * kl,
    }


def check_vae_loss(
    got, x, logits, z_mean, z_log_var, beta: float, what: str, track: str, rtol: float = 1e-4
) -> None:
    """``got`` is the batch mean of (cross-entropy summed over pixels + beta * KL), a scalar,
    finite however large the logits."""
    expected, mistakes = _loss_and_mistakes(x, logits, z_mean, z_log_var, beta, track)
    got = to_numpy(got)
    stable = (
        "Compute the cross-entropy from the logits: max(l, 0) - l * x + log(1 + exp(-|l|)), or "
        f"{_STABLE_CROSS_ENTROPY[track]}."
    )
    if not np.all(np.isfinite(got)):
        raise AssertionError(
            f"{what}: got {got}: inf or NaN, the loss is not numerically stable. {stable} Use "
            "z_log_var itself for log(sigma^2) and exp(z_log_var) for sigma^2."
        )
    extreme_logits = np.abs(np.asarray(logits, np.float64)).max() > 50
    if extreme_logits and got.shape == () and 0 < got < 0.5 * expected:
        raise AssertionError(
            f"{what}: got {got}, expected {expected}: the cross-entropy stops growing for large "
            "logits, as if the probabilities were clipped (or an epsilon added inside the log). "
            + stable
        )
    check_close(
        got,
        expected,
        what,
        mistakes=mistakes,
        hint="Per example: the cross-entropy summed over all the pixels, plus beta times the KL "
        "summed over the latent dimensions; then the mean over the batch.",
        rtol=rtol,
        atol=1e-6,
    )


def check_vae_loss_gradients(gradients, x, logits, z_mean, z_log_var, beta: float) -> None:
    """``gradients``: those of the loss with respect to (logits, z_mean, z_log_var). For N
    examples they are (sigmoid(logits) - x) / N, beta mu / N and beta (exp(gamma) - 1) / (2 N)."""
    n = len(x)
    logits = np.asarray(logits, np.float64)
    sigmoid = 0.5 * (1 + np.tanh(0.5 * logits))
    expected = [
        (sigmoid - np.asarray(x, np.float64)) / n,
        beta * np.asarray(z_mean, np.float64) / n,
        beta * np.expm1(np.asarray(z_log_var, np.float64)) / (2 * n),
    ]
    for name, gradient, value in zip(
        ("logits", "z_mean", "z_log_var"), gradients, expected, strict=True
    ):
        check_close(
            gradient,
            value,
            f"the gradient of vae_loss with respect to {name}",
            rtol=1e-4,
            atol=1e-6,
        )
