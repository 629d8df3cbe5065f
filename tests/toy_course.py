"""A tiny nbgrader course (one assignment, one graded function) for fast grader tests."""

from __future__ import annotations

import shutil
from pathlib import Path

import nbformat
from nbformat.v4 import new_code_cell, new_markdown_cell, new_notebook

ASSIGNMENT = "00-toy"


def _cell(kind, source, grade_id, grade=False, solution=False, points=None):
    meta = {
        "grade": grade,
        "solution": solution,
        "locked": not solution,
        "task": False,
        "grade_id": grade_id,
        "schema_version": 3,
    }
    if points is not None:
        meta["points"] = points
    make = new_code_cell if kind == "code" else new_markdown_cell
    return make(source, metadata={"nbgrader": meta})


def toy_notebook():
    cells = [
        _cell("markdown", "# Toy\nWrite `double(x)` and `triple(x)`.", "intro"),
        _cell("code", "import numpy as np", "setup"),
        _cell(
            "code",
            "def double(x):\n    ### BEGIN SOLUTION\n    return 2 * x\n    ### END SOLUTION",
            "double",
            solution=True,
        ),
        _cell(
            "code",
            "assert double(2) == 4, 'double(2) should be 4'",
            "test_double",
            grade=True,
            points=1,
        ),
        _cell(
            "code",
            "# hidden\n### BEGIN HIDDEN TESTS\nassert double(-3) == -6, 'negative'\n"
            "### END HIDDEN TESTS",
            "test_double_hidden",
            grade=True,
            points=2,
        ),
        _cell(
            "code",
            "def triple(x):\n    ### BEGIN SOLUTION\n    return 3 * x\n    ### END SOLUTION",
            "triple",
            solution=True,
        ),
        _cell(
            "code",
            "assert triple(2) == 6, 'triple(2) should be 6'",
            "test_triple",
            grade=True,
            points=2,
        ),
        _cell(
            "code",
            "# hidden\n### BEGIN HIDDEN TESTS\nassert triple(-1) == -3, 'negative'\n"
            "### END HIDDEN TESTS",
            "test_triple_hidden",
            grade=True,
            points=1,
        ),
        _cell("markdown", "Why?", "written", grade=True, solution=True, points=1),
    ]
    nb = new_notebook(cells=cells)
    nb.metadata["kernelspec"] = {
        "name": "python3",
        "display_name": "Python 3 (ipykernel)",
        "language": "python",
    }
    nb.metadata["vaecourse"] = {"cell_timeout": 20}
    return nb


def make_toy_repo(repo: Path, course_dir: Path) -> Path:
    """A repository folder holding a copy of the real course settings and the toy assignment."""
    (repo / "course").mkdir(parents=True)
    shutil.copy2(course_dir / "nbgrader_common.py", repo / "course")
    for track in ("pytorch", "tensorflow"):
        source = repo / "course" / track / "source" / ASSIGNMENT
        source.mkdir(parents=True)
        shutil.copy2(course_dir / track / "nbgrader_config.py", repo / "course" / track)
        nbformat.write(toy_notebook(), source / f"{ASSIGNMENT}.ipynb")
    return repo
