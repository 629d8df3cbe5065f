"""One call to make a notebook cell repeatable."""

from __future__ import annotations

import os
import random
import sys

import numpy as np


def set_seed(n: int) -> list[str]:
    """Seed Python, NumPy, and PyTorch, TensorFlow and Keras where they are imported.

    Frameworks that are not imported yet are left alone, so a PyTorch notebook never pays for
    importing TensorFlow: call set_seed after your imports. Returns the names of what was seeded.
    """
    seeded = ["python", "numpy"]
    os.environ["PYTHONHASHSEED"] = str(n)  # affects subprocesses, not this interpreter
    random.seed(n)
    np.random.seed(n)
    if "torch" in sys.modules:
        sys.modules["torch"].manual_seed(n)
        seeded.append("torch")
    if "tensorflow" in sys.modules:
        sys.modules["tensorflow"].random.set_seed(n)
        seeded.append("tensorflow")
    if "keras" in sys.modules:
        sys.modules["keras"].utils.set_random_seed(n)
        seeded.append("keras")
    return seeded
