"""Autograding times: one submission, and a class of 20, sequential and in parallel, with the
sandbox and without it (01-autoencoders of one track: 20 copies of the solution and of wrong
answers, as an LMS would hand them in)."""

from __future__ import annotations

import copy
import shutil
import tempfile
import time
from pathlib import Path

import nbformat


def _submissions(assignment, folder: Path, n: int) -> Path:
    """``n`` submissions: the solution, and the solution with one answer left as the stub."""
    source = nbformat.read(assignment.source, as_version=4)
    answers = [
        c
        for c in source.cells
        if c.metadata.get("nbgrader", {}).get("solution")
        and not c.metadata["nbgrader"].get("grade")
    ]
    for k in range(n):
        nb = copy.deepcopy(source)
        if k % 2:
            blank = answers[k % len(answers)].metadata["nbgrader"]["grade_id"]
            for cell in nb.cells:
                if cell.metadata.get("nbgrader", {}).get("grade_id") == blank:
                    cell.source = "# YOUR CODE HERE\nraise NotImplementedError()"
        (folder / f"student{k:02d}").mkdir(parents=True)
        nbformat.write(nb, folder / f"student{k:02d}" / f"{assignment.name}.ipynb")
    return folder


def time_grading(assignment, n: int, jobs: int = 1, sandbox: bool = True) -> float:
    from vaecourse.course.grade import grade

    with tempfile.TemporaryDirectory(prefix="vaecourse-bench-grading-") as tmp:
        subs = _submissions(assignment, Path(tmp) / "subs", n)
        start = time.perf_counter()
        outcomes = grade(
            assignment, subs, Path(tmp) / "out", jobs=jobs, sandbox=sandbox, log=lambda *_: None
        )
        seconds = time.perf_counter() - start
        shutil.rmtree(subs)
    bad = [o for o in outcomes if o.status != "graded"]
    assert not bad, [(o.student_id, o.status, o.details[:1]) for o in bad]
    return seconds


def run(assignment, class_size: int = 20, sample: int = 5) -> dict:
    one = time_grading(assignment, 1)
    with_sandbox = time_grading(assignment, sample)
    without = time_grading(assignment, sample, sandbox=False)
    sequential = time_grading(assignment, class_size)
    parallel = time_grading(assignment, class_size, jobs=2)
    return {
        "assignment": f"{assignment.track}/{assignment.name}",
        "one_submission_seconds": round(one, 1),
        "per_submission_seconds": round(sequential / class_size, 1),
        "sandbox_cost_per_submission_seconds": round((with_sandbox - without) / sample, 2),
        "class_size": class_size,
        "sequential_seconds": round(sequential, 1),
        "parallel_jobs": 2,
        "parallel_seconds": round(parallel, 1),
        "speedup": round(sequential / parallel, 2),
    }
