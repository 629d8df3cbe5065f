"""The answer catalogue of the validity harness, one module per assignment.

A module's ``CATALOGUE`` lists realistic wrong answers. Each entry replaces the source of one
answer cell (found by its nbgrader ``grade_id``) in the solution notebook. The validity harness
grades the result and checks that the answer loses points, and that a failing test cell's output
contains ``message``, which names the mistake. Exactly one entry per assignment and track is
marked ``tampered=True``: it is also planted with its answer's tests damaged.

A module's ``ALTERNATIVES`` (optional) lists correct answers written differently from the
solution: other built-ins, other layer APIs, code that makes a framework print a warning. Each must
keep every point, so that the tests grade the answer and not the solution's style.
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
    # The one entry per assignment and track that the harness plants in the answer's own cell,
    # with the answer's visible test edited to `pass` and its hidden test deleted: nbgrader must
    # put both back, and they must catch it.
    tampered: bool = False
    # The mistake must cost every point of its answer (an answer that only calls vaecourse's
    # reference code earns no credit), not merely some of them.
    earns_nothing: bool = False


@dataclass(frozen=True)
class RightAnswer:
    assignment: str
    track: str
    grade_id: str
    variant: str  # what makes it different, e.g. "the built-in loss with reduction='none'"
    code: str


def _cell(code: str) -> str:
    """A cell's source as the catalogue writes it: no blank lines around, one final newline."""
    return code.strip("\n") + "\n"


def wrong_answers_of(assignment: str, track: str):
    """``make(grade_id, mistake, code, message, tampered=False)``: a WrongAnswer of one track of
    one assignment."""

    def make(
        grade_id: str, mistake: str, code: str, message: str, tampered: bool = False
    ) -> WrongAnswer:
        return WrongAnswer(assignment, track, grade_id, mistake, _cell(code), message, tampered)

    return make


def reference_only(assignment: str, track: str, grade_id: str, code: str) -> WrongAnswer:
    """An answer that only hands its work to vaecourse's reference code: it must earn nothing,
    visible tests included."""
    return WrongAnswer(
        assignment,
        track,
        grade_id,
        "only calls vaecourse's reference code",
        _cell(code),
        "vaecourse's reference code",
        earns_nothing=True,
    )


def right_answers_of(assignment: str):
    """``make(track, grade_id, variant, code)``: a RightAnswer of one assignment."""

    def make(track: str, grade_id: str, variant: str, code: str) -> RightAnswer:
        return RightAnswer(assignment, track, grade_id, variant, _cell(code))

    return make


def _modules():
    return [importlib.import_module(f"{__name__}.{m.name}") for m in pkgutil.iter_modules(__path__)]


def catalogue() -> list[WrongAnswer]:
    """Every wrong answer of every assignment module in this package."""
    return [entry for module in _modules() for entry in module.CATALOGUE]


def alternatives() -> list[RightAnswer]:
    """Every alternative right answer of every assignment module in this package."""
    return [entry for module in _modules() for entry in getattr(module, "ALTERNATIVES", [])]
