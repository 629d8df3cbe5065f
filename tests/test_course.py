"""The committed course is clean: sources lint, builds are fresh, the README lists the points."""

from __future__ import annotations

import json
import re
import subprocess
import sys
from pathlib import Path

import nbformat
import pytest

from vaecourse.course.build import stale
from vaecourse.course.layout import TRACKS, assignments, find_repo
from vaecourse.course.lint import lint, total_points

REPO = find_repo(Path(__file__).parent)
ASSIGNMENTS = assignments(REPO)


def test_every_track_has_the_same_assignments():
    names = {track: [a.name for a in ASSIGNMENTS if a.track == track] for track in TRACKS}
    assert names["pytorch"] == names["tensorflow"], names
    assert names["pytorch"], "no assignments found"


def test_sources_lint_clean():
    report = lint(ASSIGNMENTS)
    assert not report, "\n".join(f"{k}: {p}" for k, ps in report.items() for p in ps)


def test_assignments_and_solutions_are_not_stale():
    problems = stale(ASSIGNMENTS)
    assert not problems, "\n".join(problems) + "\nRun `make assignments` and commit the result."


def test_readme_table_lists_each_assignments_points():
    readme = (REPO / "README.md").read_text()
    rows = dict(
        re.findall(
            r"^\| `?([0-9]{2}-[a-z-]+)`? \|.*?\| (\d+ autograded \+ \d+ by hand) \|$",
            readme,
            flags=re.M,
        )
    )
    for assignment in ASSIGNMENTS:
        auto, manual = total_points(nbformat.read(assignment.source, as_version=4))
        expected = f"{auto:g} autograded + {manual:g} by hand"
        assert rows.get(assignment.name) == expected, (
            f"README's table should say {expected!r} for {assignment.name}, "
            f"says {rows.get(assignment.name)!r}"
        )


@pytest.mark.parametrize("assignment", ASSIGNMENTS, ids=lambda a: f"{a.track}/{a.name}")
def test_solutions_ran_cleanly(assignment):
    nb = nbformat.read(assignment.solution, as_version=4)
    errors = [
        o for c in nb.cells if c.cell_type == "code" for o in c.outputs if o.output_type == "error"
    ]
    assert not errors, f"{assignment.solution} has errors: {errors[0].ename}: {errors[0].evalue}"
    assert any(
        "image/png" in o.get("data", {})
        for c in nb.cells
        if c.cell_type == "code"
        for o in c.outputs
    ), "a worked solution should show at least one figure"


def test_nbgrader_config_leaves_kernel_environment_alone():
    """JupyterLab loads the repository's nbgrader_config.py for students too, and their kernels
    inherit the server's environment: the configuration must not change it."""
    code = (
        "import json, os\n"
        "from traitlets.config.loader import PyFileConfigLoader\n"
        "before = dict(os.environ)\n"
        "PyFileConfigLoader('nbgrader_config.py', path='.').load_config()\n"
        "print(json.dumps({k: v for k, v in os.environ.items() if before.get(k) != v}))\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", code], cwd=REPO, capture_output=True, text=True, check=True
    )
    assert json.loads(result.stdout) == {}, (
        f"loading nbgrader_config.py changed the environment: {result.stdout}"
    )
