"""Realistic wrong answers for 05-latent-loss-ablation, both tracks.

Both graded functions take NumPy arrays and return plain numbers in both tracks, so most wrong
answers are NumPy code shared by the tracks; the torch track adds the mistake of ``torch.var``'s
default (the sample variance), and each track has answers written with its own framework among
the ``ALTERNATIVES``. Each ``code`` replaces the whole answer cell with that ``grade_id``; the
names of the setup cell (np, torch / keras, ops, plots, vaecourse) are available to it.
"""

from __future__ import annotations

from wrong_answers import reference_only, right_answers_of, wrong_answers_of

A = "05-latent-loss-ablation"
TRACKS = ("pytorch", "tensorflow")

_torch = wrong_answers_of(A, "pytorch")
_keras = wrong_answers_of(A, "tensorflow")


# --------------------------------------------------------------------------------------------
# summarize_run: NumPy, the same code in both tracks
# --------------------------------------------------------------------------------------------

_STABLE = "np.maximum(logit, 0) - logit * x + np.log1p(np.exp(-np.abs(logit)))"
_KL = "0.5 * (np.exp(z_log_var) + z_mean ** 2 - 1 - z_log_var)"

_SUMMARY = """
def summarize_run(images, logits, z_mean, z_log_var, beta):
    x = images.reshape(len(images), -1)
    logit = logits.reshape(len(logits), -1)
    cross_entropy = {cross_entropy}
    reconstruction = float(cross_entropy.{over_pixels}(axis=1).mean())
    kl_per_dimension = ({kl}).{over_images}(axis=0)
    kl = float(kl_per_dimension.sum())
    return {{"reconstruction": reconstruction, "kl_per_dimension": kl_per_dimension, "kl": kl,
            "neg_elbo": {neg_elbo}, "loss": {loss}}}
"""


def _summary(
    cross_entropy=_STABLE,
    over_pixels="sum",
    kl=_KL,
    over_images="mean",
    neg_elbo="reconstruction + kl",
    loss="reconstruction + beta * kl",
) -> str:
    return _SUMMARY.format(
        cross_entropy=cross_entropy,
        over_pixels=over_pixels,
        kl=kl,
        over_images=over_images,
        neg_elbo=neg_elbo,
        loss=loss,
    )


_SUMMARY_MISTAKES = [
    (
        "the cross-entropy averaged over the pixels instead of summed",
        _summary(over_pixels="mean"),
        "the cross-entropy is averaged over the 784 pixels",
    ),
    (
        "the cross-entropy from log(sigmoid(logits)): inf and NaN for large logits",
        _summary(
            cross_entropy="-(x * np.log(1 / (1 + np.exp(-logit))) "
            "+ (1 - x) * np.log(1 - 1 / (1 + np.exp(-logit))))"
        ),
        "numerically stable",
    ),
    (
        "the book's KL without its minus sign",
        _summary(kl="0.5 * (1 + z_log_var - np.exp(z_log_var) - z_mean ** 2)"),
        "the KL is negative",
    ),
    (
        "z_log_var taken for log(sigma)",
        _summary(kl="0.5 * (np.exp(2 * z_log_var) + z_mean ** 2 - 1 - 2 * z_log_var)"),
        "z_log_var is used as log(sigma)",
    ),
    (
        "the KL per dimension summed over the images",
        _summary(over_images="sum"),
        "the KL is summed over the images instead of averaged",
    ),
    (
        "the KL per image instead of per dimension",
        """
def summarize_run(images, logits, z_mean, z_log_var, beta):
    x = images.reshape(len(images), -1)
    logit = logits.reshape(len(logits), -1)
    reconstruction = float((np.logaddexp(0, logit) - logit * x).sum(axis=1).mean())
    kl_per_image = (0.5 * (np.exp(z_log_var) + z_mean ** 2 - 1 - z_log_var)).sum(axis=1)
    kl = float(kl_per_image.mean())
    return {"reconstruction": reconstruction, "kl_per_dimension": kl_per_image, "kl": kl,
            "neg_elbo": reconstruction + kl, "loss": reconstruction + beta * kl}
""",
        "average the KL over the images (axis 0)",
    ),
    (
        "beta multiplies the reconstruction term in the loss",
        _summary(loss="beta * reconstruction + kl"),
        "beta multiplies the reconstruction term",
    ),
    (
        "the -ELBO weighs the KL by beta",
        _summary(neg_elbo="reconstruction + beta * kl"),
        "the -ELBO weighs the KL by beta",
    ),
    (
        "a list instead of a dict",
        """
def summarize_run(images, logits, z_mean, z_log_var, beta):
    x = images.reshape(len(images), -1)
    logit = logits.reshape(len(logits), -1)
    reconstruction = float((np.logaddexp(0, logit) - logit * x).sum(axis=1).mean())
    kl_per_dimension = (0.5 * (np.exp(z_log_var) + z_mean ** 2 - 1 - z_log_var)).mean(axis=0)
    kl = float(kl_per_dimension.sum())
    return [reconstruction, kl, kl_per_dimension, reconstruction + kl, reconstruction + beta * kl]
""",
        "return a dict",
    ),
]


# --------------------------------------------------------------------------------------------
# active_units: NumPy in both tracks, and torch.var's default in the torch track
# --------------------------------------------------------------------------------------------


def _active(expression: str) -> str:
    return f"""
def active_units(z_means, threshold=0.01):
    return {expression}
"""


_ACTIVE_MISTAKES = [
    (
        "the standard deviation compared with the threshold",
        _active("int(np.count_nonzero(np.std(z_means, axis=0) > threshold))"),
        "compares the standard deviation",
    ),
    (
        ">= instead of >",
        _active("int(np.count_nonzero(np.var(z_means, axis=0) >= threshold))"),
        "strictly greater",
    ),
    (
        "the variance over each row (axis 1)",
        _active("int(np.count_nonzero(np.var(z_means, axis=1) > threshold))"),
        "variance of each row",
    ),
    (
        "returns the mask of the active dimensions",
        _active("np.var(z_means, axis=0) > threshold"),
        "return the number of active dimensions as an int",
    ),
]

# The one entry per track planted in the answer's own cell with its tests damaged: a cheap one.
_TAMPERED = {
    "pytorch": ">= instead of >",
    "tensorflow": "the standard deviation compared with the threshold",
}


def _shared(make, track: str) -> list:
    """The NumPy mistakes of both answers, as entries of one track."""
    return [
        make(grade_id, mistake, code, message, tampered=mistake == _TAMPERED[track])
        for grade_id, mistakes in (
            ("summarize_run", _SUMMARY_MISTAKES),
            ("active_units", _ACTIVE_MISTAKES),
        )
        for mistake, code, message in mistakes
    ]


SHARED = _shared(_torch, "pytorch") + _shared(_keras, "tensorflow")

SAMPLE_VARIANCE = [
    _torch(
        "active_units",
        "torch.var's default, the sample variance (ddof=1)",
        _active("int((torch.from_numpy(z_means).var(dim=0) > threshold).sum())"),
        "sample variance (ddof=1",
    ),
    _keras(
        "active_units",
        "the sample variance (ddof=1)",
        _active("int(np.count_nonzero(np.var(z_means, axis=0, ddof=1) > threshold))"),
        "sample variance (ddof=1",
    ),
]

# Answers that only hand their work to vaecourse's reference code: they must earn nothing.
_REFERENCE_ACTIVE = """
from vaecourse.metrics import active_units as reference_active_units


def active_units(z_means, threshold=0.01):
    return reference_active_units(z_means, threshold)
"""

_REFERENCE_SUMMARY = """
import vaecourse.{module}


def summarize_run(images, logits, z_mean, z_log_var, beta):
    reconstruction = float(np.mean(vaecourse.{module}.reconstruction_bce({x}, {logits})))
    kl_per_dimension = (0.5 * (np.exp(z_log_var) + z_mean ** 2 - 1 - z_log_var)).mean(axis=0)
    kl = float(kl_per_dimension.sum())
    return {{"reconstruction": reconstruction, "kl_per_dimension": kl_per_dimension, "kl": kl,
            "neg_elbo": reconstruction + kl, "loss": reconstruction + beta * kl}}
"""

REFERENCE_ONLY = [
    *(reference_only(A, track, "active_units", _REFERENCE_ACTIVE) for track in TRACKS),
    reference_only(
        A,
        "pytorch",
        "summarize_run",
        _REFERENCE_SUMMARY.format(
            module="torch", x="torch.from_numpy(images)", logits="torch.from_numpy(logits)"
        ),
    ),
    reference_only(
        A,
        "tensorflow",
        "summarize_run",
        _REFERENCE_SUMMARY.format(module="keras", x="images", logits="logits"),
    ),
]

CATALOGUE = SHARED + SAMPLE_VARIANCE + REFERENCE_ONLY


# --------------------------------------------------------------------------------------------
# Right answers written differently from the solution: each must keep every point
# --------------------------------------------------------------------------------------------

_right = right_answers_of(A)

_NUMPY_SUMMARY = """
def summarize_run(images, logits, z_mean, z_log_var, beta):
    images, logits = np.asarray(images, np.float64), np.asarray(logits, np.float64)
    per_image = (np.logaddexp(0, logits) - logits * images).sum(axis=(1, 2))  # softplus form
    variance = np.exp(z_log_var)
    kl_terms = 0.5 * (variance + np.square(z_mean) - 1 - np.log(variance))
    summary = {"reconstruction": per_image.mean(), "kl_per_dimension": kl_terms.mean(axis=0)}
    summary["kl"] = summary["kl_per_dimension"].sum()
    summary["neg_elbo"] = summary["reconstruction"] + summary["kl"]
    summary["loss"] = summary["reconstruction"] + beta * summary["kl"]
    return summary
"""

_NUMPY_ACTIVE = """
def active_units(z_means, threshold=0.01):
    z = np.asarray(z_means, np.float64)
    return sum(1 for column in z.T if np.mean((column - column.mean()) ** 2) > threshold)
"""

ALTERNATIVES = [
    *(
        _right(
            track,
            "summarize_run",
            "float64, the softplus form, sigma^2 and its log",
            _NUMPY_SUMMARY,
        )
        for track in TRACKS
    ),
    *(
        _right(
            track, "active_units", "a loop over the columns, the variance by hand", _NUMPY_ACTIVE
        )
        for track in TRACKS
    ),
    _right(
        "pytorch",
        "summarize_run",
        "torch's binary_cross_entropy_with_logits and the book's KL, converted back to NumPy",
        """
import torch.nn.functional as F


def summarize_run(images, logits, z_mean, z_log_var, beta):
    x, logit = torch.from_numpy(images), torch.from_numpy(logits)
    per_pixel = F.binary_cross_entropy_with_logits(logit, x, reduction="none")
    reconstruction = per_pixel.flatten(start_dim=1).sum(dim=1).mean().item()
    mean, log_var = torch.from_numpy(z_mean), torch.from_numpy(z_log_var)
    kl_per_dimension = (-0.5 * (1 + log_var - log_var.exp() - mean.pow(2))).mean(dim=0)
    kl = kl_per_dimension.sum().item()
    return dict(reconstruction=reconstruction, kl_per_dimension=kl_per_dimension.numpy(), kl=kl,
                neg_elbo=reconstruction + kl, loss=reconstruction + beta * kl)
""",
    ),
    _right(
        "pytorch",
        "active_units",
        "torch.var with correction=0 and .item()",
        _active("(torch.from_numpy(z_means).var(dim=0, correction=0) > threshold).sum().item()"),
    ),
    _right(
        "tensorflow",
        "summarize_run",
        "keras.ops.binary_crossentropy from logits and keras.ops, converted back to NumPy",
        """
def summarize_run(images, logits, z_mean, z_log_var, beta):
    per_pixel = ops.binary_crossentropy(images, logits, from_logits=True)
    reconstruction = float(ops.mean(ops.sum(per_pixel, axis=(1, 2))))
    kl_terms = -0.5 * (1 + z_log_var - ops.exp(z_log_var) - ops.square(z_mean))
    kl_per_dimension = ops.convert_to_numpy(ops.mean(kl_terms, axis=0))
    kl = float(kl_per_dimension.sum())
    return {"reconstruction": reconstruction, "kl": kl, "kl_per_dimension": kl_per_dimension,
            "neg_elbo": reconstruction + kl, "loss": reconstruction + beta * kl}
""",
    ),
    _right(
        "tensorflow",
        "active_units",
        "keras.ops.var and a cast sum",
        _active('int(ops.sum(ops.cast(ops.var(z_means, axis=0) > threshold, "int32")))'),
    ),
]
