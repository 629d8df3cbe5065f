"""The first cell of every notebook: quiet logs, a seed, and version checks.

Framework log noise goes to stderr, and nbgrader scores a test cell 0 when it writes to stderr, so
``setup`` imports the framework here (its start-up messages land in this ungraded cell), turns its
loggers down to errors, and sends Python warnings to stdout, where they stay visible but harmless.
"""

from __future__ import annotations

import contextlib
import logging
import os
import platform
import sys
import warnings

from .seeding import set_seed

MINIMUM_VERSIONS = {"torch": (2, 13), "keras": (3, 0), "tensorflow": (2, 16), "numpy": (1, 26)}


def _version_tuple(version: str) -> tuple[int, ...]:
    return tuple(int(part) for part in version.split("+")[0].split(".")[:2])


def _warnings_to_stdout(message, category, filename, lineno, file=None, line=None):
    print(f"{category.__name__}: {message}", file=sys.stdout)


@contextlib.contextmanager
def _native_stderr_silenced():
    """Send what C++ code writes to file descriptor 2 to /dev/null for a while.

    TensorFlow's native start-up lines ("oneDNN custom operations are on", "Could not find cuda
    drivers") are written by absl before TF_CPP_MIN_LOG_LEVEL is read, straight to the file
    descriptor, so neither the environment variable nor Python's loggers can stop them. Python
    exceptions are not affected: they are raised, not printed to the descriptor.
    """
    sys.stderr.flush()
    saved = os.dup(2)
    devnull = os.open(os.devnull, os.O_WRONLY)
    try:
        os.dup2(devnull, 2)
        yield
    finally:
        os.dup2(saved, 2)
        os.close(saved)
        os.close(devnull)


def quiet_tensorflow() -> None:
    """Import TensorFlow without its start-up chatter and turn its loggers down to errors."""
    os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
    os.environ.setdefault("KERAS_BACKEND", "tensorflow")
    with _native_stderr_silenced():
        import absl.logging
        import tensorflow as tf

    tf.get_logger().setLevel(logging.ERROR)
    absl.logging.set_verbosity(absl.logging.ERROR)


def setup(framework: str | None = None, seed: int = 42) -> dict[str, str]:
    """Prepare a notebook: ``framework`` is "pytorch", "tensorflow" or None.

    Imports the framework (so its start-up output lands in this cell), routes warnings to stdout,
    checks minimum versions, seeds everything with ``seed`` and prints the versions in use.
    Returns the versions as a dict.
    """
    if framework not in ("pytorch", "tensorflow", None):
        raise ValueError(f"framework must be 'pytorch', 'tensorflow' or None, not {framework!r}")
    warnings.showwarning = _warnings_to_stdout
    import numpy

    versions = {"python": platform.python_version(), "numpy": numpy.__version__}
    if framework == "pytorch":
        import torch

        versions["torch"] = torch.__version__
    elif framework == "tensorflow":
        quiet_tensorflow()
        import keras
        import tensorflow

        versions["tensorflow"] = tensorflow.__version__
        versions["keras"] = keras.__version__
    for name, version in versions.items():
        needed = MINIMUM_VERSIONS.get(name)
        if needed and _version_tuple(version) < needed:
            raise RuntimeError(
                f"{name} {version} is too old for this course: it needs "
                f"{'.'.join(map(str, needed))} or newer. Run `make lab` from the "
                "course folder to get the right environment."
            )
    set_seed(seed)
    print("  ".join(f"{name} {version}" for name, version in versions.items()))
    return versions
