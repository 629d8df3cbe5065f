"""Helpers for the notebooks' test cells: comparisons whose failure messages name the mistake.

The expected values always come from NumPy code written in the test cell itself; these helpers
only compare and explain. Nothing here imports a framework: tensors are converted by duck typing.
"""

from __future__ import annotations

import contextlib
import sys
import types

import numpy as np


def to_numpy(value) -> np.ndarray:
    """A NumPy copy of a NumPy array, PyTorch tensor, TensorFlow tensor or Keras variable."""
    if hasattr(value, "detach"):  # torch.Tensor
        value = value.detach().cpu().numpy()
    elif hasattr(value, "numpy") and not isinstance(value, np.ndarray):  # tf.Tensor / Variable
        value = value.numpy()
    return np.array(value, dtype=np.float64 if np.asarray(value).dtype.kind == "f" else None)


def check_shape(actual, expected_shape: tuple, what: str, hint: str = "") -> None:
    """Fail with a clear message unless ``actual`` has ``expected_shape``."""
    shape = tuple(np.shape(to_numpy(actual)))
    if shape != tuple(expected_shape):
        raise AssertionError(
            f"{what}: expected shape {tuple(expected_shape)}, got {shape}." + (f" {hint}" if hint else ""))


def _close(a, b, rtol, atol) -> bool:
    return np.shape(a) == np.shape(b) and bool(np.allclose(a, b, rtol=rtol, atol=atol))


def check_close(actual, expected, what: str, mistakes: dict | None = None, hint: str = "",
                rtol: float = 1e-5, atol: float = 1e-6) -> None:
    """Fail unless ``actual`` is close to ``expected``.

    ``mistakes`` maps a description of a likely mistake to the value that mistake would produce;
    when ``actual`` matches one, the message names it. ``hint`` is added to any other failure.
    """
    actual, expected = to_numpy(actual), np.asarray(expected, dtype=np.float64)
    if _close(actual, expected, rtol, atol):
        return
    if not np.all(np.isfinite(actual)):
        raise AssertionError(f"{what}: found NaN or inf values. Is the computation numerically "
                             "stable (for example, log of 0 or exp of a large number)?")
    for mistake, value in (mistakes or {}).items():
        if _close(actual, np.asarray(value, dtype=np.float64), rtol, atol):
            raise AssertionError(f"{what}: the result matches a known mistake: {mistake}.")
    if actual.shape != expected.shape:
        raise AssertionError(f"{what}: expected shape {expected.shape}, got {actual.shape}. "
                             + (hint or "Check which axes you sum or average over."))
    worst = np.unravel_index(np.argmax(np.abs(actual - expected)), expected.shape) if expected.ndim else ()
    raise AssertionError(
        f"{what}: expected {_short(expected)}, got {_short(actual)} (largest difference at "
        f"index {tuple(int(i) for i in worst)}: expected {expected[worst]:.6g}, got "
        f"{actual[worst]:.6g})." + (f" {hint}" if hint else ""))


def _short(array: np.ndarray) -> str:
    return np.array2string(array, precision=4, threshold=6, edgeitems=2).replace("\n", "")


def _is_reference(obj) -> bool:
    module = getattr(obj, "__module__", None) or ""
    if isinstance(obj, types.ModuleType):
        module = obj.__name__
    return module.startswith(("vaecourse.torch", "vaecourse.keras"))


def _refusal(name: str) -> AssertionError:
    return AssertionError(
        f"This answer calls vaecourse's reference code ({name}). The point of the exercise is "
        "to write it yourself: an answer that only calls the reference earns no credit.")


def _refuse(name: str):
    def refuse(*args, **kwargs):
        raise _refusal(name)
    return refuse


class _RefusingModule(types.ModuleType):
    def __getattr__(self, attribute):
        raise _refusal(f"{self.__name__}.{attribute}")


def _stand_in(key: str, value):
    if isinstance(value, types.ModuleType):
        return _RefusingModule(value.__name__)
    return _refuse(f"{value.__module__}.{key}")


@contextlib.contextmanager
def without_reference(*answers):
    """Disable vaecourse's framework reference code while the ``answers`` are exercised.

    Replaces every public callable of the loaded ``vaecourse.torch``/``vaecourse.keras``
    modules, and every name in the answers' global namespaces bound to such an object or module,
    with a stand-in that fails with a clear message. Everything is restored afterwards. An answer
    that is a class extending a reference class is refused at once.
    """
    for answer in answers:  # a class of the student's own that only extends the reference
        bases = answer.__mro__[1:] if isinstance(answer, type) else ()
        reference = next((base for base in bases if _is_reference(base)), None)
        if reference is not None:
            raise _refusal(f"{answer.__name__} subclasses {reference.__name__}")
    saved = []
    namespaces = [vars(m) for name, m in list(sys.modules.items())
                  if name.startswith(("vaecourse.torch", "vaecourse.keras"))]
    namespaces += [getattr(a, "__globals__", None) or vars(sys.modules[a.__module__])
                   for a in answers]
    for namespace in namespaces:
        for key, value in list(namespace.items()):
            if not key.startswith("_") and _is_reference(value) and callable(value) or (
                    isinstance(value, types.ModuleType) and _is_reference(value)):
                saved.append((namespace, key, value))
                namespace[key] = _stand_in(key, value)
    try:
        yield
    finally:
        for namespace, key, value in reversed(saved):
            namespace[key] = value
