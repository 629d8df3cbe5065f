"""Validity harness: every real assignment, in both tracks, graded by the real grader.

For each (track, assignment), one call of the course's own ``grade()`` (nbgrader's
generate_assignment, OverwriteCells, Execute with the assignment's cell timeout and the kernel
environment, SaveAutoGrades) grades these submissions:

- a probe submission (``tests/probes.py``): the source notebook, with every wrong answer and every
  alternative right answer of the catalogue (``tests/wrong_answers``), and every answer cell as
  the student version hands it out (its stub), tried right after the tests of its answer, each
  probe followed by a restore of the notebook's state. It also carries the catalogue's tampered
  entry in its answer's own cell, with that answer's visible test edited to ``pass`` and its
  hidden test deleted, and, in one cheap assignment per track, an answer cell that loops forever;
- in that cheap assignment, also the unmodified student version, which must score 0 without
  crashing the grader (elsewhere the stub probes show that each answer's tests give no point to
  its stub, in the environment the probes already built: grading every student version whole
  re-ran every notebook's demonstrations; 07's PyTorch harness took 164 s with it, 96 s without);
- a corrupt copy, which must be reported while the others are graded.

Each probe's test cells are scored with nbgrader's own ``determine_grade``. A wrong answer and a
stub must lose points (a wrong answer with a message naming its mistake); a right answer must keep
every point; every answer that was not damaged must keep every point of its own tests, which also
shows that no probe leaked into the next.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import nbformat
import pytest
from probes import error_text, graded_notebook, probe_submission, score_probes
from wrong_answers import alternatives, catalogue

from vaecourse.course.grade import grade
from vaecourse.course.layout import Assignment, assignments, find_repo
from vaecourse.course.lint import autograded_answers, crediting_tests, is_autograded_answer

REPO = find_repo(Path(__file__).parent)
ASSIGNMENTS = [a for a in assignments(REPO) if a.source.is_file()]
# The assignment whose first answer loops forever in the probe submission (the loop costs a whole
# cell timeout) and whose student version is graded whole: a cheap one.
CHEAP_ASSIGNMENT = "01-autoencoders"


def _entries(assignment, entries) -> dict:
    """{answer grade_id: [entry, ...]} for one track of one assignment."""
    by_answer = {}
    for entry in entries:
        if entry.track == assignment.track and entry.assignment == assignment.name:
            by_answer.setdefault(entry.grade_id, []).append(entry)
    return by_answer


@dataclass
class Batch:
    assignment: Assignment
    source: object  # the source notebook
    tampered: object  # the catalogue entry planted with its tests damaged
    loop: str | None  # the answer whose cell loops forever, if any
    outcomes: dict  # student id -> Outcome
    root: Path  # the nbgrader course root the batch was graded in
    results: dict  # probe id -> ProbeResult

    def real_grades(self, student: str) -> dict:
        """{test grade_id: (score, max_score, error text)} from the gradebook."""
        from nbgrader.api import Gradebook

        name = self.assignment.name
        graded = graded_notebook(self.root, student, name)
        result = {}
        with Gradebook(f"sqlite:///{self.root / 'gradebook.db'}") as gb:
            for cell in graded.cells:
                meta = cell.metadata.get("nbgrader", {})
                if cell.cell_type != "code" or not meta.get("grade") or meta.get("solution"):
                    continue
                found = gb.find_grade(meta["grade_id"], name, name, student)
                result[meta["grade_id"]] = (found.score, found.max_score, error_text(cell))
        return result


def grade_batch(assignment, tmp_path_factory, data_root) -> Batch:
    """Grade the probe submission, the student version and a corrupt copy of ``assignment``."""
    source = nbformat.read(assignment.source, as_version=4)
    wrong = _entries(assignment, catalogue())
    marked = [e for entries in wrong.values() for e in entries if e.tampered]
    assert len(marked) == 1, (
        f"{assignment.track}/{assignment.name}: the catalogue must mark "
        f"exactly one entry tampered=True, marks {len(marked)}"
    )
    answers = autograded_answers(source)
    loop = answers[0] if assignment.name == CHEAP_ASSIGNMENT else None
    assert loop != marked[0].grade_id, "the looping answer and the tampered one must differ"
    student = nbformat.read(assignment.student_dir / assignment.source.name, as_version=4)
    stubs = {
        c.metadata["nbgrader"]["grade_id"]: c.source
        for c in student.cells
        if is_autograded_answer(c)
    }
    nb, probes = probe_submission(
        source,
        wrong,
        _entries(assignment, alternatives()),
        stubs=stubs,
        tampered=marked[0],
        loop=loop,
    )
    subs = tmp_path_factory.mktemp(f"subs-{assignment.track}-{assignment.name}")
    submissions = {"probes": nb}
    if assignment.name == CHEAP_ASSIGNMENT:
        submissions["student"] = student
    for student_id, notebook in submissions.items():
        (subs / student_id).mkdir()
        nbformat.write(notebook, subs / student_id / assignment.source.name)
    (subs / "corrupt").mkdir()
    (subs / "corrupt" / assignment.source.name).write_text(nbformat.writes(source)[:5000])
    out = tmp_path_factory.mktemp("graded")
    with pytest.MonkeyPatch.context() as env:  # the kernels find the real data
        env.setenv("VAECOURSE_DATA", str(data_root))
        outcomes = grade(assignment, subs, out, log=lambda *_: None)
    root = out / "course" / assignment.track
    results = (
        score_probes(graded_notebook(root, "probes", assignment.name), source, probes)
        if (root / "autograded" / "probes").is_dir()
        else {}
    )
    return Batch(
        assignment, source, marked[0], loop, {o.student_id: o for o in outcomes}, root, results
    )


def _lost_points_problem(lost: float, text: str, answer: str, entry, total: float) -> str | None:
    """None when ``answer``'s tests lost points with ``entry.message``; else what went wrong."""
    if lost == 0:
        return f"{answer} / {entry.mistake}: kept all its points"
    if entry.earns_nothing and lost < total:
        return f"{answer} / {entry.mistake}: kept {total - lost:g} of its {total:g} points"
    if entry.message not in text:
        return (
            f"{answer} / {entry.mistake}: lost points but no test said {entry.message!r}; "
            f"the tests said: {text[-400:]}"
        )
    return None


class Harness:
    """The checks of one (track, assignment). One subclass per pair (below), so that each pair is
    graded once, and pytest-xdist's ``--dist loadscope`` grades different pairs side by side."""

    assignment: Assignment

    @pytest.fixture(scope="class")
    @classmethod
    def batch(cls, tmp_path_factory, fashion_data_root):
        return grade_batch(cls.assignment, tmp_path_factory, fashion_data_root)

    def test_probe_submission_is_graded_and_every_probe_ran(self, batch):
        outcome = batch.outcomes["probes"]
        expected = "timeout" if batch.loop else "graded"
        assert outcome.status == expected, outcome.details
        missing = [r.probe.id for r in batch.results.values() if not r.ran]
        assert batch.results and not missing, f"probes without graded test cells: {missing}"

    def test_the_grading_guard_flags_nothing(self, batch):
        """Right and wrong answers alike are not attacks: the guard (vaecourse.course.guard) must
        not flag them, or honest students would be reported."""
        flags = {who: o.flags for who, o in batch.outcomes.items() if who != "corrupt"}
        assert flags and not any(flags.values()), flags

    def test_student_version_stubs_score_zero(self, batch):
        """Every answer's tests give no point to the answer cell the student version hands out."""
        stubs = {r.probe.answer: r for r in batch.results.values() if r.probe.kind == "stub"}
        assert set(stubs) == set(autograded_answers(batch.source)), sorted(stubs)
        problems = [
            f"{answer}: its stub kept {sum(s for s, _ in r.scores.values()):g} points"
            if r.ran
            else f"{answer}: the tests of its stub did not run"
            for answer, r in stubs.items()
            if not r.ran or any(score for score, _ in r.scores.values())
        ]
        assert not problems, "\n".join(problems)

    def test_corrupt_copy_is_reported(self, batch):
        outcome = batch.outcomes["corrupt"]
        assert outcome.status == "corrupt" and "not a valid notebook" in outcome.details[0]

    def test_catalogue_has_three_wrong_answers_per_graded_function(self, batch):
        by_answer = _entries(batch.assignment, catalogue())
        for answer in autograded_answers(batch.source):
            count = len(by_answer.get(answer, []))
            assert count >= 3, (
                f"{batch.assignment.track}/{batch.assignment.name}: {answer} has "
                f"{count} wrong answers"
            )

    def test_each_wrong_answer_loses_points_with_a_message_naming_it(self, batch):
        problems = [
            _lost_points_problem(
                r.lost, r.text, r.probe.answer, r.probe.entry, sum(t for _, t in r.scores.values())
            )
            for r in batch.results.values()
            if r.probe.kind == "wrong"
        ]
        assert any(r.probe.kind == "wrong" for r in batch.results.values())
        problems = [p for p in problems if p]
        assert not problems, "\n".join(problems)

    def test_alternative_right_answers_keep_every_point(self, batch):
        problems = [
            f"{r.probe.answer} / {r.probe.entry.variant}: lost {r.lost} of "
            f"{sum(t for _, t in r.scores.values())} points: {r.text[-400:]}"
            for r in batch.results.values()
            if r.probe.kind == "right" and r.lost
        ]
        assert not problems, "\n".join(problems)

    def test_every_answer_left_alone_keeps_every_point(self, batch):
        """The real tests of every answer that was not damaged keep all their points (so no probe
        leaked into the answers after it), and so do all the tests, run once more at the very end
        (on each answer's own state, or on its solution where its cell was damaged)."""
        grades = batch.real_grades("probes")
        damaged = {batch.tampered.grade_id, batch.loop}
        problems = [
            f"{test}: {score}/{top}: {errors[-400:]}"
            for answer in autograded_answers(batch.source)
            if answer not in damaged
            for test in crediting_tests(batch.source, answer)
            for score, top, errors in [grades[test]]
            if score != top
        ]
        problems += [
            f"the tests of {r.probe.answer}, run again at the end: lost {r.lost}: {r.text[-400:]}"
            for r in batch.results.values()
            if r.probe.kind == "final" and r.lost
        ]
        assert not problems, "\n".join(problems)

    def test_tampered_tests_are_restored_and_catch_the_mistake(self, batch):
        answer = batch.tampered.grade_id
        grades = batch.real_grades("probes")
        assert f"test_{answer}_hidden" in grades, "the deleted hidden test was not put back"
        tests = crediting_tests(batch.source, answer)
        problem = _lost_points_problem(
            sum(grades[t][1] - grades[t][0] for t in tests),
            "\n".join(grades[t][2] for t in tests),
            answer,
            batch.tampered,
            sum(grades[t][1] for t in tests),
        )
        assert problem is None, problem


class CheapHarness(Harness):
    """The checks of the assignment whose first answer loops forever in the probe submission and
    whose student version is graded whole."""

    def test_student_version_scores_zero(self, batch):
        outcome = batch.outcomes["student"]
        assert outcome.status == "graded", outcome.details
        assert outcome.autograded_max > 0
        assert outcome.autograded_score == 0, outcome.details

    def test_infinite_loop_costs_only_its_answer(self, batch):
        """Its own tests score 0; that every other answer keeps its points is
        ``test_every_answer_left_alone_keeps_every_point``."""
        outcome = batch.outcomes["probes"]
        assert any(batch.loop in d for d in outcome.details), outcome.details
        grades = batch.real_grades("probes")
        for test in crediting_tests(batch.source, batch.loop):
            assert grades[test][0] == 0, f"{test} kept points although {batch.loop} never finished"


for _assignment in ASSIGNMENTS:
    _name = f"Test_{_assignment.track}_{_assignment.name.replace('-', '_')}"
    _base = CheapHarness if _assignment.name == CHEAP_ASSIGNMENT else Harness
    globals()[_name] = type(_name, (_base,), {"assignment": _assignment})
