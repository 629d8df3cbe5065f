"""The course in a real browser: JupyterLab and nbgrader's lab extensions, driven by Chromium.

A throw-away JupyterLab server serves a temporary copy of the course (``nbgrader_config.py``,
``course/``, ``assignments/``), so committed files are never touched. Then:

- a student of each track opens ``01-autoencoders``, types every answer (the source notebook's
  solutions) into the cells, runs all cells from the menu, sees a figure and no error, and gets
  "Success!" from nbgrader's **Validate** button;
- with one answer left blank, Validate reports the failing test;
- the instructor's formgrader lists the assignment and, once a submission is autograded, shows it
  with its score.

Screenshots of every step go to ``test-output/browser/``, with the JupyterLab server's log, the
browser console and, on a failure, a screenshot and the page's text (``FAILED-*``).

Needs the system Chromium (``/usr/bin/chromium``, or the path in ``VAECOURSE_CHROMIUM``); the
module is skipped when it is missing, except in CI (``CI`` set), where that is a failure.
"""

from __future__ import annotations

import os
import re
import shutil
import time
from pathlib import Path

import browser_helpers as bh
import nbformat
import pytest

REPO = Path(__file__).resolve().parents[1]
OUT = REPO / "test-output" / "browser"
ASSIGNMENT = "01-autoencoders"
TRACKS = ("pytorch", "tensorflow")
STUDENT = "student-browser"
# The figure shown in the screenshot of a run notebook: the reconstructions after training.
SHOWCASE_CELL = "plot_reconstructions"
# The answer left blank in the Validate-fails test: without it the training cell fails at once,
# so the server-side validation run is short. (Any answer would do; the first one if renamed.)
BLANK_ANSWER = "build_autoencoder"
KERNEL_TIMEOUT = 120  # a TensorFlow kernel is slow to start on a small machine
RUN_ALL_TIMEOUT = 240
VALIDATE_TIMEOUT = 300  # the Validate button runs the whole notebook again, on the server

CHROMIUM = Path(os.environ.get("VAECOURSE_CHROMIUM") or "/usr/bin/chromium")
_NO_CHROMIUM = (
    f"Chromium not found at {CHROMIUM}: install it with apt-get install -y chromium "
    "(or set VAECOURSE_CHROMIUM to its path)"
)
_HAVE_CHROMIUM = CHROMIUM.is_file() and os.access(CHROMIUM, os.X_OK)

if not _HAVE_CHROMIUM and not os.environ.get("CI"):
    pytest.skip(_NO_CHROMIUM, allow_module_level=True)


def _source_path(track: str) -> Path:
    return REPO / "course" / track / "source" / ASSIGNMENT / f"{ASSIGNMENT}.ipynb"


def _student_rel(track: str) -> str:
    return f"assignments/{track}/{ASSIGNMENT}/{ASSIGNMENT}.ipynb"


def _read(path: Path):
    return nbformat.read(path, as_version=4)


# --- fixtures ----------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def out_dir() -> Path:
    OUT.mkdir(parents=True, exist_ok=True)
    for old in OUT.iterdir():
        if old.is_file():
            old.unlink()
    return OUT


@pytest.fixture(scope="module")
def course_built() -> None:
    missing = [
        str(p.relative_to(REPO))
        for track in TRACKS
        for p in (_source_path(track), REPO / _student_rel(track))
        if not p.is_file()
    ]
    if missing:
        pytest.fail(
            f"missing: {', '.join(missing)}; write the source notebooks, then build the "
            f"student versions with `.venv/bin/vaecourse build {ASSIGNMENT}`"
        )


@pytest.fixture(scope="module")
def lab(tmp_path_factory, fashion_data_root, out_dir, course_built):
    """JupyterLab on 127.0.0.1 serving a temporary copy of the course, with isolated Jupyter
    folders; stopped (kernels first) whatever happens."""
    base = tmp_path_factory.mktemp("browser")
    workspace = bh.make_workspace(REPO, base / "workspace")
    env = {
        **os.environ,
        **bh.jupyter_dirs(base / "jupyter"),
        "PATH": bh.tools_path(),
        "VAECOURSE_DATA": str(fashion_data_root),
        # as `make lab` does; `make test` exports MPLBACKEND=Agg, which shows no figure
        "MPLBACKEND": bh.INLINE_BACKEND,
    }
    env.pop("VAECOURSE_TRACK", None)  # the formgrader uses the default track, pytorch
    server = bh.LabServer(workspace, env, out_dir / "jupyter-server.log")
    try:
        server.start()
        yield server
    finally:
        server.stop()


@pytest.fixture(scope="module")
def browser(tmp_path_factory):
    if not _HAVE_CHROMIUM:  # only reached in CI, which must have it
        pytest.fail(_NO_CHROMIUM + " (CI installs it, so this is an error there)")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        context = bh.launch_chromium(playwright, CHROMIUM, tmp_path_factory.mktemp("chromium"))
        try:
            yield context
        finally:
            context.close()


@pytest.fixture
def page(browser, out_dir, request):
    page = browser.new_page()
    page.set_default_timeout(30_000)
    log = open(out_dir / "browser-console.log", "a", buffering=1)
    log.write(f"=== {request.node.name}\n")
    page.on("console", lambda msg: log.write(f"[{msg.type}] {msg.text}\n"))
    page.on("pageerror", lambda err: log.write(f"[pageerror] {err}\n"))
    try:
        yield page
    finally:
        page.close()
        log.close()


def _shot(page, out_dir: Path, name: str) -> None:
    page.screenshot(path=str(out_dir / f"{name}.png"))


# --- student -----------------------------------------------------------------------------------


@pytest.mark.parametrize("track", TRACKS)
def test_student_answers_runs_all_and_validates(track, lab, page, out_dir):
    source = _read(_source_path(track))
    answers, written = bh.code_answers(source), bh.written_answers(source)
    assert answers, f"{_source_path(track)} has no autograded answer cell"
    assert written, f"{_source_path(track)} has no manually graded written answer"
    notebook = bh.Notebook(page, lab, _student_rel(track))
    with bh.evidence_on_failure(page, out_dir, f"student-{track}", lab):
        notebook.open(workspace=f"student-{track}", kernel_timeout=KERNEL_TIMEOUT)
        _shot(page, out_dir, f"{track}-1-opened")

        for grade_id, text in answers.items():
            assert bh.CODE_STUB.search(notebook.source(grade_id)), (
                f"the student version's answer cell {grade_id!r} should hold the stub"
            )
            notebook.type_into(grade_id, text)
        for grade_id, text in written.items():
            assert notebook.source(grade_id).strip() == bh.TEXT_STUB
            notebook.type_into(grade_id, text)
        _shot(page, out_dir, f"{track}-2-answered")

        started = time.monotonic()
        notebook.run_all_from_menu()
        state = notebook.wait_run_all(RUN_ALL_TIMEOUT)
        print(f"{track}: Run All took {time.monotonic() - started:.0f} s")
        errors = [f"{c['id']}: {e}" for c in state["cells"] for e in c["errors"]]
        assert not errors, f"Run All of {track} raised errors:\n" + "\n".join(errors)
        not_run = [c["id"] for c in state["cells"] if c["count"] is None]
        assert not not_run, f"Run All of {track} left cells without an execution count: {not_run}"
        tracebacks = notebook.stderr_tracebacks()
        assert not tracebacks, f"{track}: a cell shows a traceback:\n{tracebacks[0]}"
        figures = page.locator(".jp-Notebook .jp-OutputArea-output img")
        assert figures.count() >= 1, f"Run All of {track} rendered no figure"
        showcase = figures.first
        if SHOWCASE_CELL in bh.code_cell_ids(source):
            showcase = notebook.cell(SHOWCASE_CELL).locator(".jp-OutputArea-output img").first
        showcase.evaluate("img => img.scrollIntoView({block: 'end'})")
        page.wait_for_timeout(300)
        _shot(page, out_dir, f"{track}-3-ran-with-figure")

        started = time.monotonic()
        text, kind = notebook.validate(VALIDATE_TIMEOUT)
        print(f"{track}: Validate took {time.monotonic() - started:.0f} s")
        _shot(page, out_dir, f"{track}-4-validated")
        assert (
            "Success! Your notebook passes all the tests." in text and kind == "validation-success"
        ), f"Validate did not report success ({kind}):\n{text}"
        notebook.close_dialog()


def test_validate_reports_an_unanswered_question(lab, page, out_dir):
    track = "pytorch"
    source = _read(_source_path(track))
    answers = list(bh.code_answers(source))
    blank = BLANK_ANSWER if BLANK_ANSWER in answers else answers[0]
    folder = lab.root / "unanswered" / track / ASSIGNMENT
    # from the repository: the workspace's copy may hold an earlier test's answers
    shutil.copytree(REPO / "assignments" / track / ASSIGNMENT, folder)
    student = _read(folder / f"{ASSIGNMENT}.ipynb")
    nbformat.write(
        bh.answered_copy(student, source, leave_blank={blank}), folder / f"{ASSIGNMENT}.ipynb"
    )
    visible_test = bh.graded_test_sources(student)[f"test_{blank}"]

    notebook = bh.Notebook(page, lab, f"unanswered/{track}/{ASSIGNMENT}/{ASSIGNMENT}.ipynb")
    with bh.evidence_on_failure(page, out_dir, "unanswered", lab):
        notebook.open(workspace="unanswered", kernel_timeout=KERNEL_TIMEOUT)
        assert bh.CODE_STUB.search(notebook.source(blank))
        text, kind = notebook.validate(VALIDATE_TIMEOUT)
        _shot(page, out_dir, f"{track}-unanswered-validated")
        assert kind == "validation-failed" and "The following cell failed:" in text, (
            f"Validate should report a failed test for the blank answer {blank!r} ({kind}):\n{text}"
        )
        first_line = next(line for line in visible_test.splitlines() if line.strip())
        assert first_line.strip() in text, (
            f"the failure report should show the test test_{blank} ({first_line!r}):\n{text}"
        )
        assert "NotImplementedError" in text, f"the report should name the error:\n{text}"
        assert "Success!" not in text
        notebook.close_dialog()


# --- instructor --------------------------------------------------------------------------------


def test_formgrader_shows_the_autograded_submission(lab, page, out_dir):
    track = "pytorch"  # the root nbgrader_config.py's default track
    root = lab.root / "course" / track
    source = _read(_source_path(track))
    auto_points, manual_points = _points(source)

    bh.run_nbgrader(root, lab.env, "generate_assignment", ASSIGNMENT, "--force")
    submission = root / "submitted" / STUDENT / ASSIGNMENT / f"{ASSIGNMENT}.ipynb"
    submission.parent.mkdir(parents=True)
    student = _read(REPO / _student_rel(track))
    nbformat.write(bh.answered_copy(student, source), submission)
    bh.run_nbgrader(
        root, lab.env, "db", "student", "add", STUDENT, "--first-name=Ada", "--last-name=Lovelace"
    )
    bh.run_nbgrader(root, lab.env, "autograde", ASSIGNMENT)

    with bh.evidence_on_failure(page, out_dir, "formgrader", lab):
        page.goto(lab.page_url("/formgrader"), wait_until="domcontentloaded")
        row = page.locator("#main-table tr", has_text=ASSIGNMENT)
        row.first.wait_for(state="visible", timeout=30_000)
        _shot(page, out_dir, "formgrader-1-assignments")

        page.goto(
            lab.page_url(f"/formgrader/manage_submissions/{ASSIGNMENT}"),
            wait_until="domcontentloaded",
        )
        row = page.locator("#main-table tr", has_text=STUDENT)
        row.first.wait_for(state="visible", timeout=30_000)
        score = row.first.locator("td.score")
        expected = f"{auto_points:g} / {auto_points + manual_points:g}"
        try:
            page.wait_for_function(
                "([el, want]) => el.textContent.trim() === want",
                arg=[score.element_handle(), expected],
                timeout=15_000,
            )
        except Exception as err:
            raise AssertionError(
                f"the formgrader should show {STUDENT}'s score {expected!r} "
                f"(all autograded points), shows {score.inner_text()!r}"
            ) from err
        status = row.first.locator("td.status").inner_text()
        assert re.search(r"needs manual grading", status, re.I), (
            f"the written answer is graded by hand, so the status should say so: {status!r}"
        )
        _shot(page, out_dir, "formgrader-2-graded-submission")


def _points(source_nb) -> tuple[float, float]:
    from vaecourse.course.lint import total_points

    return total_points(source_nb)


# --- 04-generation: the latent explorer ---------------------------------------------------------

EXPLORER_ASSIGNMENT = "04-generation"
EXPLORER_CELL = "explorer"
EXPLORER_RUN_ALL_TIMEOUT = 600  # 04 trains a VAE for half a minute (much longer on a busy machine)
# Where the README's screenshot of the explorer goes when VAECOURSE_UPDATE_SCREENSHOTS is set;
# every run leaves its own copy in test-output/browser/.
EXPLORER_SCREENSHOT = REPO / "docs" / "screenshots" / "latent-explorer.png"


@pytest.mark.parametrize("track", TRACKS)
def test_latent_explorer_decodes_as_a_slider_moves(track, lab, page, out_dir):
    """04 with every answer filled in: Run All, then the explorer is live (its static fallback
    replaced), and moving one slider with the keyboard changes the decoded image."""
    name = EXPLORER_ASSIGNMENT
    source_path = REPO / "course" / track / "source" / name / f"{name}.ipynb"
    student_dir = REPO / "assignments" / track / name
    if not source_path.is_file() or not (student_dir / f"{name}.ipynb").is_file():
        pytest.fail(f"missing: {source_path} or {student_dir}; run `vaecourse build {name}`")
    folder = lab.root / "explorer" / track / name
    shutil.copytree(student_dir, folder)
    student = _read(folder / f"{name}.ipynb")
    nbformat.write(bh.answered_copy(student, _read(source_path)), folder / f"{name}.ipynb")

    notebook = bh.Notebook(page, lab, f"explorer/{track}/{name}/{name}.ipynb")
    with bh.evidence_on_failure(page, out_dir, f"explorer-{track}", lab):
        notebook.open(workspace=f"explorer-{track}", kernel_timeout=KERNEL_TIMEOUT)
        started = time.monotonic()
        notebook.run_all_from_menu()
        state = notebook.wait_run_all(EXPLORER_RUN_ALL_TIMEOUT)
        print(f"{track}: Run All of {name} took {time.monotonic() - started:.0f} s")
        errors = [f"{c['id']}: {e}" for c in state["cells"] for e in c["errors"]]
        assert not errors, f"Run All of {track}/{name} raised errors:\n" + "\n".join(errors)

        cell = notebook.cell(EXPLORER_CELL)
        cell.scroll_into_view_if_needed()
        sliders = cell.locator(".widget-slider")
        sliders.first.wait_for(state="visible", timeout=30_000)
        assert sliders.count() == 10, f"the explorer shows {sliders.count()} sliders, not 10"
        # The honest detection: once the frontend has drawn the explorer, the static fallback
        # gives way to a note (the kernel learns it from the widget's view count).
        live = cell.locator(".jp-OutputArea-output").get_by_text("The explorer above is live")
        live.wait_for(state="visible", timeout=30_000)
        picture = cell.locator(".widget-image").first
        before = picture.screenshot()

        readout = sliders.first.locator(".widget-readout")
        sliders.first.locator(".noUi-handle").first.focus()
        for _ in range(15):
            page.keyboard.press("ArrowRight")
        page.wait_for_function(
            "el => el.textContent.trim() === '1.50'", arg=readout.element_handle(), timeout=10_000
        )
        deadline = time.monotonic() + 30
        while picture.screenshot() == before:
            assert time.monotonic() < deadline, (
                "the decoded image did not change within 30 s of moving slider z[0] to 1.5"
            )
            page.wait_for_timeout(250)
        explorer = cell.locator(".widget-hbox").first
        explorer.evaluate("box => { box.style.width = 'fit-content'; box.style.padding = '8px'; }")
        explorer.scroll_into_view_if_needed()
        explorer.screenshot(path=str(out_dir / f"{track}-explorer.png"))
        if track == "pytorch" and os.environ.get("VAECOURSE_UPDATE_SCREENSHOTS"):
            shutil.copy2(out_dir / f"{track}-explorer.png", EXPLORER_SCREENSHOT)
