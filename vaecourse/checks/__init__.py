"""Helpers for the notebooks' test cells: comparisons whose failure messages name the mistake.

The expected values always come from NumPy code written in the test cell itself; these helpers
only compare and explain. Nothing here imports a framework at import time: tensors are converted
by duck typing. This module holds the general helpers; the submodules hold the checks of one topic
each (what makes samples look like N(mu, sigma^2), say), shared by the visible and hidden tests of
both tracks, so that a test cell reads as a list of what is checked.
"""

from __future__ import annotations

import contextlib
import functools
import sys
import types

import numpy as np

from .. import reference


def to_numpy(value) -> np.ndarray:
    """A NumPy copy of a NumPy array, PyTorch tensor, TensorFlow tensor or Keras variable."""
    if hasattr(value, "detach"):  # torch.Tensor
        value = value.detach().cpu().numpy()
    elif hasattr(value, "numpy") and not isinstance(value, np.ndarray):  # tf.Tensor / Variable
        value = value.numpy()
    return np.array(value, dtype=np.float64 if np.asarray(value).dtype.kind == "f" else None)


def check_numpy_array(value, what: str) -> None:
    """Fail with a clear message unless ``value``, what ``what`` returned, is a NumPy array."""
    if not isinstance(value, np.ndarray):
        raise AssertionError(
            f"{what} returned a {type(value).__name__}: return a NumPy array (convert a tensor "
            "with .numpy() in PyTorch, keras.ops.convert_to_numpy in Keras)."
        )


def check_shape(actual, expected_shape: tuple, what: str, hint: str = "") -> None:
    """Fail with a clear message unless ``actual`` has ``expected_shape``."""
    shape = tuple(np.shape(to_numpy(actual)))
    if shape != tuple(expected_shape):
        raise AssertionError(
            f"{what}: expected shape {tuple(expected_shape)}, got {shape}."
            + (f" {hint}" if hint else "")
        )


def _close(a, b, rtol, atol) -> bool:
    return np.shape(a) == np.shape(b) and bool(np.allclose(a, b, rtol=rtol, atol=atol))


def check_close(
    actual,
    expected,
    what: str,
    mistakes: dict | None = None,
    hint: str = "",
    rtol: float = 1e-5,
    atol: float = 1e-6,
) -> None:
    """Fail unless ``actual`` is close to ``expected``.

    ``mistakes`` maps a description of a likely mistake to the value that mistake would produce;
    when ``actual`` matches one, the message names it. ``hint`` is added to any other failure.
    """
    actual, expected = to_numpy(actual), np.asarray(expected, dtype=np.float64)
    if _close(actual, expected, rtol, atol):
        return
    if not np.all(np.isfinite(actual)):
        raise AssertionError(
            f"{what}: found NaN or inf values. Is the computation numerically "
            "stable (for example, log of 0 or exp of a large number)?"
        )
    for mistake, value in (mistakes or {}).items():
        if _close(actual, np.asarray(value, dtype=np.float64), rtol, atol):
            raise AssertionError(f"{what}: the result matches a known mistake: {mistake}.")
    if actual.shape != expected.shape:
        raise AssertionError(
            f"{what}: expected shape {expected.shape}, got {actual.shape}. "
            + (hint or "Check which axes you sum or average over.")
        )
    worst = (
        np.unravel_index(np.argmax(np.abs(actual - expected)), expected.shape)
        if expected.ndim
        else ()
    )
    raise AssertionError(
        f"{what}: expected {_short(expected)}, got {_short(actual)} (largest difference at "
        f"index {tuple(int(i) for i in worst)}: expected {expected[worst]:.6g}, got "
        f"{actual[worst]:.6g})." + (f" {hint}" if hint else "")
    )


def _short(array: np.ndarray) -> str:
    return np.array2string(array, precision=4, threshold=6, edgeitems=2).replace("\n", "")


def _refusal(name: str) -> AssertionError:
    return AssertionError(
        f"This answer calls vaecourse's reference code ({name}). The point of the exercise is "
        "to write it yourself: an answer that only calls the reference earns no credit."
    )


def _stand_in(name: str):
    def refuse(*args, **kwargs):
        raise _refusal(name)

    refuse.__name__ = refuse.__qualname__ = name.rpartition(".")[2]
    return refuse


def _functions_of(answer) -> list:
    """The answer itself if it is a function, or the functions defined in its class body."""
    if isinstance(answer, type):
        return [v for v in vars(answer).values() if isinstance(v, types.FunctionType)]
    return [answer] if isinstance(answer, types.FunctionType) else []


@contextlib.contextmanager
def without_reference(*answers):
    """Refuse vaecourse's reference code (the registry in ``vaecourse.reference``) while the
    ``answers`` are exercised.

    Every registered function and class is replaced by a stand-in that fails with a clear message:
    under its own name in its own module and in the public module that exports it, under any name
    in the answers' global namespaces, and in their default arguments and closures. The reference
    code's own imports of each other are left alone, and so are objects made from reference
    classes earlier (a model the student built as a fallback keeps working). An answer that is
    itself reference code, or a class extending a reference class, is refused at once. Everything is
    restored afterwards.
    """
    registered = reference.loaded_callables()
    for answer in answers:
        if id(answer) in registered:
            raise _refusal(registered[id(answer)][0])
        bases = answer.__mro__[1:] if isinstance(answer, type) else ()
        base = next((b for b in bases if id(b) in registered), None)
        if base is not None:
            raise _refusal(f"{answer.__name__} subclasses {registered[id(base)][0]}")
    undo = []

    def replace(namespace, key):
        value = namespace.get(key)
        if id(value) in registered and registered[id(value)][1] is value:
            undo.append(functools.partial(namespace.__setitem__, key, value))
            namespace[key] = _stand_in(registered[id(value)][0])

    try:
        for name, obj in registered.values():  # where the reference lives and is exported
            public, _, key = name.rpartition(".")
            replace(vars(sys.modules[public]), key)
            home = sys.modules.get(getattr(obj, "__module__", ""))
            if home is not None:
                replace(vars(home), obj.__name__)
        seen = set()
        for answer in answers:  # every name in the answers' own modules bound to the reference
            namespace = getattr(answer, "__globals__", None) or vars(sys.modules[answer.__module__])
            if id(namespace) not in seen:
                seen.add(id(namespace))
                for key in list(namespace):
                    replace(namespace, key)
        for function in (f for answer in answers for f in _functions_of(answer)):
            undo += _replace_captured(function, registered)
        yield
    finally:
        for restore in reversed(undo):
            restore()


def _replace_captured(function, registered) -> list:
    """Replace registered callables captured in ``function``'s defaults and closure; return the
    undo steps."""
    undo = []

    def swap(value):
        hit = registered.get(id(value))
        return _stand_in(hit[0]) if hit and hit[1] is value else value

    for attribute in ("__defaults__", "__kwdefaults__"):
        old = getattr(function, attribute)
        if old:
            new = (
                tuple(map(swap, old))
                if attribute == "__defaults__"
                else {k: swap(v) for k, v in old.items()}
            )
            if new != old:
                setattr(function, attribute, new)
                undo.append(functools.partial(setattr, function, attribute, old))
    for cell in function.__closure__ or ():
        try:
            value = cell.cell_contents
        except ValueError:  # an empty cell
            continue
        if swap(value) is not value:
            cell.cell_contents = swap(value)
            undo.append(functools.partial(setattr, cell, "cell_contents", value))
    return undo
