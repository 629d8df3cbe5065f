"""Grades out: the gradebook of a real grading run, as Canvas and Moodle CSV."""

from __future__ import annotations

import copy
import csv
import io
import subprocess
import sys
from pathlib import Path

import nbformat
import pytest
from toy_course import ASSIGNMENT, make_toy_repo, toy_notebook

from vaecourse.course.export import lms_csv
from vaecourse.course.grade import grade
from vaecourse.course.layout import Assignment

REPO = Path(__file__).resolve().parents[1]
NAMES = {"pat": ("Pat", "O'Brien, Jr.", "pat@example.org"), "sam": ('Sam "Sammy"', "Lee", "")}


@pytest.fixture(scope="module")
def course_root(tmp_path_factory):
    """A course root whose gradebook holds: pat (every point), sam (triple left wrong) and kim
    (no submission)."""
    from nbgrader.api import Gradebook

    base = tmp_path_factory.mktemp("export")
    repo = make_toy_repo(base / "repo", REPO / "course")
    source = toy_notebook()
    wrong = copy.deepcopy(source)
    next(
        c for c in wrong.cells if c.metadata["nbgrader"]["grade_id"] == "triple"
    ).source = "def triple(x):\n    return 0"
    for student, nb in (("pat", source), ("sam", wrong)):
        (base / "subs" / student).mkdir(parents=True)
        nbformat.write(nb, base / "subs" / student / f"{ASSIGNMENT}.ipynb")
    grade(Assignment(repo, "pytorch", ASSIGNMENT), base / "subs", base / "out", log=lambda *_: None)
    root = base / "out" / "course" / "pytorch"
    with Gradebook(f"sqlite:///{root / 'gradebook.db'}") as gb:
        for student, (first, last, email) in NAMES.items():
            gb.update_or_create_student(student, first_name=first, last_name=last, email=email)
        gb.update_or_create_student("kim", first_name="Kim", last_name="Park")
    return root


def _rows(text: str) -> list[list[str]]:
    return list(csv.reader(io.StringIO(text, newline="")))


def test_canvas_layout_and_quoting(course_root):
    text = lms_csv(course_root, "canvas")
    assert '"O\'Brien, Jr., Pat"' in text, "a name with a comma must be one quoted field"
    rows = _rows(text)
    assert rows[0] == ["Student", "ID", "SIS User ID", "SIS Login ID", "Section", ASSIGNMENT]
    assert rows[1] == ["    Points Possible", "", "", "", "", "7"]  # 6 autograded + 1 by hand
    by_login = {row[3]: row for row in rows[2:]}
    assert by_login["pat"] == ["O'Brien, Jr., Pat", "", "pat", "pat", "", "6"]
    assert by_login["sam"][0] == 'Lee, Sam "Sammy"' and by_login["sam"][5] == "3"
    assert by_login["kim"][5] == "", "no submission: an empty cell, which Canvas leaves ungraded"


def test_moodle_layout_and_quoting(course_root):
    text = lms_csv(course_root, "moodle")
    assert '"Sam ""Sammy"""' in text, "quotes inside a field are doubled"
    rows = _rows(text)
    assert rows[0] == [
        "First name",
        "Last name",
        "ID number",
        "Email address",
        f"{ASSIGNMENT} (Real)",
    ]
    by_id = {row[2]: row for row in rows[1:]}
    assert by_id["pat"] == ["Pat", "O'Brien, Jr.", "pat", "pat@example.org", "6"]
    assert by_id["sam"][4] == "3" and by_id["kim"][4] == ""


def test_export_command_writes_the_file(course_root, tmp_path):
    out = tmp_path / "canvas.csv"
    result = subprocess.run(
        [
            sys.executable,
            "-m",
            "vaecourse.cli",
            "export",
            "--format",
            "canvas",
            "--course-root",
            str(course_root),
            "--out",
            str(out),
        ],
        capture_output=True,
        text=True,
        cwd=REPO,
    )
    assert result.returncode == 0, result.stderr
    assert out.read_bytes() == lms_csv(course_root, "canvas").encode()
    assert b"\r\n" in out.read_bytes(), "CSV lines end in CRLF (RFC 4180)"


def test_an_unknown_format_is_refused(course_root):
    with pytest.raises(ValueError, match="canvas, moodle"):
        lms_csv(course_root, "blackboard")
