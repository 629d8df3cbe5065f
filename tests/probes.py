"""Probe submissions: one grading run that tries every catalogue entry of an assignment.

A probe submission is the source notebook (every answer right) with plain code cells added, which
nbgrader runs and keeps like any cells a student adds:

- first, a cell that keeps snapshots of the kernel's namespace (in ``sys.modules``, away from the
  notebook's own names);
- a snapshot "before X" in front of each answer cell X, and a snapshot "after X" behind its hidden
  test cell;
- behind that, one probe per catalogue entry of X, and one for X's cell as the student version
  hands it out (the stub): restore "before X", run the probe's code in a cell of its own (as the
  student's answer cell would run), then X's visible and hidden tests (the source's test cells,
  verbatim, in cells of their own), and restore "after X", so that the rest of the notebook runs
  as if the probe had never been there;
- at the end, one final probe per answer, which catches a probe that changed state the snapshots
  do not cover (a module, a mutated object): it runs the answer's tests again on the state the
  answer's own cells left (so a training answer is not trained again), or, for an answer whose cell
  was damaged, on the solution's code.

The submission's own cells can be damaged as a student could damage them: a wrong answer in X's
answer cell with X's visible test edited to ``pass`` and its hidden test deleted (nbgrader must put
both back), and an infinite loop in an answer cell.

After grading, each probe test cell is scored the way nbgrader scores a test cell,
``nbgrader.utils.determine_grade``, with the points of the test cell it copies.
"""

from __future__ import annotations

import copy
from dataclasses import dataclass, field

import nbformat
from nbformat.v4 import new_code_cell

from vaecourse.course.lint import autograded_answers, is_test

KEY = "vaecourse_probe"
LOOP = "while True:  # a student cell that never finishes\n    pass"
_STORE = '__import__("sys").modules["vaecourse_probe_snapshots"]'
_KEEPER = '''\
import sys as _sys


class _Snapshots(dict):
    """Copies of the notebook's namespace, by name (the validity harness's probes)."""

    def save(self, name):
        self[name] = dict(get_ipython().user_ns)

    def restore(self, name):
        namespace = get_ipython().user_ns
        namespace.clear()
        namespace.update(self[name])


_sys.modules["vaecourse_probe_snapshots"] = _Snapshots()
del _sys, _Snapshots
'''


@dataclass(frozen=True)
class Probe:
    """One try of one answer: ``code`` in place of the answer, then the answer's tests."""

    id: str
    answer: str
    kind: str  # "wrong", "right", "stub" or "final"
    code: str | None  # None: the tests run on the state the answer's own cells left
    entry: object = None  # the catalogue entry (WrongAnswer or RightAnswer); None for the others


@dataclass
class ProbeResult:
    probe: Probe
    scores: dict = field(default_factory=dict)  # test grade_id -> (score, max_score)
    text: str = ""  # the errors and stderr of its test cells
    ran: bool = False  # whether its test cells were found in the graded notebook

    @property
    def lost(self) -> float:
        return sum(top - score for score, top in self.scores.values())


def _grade_id(cell) -> str:
    return cell.metadata.get("nbgrader", {}).get("grade_id", "")


def _cell(nb, grade_id):
    return next(c for c in nb.cells if _grade_id(c) == grade_id)


def _control(source: str, probe: str, role: str):
    return new_code_cell(source, metadata={KEY: {"probe": probe, "role": role}})


def _try(probe: Probe, visible: str, hidden: str) -> list:
    """The cells of one probe: its code in place of the answer's cell, then the answer's tests.
    A probe without code runs the tests on the state the answer's own cells left behind."""
    if probe.code is None:
        start = [_control(f'{_STORE}.restore("after {probe.answer}")', probe.id, "enter")]
    else:
        start = [
            _control(f'{_STORE}.restore("before {probe.answer}")', probe.id, "enter"),
            _control(probe.code, probe.id, "code"),
        ]
    return start + [
        _control(visible, probe.id, f"test_{probe.answer}"),
        _control(hidden, probe.id, f"test_{probe.answer}_hidden"),
    ]


def probe_submission(
    source, wrong: dict, right: dict, stubs=None, tampered=None, loop: str | None = None
):
    """(notebook, probes): the probe submission of a source notebook.

    ``wrong`` and ``right`` map an answer's grade_id to its catalogue entries, and ``stubs``
    (optional) to the code of its cell in the student version. ``tampered``, a wrong answer, is
    planted in its answer's own cell with that answer's tests damaged; ``loop``
    names an answer whose own cell never finishes.
    """
    nb = copy.deepcopy(source)
    answers = autograded_answers(source)
    tests = {_grade_id(c): c.source for c in source.cells if is_test(c)}
    solutions = {answer: _cell(source, answer).source for answer in answers}
    probes: list[Probe] = []
    cells = [_control(_KEEPER, "keeper", "keeper")]
    for cell in nb.cells:
        grade_id = _grade_id(cell)
        if grade_id in answers:
            cells.append(_control(f'{_STORE}.save("before {grade_id}")', "keeper", "save"))
        cells.append(cell)
        answer = grade_id.removeprefix("test_").removesuffix("_hidden")
        if grade_id != f"test_{answer}_hidden" or answer not in answers:
            continue
        cells.append(_control(f'{_STORE}.save("after {answer}")', "keeper", "save"))
        tries = [("wrong", e.code, e) for e in wrong.get(answer, [])]
        tries += [("right", e.code, e) for e in right.get(answer, [])]
        if stubs and answer in stubs:
            tries.append(("stub", stubs[answer], None))
        for kind, code, entry in tries:
            probe = Probe(f"{kind}{len(probes)}", answer, kind, code, entry)
            probes.append(probe)
            cells += _try(probe, tests[f"test_{answer}"], tests[grade_id])
        cells.append(_control(f'{_STORE}.restore("after {answer}")', "keeper", "leave"))
    damaged = {loop, tampered.grade_id if tampered else None}
    for answer in answers:  # the answer's own state again, or its solution where it was damaged
        code = solutions[answer] if answer in damaged else None
        probe = Probe(f"final{len(probes)}", answer, "final", code)
        probes.append(probe)
        cells += _try(probe, tests[f"test_{answer}"], tests[f"test_{answer}_hidden"])
    nb.cells = cells
    if loop is not None:
        _cell(nb, loop).source = LOOP
    if tampered is not None:
        _cell(nb, tampered.grade_id).source = tampered.code
        _cell(nb, f"test_{tampered.grade_id}").source = "pass"
        nb.cells.remove(_cell(nb, f"test_{tampered.grade_id}_hidden"))
    return nb, probes


def error_text(cell) -> str:
    return "\n".join(
        f"{o.ename}: {o.evalue}\n" + "\n".join(o.get("traceback", []))
        if o.output_type == "error"
        else f"(on stderr) {o.text}"
        for o in cell.get("outputs", [])
        if o.output_type == "error" or o.get("name") == "stderr"
    )


def score_probes(graded, source, probes: list[Probe]) -> dict[str, ProbeResult]:
    """{probe id: ProbeResult} from the autograded probe submission ``graded``: each probe test
    cell is scored by nbgrader's own rule, with the points of the test cell it copies."""
    from nbgrader.utils import determine_grade

    points = {_grade_id(c): c.metadata["nbgrader"]["points"] for c in source.cells if is_test(c)}
    results = {probe.id: ProbeResult(probe) for probe in probes}
    for cell in graded.cells:
        meta = cell.metadata.get(KEY, {})
        test = meta.get("role", "")
        if meta.get("probe") not in results or test not in points:
            continue
        scored = copy.deepcopy(cell)
        scored.metadata["nbgrader"] = {
            "grade": True,
            "solution": False,
            "grade_id": test,
            "points": points[test],
        }
        result = results[meta["probe"]]
        result.scores[test] = determine_grade(scored)
        result.text += error_text(cell) + "\n"
        result.ran = True
    return results


def graded_notebook(root, student: str, name: str):
    return nbformat.read(root / "autograded" / student / name / f"{name}.ipynb", as_version=4)
