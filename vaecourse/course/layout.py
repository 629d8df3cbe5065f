"""Where things live. One nbgrader course root per track, so an instructor can teach one track
with only that track's assignments in the gradebook:

    course/<track>/nbgrader_config.py          the track's nbgrader settings
    course/<track>/source/<id>/<id>.ipynb      instructor source: solutions, hidden tests, points
    assignments/<track>/<id>/<id>.ipynb        generated student version
    solutions/<track>/<id>/<id>.ipynb          generated worked solution, executed
"""

from __future__ import annotations

import contextlib
import os
import sys
from dataclasses import dataclass
from pathlib import Path

TRACKS = ("pytorch", "tensorflow")


def ensure_tools_on_path() -> None:
    """nbgrader runs helper programs (alembic, jupyter) by name: make sure this Python
    environment's scripts folder is on PATH even when the environment is not activated."""
    scripts = str(Path(sys.executable).parent)
    if scripts not in os.environ.get("PATH", "").split(os.pathsep):
        os.environ["PATH"] = scripts + os.pathsep + os.environ.get("PATH", "")


def find_repo(start: Path | None = None) -> Path:
    """The folder holding ``course/``: searched upward from ``start`` (default: the current
    folder), then next to this package's source checkout."""
    candidates = [*(start or Path.cwd()).resolve().parents]
    candidates.insert(0, (start or Path.cwd()).resolve())
    candidates.append(Path(__file__).resolve().parents[2])
    for folder in candidates:
        if (folder / "course" / "nbgrader_common.py").is_file():
            return folder
    raise FileNotFoundError("No course/ folder found: run this from the vaecourse repository.")


# The environment of the kernels that these tools start (building and grading): kernels
# inherit it. nbgrader scores a test cell 0 when it writes to stderr, so TensorFlow's native
# logging is turned off; figures render inline; progress bars stay out of the feedback. Set only
# while the tools run, never in nbgrader_config.py, which JupyterLab also loads for students.
KERNEL_ENV = {
    "TF_CPP_MIN_LOG_LEVEL": "3",
    "KERAS_BACKEND": "tensorflow",
    "MPLBACKEND": "module://matplotlib_inline.backend_inline",
    "TQDM_DISABLE": "1",
}


# One thread per framework, for kernels that run side by side (parallel grading, the validity
# harness under pytest-xdist): on a 2-core machine, two kernels with their frameworks' default
# thread pools run many times slower than two kernels with one thread each.
ONE_THREAD = {
    "OMP_NUM_THREADS": "1",
    "MKL_NUM_THREADS": "1",
    "TF_NUM_INTRAOP_THREADS": "1",
    "TF_NUM_INTEROP_THREADS": "1",
}


@contextlib.contextmanager
def kernel_env():
    """Set ``KERNEL_ENV`` in this process while the block runs (kernels started in it inherit
    it), then restore what was there."""
    previous = {key: os.environ.get(key) for key in KERNEL_ENV}
    os.environ.update(KERNEL_ENV)
    try:
        yield
    finally:
        for key, value in previous.items():
            if value is None:
                os.environ.pop(key, None)
            else:
                os.environ[key] = value


@dataclass(frozen=True)
class Assignment:
    repo: Path
    track: str
    name: str

    @property
    def source(self) -> Path:
        return self.repo / "course" / self.track / "source" / self.name / f"{self.name}.ipynb"

    @property
    def student_dir(self) -> Path:
        return self.repo / "assignments" / self.track / self.name

    @property
    def solution(self) -> Path:
        return self.repo / "solutions" / self.track / self.name / f"{self.name}.ipynb"

    @property
    def cell_timeout(self) -> int:
        """Seconds one cell may run, as the source notebook states (vaecourse.course.execute)."""
        import nbformat

        from .execute import DEFAULT_CELL_TIMEOUT, cell_timeout

        return cell_timeout(nbformat.read(self.source, as_version=4)) or DEFAULT_CELL_TIMEOUT


def assignments(repo: Path, tracks=TRACKS, names=None) -> list[Assignment]:
    """All assignments of the given tracks (optionally only ``names``), in course order."""
    found = []
    for track in tracks:
        if track not in TRACKS:
            raise ValueError(f"unknown track {track!r}; the tracks are {', '.join(TRACKS)}")
        for folder in sorted((repo / "course" / track / "source").iterdir()):
            if folder.is_dir() and (names is None or folder.name in names):
                found.append(Assignment(repo, track, folder.name))
    return found
