"""Import hygiene and seeding."""

from __future__ import annotations

import subprocess
import sys

import pytest


def _modules_after(statement: str) -> set[str]:
    code = f"{statement}\nimport sys\nprint(' '.join(sys.modules))"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    return set(out.stdout.split())


@pytest.mark.parametrize(
    "statement",
    [
        "import vaecourse",
        "import vaecourse.data, vaecourse.plots",
        "import vaecourse.checks, vaecourse.reference, vaecourse.metrics",
    ],
)
def test_light_imports_load_no_framework(statement):
    loaded = _modules_after(statement)
    assert not loaded & {"torch", "tensorflow", "keras"}, loaded & {"torch", "tensorflow", "keras"}


def test_each_framework_module_imports_only_its_own():
    assert "tensorflow" not in _modules_after("import vaecourse.torch")
    assert "keras" not in _modules_after("import vaecourse.torch")
    assert "torch" not in _modules_after("import vaecourse.keras")


def test_set_seed_repeats_python_numpy_torch_and_keras():
    import random

    import keras
    import numpy as np
    import torch

    import vaecourse

    def draw():
        return (
            random.random(),
            np.random.rand(),
            torch.rand(1).item(),
            float(keras.random.normal((1,))[0]),
        )

    seeded = vaecourse.set_seed(123)
    first = draw()
    vaecourse.set_seed(123)
    assert draw() == first
    vaecourse.set_seed(124)
    assert draw() != first
    assert {"python", "numpy", "torch", "tensorflow", "keras"} <= set(seeded)
