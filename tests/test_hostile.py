"""Hostile submissions, graded for real with ``vaecourse grade``'s own ``grade()`` and its sandbox.

One batch of submissions of a small assignment, each trying one attack. Every case must end with
the honest submissions graded normally, the gradebook intact, no file outside the submission's
own copy changed, and a clear line in the report. Then the same batch is graded twice more, to
show that grades are deterministic, and grading refuses to run where the sandbox cannot.
"""

from __future__ import annotations

import hashlib
import os
import shutil
import socket
import subprocess
import sys
import threading
from pathlib import Path

import nbformat
import pytest
from nbformat.v4 import new_code_cell, new_notebook
from toy_course import _cell

from vaecourse.course.execute import SandboxUnavailable
from vaecourse.course.grade import grade
from vaecourse.course.layout import Assignment
from vaecourse.course.sandbox import FIRST_UID, unavailable

REPO = Path(__file__).resolve().parents[1]
NAME = "00-hostile"
pytestmark = pytest.mark.skipif(
    unavailable() is not None and not os.environ.get("CI"), reason=str(unavailable())
)


def _source():
    cells = [
        _cell("code", "import numpy as np\nfrom vaecourse.checks import check_close", "setup"),
        _cell(
            "code",
            "def double(x):\n    ### BEGIN SOLUTION\n    return 2 * np.asarray(x, "
            "dtype=float)\n    ### END SOLUTION",
            "double",
            solution=True,
        ),
        _cell(
            "code",
            "assert np.allclose(double([1, 2]), [2, 4]), 'double([1, 2]) should be [2, 4]'",
            "test_double",
            grade=True,
            points=2,
        ),
        _cell(
            "code",
            "### BEGIN HIDDEN TESTS\nnp.testing.assert_allclose(double([-3.0]), [-6.0])"
            "\ncheck_close(double([0.5]), [1.0], 'double(0.5)')\n### END HIDDEN TESTS",
            "test_double_hidden",
            grade=True,
            points=1,
        ),
        _cell(
            "code",
            "def triple(x):\n    ### BEGIN SOLUTION\n    return 3 * np.asarray(x, "
            "dtype=float)\n    ### END SOLUTION",
            "triple",
            solution=True,
        ),
        _cell(
            "code",
            "check_close(triple([1.0, 2.0]), [3.0, 6.0], 'triple')",
            "test_triple",
            grade=True,
            points=2,
        ),
        _cell(
            "code",
            "### BEGIN HIDDEN TESTS\nassert np.array_equal(triple([0.0]), [0.0])\n"
            "### END HIDDEN TESTS",
            "test_triple_hidden",
            grade=True,
            points=1,
        ),
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


def _answer(nb, grade_id, code):
    next(c for c in nb.cells if c.metadata["nbgrader"]["grade_id"] == grade_id).source = code
    return nb


def _with_cell(nb, code, after="setup"):
    index = next(i for i, c in enumerate(nb.cells) if c.metadata["nbgrader"]["grade_id"] == after)
    nb.cells.insert(index + 1, new_code_cell(code))
    return nb


WRONG_DOUBLE = "def double(x):\n    return np.asarray(x, dtype=float)"
WRONG_TRIPLE = "def triple(x):\n    return np.asarray(x, dtype=float)"
STEAL_SOURCE = """
import json, pathlib
source = pathlib.Path.cwd().parents[2] / "source" / "00-hostile" / "00-hostile.ipynb"
for cell in json.loads(source.read_text())["cells"]:
    if cell["cell_type"] == "code" and cell["metadata"].get("nbgrader", {}).get("solution"):
        exec("".join(cell["source"]))
"""
INSPECT = """
import os, pathlib
print("uid", os.getuid())
for probe in ("/usr/stolen", str(pathlib.Path.cwd().parents[2] / "gradebook.db")):
    try:
        open(probe, "a").close()
        print("wrote", probe)
    except OSError as error:
        print("refused", type(error).__name__)
print("sees the course root:", pathlib.Path.cwd().parents[2].joinpath("source").exists())
"""
SWALLOW_ERRORS = """
import textwrap
open("notes.txt", "w").close()  # a file opened first must not blind the guard
ip = get_ipython()
original = ip.run_cell_async
async def swallow(raw_cell, *args, **kwargs):
    wrapped = "try:\\n" + textwrap.indent(raw_cell, "    ") + "\\nexcept BaseException:\\n    pass"
    return await original(wrapped, *args, **kwargs)
ip.run_cell_async = swallow
"""


def _cases(port: int, sentinel: Path, other_original: Path) -> dict:
    """{student: (notebook, what its report line must say)}."""
    s = _source
    return {
        "a-deletes-others": (
            _with_cell(
                s(),
                f"""
import os, shutil, pathlib
root = pathlib.Path.cwd().parents[2]
for folder in ("submitted", "autograded"):
    shutil.rmtree(root / folder / "honest", ignore_errors=True)
os.remove({str(other_original)!r})
""",
            ),
            "touched a grading file",
        ),
        "loop-ignores-interrupt": (
            _answer(
                s(),
                "double",
                """
import time
while True:
    try:
        time.sleep(0.05)
    except KeyboardInterrupt:
        pass
""",
            ),
            "the kernel was restarted after: double",
        ),
        # the guard ends every process that forks once the sandbox holds its share, the kernel's
        # first of all, and the sandbox's PID namespace takes the rest with it: always the same
        # end, where a bomb left to fill the limit ended by chance (restarted, dead, or graded)
        "fork-bomb": (
            _with_cell(s(), "import os\nwhile True:\n    os.fork()"),
            "the kernel died in cell 1 (it kept forking",
        ),
        "allocates-50-gb": (_with_cell(s(), "big = np.ones(50 * 2**30 // 8)"), "ran out of memory"),
        "writes-10-gb": (
            _with_cell(
                s(),
                f"""
try:
    open({str(sentinel)!r}, "w").write("changed by a submission")
except OSError:
    pass
chunk = b"\\0" * 2**24
with open("filler.bin", "wb") as f:
    for _ in range(640):
        f.write(chunk)
""",
            ),
            "limit on file size or working space",
        ),
        "reads-hidden-tests": (
            _with_cell(
                _answer(_answer(s(), "double", "# YOUR CODE HERE"), "triple", "# YOUR CODE HERE"),
                STEAL_SOURCE,
            ),
            "touched a grading file",
        ),
        "writes-gradebook": (
            _with_cell(
                s(),
                """
import pathlib, sqlite3
db = pathlib.Path.cwd().parents[2] / "gradebook.db"
connection = sqlite3.connect(db)
connection.execute("UPDATE grade SET auto_score = 100")
connection.commit()
""",
            ),
            "touched a grading file",
        ),
        "opens-a-connection": (
            _with_cell(
                s(),
                f"""
import socket
connection = socket.create_connection(("127.0.0.1", {port}), timeout=3)
connection.sendall(b"the hidden tests")
""",
            ),
            "tried to use the network",
        ),
        "patches-allclose": (
            _answer(s(), "double", WRONG_DOUBLE + "\nnp.allclose = lambda *a, **k: True"),
            "refused to replace numpy.allclose",
        ),
        "patches-numpy-testing": (
            _answer(
                s(),
                "double",
                WRONG_DOUBLE + "\nvars(np.testing)['assert_allclose'] = lambda *a, **k: None",
            ),
            "numpy.testing.assert_allclose was replaced",
        ),
        "patches-checks": (
            _answer(
                s(),
                "triple",
                WRONG_TRIPLE + "\nimport sys, types\nfake = "
                "types.ModuleType('vaecourse.checks')\nfake.check_close = "
                "lambda *a, **k: None\nsys.modules['vaecourse.checks'] = fake\n"
                "import vaecourse.checks\nvaecourse.checks.check_close = "
                "fake.check_close",
            ),
            "vaecourse.checks",
        ),
        "patches-during-a-test": (
            _answer(
                s(),
                "double",
                "def double(x):\n    vars(np)['allclose']"
                " = lambda *a, **k: True\n    return np.asarray(x)",
            ),
            "numpy.allclose was replaced",
        ),
        "calls-os-exit": (_with_cell(s(), "import os\nos._exit(3)"), "the kernel died in cell"),
        "hides-tracebacks": (
            _answer(
                s(),
                "double",
                WRONG_DOUBLE + "\nfrom IPython.core."
                "interactiveshell import InteractiveShell\nInteractiveShell."
                "showtraceback = lambda *a, **k: None",
            ),
            "InteractiveShell.showtraceback was replaced",
        ),
        "swallows-errors": (
            _with_cell(_answer(s(), "double", WRONG_DOUBLE), SWALLOW_ERRORS),
            "the shell's run_cell_async was replaced",
        ),
        "inspector": (_with_cell(s(), INSPECT), "touched a grading file"),
    }


def _tree_digest(folder: Path) -> dict:
    return {
        str(p.relative_to(folder)): hashlib.sha256(p.read_bytes()).hexdigest()
        for p in sorted(folder.rglob("*"))
        if p.is_file()
    }


def _grades(root: Path) -> dict:
    """{(student, test): score} from the gradebook."""
    from nbgrader.api import Gradebook

    with Gradebook(f"sqlite:///{root / 'gradebook.db'}") as gb:
        return {
            (sub.student.id, grade.name): grade.score
            for sub in gb.assignment_submissions(NAME)
            for notebook in sub.notebooks
            for grade in notebook.grades
        }


@pytest.fixture(scope="module")
def hostile(tmp_path_factory):
    base = tmp_path_factory.mktemp("hostile")
    repo = base / "repo"
    (repo / "course" / "pytorch" / "source" / NAME).mkdir(parents=True)
    shutil.copy2(REPO / "course" / "nbgrader_common.py", repo / "course")
    shutil.copy2(REPO / "course" / "pytorch" / "nbgrader_config.py", repo / "course" / "pytorch")
    nbformat.write(_source(), repo / "course" / "pytorch" / "source" / NAME / f"{NAME}.ipynb")
    sentinel = base / "outside.txt"
    sentinel.write_text("the grader's own file")
    subs = base / "submissions"
    listener = socket.create_server(("127.0.0.1", 0))
    listener.settimeout(0.5)
    connections = []

    def accept():
        while listener.fileno() != -1:
            try:
                connections.append(listener.accept()[0].recv(100))
            except (TimeoutError, OSError):
                continue

    thread = threading.Thread(target=accept, daemon=True)
    thread.start()
    cases = _cases(listener.getsockname()[1], sentinel, subs / "honest" / f"{NAME}.ipynb")
    for student, nb in [
        ("honest", _source()),
        ("honest-too", _source()),
        *((k, v[0]) for k, v in cases.items()),
    ]:
        (subs / student).mkdir(parents=True)
        nbformat.write(nb, subs / student / f"{NAME}.ipynb")
    before = {"submissions": _tree_digest(subs), "course": _tree_digest(repo / "course")}
    outcomes = grade(Assignment(repo, "pytorch", NAME), subs, base / "out", log=lambda *_: None)
    listener.close()
    thread.join(timeout=5)
    root = base / "out" / "course" / "pytorch"
    return {
        "outcomes": {o.student_id: o for o in outcomes},
        "cases": cases,
        "root": root,
        "before": before,
        "after": {"submissions": _tree_digest(subs), "course": _tree_digest(repo / "course")},
        "sentinel": sentinel,
        "connections": connections,
        "repo": repo,
        "subs": subs,
        "base": base,
    }


def _report_text(outcome) -> str:
    return "\n".join([outcome.status, *outcome.flags, *outcome.details])


def test_honest_submissions_are_graded_normally(hostile):
    for student in ("honest", "honest-too"):
        outcome = hostile["outcomes"][student]
        assert outcome.status == "graded" and not outcome.flags, _report_text(outcome)
        assert outcome.autograded_score == outcome.autograded_max == 6


@pytest.mark.parametrize("student", list(_cases(0, Path("x"), Path("y"))))
def test_each_attack_gets_a_clear_line_in_the_report(hostile, student):
    outcome = hostile["outcomes"][student]
    expected = hostile["cases"][student][1]
    expected = (expected,) if isinstance(expected, str) else expected
    assert any(e in _report_text(outcome) for e in expected), _report_text(outcome)


def test_attacks_on_the_tests_earn_nothing(hostile):
    """A patched helper does not rescue a wrong answer; stolen solutions do not load."""
    grades = _grades(hostile["root"])
    for student in (
        "patches-allclose",
        "patches-numpy-testing",
        "hides-tracebacks",
        "swallows-errors",
    ):
        assert grades[student, "test_double"] == 0 == grades[student, "test_double_hidden"]
    assert grades["patches-checks", "test_triple"] == 0
    assert all(score == 0 for (who, _), score in grades.items() if who == "reads-hidden-tests")


def test_nothing_outside_the_submissions_copy_changed(hostile):
    assert hostile["after"] == hostile["before"], "an original submission or the course changed"
    assert hostile["sentinel"].read_text() == "the grader's own file"
    assert hostile["connections"] == [], "a sandboxed kernel reached the host's 127.0.0.1"
    assert not list(hostile["base"].rglob("filler.bin")), "the 10 GB file reached the disk"
    grades = _grades(hostile["root"])
    assert all(
        grades["honest", test] == top
        for test, top in (
            ("test_double", 2),
            ("test_double_hidden", 1),
            ("test_triple", 2),
            ("test_triple_hidden", 1),
        )
    )
    assert max(grades.values()) <= 2, "a grade above its cell's points: the gradebook was changed"


def test_the_sandbox_is_what_it_says(hostile):
    graded = nbformat.read(
        hostile["root"] / "autograded" / "inspector" / NAME / f"{NAME}.ipynb", as_version=4
    )
    text = "".join(
        o.get("text", "") for c in graded.cells if c.cell_type == "code" for o in c.outputs
    )
    uid = int(text.split("uid ")[1].split()[0])
    if os.getuid() == 0:
        assert uid >= FIRST_UID, f"the kernel ran as user {uid}, not an unprivileged one"
    assert "wrote" not in text and text.count("refused") == 2, text
    assert "sees the course root: False" in text, text


def test_a_kernel_that_dies_records_no_score(hostile):
    outcome = hostile["outcomes"]["calls-os-exit"]
    assert outcome.status == "crashed" and outcome.autograded_score is None
    assert "no score is recorded" in _report_text(outcome)


def test_grading_is_deterministic(hostile, tmp_path):
    """The same submissions, graded twice more on their own, get the grades they got the first
    time, among all the others (the fixture's grading)."""
    students = ("honest", "patches-allclose", "patches-during-a-test", "fork-bomb")
    subs = tmp_path / "subs"
    for student in students:
        shutil.copytree(hostile["subs"] / student, subs / student)
    first = {key: score for key, score in _grades(hostile["root"]).items() if key[0] in students}
    assert {student for student, _ in first} == set(students), sorted(first)
    runs = [first]
    for k in range(2):
        grade(
            Assignment(hostile["repo"], "pytorch", NAME),
            subs,
            tmp_path / f"out{k}",
            log=lambda *_: None,
        )
        runs.append(_grades(tmp_path / f"out{k}" / "course" / "pytorch"))
    assert runs[0] == runs[1] == runs[2], runs


def test_grading_refuses_without_the_sandbox_unless_told(hostile, tmp_path, monkeypatch):
    empty = tmp_path / "bin"
    empty.mkdir()
    (empty / "python3").symlink_to(sys.executable)
    monkeypatch.setenv("PATH", str(empty))
    subs = tmp_path / "subs"
    shutil.copytree(hostile["subs"] / "honest", subs / "honest")
    assignment = Assignment(hostile["repo"], "pytorch", NAME)
    with pytest.raises(SandboxUnavailable, match="bubblewrap.*--no-sandbox"):
        grade(assignment, subs, tmp_path / "out", log=lambda *_: None)
    monkeypatch.setenv("PATH", f"{empty}:{os.path.dirname(sys.executable)}")
    result = subprocess.run(
        [
            sys.executable,
            "-m",
            "vaecourse.cli",
            "grade",
            "--track",
            "pytorch",
            NAME,
            str(subs),
            "--out",
            str(tmp_path / "cli"),
        ],
        cwd=hostile["repo"],
        capture_output=True,
        text=True,
        env={**os.environ, "PATH": str(empty)},
    )
    assert result.returncode == 3 and "--no-sandbox" in result.stderr, result.stderr
    outcomes = grade(assignment, subs, tmp_path / "trusted", sandbox=False, log=lambda *_: None)
    assert outcomes[0].autograded_score == 6


def test_a_checkout_under_tmp_stays_readable_in_the_sandbox():
    """The sandbox's own /tmp is a fresh tmpfs; a checkout and its virtual environment that live
    under /tmp (a CI clone, say) must be bound after it, or the kernel's Python disappears."""
    from vaecourse.course.sandbox import Limits, bwrap_command

    venv = "/tmp/ci/main/.venv"
    command = bwrap_command(
        "/tmp/grading/work", "/tmp/grading/ipc", Limits(), [venv], "/tmp/s.json"
    )
    tmpfs = command.index("/tmp", command.index("--tmpfs"))
    bound = max(i for i, part in enumerate(command) if part == venv)
    assert tmpfs < bound, "the /tmp tmpfs is mounted after the readable paths and hides them"
