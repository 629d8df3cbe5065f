"""Checks of 07-capstone: the samples of a student's improved model.

``improved_samples(n, seed)`` must return new images: a NumPy float32 array (n, 28, 28) in [0, 1],
the same for the same seed and different for another, not copies of dataset images, and with a
sample-quality score (a Fréchet distance) lower than the baseline's by more than three standard
deviations of the baseline's seed-to-seed spread.
The test cells draw the samples, score them with ``vaecourse.metrics.sample_quality`` and pass the
numbers in; these helpers compare and name the likely mistake. NumPy only.
"""

from __future__ import annotations

import numpy as np

from . import check_numpy_array, check_shape, to_numpy

#: A sample closer than this (Euclidean distance over the 784 pixels in [0, 1]) to a dataset image
#: is a copy of it: an RMS difference of 0.036 per pixel, less than 10 grey levels of 255. Measured
#: on 500 samples of each sampler of the notebook and of the catalogue's right answers, the nearest
#: Fashion-MNIST image lies 1.1 away or more (1.1 for the empirical aggregate posterior of beta =
#: 0.1, which decodes codings of training images; 1.4 for the baseline's prior samples), and
#: typically 3 to 4 away.
COPY_DISTANCE = 1.0
#: Above this share of copies among the checked samples, the answer returns dataset images.
COPY_SHARE = 0.01


def check_sample_array(images, n: int, what: str) -> np.ndarray:
    """``images`` is a NumPy float32 array of shape (n, 28, 28) with finite values in [0, 1]."""
    check_numpy_array(images, what)
    flat_or_channels = images.shape in ((n, 784), (n, 1, 28, 28), (n, 28, 28, 1))
    check_shape(
        images,
        (n, 28, 28),
        what,
        "Reshape them to (n, 28, 28): no flat images, no channel axis."
        if flat_or_channels
        else "Return one 28x28 image per sample.",
    )
    if images.dtype != np.float32:
        raise AssertionError(
            f"{what}: dtype {images.dtype}, expected float32 (as the loaders give images): "
            "convert with .astype(np.float32)."
        )
    if not np.all(np.isfinite(images)):
        raise AssertionError(f"{what}: some values are NaN or infinite.")
    low, high = float(images.min()), float(images.max())
    if low < 0 or high > 1:
        raise AssertionError(
            f"{what}: values from {low:.3g} to {high:.3g}, outside [0, 1]. These look like the "
            "decoder's logits: images are probabilities, the sigmoid of the logits (decode)."
        )
    return images


def check_seeded_samples(first, again, other, what: str) -> None:
    """The same seed gives the same samples, another seed other samples, and the samples of one
    call are not all the same image."""
    first, again, other = map(to_numpy, (first, again, other))
    if not np.array_equal(first, again):
        raise AssertionError(
            f"{what}: two calls with the same seed gave different samples: the seed is ignored. "
            "Draw every random number (the codings, a choice of component...) from a generator "
            "made from the seed."
        )
    if np.array_equal(first, other):
        raise AssertionError(
            f"{what}: two different seeds gave the same samples. Sampling means new codings for "
            "every seed; a fixed set of images is not a generative model."
        )
    if len(first) > 1 and np.all(first == first[:1]):
        raise AssertionError(
            f"{what}: every sample is the same image. Draw one coding per sample, not one "
            "coding for all of them."
        )


def nearest_distances(samples, datasets, chunk: int = 10_000) -> np.ndarray:
    """The Euclidean distance, over the 784 pixels, of each sample (m, 28, 28) to its nearest
    image in ``datasets``, a sequence of image arrays (N, 28, 28)."""
    a = to_numpy(samples).reshape(len(samples), -1).astype(np.float32)
    a_squared = (a * a).sum(axis=1)
    best = np.full(len(a), np.inf, np.float32)
    for images in datasets:
        for start in range(0, len(images), chunk):
            b = np.asarray(images[start : start + chunk], np.float32).reshape(-1, a.shape[1])
            squared = a_squared[:, None] + (b * b).sum(axis=1)[None, :] - 2 * (a @ b.T)
            best = np.minimum(best, squared.min(axis=1))
    return np.sqrt(np.maximum(best, 0.0))


def check_not_copies(samples, datasets, what: str, count: int = 500) -> None:
    """The first ``count`` samples are not copies of images of ``datasets`` (a sequence of image
    arrays): at most COPY_SHARE of them lie within COPY_DISTANCE of a dataset image."""
    distances = nearest_distances(samples[:count], datasets)
    copies = int((distances < COPY_DISTANCE).sum())
    if copies > COPY_SHARE * len(distances):
        raise AssertionError(
            f"{what}: {copies} of the first {len(distances)} samples are copies of Fashion-MNIST "
            f"images (within a distance of {COPY_DISTANCE} of one, over the 784 pixels; the "
            "samples of the notebook's models lie 1.1 away or more). Returning dataset images "
            "is not generating: decode codings that you draw."
        )


def check_beats_baseline(score: float, baseline: float, spread: float, what: str) -> None:
    """``score``, a Fréchet distance (lower is better), is at most ``baseline - 3 * spread``: the
    improvement is larger than three standard deviations of the baseline's seed-to-seed spread."""
    threshold = baseline - 3 * spread
    summary = (
        f"{what}: Fréchet distance {score:.1f} against the test images; the baseline scores "
        f"{baseline:.1f} (standard deviation {spread:.2f} from one sampling seed to the next), and "
        f"the test asks for at most {threshold:.1f}."
    )
    if not np.isfinite(score):
        raise AssertionError(f"{summary} The score is not finite: are some samples NaN?")
    if score <= threshold:
        print(f"{summary} Improved by {baseline - score:.1f}.")
        return
    if score <= baseline + 3 * spread:
        raise AssertionError(
            f"{summary} That is no better than the baseline, within its seed-to-seed spread. Are "
            "you sampling the baseline itself (dense_vae with codings from N(0, I))? Use the fix "
            "that measured best in section 3."
        )
    raise AssertionError(
        f"{summary} That is worse than the baseline. Check the codings you decode: drawn from "
        "N(0, I) (standard deviation 1, not 2 or 0.5), or from the Gaussian you fitted to the "
        "codings of the same model (its covariance, not a standard deviation where a variance "
        "belongs), and decoded with that model."
    )
