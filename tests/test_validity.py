"""Validity harness: every real assignment, in both tracks, graded by the real grader.

For each (track, assignment) one batch is graded:

- the source notebook handed in as a submission must score every autograded point;
- the unmodified student version must score 0, without crashing the grader;
- a corrupt copy is reported while the rest of the batch is still graded;
- "rounds" of the wrong-answer catalogue (tests/wrong_answers): round k replaces each graded
  answer by its k-th wrong version, so one kernel run checks one mistake per answer. Each wrong
  answer must lose points, and a failing test of that answer must name the mistake;
- round 0 is also adversarial: its first answer loops forever instead (only that answer loses
  its points), and the second answer's visible test is edited to `pass` and its hidden test
  deleted (the original tests must still run and catch the wrong answer).
"""

from __future__ import annotations

import copy
import os
from dataclasses import dataclass
from pathlib import Path

import nbformat
import pytest

from vaecourse.course.grade import grade
from vaecourse.course.layout import Assignment, assignments, find_repo
from vaecourse.course.lint import autograded_answers, crediting_tests
from wrong_answers import catalogue

REPO = find_repo(Path(__file__).parent)
ASSIGNMENTS = [a for a in assignments(REPO) if a.source.is_file()]
CELL_TIMEOUT = int(os.environ.get("VAECOURSE_HARNESS_CELL_TIMEOUT", "60"))
LOOP = "while True:  # a student cell that never finishes\n    pass"


def _cell(nb, grade_id):
    return next(c for c in nb.cells if c.metadata.get("nbgrader", {}).get("grade_id") == grade_id)


def _rounds(assignment):
    """[{answer grade_id: WrongAnswer}], one dict per round."""
    by_answer = {}
    for entry in catalogue():
        if entry.track == assignment.track and entry.assignment == assignment.name:
            by_answer.setdefault(entry.grade_id, []).append(entry)
    return [
        {answer: entries[k] for answer, entries in by_answer.items() if k < len(entries)}
        for k in range(max((len(e) for e in by_answer.values()), default=0))
    ]


@dataclass
class Batch:
    assignment: Assignment
    source: object  # the source notebook
    rounds: list
    outcomes: dict
    root: Path  # the nbgrader course root the batch was graded in


@pytest.fixture(scope="module", params=ASSIGNMENTS, ids=lambda a: f"{a.track}/{a.name}")
def batch(request, tmp_path_factory):
    assignment = request.param
    source = nbformat.read(assignment.source, as_version=4)
    answers = autograded_answers(source)
    rounds = _rounds(assignment)
    subs = tmp_path_factory.mktemp(f"subs-{assignment.track}-{assignment.name}")

    def put(student, nb):
        (subs / student).mkdir()
        nbformat.write(nb, subs / student / f"{assignment.name}.ipynb")

    put("solution", source)
    put("student", nbformat.read(assignment.student_dir / assignment.source.name, as_version=4))
    (subs / "corrupt").mkdir()
    (subs / "corrupt" / assignment.source.name).write_text(nbformat.writes(source)[:5000])
    looping, tampered = answers[0], answers[1]
    for k, wrong in enumerate(rounds):
        nb = copy.deepcopy(source)
        for answer, entry in wrong.items():
            _cell(nb, answer).source = entry.code
        if k == 0:
            _cell(nb, looping).source = LOOP
            assert tampered in wrong, f"the catalogue has no wrong answer for {tampered}"
            _cell(nb, f"test_{tampered}").source = "pass"
            nb.cells.remove(_cell(nb, f"test_{tampered}_hidden"))
        put(f"round{k}", nb)
    out = tmp_path_factory.mktemp("graded")
    outcomes = grade(assignment, subs, out, cell_timeout=CELL_TIMEOUT, log=lambda *_: None)
    return Batch(assignment, source, rounds, {o.student_id: o for o in outcomes},
                 out / "course" / assignment.track)


def _graded_tests(batch, student):
    """{test grade_id: (score, max_score, error text)} for one graded submission."""
    from nbgrader.api import Gradebook

    name = batch.assignment.name
    graded = nbformat.read(batch.root / "autograded" / student / name / f"{name}.ipynb",
                           as_version=4)
    result = {}
    with Gradebook(f"sqlite:///{batch.root / 'gradebook.db'}") as gb:
        for cell in graded.cells:
            meta = cell.metadata.get("nbgrader", {})
            if cell.cell_type != "code" or not meta.get("grade") or meta.get("solution"):
                continue
            grade_ = gb.find_grade(meta["grade_id"], name, name, student)
            errors = "\n".join(f"{o.ename}: {o.evalue}\n" + "\n".join(o.get("traceback", []))
                               for o in cell.get("outputs", []) if o.output_type == "error")
            result[meta["grade_id"]] = (grade_.score, grade_.max_score, errors)
    return result


def test_solution_scores_every_autograded_point(batch):
    outcome = batch.outcomes["solution"]
    assert outcome.status == "graded", outcome.details
    assert outcome.autograded_max > 0
    assert outcome.autograded_score == outcome.autograded_max, outcome.details


def test_student_version_scores_zero(batch):
    outcome = batch.outcomes["student"]
    assert outcome.status == "graded", outcome.details
    assert outcome.autograded_score == 0, outcome.details


def test_corrupt_copy_is_reported(batch):
    outcome = batch.outcomes["corrupt"]
    assert outcome.status == "corrupt" and "not a valid notebook" in outcome.details[0]


def test_catalogue_has_three_wrong_answers_per_graded_function(batch):
    assignment, source, rounds = batch.assignment, batch.source, batch.rounds
    for answer in autograded_answers(source):
        count = sum(answer in r for r in rounds)
        assert count >= 3, f"{assignment.track}/{assignment.name}: {answer} has {count} wrong answers"


def test_infinite_loop_costs_only_its_answer(batch):
    source, rounds = batch.source, batch.rounds
    outcome = batch.outcomes["round0"]
    looping = autograded_answers(source)[0]
    assert outcome.status == "timeout", outcome.details
    grades = _graded_tests(batch, "round0")
    for test in crediting_tests(source, looping):
        assert grades[test][0] == 0, f"{test} kept points although {looping} never finished"
    for answer in autograded_answers(source)[1:]:
        if answer not in rounds[0]:  # a correct answer keeps all of its points
            for test in crediting_tests(source, answer):
                assert grades[test][0] == grades[test][1], (test, grades[test][2])


def test_each_wrong_answer_loses_points_with_a_message_naming_it(batch):
    source, rounds = batch.source, batch.rounds
    looping = autograded_answers(source)[0]
    problems = []
    for k, wrong in enumerate(rounds):
        grades = _graded_tests(batch, f"round{k}")
        for answer, entry in wrong.items():
            if k == 0 and answer == looping:
                continue
            tests = crediting_tests(source, answer)
            lost = sum(grades[t][1] - grades[t][0] for t in tests)
            text = "\n".join(grades[t][2] for t in tests)
            if lost == 0:
                problems.append(f"{answer} / {entry.mistake}: kept all its points")
            elif entry.message not in text:
                problems.append(f"{answer} / {entry.mistake}: lost points but no test said "
                                f"{entry.message!r}; the tests said: {text[-400:]}")
    assert not problems, "\n".join(problems)
