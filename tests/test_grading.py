"""The course tooling on a toy course: lint, build, staleness, grading and student validation.

Real nbgrader runs throughout (generate_assignment, autograde, generate_feedback); the toy
assignment only keeps each kernel run short. The real assignments go through the same grader in
test_validity.py.
"""

from __future__ import annotations

import copy
import csv
import json
import subprocess
import sys
import zipfile
from pathlib import Path

import nbformat
import pytest
from toy_course import ASSIGNMENT, make_toy_repo, toy_notebook

from vaecourse.course.build import build, stale
from vaecourse.course.grade import _cause, grade
from vaecourse.course.layout import Assignment, assignments
from vaecourse.course.lint import lint, lint_notebook

REPO = Path(__file__).resolve().parents[1]


def by_id(nb, grade_id):
    return next(c for c in nb.cells if c.metadata.get("nbgrader", {}).get("grade_id") == grade_id)


@pytest.fixture(scope="module")
def toy_repo(tmp_path_factory):
    repo = make_toy_repo(tmp_path_factory.mktemp("toy") / "repo", REPO / "course")
    build(assignments(repo), log=lambda *_: None)
    return repo


# --- lint ------------------------------------------------------------------------------------


def test_lint_accepts_the_toy():
    assert lint_notebook(toy_notebook()) == []


@pytest.mark.parametrize(
    "damage, expected",
    [
        (
            lambda nb: by_id(nb, "test_triple").metadata["nbgrader"].update(grade_id="test_double"),
            "duplicate grade_id",
        ),
        (
            lambda nb: by_id(nb, "test_double").metadata["nbgrader"].update(points=0),
            "positive points",
        ),
        (
            lambda nb: setattr(
                by_id(nb, "setup"), "outputs", [nbformat.v4.new_output("stream", text="hi")]
            ),
            "outputs are not stripped",
        ),
        (
            lambda nb: nb.cells.remove(by_id(nb, "test_double_hidden")),
            "double: no hidden test cell",
        ),
        (lambda nb: nb.cells.remove(by_id(nb, "test_triple")), "triple: no visible test cell"),
        (lambda nb: by_id(nb, "double").metadata.pop("nbgrader"), "no nbgrader metadata"),
        (
            lambda nb: setattr(by_id(nb, "triple"), "source", "def triple(x):\n    return 3 * x"),
            "### BEGIN SOLUTION",
        ),
        (
            lambda nb: setattr(
                by_id(nb, "test_double"),
                "source",
                "from vaecourse.torch import kl_divergence\nassert double(1) == 2",
            ),
            "not with vaecourse's reference code (vaecourse.torch.kl_divergence)",
        ),
        (
            lambda nb: setattr(
                by_id(nb, "test_double"),
                "source",
                "import vaecourse.plots as vp\nassert (double(vp.latent_grid(2)) == 0).any()",
            ),
            "not with vaecourse's reference code (vaecourse.plots.latent_grid)",
        ),
        (
            lambda nb: setattr(
                by_id(nb, "test_double"),
                "source",
                "import vaecourse\nn = vaecourse.metrics.active_units\nassert double(2)",
            ),
            "not with vaecourse's reference code (vaecourse.metrics.active_units)",
        ),
        (
            lambda nb: setattr(
                by_id(nb, "test_double"),
                "source",
                "%matplotlib inline\nfrom vaecourse.keras.losses import kl_divergence",
            ),
            "not with vaecourse's reference code (vaecourse.keras.losses.kl_divergence)",
        ),
        (lambda nb: nb.cells.insert(3, nb.cells.pop(6)), "the next cells must be test_double"),
        (lambda nb: nb.metadata.pop("vaecourse"), "must state the cell timeout"),
        (
            lambda nb: by_id(nb, "test_double_hidden").metadata["nbgrader"].update(points=3),
            "hidden tests hold 4 of the 7 autograded points",
        ),
        (lambda nb: nb.cells.remove(by_id(nb, "written")), "no manually graded answer"),
    ],
)
def test_lint_finds_each_problem(damage, expected):
    nb = toy_notebook()
    damage(nb)
    problems = lint_notebook(nb)
    assert any(expected in p for p in problems), problems


def test_lint_lets_tests_use_the_test_helpers_and_data():
    nb = toy_notebook()
    by_id(nb, "test_double").source = (
        "from vaecourse.checks import check_close\nfrom vaecourse.data import load_digits\n"
        "import vaecourse.metrics\nscore = vaecourse.metrics.frechet_distance\n"
        "check_close(double(1), 2, 'double')"
    )
    assert lint_notebook(nb) == []


def test_lint_finds_tracks_that_disagree(tmp_path):
    repo = make_toy_repo(tmp_path / "repo", REPO / "course")
    nb = toy_notebook()
    by_id(nb, "test_double").metadata["nbgrader"]["points"] = 5
    nbformat.write(nb, Assignment(repo, "tensorflow", ASSIGNMENT).source)
    report = lint(assignments(repo))
    assert "tracks disagree on graded cells or points" in " ".join(report[f"*/{ASSIGNMENT}"])


def test_lint_finds_tracks_with_different_sections(tmp_path):
    repo = make_toy_repo(tmp_path / "repo", REPO / "course")
    nb = toy_notebook()
    nb.cells.remove(by_id(nb, "intro"))
    nbformat.write(nb, Assignment(repo, "tensorflow", ASSIGNMENT).source)
    problems = " ".join(lint(assignments(repo))[f"*/{ASSIGNMENT}"])
    assert (
        "disagree on their sections: cell 0 is 'intro' in pytorch but 'setup' in tensorflow"
        in problems
    ), problems


# --- build -----------------------------------------------------------------------------------


def test_build_writes_student_versions_and_executed_solutions(toy_repo):
    for track in ("pytorch", "tensorflow"):
        student = nbformat.read(
            toy_repo / "assignments" / track / ASSIGNMENT / f"{ASSIGNMENT}.ipynb", as_version=4
        )
        text = nbformat.writes(student)
        assert "raise NotImplementedError()" in text and "return 2 * x" not in text
        assert "double(-3)" not in text, "hidden tests leaked into the student version"
        solution = nbformat.read(
            toy_repo / "solutions" / track / ASSIGNMENT / f"{ASSIGNMENT}.ipynb", as_version=4
        )
        text = nbformat.writes(solution)
        assert "return 2 * x" in text and "double(-3)" not in text and "BEGIN SOLUTION" not in text
        assert all(c.execution_count for c in solution.cells if c.cell_type == "code")


def test_build_is_deterministic_and_staleness_is_detected(toy_repo, tmp_path):
    assert stale(assignments(toy_repo)) == []
    assignment = Assignment(toy_repo, "pytorch", ASSIGNMENT)
    original = assignment.source.read_text()
    try:
        nb = nbformat.read(assignment.source, as_version=4)
        by_id(nb, "intro").source += " Changed."
        nbformat.write(nb, assignment.source)
        problems = stale([assignment])
        assert any("assignments/pytorch/00-toy/00-toy.ipynb is stale" in p for p in problems)
        assert any("solutions/pytorch/00-toy/00-toy.ipynb is stale" in p for p in problems)
    finally:
        assignment.source.write_text(original)


# --- grading ---------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def graded(toy_repo, tmp_path_factory):
    """Grade a batch of realistic and broken submissions once; return (outcomes, out folder)."""
    source = nbformat.read(Assignment(toy_repo, "pytorch", ASSIGNMENT).source, as_version=4)
    student = nbformat.read(
        toy_repo / "assignments" / "pytorch" / ASSIGNMENT / f"{ASSIGNMENT}.ipynb", as_version=4
    )
    subs = tmp_path_factory.mktemp("submissions")

    def put(name, nb):
        (subs / name).mkdir()
        nbformat.write(nb, subs / name / f"{ASSIGNMENT}.ipynb")

    put("solution", source)
    put("untouched", student)
    loop = copy.deepcopy(source)
    by_id(loop, "double").source = "while True:\n    pass"
    put("loops", loop)
    crash = copy.deepcopy(source)
    by_id(crash, "triple").source = "import os\nos._exit(1)"
    put("crashes", crash)
    tamper = copy.deepcopy(source)
    by_id(tamper, "double").source = "def double(x):\n    return x + 2"  # right only for x = 2
    by_id(tamper, "test_double").source = "pass"
    tamper.cells.remove(by_id(tamper, "test_double_hidden"))
    put("tampers", tamper)
    (subs / "corrupt").mkdir()
    (subs / "corrupt" / f"{ASSIGNMENT}.ipynb").write_text('{"cells": [')
    (subs / "empty").mkdir()
    (subs / "empty" / "readme.txt").write_text("no notebook")
    nbformat.write(source, subs / f'o"brien, pat_123_{ASSIGNMENT}.ipynb')  # LMS-style flat name
    out = tmp_path_factory.mktemp("grading")
    outcomes = grade(
        Assignment(toy_repo, "pytorch", ASSIGNMENT), subs, out, cell_timeout=15, log=lambda *_: None
    )
    return {o.student_id: o for o in outcomes}, out


def test_solution_scores_all_autograded_points(graded):
    outcomes, _ = graded
    assert outcomes["solution"].status == "graded"
    assert outcomes["solution"].autograded_score == outcomes["solution"].autograded_max == 6


def test_untouched_student_version_scores_zero(graded):
    outcomes, _ = graded
    assert outcomes["untouched"].status == "graded"
    assert outcomes["untouched"].autograded_score == 0


def test_infinite_loop_costs_only_that_answer(graded):
    outcome = graded[0]["loops"]
    assert outcome.status == "timeout"
    assert "double" in outcome.details[0]
    assert outcome.autograded_score == 3, "triple's 3 points must survive double's loop"


def test_kernel_crash_is_reported_not_zeroed(graded):
    outcome = graded[0]["crashes"]
    assert outcome.status == "crashed"
    assert outcome.autograded_score is None
    assert outcome.details[0].startswith("the kernel died in triple"), outcome.details
    assert "no score is recorded" in outcome.details[0]


def test_edited_and_deleted_tests_are_restored(graded):
    outcome = graded[0]["tampers"]
    assert outcome.status == "graded"
    assert outcome.autograded_score == 4, "double's original tests must run (1 + 2 points lost)"
    assert any("test_double_hidden" in d for d in outcome.details), outcome.details


def test_corrupt_and_missing_are_reported_and_others_still_graded(graded):
    outcomes, _ = graded
    assert outcomes["corrupt"].status == "corrupt"
    assert "not a valid notebook" in outcomes["corrupt"].details[0]
    assert outcomes["empty"].status == "missing"
    assert outcomes["o-brien--pat"].autograded_score == 6


def test_grades_csv_is_quoted_and_complete(graded):
    outcomes, out = graded
    with open(out / "grades.csv", newline="") as f:
        rows = list(csv.DictReader(f))
    assert {r["student_id"] for r in rows} == set(outcomes)
    flat = next(r for r in rows if r["student_id"] == "o-brien--pat")
    assert flat["submitted_file"].endswith(f'o"brien, pat_123_{ASSIGNMENT}.ipynb')
    assert json.loads((out / "report.json").read_text())


def test_feedback_html_is_written(graded):
    _, out = graded
    feedback = out / "course" / "pytorch" / "feedback"
    for student in ("solution", "untouched", "loops", "tampers"):
        html = (feedback / student / ASSIGNMENT / f"{ASSIGNMENT}.html").read_text()
        assert "double" in html


def test_zip_input_and_regrading_keep_everything(toy_repo, graded, tmp_path):
    _, out = graded
    archive = tmp_path / "export.zip"
    source = Assignment(toy_repo, "pytorch", ASSIGNMENT).source
    with zipfile.ZipFile(archive, "w") as zf:
        zf.write(source, f"late_student/{ASSIGNMENT}.ipynb")
        zf.writestr("../escape.ipynb", "{}")
    outcomes = {
        o.student_id: o
        for o in grade(
            Assignment(toy_repo, "pytorch", ASSIGNMENT), archive, out, log=lambda *_: None
        )
    }
    assert outcomes["late_student"].autograded_score == 6
    assert any("outside the archive" in " ".join(o.details) for o in outcomes.values())
    assert not (out.parent / "escape.ipynb").exists()
    assert list(out.glob("grades-*.csv")), "the previous grades.csv must be kept"
    from nbgrader.api import Gradebook

    with Gradebook(f"sqlite:///{out / 'course' / 'pytorch' / 'gradebook.db'}") as gb:
        assert gb.find_submission(ASSIGNMENT, "solution").code_score == 6, "earlier grade lost"


def test_cli_grade_exit_code_and_report(toy_repo, tmp_path):
    subs = tmp_path / "subs"
    (subs / "only").mkdir(parents=True)
    (subs / "only" / f"{ASSIGNMENT}.ipynb").write_text("not json")
    result = subprocess.run(
        [
            sys.executable,
            "-m",
            "vaecourse.cli",
            "grade",
            "--track",
            "pytorch",
            ASSIGNMENT,
            str(subs),
            "--out",
            str(tmp_path / "out"),
        ],
        cwd=toy_repo,
        capture_output=True,
        text=True,
    )
    assert result.returncode == 2, result.stdout + result.stderr
    assert "corrupt" in result.stdout


# --- the student's self-check ----------------------------------------------------------------


def test_validate_fails_on_failing_tests_and_passes_when_answered(toy_repo, tmp_path):
    student = toy_repo / "assignments" / "pytorch" / ASSIGNMENT / f"{ASSIGNMENT}.ipynb"
    cmd = [sys.executable, "-m", "vaecourse.cli", "validate"]
    failing = subprocess.run([*cmd, str(student)], capture_output=True, text=True)
    assert failing.returncode == 1 and "A test failed" in failing.stdout
    nb = nbformat.read(student, as_version=4)
    by_id(nb, "double").source = "def double(x):\n    return 2 * x"
    by_id(nb, "triple").source = "def triple(x):\n    return 3 * x"
    unanswered = tmp_path / "unanswered.ipynb"
    nbformat.write(nb, unanswered)
    written_missing = subprocess.run([*cmd, str(unanswered)], capture_output=True, text=True)
    assert (
        written_missing.returncode == 1 and "did not provide a response" in written_missing.stdout
    )
    by_id(nb, "written").source = "Because."
    answered = tmp_path / f"{ASSIGNMENT}.ipynb"
    nbformat.write(nb, answered)
    passing = subprocess.run([*cmd, str(answered)], capture_output=True, text=True)
    assert passing.returncode == 0 and "Success" in passing.stdout, passing.stdout


def test_parallel_grading_keeps_every_grade_with_its_student(toy_repo, tmp_path):
    """Twelve submissions, four kinds with four different scores, graded three at a time: each
    student gets the score of their own notebook."""
    source = nbformat.read(Assignment(toy_repo, "pytorch", ASSIGNMENT).source, as_version=4)
    wrong = {"double": "def double(x):\n    return x", "triple": "def triple(x):\n    return x"}
    kinds = {(): 6, ("double",): 3, ("triple",): 3, ("double", "triple"): 0}
    expected = {}
    for k, (broken, score) in enumerate(list(kinds.items()) * 3):
        nb = copy.deepcopy(source)
        for answer in broken:
            by_id(nb, answer).source = wrong[answer]
        if broken == ("triple",):  # the same score as ("double",), told apart by the details
            by_id(nb, "triple").source = "def triple(x):\n    return 3 * x + (x == -1)"
            score = 5
        student = f"s{k:02d}-{'-'.join(broken) or 'right'}"
        (tmp_path / "subs" / student).mkdir(parents=True)
        nbformat.write(nb, tmp_path / "subs" / student / f"{ASSIGNMENT}.ipynb")
        expected[student] = score
    outcomes = grade(
        Assignment(toy_repo, "pytorch", ASSIGNMENT),
        tmp_path / "subs",
        tmp_path / "out",
        jobs=3,
        log=lambda *_: None,
    )
    assert {o.student_id: o.autograded_score for o in outcomes} == expected
    assert all(o.status == "graded" for o in outcomes), [o.details for o in outcomes]


NBGRADER_LOG = """\
[INFO] Autograding /course/autograded/ada/01/01.ipynb
[ERROR] There was an error processing assignment: /course/submitted/ada/01
[ERROR] Traceback (most recent call last):
      File "nbgrader/converters/base.py", line 390, in convert_notebooks
        self.convert_single_notebook(notebook_filename)
    OSError: [Errno 11] Resource temporarily unavailable
[ERROR] Please see the error message in the traceback above.
    raise NbGraderException(msg)
nbgrader.converters.base.NbGraderException: Please see the the above traceback for details.
"""


def test_a_failed_grading_names_its_cause_not_nbgraders_closing_line():
    assert _cause(NBGRADER_LOG) == "OSError: [Errno 11] Resource temporarily unavailable"
    assert _cause("no exception here") == "no exception here"
