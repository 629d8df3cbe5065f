"""The catalogue of realistic wrong answers, one module per assignment.

Each entry replaces the source of one answer cell (found by its nbgrader ``grade_id``) in the
solution notebook. The validity harness grades the result and checks that the answer loses
points, and that a failing test cell's output contains ``message``, which names the mistake.
"""

from __future__ import annotations

import importlib
import pkgutil
from dataclasses import dataclass


@dataclass(frozen=True)
class WrongAnswer:
    assignment: str  # e.g. "01-autoencoders"
    track: str  # "pytorch" or "tensorflow"
    grade_id: str  # the answer cell to replace
    mistake: str  # a short description, e.g. "mean over pixels instead of sum"
    code: str  # the whole new source of that answer cell
    message: str  # text that a failing test's output must contain


def catalogue() -> list[WrongAnswer]:
    """Every entry of every assignment module in this package."""
    entries = []
    for module in pkgutil.iter_modules(__path__):
        entries += importlib.import_module(f"{__name__}.{module.name}").CATALOGUE
    return entries
