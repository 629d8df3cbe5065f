"""Validity harness: every real assignment, in both tracks, graded by the real grader.

For each (track, assignment) one batch is graded:

- the source notebook handed in as a submission must score every autograded point;
- the unmodified student version must score 0, without crashing the grader;
- a corrupt copy is reported while the rest of the batch is still graded;
- an adversarial submission, otherwise correct: its first answer loops forever (it must lose
  that answer's points and nothing else), and its second answer is the catalogue's first wrong
  version with its visible test edited to `pass` and its hidden test deleted (the original tests
  must come back and catch the mistake);
- "rounds" of the rest of the wrong-answer catalogue (tests/wrong_answers): round k replaces each
  graded answer by its next wrong version, so one kernel run checks one mistake per answer. Each
  wrong answer must lose points, and a failing test of that answer must name the mistake;
- rounds of the catalogue's alternative right answers (written differently from the solution,
  some making a framework print warnings): each must keep every point.
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
from wrong_answers import alternatives, catalogue

REPO = find_repo(Path(__file__).parent)
ASSIGNMENTS = [a for a in assignments(REPO) if a.source.is_file()]
# Long enough for any cell of the solutions (the longest takes about 6 s), short enough that the
# adversarial submission's infinite loop does not dominate the run.
CELL_TIMEOUT = int(os.environ.get("VAECOURSE_HARNESS_CELL_TIMEOUT", "30"))
LOOP = "while True:  # a student cell that never finishes\n    pass"


def _cell(nb, grade_id):
    return next(c for c in nb.cells if c.metadata.get("nbgrader", {}).get("grade_id") == grade_id)


def _by_answer(assignment, entries) -> dict:
    """{answer grade_id: [entry, ...]} for one track of one assignment."""
    by_answer = {}
    for entry in entries:
        if entry.track == assignment.track and entry.assignment == assignment.name:
            by_answer.setdefault(entry.grade_id, []).append(entry)
    return by_answer


def _wrong_answers(assignment) -> dict:
    return _by_answer(assignment, catalogue())


def _rounds(by_answer: dict) -> list[dict]:
    """[{answer grade_id: WrongAnswer}], one dict per round: round k holds each answer's k-th entry."""
    return [
        {answer: entries[k] for answer, entries in by_answer.items() if k < len(entries)}
        for k in range(max((len(e) for e in by_answer.values()), default=0))
    ]


@dataclass
class Batch:
    assignment: Assignment
    source: object  # the source notebook
    tampered: object  # the WrongAnswer of the adversarial submission's second answer
    rounds: list
    alternative_rounds: list
    outcomes: dict
    root: Path  # the nbgrader course root the batch was graded in


@pytest.fixture(scope="module", params=ASSIGNMENTS, ids=lambda a: f"{a.track}/{a.name}")
def batch(request, tmp_path_factory):
    assignment = request.param
    source = nbformat.read(assignment.source, as_version=4)
    answers = autograded_answers(source)
    by_answer = _wrong_answers(assignment)
    looping, tampered = answers[0], answers[1]
    assert by_answer.get(tampered), f"the catalogue has no wrong answer for {tampered}"
    tampered_entry, *others = by_answer[tampered]
    rounds = _rounds({**by_answer, tampered: others})
    subs = tmp_path_factory.mktemp(f"subs-{assignment.track}-{assignment.name}")

    def put(student, nb):
        (subs / student).mkdir()
        nbformat.write(nb, subs / student / f"{assignment.name}.ipynb")

    put("solution", source)
    put("student", nbformat.read(assignment.student_dir / assignment.source.name, as_version=4))
    (subs / "corrupt").mkdir()
    (subs / "corrupt" / assignment.source.name).write_text(nbformat.writes(source)[:5000])
    adversarial = copy.deepcopy(source)
    _cell(adversarial, looping).source = LOOP
    _cell(adversarial, tampered).source = tampered_entry.code
    _cell(adversarial, f"test_{tampered}").source = "pass"
    adversarial.cells.remove(_cell(adversarial, f"test_{tampered}_hidden"))
    put("adversarial", adversarial)
    alternative_rounds = _rounds(_by_answer(assignment, alternatives()))
    for prefix, all_rounds in (("round", rounds), ("alternatives", alternative_rounds)):
        for k, replaced in enumerate(all_rounds):
            nb = copy.deepcopy(source)
            for answer, entry in replaced.items():
                _cell(nb, answer).source = entry.code
            put(f"{prefix}{k}", nb)
    out = tmp_path_factory.mktemp("graded")
    outcomes = grade(assignment, subs, out, cell_timeout=CELL_TIMEOUT, log=lambda *_: None)
    return Batch(assignment, source, tampered_entry, rounds, alternative_rounds,
                 {o.student_id: o for o in outcomes},
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
            errors = "\n".join(
                f"{o.ename}: {o.evalue}\n" + "\n".join(o.get("traceback", []))
                if o.output_type == "error" else f"(on stderr) {o.text}"
                for o in cell.get("outputs", [])
                if o.output_type == "error" or o.get("name") == "stderr")
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
    assignment, source = batch.assignment, batch.source
    by_answer = _wrong_answers(assignment)
    for answer in autograded_answers(source):
        count = len(by_answer.get(answer, []))
        assert count >= 3, f"{assignment.track}/{assignment.name}: {answer} has {count} wrong answers"


def _lost_points_problem(grades, source, answer, entry) -> str | None:
    """None when ``answer``'s tests lost points with ``entry.message``; else what went wrong."""
    tests = crediting_tests(source, answer)
    lost = sum(grades[t][1] - grades[t][0] for t in tests)
    text = "\n".join(grades[t][2] for t in tests)
    if lost == 0:
        return f"{answer} / {entry.mistake}: kept all its points"
    if entry.message not in text:
        return (f"{answer} / {entry.mistake}: lost points but no test said {entry.message!r}; "
                f"the tests said: {text[-400:]}")
    return None


def test_infinite_loop_costs_only_its_answer(batch):
    source = batch.source
    outcome = batch.outcomes["adversarial"]
    looping, tampered, *others = autograded_answers(source)
    assert outcome.status == "timeout", outcome.details
    assert any(looping in d for d in outcome.details), outcome.details
    grades = _graded_tests(batch, "adversarial")
    for test in crediting_tests(source, looping):
        assert grades[test][0] == 0, f"{test} kept points although {looping} never finished"
    for answer in others:  # correct answers keep all of their points
        for test in crediting_tests(source, answer):
            assert grades[test][0] == grades[test][1], (test, grades[test][2])


def test_tampered_tests_are_restored_and_catch_the_mistake(batch):
    tampered = autograded_answers(batch.source)[1]
    grades = _graded_tests(batch, "adversarial")
    assert f"test_{tampered}_hidden" in grades, "the deleted hidden test was not put back"
    problem = _lost_points_problem(grades, batch.source, tampered, batch.tampered)
    assert problem is None, problem


def test_each_wrong_answer_loses_points_with_a_message_naming_it(batch):
    problems = []
    for k, wrong in enumerate(batch.rounds):
        grades = _graded_tests(batch, f"round{k}")
        for answer, entry in wrong.items():
            problems.append(_lost_points_problem(grades, batch.source, answer, entry))
    problems = [p for p in problems if p]
    assert not problems, "\n".join(problems)


def test_alternative_right_answers_keep_every_point(batch):
    problems = []
    for k, replaced in enumerate(batch.alternative_rounds):
        outcome = batch.outcomes[f"alternatives{k}"]
        if outcome.status != "graded":
            problems.append(f"alternatives{k}: {outcome.status}: {outcome.details}")
            continue
        grades = _graded_tests(batch, f"alternatives{k}")
        for answer, entry in replaced.items():
            for test in crediting_tests(batch.source, answer):
                score, max_score, errors = grades[test]
                if score != max_score:
                    problems.append(f"{answer} / {entry.variant}: {test} gave {score}/{max_score}"
                                    f" to a right answer: {errors[-400:]}")
    assert not problems, "\n".join(problems)
