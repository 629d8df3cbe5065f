"""Grade a batch of submissions with nbgrader: autograde, feedback HTML, a grades CSV and a report.

The input is a folder or a zip (as an LMS exports it) in one of these layouts:

    <student>/<anything>/<assignment>.ipynb     one folder per student (nbgrader's own layout too)
    <student>.ipynb or <student>_<anything>.ipynb   flat files, LMS style

The originals are never modified: every submission is copied into ``<out>/course/<track>/``, an
nbgrader course root that keeps the gradebook, the autograded notebooks and the feedback, so the
formgrader can be opened on it for manual grading. Submissions are graded through nbgrader's API
(a kernel per notebook, as nbgrader requires), one after the other in this process, or ``jobs`` at
a time in as many processes (nbgrader has no parallel autograde): their kernels then run on one
thread each, talk over IPC sockets (no TCP port to collide on) and write into the one gradebook.
A submission that cannot be graded is reported with the reason and kept.
"""

from __future__ import annotations

import csv
import datetime as dt
import json
import os
import re
import shutil
import warnings
import zipfile
from concurrent.futures import ProcessPoolExecutor, as_completed
from dataclasses import asdict, dataclass, field
from pathlib import Path

import nbformat

from .build import run_nbgrader, scratch_course
from .execute import DIED, SandboxUnavailable, sandbox_refusal
from .layout import KERNEL_ENV, ONE_THREAD, Assignment, ensure_tools_on_path, kernel_env

CSV_FIELDS = [
    "student_id",
    "assignment",
    "status",
    "score",
    "max_score",
    "autograded_score",
    "autograded_max",
    "needs_manual_grading",
    "flags",
    "details",
    "submitted_file",
]


@dataclass
class Outcome:
    """What happened to one submission."""

    student_id: str
    submitted_file: str
    status: str = "graded"  # graded | timeout | crashed | corrupt | missing | failed
    score: float | None = None
    max_score: float | None = None
    autograded_score: float | None = None
    autograded_max: float | None = None
    needs_manual_grading: bool | None = None
    details: list[str] = field(default_factory=list)
    # what the grading guard and the closing checks saw: patched test helpers, grading files
    # touched, errors that stopped being shown (vaecourse.course.guard, .execute)
    flags: list[str] = field(default_factory=list)


def _student_id(name: str) -> str:
    return re.sub(r"[^A-Za-z0-9_.-]", "-", name).strip("-.") or "unnamed"


def _safe_extract(archive: Path, into: Path) -> list[str]:
    """Extract a zip, refusing members that would land outside ``into``; return the refusals."""
    refused = []
    with zipfile.ZipFile(archive) as zf:
        for member in zf.infolist():
            target = (into / member.filename).resolve()
            if not target.is_relative_to(into.resolve()):
                refused.append(member.filename)
                continue
            zf.extract(member, into)
    return refused


def find_submissions(folder: Path, assignment: str) -> list[Outcome]:
    """One Outcome per submission found in ``folder`` (status "missing" when a student's folder
    holds no notebook). ``submitted_file`` is the notebook's path, or the student folder."""
    found: list[Outcome] = []
    for entry in sorted(folder.iterdir()):
        if entry.name.startswith((".", "__MACOSX")):
            continue
        if entry.is_dir():
            notebooks = sorted(
                p for p in entry.rglob("*.ipynb") if ".ipynb_checkpoints" not in p.parts
            )
            named = [p for p in notebooks if p.stem == assignment]
            chosen = named or notebooks
            if not chosen:
                found.append(
                    Outcome(
                        _student_id(entry.name),
                        str(entry),
                        status="missing",
                        details=[f"no .ipynb file in {entry.name}/"],
                    )
                )
                continue
            outcome = Outcome(_student_id(entry.name), str(chosen[0]))
            if len(chosen) > 1:
                outcome.details.append(f"{len(chosen)} notebooks found; graded {chosen[0].name}")
            found.append(outcome)
        elif entry.suffix == ".ipynb":
            found.append(Outcome(_student_id(entry.stem.split("_")[0]), str(entry)))
    seen: dict[str, int] = {}
    for outcome in found:  # two submissions for one student: grade both, never drop one
        seen[outcome.student_id] = seen.get(outcome.student_id, 0) + 1
        if seen[outcome.student_id] > 1:
            outcome.details.append(f"another submission of {outcome.student_id} was also found")
            outcome.student_id += f"-{seen[outcome.student_id]}"
    return found


def _load_api(course_root: Path, overrides: dict):
    from nbgrader.apps import NbGraderAPI
    from nbgrader.coursedir import CourseDirectory
    from traitlets.config.loader import PyFileConfigLoader

    config = PyFileConfigLoader("nbgrader_config.py", path=str(course_root)).load_config()
    config.CourseDirectory.root = str(course_root)
    for key, value in overrides.items():
        section, name = key.split(".")
        config[section][name] = value
    return NbGraderAPI(coursedir=CourseDirectory(config=config), config=config)


def _read_notebook(path: Path) -> tuple[object | None, str]:
    try:
        nb = nbformat.read(path, as_version=4)
        with warnings.catch_warnings():  # cells without ids (older nbformat) are still valid
            warnings.simplefilter("ignore", nbformat.validator.MissingIDFieldWarning)
            nbformat.validate(nb)
        return nb, ""
    except Exception as err:  # bad JSON, wrong schema, binary junk, empty file
        return None, f"not a valid notebook: {type(err).__name__}: {str(err)[:200]}"


def _diagnose(graded_nb) -> tuple[list[str], list[str]]:
    """(timed-out cells, failing tests with their error) of an autograded notebook."""
    timeouts, failures = [], []
    for index, cell in enumerate(graded_nb.cells):
        meta = cell.metadata.get("nbgrader", {})
        grade_id = meta.get("grade_id", f"cell {index}")
        for output in cell.get("outputs", []):
            if output.output_type != "error":
                continue
            if output.ename == "CellTimeoutError":
                timeouts.append(grade_id)
            elif meta.get("grade") and not meta.get("solution"):
                failures.append(f"{grade_id}: {output.ename}: {output.evalue}"[:300])
    return timeouts, failures


def grade(
    assignment: Assignment,
    submissions: Path,
    out: Path,
    cell_timeout: int | None = None,
    sandbox: bool = True,
    jobs: int = 1,
    log=print,
) -> list[Outcome]:
    """Autograde every submission in ``submissions`` (a folder or a .zip) into ``out``.

    Each cell may run for the assignment's own timeout (its source notebook's metadata), or for
    ``cell_timeout`` seconds when that is given. Every kernel runs in the sandbox
    (``vaecourse.course.sandbox``) unless ``sandbox`` is False, which is only for submissions you
    trust; when the sandbox cannot run here, nothing is graded (``SandboxUnavailable``). With
    ``jobs`` above 1, that many submissions are graded at once, each in a process of its own
    whose kernels run their frameworks on one thread, into the one gradebook."""
    if sandbox and (refusal := sandbox_refusal()):
        raise SandboxUnavailable(refusal)
    ensure_tools_on_path()
    # nbgrader's gradebook emits SQLAlchemy warnings that say nothing about the submissions.
    warnings.filterwarnings("ignore", module="nbgrader")
    warnings.filterwarnings("ignore", message=".*not in session.*")
    out.mkdir(parents=True, exist_ok=True)
    incoming = submissions
    problems: list[Outcome] = []
    if submissions.is_file() and zipfile.is_zipfile(submissions):
        incoming = out / "incoming" / dt.datetime.now().strftime("%Y%m%d-%H%M%S")
        incoming.mkdir(parents=True)
        for name in _safe_extract(submissions, incoming):
            problems.append(
                Outcome(
                    "unknown",
                    name,
                    status="failed",
                    details=["zip member points outside the archive; skipped"],
                )
            )
    elif not submissions.is_dir():
        raise FileNotFoundError(f"{submissions} is neither a folder nor a zip file")
    outcomes = find_submissions(incoming, assignment.name)

    root = out / "course" / assignment.track
    if not root.is_dir():  # keep an existing gradebook: re-grading never loses manual grades
        root.parent.mkdir(parents=True, exist_ok=True)
        scratch_course(assignment.repo, assignment.track, root.parent)
    else:
        shutil.copytree(
            assignment.repo / "course" / assignment.track / "source",
            root / "source",
            dirs_exist_ok=True,
        )
    run_nbgrader(root, "generate_assignment", assignment.name, "--force")
    overrides = {
        "GradingExecute.cell_timeout_override": cell_timeout,
        "GradingExecute.sandbox": sandbox,
        # besides the course root's own folders: the originals, the repository's course, the rest
        # of the output folder (its reports, other assignments)
        "GradingExecute.grading_paths": [
            str(p.resolve()) for p in (submissions, incoming, assignment.repo / "course", out)
        ],
    }
    ready = [o for o in outcomes if o.status == "graded" and _submit(root, assignment.name, o)]
    if jobs <= 1:
        with kernel_env():
            for outcome in ready:
                log(f"autograding {outcome.student_id} ...")
                _autograde(root, overrides, assignment.name, outcome)
    else:  # a process per job, each kernel on one thread, all into the one gradebook
        with ProcessPoolExecutor(jobs, initializer=_parallel_worker) as pool:
            graded = {
                pool.submit(_autograde, root, overrides, assignment.name, o): o for o in ready
            }
            for future in as_completed(graded):
                log(f"autograded {graded[future].student_id}")
                vars(graded[future]).update(vars(future.result()))

    _fill_scores(root, assignment.name, outcomes)
    outcomes += problems
    write_reports(out, assignment.name, outcomes)
    return outcomes


def _submit(root: Path, name: str, outcome: Outcome) -> bool:
    """Copy a submission into the course ``root``'s ``submitted`` folder; False (and the
    outcome says why) when it is not a valid notebook."""
    nb, problem = _read_notebook(Path(outcome.submitted_file))
    if nb is None:
        outcome.status, outcome.details = "corrupt", [problem, *outcome.details]
        return False
    dest = root / "submitted" / outcome.student_id / name
    if dest.exists():
        shutil.rmtree(dest)
    dest.mkdir(parents=True)
    shutil.copy2(outcome.submitted_file, dest / f"{name}.ipynb")
    (dest / "timestamp.txt").write_text(dt.datetime.now(dt.UTC).isoformat())
    return True


_APIS: dict = {}  # one nbgrader API per course root and settings, per process


def _parallel_worker() -> None:
    """Each parallel grading process: the grading kernels' environment, one thread each."""
    os.environ.update({**KERNEL_ENV, **ONE_THREAD})


_ERROR_LINE = re.compile(r"^\s*([\w.]+(?:Error|Exception)): (.+)$", re.MULTILINE)


def _cause(log: str) -> str:
    """The error that stopped nbgrader, from its log: the last exception line other than
    nbgrader's closing "see the above traceback" (or the log's end when there is none)."""
    found = [m for m in _ERROR_LINE.finditer(log) if "NbGraderException" not in m.group(1)]
    return (found[-1].group(0).strip() if found else log.strip())[-500:]


def _autograde(root: Path, overrides: dict, name: str, outcome: Outcome) -> Outcome:
    """Autograde one submitted notebook in the course ``root`` and generate its feedback; record
    in ``outcome`` (and return it) what went wrong."""
    key = (str(root), json.dumps(overrides, sort_keys=True))
    if key not in _APIS:
        _APIS[key] = _load_api(root, overrides)
    api = _APIS[key]
    result = api.autograde(name, outcome.student_id)
    if not result["success"]:
        text = f"{result.get('log', '')}\n{result.get('error', '')}"
        dead = "DeadKernelError" in text or "Kernel died" in text or "kernel died" in text
        outcome.status = "crashed" if dead else "failed"
        where = re.search(rf"{DIED} [^\n]*", text)
        outcome.details.append(
            ("the kernel died while running the notebook" if where is None else where.group(0))
            + "; no score is recorded"
            if dead
            else "nbgrader could not grade it: " + _cause(text)
        )
        return outcome
    graded_path = root / "autograded" / outcome.student_id / name / f"{name}.ipynb"
    graded = nbformat.read(graded_path, as_version=4)
    timeouts, failures = _diagnose(graded)
    restarts = graded.metadata.get("vaecourse_grading", {}).get("restarts", [])
    if timeouts:
        outcome.status = "timeout"
        outcome.details.append(f"cells stopped after the time limit: {', '.join(timeouts)}")
    if restarts:
        outcome.details.append(
            f"the kernel was restarted after: {', '.join(restarts)}; the cells after it ran "
            "without the state of the cells before"
        )
    outcome.flags += graded.metadata.get("vaecourse_grading", {}).get("flags", [])
    outcome.details += failures
    feedback = api.generate_feedback(name, outcome.student_id)
    if not feedback["success"]:
        outcome.details.append("feedback could not be generated")
    return outcome


def _fill_scores(root: Path, assignment: str, outcomes: list[Outcome]) -> None:
    from nbgrader.api import Gradebook, MissingEntry

    with Gradebook(f"sqlite:///{root / 'gradebook.db'}") as gb:
        for outcome in outcomes:
            if outcome.status not in ("graded", "timeout"):
                continue
            try:
                sub = gb.find_submission(assignment, outcome.student_id)
            except MissingEntry:
                outcome.status = "failed"
                outcome.details.append("no grades recorded in the gradebook")
                continue
            outcome.score, outcome.max_score = sub.score, sub.max_score
            outcome.autograded_score, outcome.autograded_max = sub.code_score, sub.max_code_score
            outcome.needs_manual_grading = sub.needs_manual_grade


def write_reports(out: Path, assignment: str, outcomes: list[Outcome]) -> None:
    """grades.csv (an older one is kept with a timestamp) and report.json in ``out``."""
    csv_path = out / "grades.csv"
    if csv_path.exists():
        stamp = dt.datetime.fromtimestamp(csv_path.stat().st_mtime).strftime("%Y%m%d-%H%M%S")
        csv_path.rename(out / f"grades-{stamp}.csv")
    with open(csv_path, "w", newline="", encoding="utf-8") as f:
        writer = csv.DictWriter(f, fieldnames=CSV_FIELDS, quoting=csv.QUOTE_MINIMAL)
        writer.writeheader()
        for outcome in outcomes:
            row = asdict(outcome)
            row["details"] = "; ".join(outcome.details)
            row["flags"] = "; ".join(outcome.flags)
            row["assignment"] = assignment
            writer.writerow(row)
    (out / "report.json").write_text(json.dumps([asdict(o) for o in outcomes], indent=2))


def summary(outcomes: list[Outcome]) -> str:
    """A plain-text table, one line per submission, then the details of each problem."""
    lines = [f"{'student':24s} {'status':8s} {'autograded':>12s}  details"]
    for o in outcomes:
        score = (
            "-" if o.autograded_score is None else f"{o.autograded_score:g}/{o.autograded_max:g}"
        )
        notes = [*(f"FLAGGED: {flag}" for flag in o.flags), *o.details]
        first = notes[0] if notes else ""
        lines.append(f"{o.student_id:24s} {o.status:8s} {score:>12s}  {first}")
        lines += [f"{'':47s}{d}" for d in notes[1:]]
    return "\n".join(lines)
