"""The validity harness's probes (tests/probes.py), checked on toy assignments with real grading.

These show that the harness can fail: a probe that leaks into the next answer (it mutates an
object that the namespace snapshots share) shows up in that answer's grades, a wrong answer that
passes is visible as no points lost, and probes leave the rest of the notebook exactly as it would
run without them. They also cover an assignment with a single
autograded answer, as 07 has.
"""

from __future__ import annotations

import shutil
from pathlib import Path

import nbformat
import pytest
from nbformat.v4 import new_notebook
from probes import graded_notebook, probe_submission, score_probes
from toy_course import _cell
from wrong_answers import RightAnswer, WrongAnswer

from vaecourse.course.grade import grade
from vaecourse.course.layout import Assignment

REPO = Path(__file__).resolve().parents[1]
AFTER = 'print("after the probes: double(5) =", double(5))'


def _notebook(with_triple: bool):
    cells = [
        _cell("code", "import numpy as np\nFACTORS = {'triple': 3}", "setup"),
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
            "### BEGIN HIDDEN TESTS\nassert double(-3) == -6, 'double(-3) should be -6'"
            "\n### END HIDDEN TESTS",
            "test_double_hidden",
            grade=True,
            points=1,
        ),
    ]
    if with_triple:
        cells += [
            _cell(
                "code",
                "def triple(x):\n    ### BEGIN SOLUTION\n    return FACTORS['triple'] * x"
                "\n    ### END SOLUTION",
                "triple",
                solution=True,
            ),
            _cell(
                "code",
                "assert triple(2) == 6, 'triple(2) should be 6'",
                "test_triple",
                grade=True,
                points=1,
            ),
            _cell(
                "code",
                "### BEGIN HIDDEN TESTS\nassert triple(-1) == -3, 'triple(-1) should be "
                "-3'\n### END HIDDEN TESTS",
                "test_triple_hidden",
                grade=True,
                points=1,
            ),
        ]
    cells += [
        _cell("code", AFTER, "after"),
        _cell("markdown", "Why?", "written", grade=True, solution=True, points=1),
    ]
    nb = new_notebook(cells=cells)
    nb.metadata["kernelspec"] = {
        "name": "python3",
        "display_name": "Python 3",
        "language": "python",
    }
    nb.metadata["vaecourse"] = {"cell_timeout": 10}
    return nb


def _wrong(answer, mistake, code, message, tampered=False):
    return WrongAnswer("toy", "pytorch", answer, mistake, code, message, tampered)


DOUBLE_WRONG = _wrong(
    "double", "triples", "def double(x):\n    return 3 * x\n", "double(2) should be 4"
)
DOUBLE_RIGHT = RightAnswer(
    "toy", "pytorch", "double", "x + x", "def double(x):\n    return x + x\n"
)
LEAKY = RightAnswer(
    "toy",
    "pytorch",
    "double",
    "right, but changes an object triple relies on",
    "FACTORS['triple'] = 0\ndef double(x):\n    return 2 * x\n",
)
TRIPLE_WRONG = _wrong(
    "triple",
    "doubles",
    "def triple(x):\n    return 2 * x\n",
    "triple(2) should be 6",
    tampered=True,
)


STUBS = {  # the student version's cells: one still to write, one that already passes its tests
    "double": "def double(x):\n    raise NotImplementedError()\n",
    "triple": "def triple(x):\n    return 3 * x  # a stub that gives the answer away\n",
}


def _grade(tmp_path, name, source, submissions: dict):
    """Grade {student: notebook} for a toy assignment ``name``; return the course root."""
    repo = tmp_path / name / "repo"
    (repo / "course" / "pytorch" / "source" / name).mkdir(parents=True)
    shutil.copy2(REPO / "course" / "nbgrader_common.py", repo / "course")
    shutil.copy2(REPO / "course" / "pytorch" / "nbgrader_config.py", repo / "course" / "pytorch")
    nbformat.write(source, repo / "course" / "pytorch" / "source" / name / f"{name}.ipynb")
    subs = tmp_path / name / "subs"
    for student, nb in submissions.items():
        (subs / student).mkdir(parents=True)
        nbformat.write(nb, subs / student / f"{name}.ipynb")
    outcomes = grade(
        Assignment(repo, "pytorch", name), subs, tmp_path / name / "out", log=lambda *_: None
    )
    return {o.student_id: o for o in outcomes}, tmp_path / name / "out" / "course" / "pytorch"


@pytest.fixture(scope="module")
def toy(tmp_path_factory):
    source = _notebook(with_triple=True)
    plain, plain_probes = probe_submission(
        source, {"double": [DOUBLE_WRONG]}, {"double": [DOUBLE_RIGHT]}, stubs=STUBS
    )
    damaged, damaged_probes = probe_submission(source, {}, {}, tampered=TRIPLE_WRONG, loop="double")
    leaky, leaky_probes = probe_submission(source, {}, {"double": [LEAKY]})
    outcomes, root = _grade(
        tmp_path_factory.mktemp("toy"),
        "00-toy",
        source,
        {"plain": plain, "damaged": damaged, "leaky": leaky},
    )
    results = {
        student: score_probes(graded_notebook(root, student, "00-toy"), source, probes)
        for student, probes in (
            ("plain", plain_probes),
            ("damaged", damaged_probes),
            ("leaky", leaky_probes),
        )
    }
    return outcomes, root, results


def _real_scores(root, student, name="00-toy"):
    """{test grade_id: score} of a graded submission, by nbgrader's rule."""
    from nbgrader.utils import determine_grade, is_grade, is_solution

    graded = graded_notebook(root, student, name)
    return {
        c.metadata["nbgrader"]["grade_id"]: determine_grade(c)[0]
        for c in graded.cells
        if is_grade(c) and not is_solution(c)
    }


def test_wrong_and_right_probes_are_told_apart(toy):
    _, _, results = toy
    by_kind = {r.probe.kind: r for r in results["plain"].values() if r.probe.answer == "double"}
    assert by_kind["wrong"].lost == 2 and "double(2) should be 4" in by_kind["wrong"].text
    assert by_kind["right"].lost == 0 and by_kind["right"].ran
    assert by_kind["final"].lost == 0


def test_stub_probes_show_which_stubs_give_points_away(toy):
    """The harness's check that the student version scores 0: a stub still to write loses every
    point, one that already passes its tests loses none (and the harness then reports it)."""
    _, _, results = toy
    stubs = {r.probe.answer: r for r in results["plain"].values() if r.probe.kind == "stub"}
    assert stubs["double"].ran and stubs["double"].lost == 2, stubs["double"]
    assert "NotImplementedError" in stubs["double"].text
    assert stubs["triple"].ran and stubs["triple"].lost == 0, stubs["triple"]


def test_probes_leave_the_rest_of_the_notebook_as_it_was(toy):
    """The last probe of double defined x + x, and a wrong one 3 * x came before: the notebook's
    own later cell still sees the submission's double (2 * x)."""
    _, root, _ = toy
    graded = graded_notebook(root, "plain", "00-toy")
    after = next(c for c in graded.cells if c.source == AFTER)
    assert after.outputs[0].text == "after the probes: double(5) = 10\n"
    assert set(_real_scores(root, "plain").values()) == {1.0}


def test_a_probe_that_leaks_into_the_next_answer_is_caught(toy):
    outcomes, root, results = toy
    assert outcomes["leaky"].status == "graded"
    scores = _real_scores(root, "leaky")
    assert scores["test_triple"] == 0 and scores["test_triple_hidden"] == 0, scores
    final = [r for r in results["leaky"].values() if r.probe.kind == "final"]
    assert {r.probe.answer: r.lost for r in final} == {"double": 0, "triple": 2}


def test_tampered_tests_come_back_and_a_loop_costs_only_its_answer(toy):
    outcomes, root, results = toy
    assert outcomes["damaged"].status == "timeout"
    scores = _real_scores(root, "damaged")
    assert scores == {
        "test_double": 0,
        "test_double_hidden": 0,
        "test_triple": 0,
        "test_triple_hidden": 0,
    }, scores
    graded = graded_notebook(root, "damaged", "00-toy")
    restored = [c for c in graded.cells if "was missing from the submission" in c.source]
    assert [c.metadata["nbgrader"]["grade_id"] for c in restored] == ["test_triple_hidden"]
    assert all(r.lost == 0 for r in results["damaged"].values()), "the solutions, run at the end"


def test_an_assignment_with_one_autograded_answer(tmp_path):
    source = _notebook(with_triple=False)
    tampered = _wrong(
        "double",
        "triples",
        "def double(x):\n    return 3 * x\n",
        "double(2) should be 4",
        tampered=True,
    )
    nb, probes = probe_submission(
        source, {"double": [DOUBLE_WRONG]}, {"double": [DOUBLE_RIGHT]}, tampered=tampered
    )
    outcomes, root = _grade(tmp_path, "00-solo", source, {"probes": nb})
    assert outcomes["probes"].status == "graded", outcomes["probes"].details
    assert _real_scores(root, "probes", "00-solo") == {"test_double": 0, "test_double_hidden": 0}
    results = score_probes(graded_notebook(root, "probes", "00-solo"), source, probes)
    assert {r.probe.kind: r.lost for r in results.values()} == {"wrong": 2, "right": 0, "final": 0}
