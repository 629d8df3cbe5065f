"""Checks of reconstruction losses: the squared error and the Bernoulli cross-entropy computed
from logits, one value per example, in either framework (01-autoencoders).

A test cell gives the inputs as tensors of its own framework (PyTorch or TensorFlow) and the
expected values, worked out by hand or with NumPy in the cell. These checks call the answer on
those tensors with vaecourse's reference code refused, check that it returns a tensor, compare,
and name the likely mistake when the result matches one. The framework is read from the type of
the input tensors.
"""

from __future__ import annotations

import inspect

import numpy as np

from . import check_close, to_numpy, without_reference

PIXELS = 28 * 28
# float32 rounds sigmoid(l) to exactly 0 or 1 from about |l| = 17 on
SATURATED_LOGIT = 20.0
_SUM_SQUARES = (
    "Sum the squared differences over all the pixels of each example (every axis but the first), "
    "and over nothing else."
)
_SUM_CROSS_ENTROPIES = "Sum the per-pixel cross-entropies over all the pixels of each example."
_STABLE_FORMULA = "max(l, 0) - l * x + log(1 + exp(-|l|))"


def framework_of(tensor) -> str:
    """ "torch" or "tensorflow": the framework a tensor belongs to."""
    root = type(tensor).__module__.partition(".")[0]
    if root not in ("torch", "tensorflow"):
        raise TypeError(f"expected a PyTorch or TensorFlow tensor, got {type(tensor).__name__}")
    return root


def _is_tensor(value, framework: str) -> bool:
    if framework == "torch":
        import torch

        return isinstance(value, torch.Tensor)
    from keras import ops

    return ops.is_tensor(value)


def _loss_of(answer, target, prediction):
    """``answer(target, prediction)`` with the reference refused; it must return a tensor."""
    with without_reference(answer):
        loss = answer(target, prediction)
    framework = framework_of(prediction)
    if not _is_tensor(loss, framework):
        kind = "a torch.Tensor" if framework == "torch" else "a tensor (use keras.ops)"
        raise AssertionError(f"{answer.__name__} should return {kind}, not {type(loss).__name__}.")
    return loss


def _per_example(per_pixel: np.ndarray) -> np.ndarray:
    return per_pixel.reshape(len(per_pixel), -1).sum(axis=1)


def _batch_mistakes(expected: np.ndarray) -> dict:
    return {
        "the mean over pixels instead of the sum": expected / PIXELS,
        "summed over the batch too; return one value per example, shape (N,)": expected.sum(),
        "averaged over the batch; return one value per example, shape (N,)": expected.mean(),
    }


def check_squared_error(answer, x, x_hat, expected, what: str = "", rtol: float = 1e-5) -> None:
    """``answer(x, x_hat)`` is a tensor close to ``expected``: for each example, the sum over its
    pixels of (x - x_hat) ** 2."""
    loss = _loss_of(answer, x, x_hat)
    expected = np.asarray(expected, dtype=np.float64)
    absolute = _per_example(np.abs(to_numpy(x) - to_numpy(x_hat)))
    mistakes = {
        **_batch_mistakes(expected),
        "the absolute error |x - x_hat| instead of the squared error": absolute,
        "the square root of the sum (a distance) instead of the sum of squares": np.sqrt(expected),
    }
    check_close(
        loss, expected, what or answer.__name__, mistakes=mistakes, hint=_SUM_SQUARES, rtol=rtol
    )


def _cross_entropy_of(x: np.ndarray, probabilities: np.ndarray) -> np.ndarray:
    """Per-example cross-entropy of probabilities strictly inside (0, 1), in float64."""
    return _per_example(-(x * np.log(probabilities) + (1 - x) * np.log1p(-probabilities)))


def _cross_entropy_from_logits(x: np.ndarray, logits: np.ndarray) -> np.ndarray:
    return _per_example(np.maximum(logits, 0) - logits * x + np.log1p(np.exp(-np.abs(logits))))


def _cross_entropy_mistakes(x, logits, expected, framework) -> dict:
    mistakes = {
        **_batch_mistakes(expected),
        "the sign is flipped: cross-entropy is minus the log-likelihood, it is never negative": (
            -expected
        ),
        "the arguments are swapped: x holds the targets, logits the model's outputs": (
            _cross_entropy_from_logits(logits, x)
        ),
    }
    if framework == "tensorflow":
        mistakes[
            "keras.losses.binary_crossentropy averages over the last axis; sum the element-wise "
            "cross-entropy (keras.ops.binary_crossentropy) over all the pixels instead"
        ] = expected / 28
    return mistakes


def _loosely_close(got: np.ndarray, value: np.ndarray) -> bool:
    return got.shape == value.shape and bool(np.allclose(got, value, rtol=1e-3, atol=1e-3))


def _stops_growing(got: np.ndarray, expected: np.ndarray) -> bool:
    """Whether a loss on saturated logits stays far below the exact value, as a loss computed
    from clipped probabilities (or with an epsilon inside the log) does, without being one of
    the reduction mistakes."""
    return (
        got.shape == expected.shape
        and bool(np.all(got > 0) and np.all(got < 0.5 * expected))
        and not any(np.allclose(got, expected / k, rtol=1e-3) for k in (PIXELS, 28))
    )


def check_cross_entropy(answer, x, logits, expected, what: str = "", rtol: float = 1e-5) -> None:
    """``answer(x, logits)`` is a finite tensor close to ``expected``: for each example, the sum
    over its pixels of the Bernoulli cross-entropy of the targets x under sigmoid(logits)."""
    framework = framework_of(logits)
    what = what or answer.__name__
    loss = _loss_of(answer, x, logits)
    got, x, logits = to_numpy(loss), to_numpy(x), to_numpy(logits)
    expected = np.asarray(expected, dtype=np.float64)
    if got.shape == expected.shape and np.allclose(got, expected, rtol=rtol, atol=1e-6):
        return
    if not np.all(np.isfinite(got)):
        raise AssertionError(
            f"{what}: got {got}: inf or NaN, the computation is not numerically stable. In "
            "float32, sigmoid(l) rounds to exactly 1 or 0 for large |l|, so log(sigmoid(l)) or "
            "log(1 - sigmoid(l)) becomes log(0) = -inf, and 0 * (-inf) is NaN. Compute the loss "
            f"from the logits directly: {_STABLE_FORMULA}."
        )
    if _loosely_close(got, _cross_entropy_of(x, np.clip(logits, 1e-7, 1 - 1e-7))):
        built_in = (
            "F.binary_cross_entropy_with_logits" if framework == "torch" else "from_logits=True"
        )
        raise AssertionError(
            f"{what}: the result matches a cross-entropy in which the logits were used as "
            "probabilities (clipped to [0, 1]). The second argument holds logits: turn them into "
            f"probabilities with a sigmoid, or use a built-in made for logits ({built_in})."
        )
    if np.abs(logits).max() >= SATURATED_LOGIT and _stops_growing(got, expected):
        raise AssertionError(
            f"{what}: got {got}, expected {expected}. The loss stops growing for large logits, "
            "as if the probabilities were clipped (for example to [1e-7, 1 - 1e-7]) or a small "
            "epsilon were added inside the log. Compute it from the logits directly instead: a "
            "clipped loss also has zero gradient there, so the model could not learn from those "
            "pixels."
        )
    check_close(
        got,
        expected,
        what,
        mistakes=_cross_entropy_mistakes(x, logits, expected, framework),
        hint=_SUM_CROSS_ENTROPIES,
        rtol=rtol,
    )


def _gradient(answer, target, prediction):
    """The gradient of answer(target, prediction), summed over the batch, with respect to
    ``prediction`` (NumPy), or None when no gradient reaches it."""
    if framework_of(prediction) == "torch":
        import torch

        prediction = prediction.detach().clone().requires_grad_(True)
        with without_reference(answer):
            loss = answer(target, prediction)
        if not (isinstance(loss, torch.Tensor) and loss.requires_grad):
            return None
        loss.sum().backward()
        return None if prediction.grad is None else to_numpy(prediction.grad)
    import tensorflow as tf

    prediction = tf.identity(prediction)
    with tf.GradientTape() as tape:
        tape.watch(prediction)
        with without_reference(answer):
            loss = answer(target, prediction)
        total = tf.reduce_sum(loss)
    gradient = tape.gradient(total, prediction)
    return None if gradient is None else to_numpy(gradient)


def check_gradient(
    answer, target, prediction, expected, what: str = "", rtol: float = 1e-5, atol: float = 1e-5
) -> None:
    """The gradient of ``answer(target, prediction)``, summed over the batch, with respect to
    ``prediction`` exists (the loss is computed with the framework's operations), is finite, and
    is close to ``expected``."""
    torch_track = framework_of(prediction) == "torch"
    name = answer.__name__
    gradient = _gradient(answer, target, prediction)
    if gradient is None:
        how = (
            "torch operations only (no NumPy, .item() or .detach())"
            if torch_track
            else "keras.ops (or TensorFlow) operations only, not NumPy"
        )
        raise AssertionError(f"Gradients cannot flow through {name}: compute it with {how}.")
    if not np.all(np.isfinite(gradient)):
        where = "torch.where" if torch_track else "ops.where"
        raise AssertionError(
            f"The gradient of {name} has inf or NaN values: the computation is not numerically "
            f"stable. If you choose between two formulas with {where}, both are computed, and "
            "the gradient of the one you discard is still multiplied in (0 * inf = NaN). Use one "
            f"formula that is finite everywhere, such as {_STABLE_FORMULA}."
        )
    check_close(
        gradient,
        expected,
        what or f"the gradient of {name} with respect to {_second_parameter(answer)}",
        rtol=rtol,
        atol=atol,
    )


def _second_parameter(answer) -> str:
    try:
        names = list(inspect.signature(answer).parameters)
    except (TypeError, ValueError):
        names = []
    return names[1] if len(names) > 1 else "its second argument"
