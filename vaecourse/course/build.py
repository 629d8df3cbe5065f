"""Build the student versions (``assignments/``) and worked solutions (``solutions/``).

Student versions come from ``nbgrader generate_assignment``, run in a scratch copy of the course
so no gradebook or release folder is left behind. Worked solutions are the source notebooks with
hidden tests, solution markers and nbgrader metadata removed, then executed so their figures
show when browsed. Both are deterministic apart from the solutions' outputs, so the staleness
check compares student versions byte for byte and solutions without their outputs.
"""

from __future__ import annotations

import copy
import hashlib
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

import nbformat

from .execute import DEFAULT_CELL_TIMEOUT, cell_timeout
from .layout import Assignment, ensure_tools_on_path, kernel_env
from .lint import HIDDEN_BEGIN, HIDDEN_END

_MARKERS = ("### BEGIN SOLUTION", "### END SOLUTION")


def run_nbgrader(
    course_root: Path, *args: str, timeout: float = 600
) -> subprocess.CompletedProcess:
    """Run an nbgrader command in ``course_root``; raise with its output if it fails."""
    ensure_tools_on_path()
    result = subprocess.run(
        [sys.executable, "-m", "nbgrader", *args],
        cwd=course_root,
        capture_output=True,
        text=True,
        timeout=timeout,
    )
    if result.returncode != 0:
        raise RuntimeError(
            f"nbgrader {' '.join(args)} failed in {course_root}:\n{result.stdout}\n{result.stderr}"
        )
    return result


def scratch_course(repo: Path, track: str, into: Path) -> Path:
    """Copy the course sources of ``track`` (and the shared settings) into ``into``; return the
    copied course root."""
    shutil.copy2(repo / "course" / "nbgrader_common.py", into / "nbgrader_common.py")
    root = into / track
    shutil.copytree(
        repo / "course" / track,
        root,
        ignore=shutil.ignore_patterns(
            "gradebook.db", "release", "submitted", "autograded", "feedback", ".ipynb_checkpoints"
        ),
    )
    return root


def student_versions(repo: Path, track: str, names: list[str], out: Path) -> None:
    """Write ``out/<name>/`` for each assignment of one track, via nbgrader."""
    with tempfile.TemporaryDirectory(prefix="vaecourse-build-") as tmp:
        root = scratch_course(repo, track, Path(tmp))
        for name in names:
            run_nbgrader(root, "generate_assignment", name, "--force")
            target = out / name
            if target.exists():
                shutil.rmtree(target)
            shutil.copytree(root / "release" / name, target)


def _without_hidden_tests(source: str) -> str:
    kept, inside = [], False
    for line in source.splitlines():
        if line.strip() == HIDDEN_BEGIN:
            inside = True
        elif line.strip() == HIDDEN_END:
            inside = False
        elif not inside and line.strip() not in _MARKERS:
            kept.append(line)
    return "\n".join(kept).rstrip()


def solution_notebook(source_nb) -> nbformat.NotebookNode:
    """The worked solution of a source notebook, not yet executed."""
    nb = copy.deepcopy(source_nb)
    digest = hashlib.sha256(nbformat.writes(source_nb).encode()).hexdigest()
    cells = []
    for cell in nb.cells:
        cell.metadata.pop("nbgrader", None)
        cell.source = _without_hidden_tests(cell.source)
        if cell.cell_type == "code" and not cell.source.strip():
            continue  # a test cell that held only hidden tests
        cells.append(cell)
    nb.cells = cells
    nb.metadata["vaecourse"] = {**nb.metadata.get("vaecourse", {}), "built_from_sha256": digest}
    return nb


# A build is not a grading: its cells may take several times the grading timeout (a busy machine
# should not fail a build), and a runaway cell is still stopped.
BUILD_MARGIN = 4


def execute(nb, cwd: Path) -> None:
    """Run every cell of ``nb`` in place, as a student would with Run All, each cell within
    ``BUILD_MARGIN`` times the notebook's own timeout (see vaecourse.course.execute)."""
    from nbclient import NotebookClient

    with kernel_env():
        NotebookClient(
            nb,
            timeout=BUILD_MARGIN * (cell_timeout(nb) or DEFAULT_CELL_TIMEOUT),
            kernel_name="python3",
            resources={"metadata": {"path": str(cwd)}},
        ).execute()


def write_solution(assignment: Assignment, target: Path, run: bool = True) -> None:
    nb = solution_notebook(nbformat.read(assignment.source, as_version=4))
    target.parent.mkdir(parents=True, exist_ok=True)
    if run:
        execute(nb, cwd=target.parent)
    nbformat.write(nb, target)


def build(
    assignments: list[Assignment], out: Path | None = None, run: bool = True, log=print
) -> None:
    """Write student versions and solutions under ``out`` (default: the repository)."""
    if not assignments:
        return
    repo = assignments[0].repo
    out = out or repo
    for track in sorted({a.track for a in assignments}):
        names = [a.name for a in assignments if a.track == track]
        log(f"student versions: {track}: {', '.join(names)}")
        student_versions(repo, track, names, out / "assignments" / track)
    for assignment in assignments:
        target = out / "solutions" / assignment.track / assignment.name / assignment.source.name
        log(f"solution{' (executing)' if run else ''}: {assignment.track}/{assignment.name}")
        write_solution(assignment, target, run=run)


def _without_outputs(nb) -> list:
    """What a build decides: cell types, sources and metadata, and the source hash (execution
    adds outputs, counts, timings and kernel details, which are not compared)."""
    cells = [
        (c.cell_type, c.source, {k: v for k, v in c.metadata.items() if k != "execution"})
        for c in nb.cells
    ]
    return [cells, nb.metadata.get("vaecourse")]


def stale(assignments: list[Assignment]) -> list[str]:
    """What differs between the committed builds and a fresh build (an empty list: up to date)."""
    if not assignments:
        return []
    repo = assignments[0].repo
    problems = []
    with tempfile.TemporaryDirectory(prefix="vaecourse-fresh-") as tmp:
        fresh = Path(tmp)
        build(assignments, out=fresh, run=False, log=lambda *_: None)
        for assignment in assignments:
            rel = Path(assignment.track) / assignment.name
            new_dir, old_dir = fresh / "assignments" / rel, repo / "assignments" / rel
            new_files = sorted(p.relative_to(new_dir) for p in new_dir.rglob("*") if p.is_file())
            old_files = (
                sorted(p.relative_to(old_dir) for p in old_dir.rglob("*") if p.is_file())
                if old_dir.is_dir()
                else []
            )
            if new_files != old_files:
                problems.append(f"assignments/{rel}: files {old_files} should be {new_files}")
            for name in new_files:
                if (
                    old_dir.joinpath(name).is_file()
                    and old_dir.joinpath(name).read_bytes() != new_dir.joinpath(name).read_bytes()
                ):
                    problems.append(f"assignments/{rel}/{name} is stale")
            new_solution = fresh / "solutions" / rel / assignment.source.name
            if not assignment.solution.is_file():
                problems.append(f"solutions/{rel} is missing")
            elif _without_outputs(
                nbformat.read(assignment.solution, as_version=4)
            ) != _without_outputs(nbformat.read(new_solution, as_version=4)):
                problems.append(f"solutions/{rel}/{assignment.source.name} is stale")
            elif any(
                c.cell_type == "code" and c.execution_count is None
                for c in nbformat.read(assignment.solution, as_version=4).cells
            ):
                problems.append(f"solutions/{rel}/{assignment.source.name} was not executed")
    return problems
