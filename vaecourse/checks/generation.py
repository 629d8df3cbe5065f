"""Checks of 04-generation: a trained VAE against the reference band, images generated from the
prior, interpolations between codings, and grids over a 2-D latent plane.

The test cells compute what they expect with NumPy and pass it in; these helpers measure, compare
and name the likely mistake. NumPy only: the test cells call the student's models and convert
their outputs (``vaecourse.checks.to_numpy``) before calling these.
"""

from __future__ import annotations

import math

import numpy as np

from .. import reference
from . import check_close, check_numpy_array, check_shape, to_numpy

#: Nats per image of a decoder that outputs logit 0 for every pixel (coin flips): 784 ln 2.
UNTRAINED_RECONSTRUCTION = 784 * math.log(2)
#: Below this KL (nats per image) the codings carry almost nothing: posterior collapse.
COLLAPSED_KL = 1.0
#: Above this KL (nats per image) the latent loss cannot have acted: every run of the notebook's
#: recipe ends between 11 and 14 nats, while training without the KL term passes 80 within an epoch.
RUNAWAY_KL = 40.0


# --- a trained VAE -------------------------------------------------------------------------------


def check_not_reference(model) -> None:
    """The model is the student's own: not an instance of one of vaecourse's reference models
    (``vaecourse.torch.DenseVAE``, ``vaecourse.keras.VAE``...) or of a subclass of one."""
    registered = reference.loaded_callables()
    for base in type(model).__mro__:
        if id(base) in registered and registered[id(base)][1] is base:
            raise AssertionError(
                f"This model is a {registered[id(base)][0]}, vaecourse's reference code. The point "
                "of the exercise is to build and train it yourself: a model made by the reference "
                "earns no credit."
            )


def dense_vae_weight_count(codings_size: int = 10, hidden: tuple[int, int] = (150, 100)) -> int:
    """The number of weights and biases of the book's dense VAE: 784 -> 150 -> 100 -> two heads
    of ``codings_size``, and codings_size -> 100 -> 150 -> 784."""
    h1, h2 = hidden
    encoder = 784 * h1 + h1 + h1 * h2 + h2 + 2 * (h2 * codings_size + codings_size)
    decoder = codings_size * h2 + h2 + h2 * h1 + h1 + h1 * 784 + 784
    return encoder + decoder


def check_weight_count(count: int, codings_size: int = 10) -> None:
    """The model has exactly the book's layers (checked by counting its trainable weights)."""
    expected = dense_vae_weight_count(codings_size)
    if count != expected:
        raise AssertionError(
            f"The book's dense VAE with {codings_size} codings has {expected:,} trainable weights "
            f"(784 -> 150 -> 100 -> two heads of {codings_size} in the encoder, {codings_size} -> "
            f"100 -> 150 -> 784 in the decoder, each layer with its biases); yours has {count:,}. "
            "Check the layer sizes, and that z_mean and z_log_var are two separate heads."
        )


def check_vae_outputs(n: int, z_mean, z_log_var, codings, logits, codings_size: int = 10) -> None:
    """The encoder returned (z_mean, z_log_var, codings), each (n, codings_size), with sampled
    codings, and the decoder returned logits of shape (n, 28, 28)."""
    z_mean, z_log_var, codings, logits = map(to_numpy, (z_mean, z_log_var, codings, logits))
    hint = "The encoder returns (z_mean, z_log_var, codings), each (N, codings_size)."
    for value, name in ((z_mean, "z_mean"), (z_log_var, "z_log_var"), (codings, "codings")):
        check_shape(value, (n, codings_size), f"the encoder's {name}", hint)
    if np.array_equal(codings, z_mean):
        raise AssertionError(
            "The encoder's codings are exactly z_mean: it does not sample. The codings are "
            "z_mean + exp(z_log_var / 2) * eps, drawn with your sampler of assignment 2."
        )
    check_shape(
        logits, (n, 28, 28), "the decoder's output", "It returns logits of shape (N, 28, 28)."
    )
    if logits.min() >= 0 and logits.max() <= 1:
        raise AssertionError(
            "The decoder's outputs all lie in [0, 1]: they look like probabilities, not logits. "
            "The decoder ends with a linear layer (no sigmoid); the loss takes logits."
        )


def neg_elbo(images, logits, z_mean, z_log_var) -> dict[str, float]:
    """The -ELBO in nats per image with a Bernoulli likelihood, and its two terms, as means over
    the images: the cross-entropy of ``images`` (N, 28, 28) in [0, 1] under ``logits``, summed
    over the pixels (stable form), plus KL(N(z_mean, exp(z_log_var)) || N(0, I)), summed over the
    codings. ``logits`` must come from codings drawn from the encoder's distribution."""
    x = to_numpy(images).reshape(len(images), -1)
    logits = to_numpy(logits).reshape(len(x), -1)
    z_mean, z_log_var = to_numpy(z_mean), to_numpy(z_log_var)
    cross_entropy = np.maximum(logits, 0) - logits * x + np.log1p(np.exp(-np.abs(logits)))
    reconstruction = float(cross_entropy.sum(axis=1).mean())
    kl = float((0.5 * (np.exp(z_log_var) + z_mean**2 - 1 - z_log_var)).sum(axis=1).mean())
    return {"neg_elbo": reconstruction + kl, "reconstruction": reconstruction, "kl": kl}


def check_neg_elbo_band(measured: dict[str, float], reference: float, upper: float) -> None:
    """Pass when the measured test -ELBO is at most ``upper`` nats per image (the reference runs'
    mean ``reference`` plus the tolerance); otherwise say which mistake the two terms point to."""
    value, reconstruction, kl = (measured[k] for k in ("neg_elbo", "reconstruction", "kl"))
    summary = (
        f"Your VAE's test -ELBO is {value:.1f} nats per image (reconstruction {reconstruction:.1f} "
        f"+ KL {kl:.2f}); the reference runs of this recipe average {reference:.1f}, and the test "
        f"accepts up to {upper:.1f}."
    )
    if not all(math.isfinite(v) for v in (value, reconstruction, kl)):
        raise AssertionError(
            f"{summary} It is not finite: did training diverge (NaN weights)? Check the learning "
            "rate and that the loss is computed from logits with the stable formula."
        )
    if value <= upper:
        return
    if reconstruction > 0.95 * UNTRAINED_RECONSTRUCTION:
        raise AssertionError(
            f"{summary} Your model looks untrained: its reconstruction term is close to "
            f"784 ln 2 = {UNTRAINED_RECONSTRUCTION:.1f} nats, the cost of coin-flip pixels. Did "
            "the training loop run, and does every step call backward() and the optimizer?"
        )
    if kl < COLLAPSED_KL:
        raise AssertionError(
            f"{summary} The KL is almost 0: the codings carry no information about the images "
            "(posterior collapse), so every image decodes to the same blur. The KL term weighs "
            "far too much against the reconstruction: is the cross-entropy averaged over the "
            "pixels instead of summed (that multiplies beta by 784)?"
        )
    if kl > RUNAWAY_KL:
        raise AssertionError(
            f"{summary} The KL is far above the reference runs' (11 to 14 nats): the latent loss "
            "barely acted, and codings drawn from N(0, I) will land where no image was encoded. "
            "Is the KL term missing from the training loss (beta = 0), or divided by 784?"
        )
    raise AssertionError(
        f"{summary} The model looks undertrained: train on all the training images for the "
        "notebook's number of epochs, with Adam at a learning rate of 1e-3 and batches of 128, "
        "on the batch mean of (cross-entropy summed over the pixels + KL)."
    )


# --- images generated from the prior ------------------------------------------------------------


def check_standard_normal(codings, what: str = "the codings") -> None:
    """Many codings (n, codings_size) look drawn independently from N(0, I)."""
    z = to_numpy(codings)
    n, size = z.shape
    if n > 1 and np.all(z == z[0]):
        raise AssertionError(
            f"{what}: every row is the same coding. Draw a new coding for every image: "
            f"noise of shape (n, codings_size) = ({n}, {size})."
        )
    if size > 1 and np.all(z == z[:, :1]):
        raise AssertionError(f"{what}: every dimension holds the same value. Draw each one.")
    mean, std = float(z.mean()), float(z.std())
    if abs(mean) <= 0.06 and abs(std - 1) <= 0.06 and abs(float((z**4).mean()) - 3) <= 0.4:
        return
    if z.min() >= 0 and z.max() <= 1:
        kind = "uniform in [0, 1) (torch.rand or keras.random.uniform?)"
    elif z.min() >= -1 and z.max() <= 1:
        kind = "uniform in [-1, 1]"
    else:
        kind = f"spread with mean {mean:.3f} and standard deviation {std:.3f}"
    raise AssertionError(
        f"{what} look {kind}, not standard normal (mean 0, standard deviation 1, as the prior "
        "N(0, I) that the KL term pulled the codings towards). Draw them with torch.randn / "
        "keras.random.normal / a NumPy Generator's standard_normal."
    )


def check_generated(images, fed, weights, n: int, codings_size: int, what: str) -> np.ndarray:
    """``images`` from ``generate`` are the sigmoid of a linear test decoder's logits
    ``codings @ weights`` for the codings it was fed (``fed``, the list of what it received), and
    those codings have shape (n, codings_size). Returns the codings."""
    check_numpy_array(images, what)
    check_shape(images, (n, 28, 28), what, "Return one 28x28 image per coding.")
    if not fed:
        raise AssertionError(f"{what} never called the decoder it was given.")
    codings = np.concatenate([to_numpy(c).reshape(len(c), -1) for c in fed])
    check_shape(codings, (n, codings_size), f"the codings {what} passed to the decoder")
    logits = codings @ np.asarray(weights, np.float64)
    expected = 1 / (1 + np.exp(-logits.reshape(n, 28, 28)))
    got = to_numpy(images)
    if got.min() < 0 or got.max() > 1:
        raise AssertionError(
            f"{what}: values from {got.min():.3g} to {got.max():.3g}, outside [0, 1]. The decoder "
            "returns logits: apply a sigmoid to get pixel values in [0, 1]."
        )
    check_close(
        got,
        expected,
        f"the images of {what}",
        mistakes={
            "the sigmoid is applied twice": 1 / (1 + np.exp(-expected)),
            "the images are 1 - sigmoid(logits) (a minus sign too many?)": 1 - expected,
        },
        hint="Return sigmoid(decoder(codings)) for the codings you gave the decoder.",
        atol=1e-5,
    )
    return codings


def check_seeded(first, again, other, what: str) -> None:
    """The same seed gives the same result; another seed, another one."""
    first, again, other = map(to_numpy, (first, again, other))
    if not np.array_equal(first, again):
        raise AssertionError(
            f"{what}: two calls with the same seed gave different images: the seed is ignored. "
            "Draw the codings from a generator made from the seed."
        )
    if np.array_equal(first, other):
        raise AssertionError(f"{what}: two different seeds gave the same images.")


# --- interpolation -------------------------------------------------------------------------------


def interpolation_mistakes(z_start, z_end, steps: int) -> dict[str, np.ndarray]:
    """What some common mistakes of ``interpolate`` return."""
    a, b = (np.asarray(z, np.float64) for z in (z_start, z_end))

    def line(t):
        return a + np.asarray(t, np.float64)[:, None] * (b - a)

    return {
        "the end point z_end is missing: the fractions must run from 0 to 1 inclusive, "
        "np.linspace(0, 1, steps)": line(np.arange(steps) / steps),
        "the start point z_start is missing: the fractions must run from 0 to 1 inclusive": line(
            np.arange(1, steps + 1) / steps
        ),
        "the order is reversed: the first row is z_start, the last z_end": line(
            np.linspace(1, 0, steps)
        ),
        "the fractions multiply z_end alone: z_start + t * (z_end - z_start), or "
        "(1 - t) * z_start + t * z_end": a + np.linspace(0, 1, steps)[:, None] * b,
    }


def check_interpolation(result, expected, z_start, z_end, steps: int, what: str) -> None:
    """``result`` is ``expected`` (steps, codings_size): exact end points, even spacing."""
    got = to_numpy(result)
    check_shape(
        got,
        np.shape(expected),
        what,
        f"One row per step: ({steps}, codings_size), from z_start to z_end, both included.",
    )
    check_close(
        got,
        expected,
        what,
        mistakes=interpolation_mistakes(z_start, z_end, steps),
        hint="Row k is z_start + t_k * (z_end - z_start) with t = np.linspace(0, 1, steps).",
        rtol=1e-5,
        atol=1e-6,
    )


# --- a grid over the latent plane ---------------------------------------------------------------


def grid_mistakes(expected: np.ndarray, n: int, kind: str, scale: float) -> dict[str, np.ndarray]:
    """What some common mistakes of ``latent_grid`` return, given the right grid ``expected``."""
    values = expected[:n, 0]  # the first row: x from low to high
    rows = np.repeat(values[::-1], n)
    mistakes = {
        "the two columns are swapped: column 0 is x, column 1 is y": expected[:, ::-1],
        "the rows run from low y to high y: the first row of the grid is the TOP one (highest y)": (
            np.stack([np.tile(values, n), rows[::-1]], axis=1)
        ),
        "x and y are transposed: within a row x varies and y stays the same (row-major order)": (
            np.stack([rows, np.tile(values, n)], axis=1)
        ),
    }
    if kind == "gaussian":
        evenly = "evenly spaced values instead of standard-normal quantiles"
        mistakes[evenly] = _grid(np.linspace(values[0], values[-1], n))
        mistakes[evenly + " (from -scale to scale)"] = _grid(np.linspace(-scale, scale, n))
        if scale != 1:
            unscaled = "the scale is not applied (multiply the quantiles by scale)"
            mistakes[unscaled] = expected / scale
    else:
        mistakes["the values run from 0 to scale, not from -scale to scale"] = (
            expected + scale
        ) / 2
    return mistakes


def _grid(values: np.ndarray) -> np.ndarray:
    """The grid of ``values`` on both axes, in the order of ``latent_grid``."""
    ys, xs = np.meshgrid(values[::-1], values, indexing="ij")
    return np.stack([xs.ravel(), ys.ravel()], axis=1)


def check_grid(result, expected, n: int, kind: str, scale: float, what: str) -> None:
    """``result`` is the (n * n, 2) grid ``expected``, in the same order."""
    got = to_numpy(result)
    if got.shape == (n, n, 2):
        raise AssertionError(
            f"{what}: shape (n, n, 2); flatten it to (n * n, 2), one row per grid point."
        )
    check_shape(got, (n * n, 2), what, "One row (x, y) per grid point: shape (n * n, 2).")
    if not np.all(np.isfinite(got)):
        raise AssertionError(
            f"{what}: inf or NaN values. The standard-normal quantiles of 0 and 1 are -inf and "
            "+inf: take them of np.linspace(0.05, 0.95, n)."
        )
    check_close(
        got,
        expected,
        what,
        mistakes=grid_mistakes(np.asarray(expected, np.float64), n, kind, scale),
        hint="See the docstring for the values and the order of the grid points.",
        rtol=1e-5,
        atol=1e-6,
    )
