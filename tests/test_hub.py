"""A whole class on a real JupyterHub, end to end, in real Chromium.

``vaecourse.course.hub`` sets up a hub on this machine (real Linux accounts, PAM, one server per
user, nbgrader's exchange with private submissions) and starts it, with the proxy from npm. Then:
the instructor releases ``01-autoencoders`` (PyTorch track) from the formgrader; two students log
in, fetch it from the Assignments list, answer (one all right, one with two answers left blank)
and submit; the instructor collects, autogrades (in the sandbox) and releases the feedback; each
student fetches their own feedback and sees their own score, and neither can read the other's
work. Every step leaves a screenshot in ``test-output/hub/``.

It needs root (it creates the accounts, and removes them afterwards), bubblewrap, Chromium and
``configurable-http-proxy``; it is skipped without them, and fails without them under ``CI=1``.
"""

from __future__ import annotations

import contextlib
import json
import os
import pwd
import re
import secrets
import shutil
import subprocess
import tempfile
import time
import urllib.request
from pathlib import Path

import browser_helpers as bh
import nbformat
import pytest

from vaecourse.course.hub import GRADERS, Hub, command, set_up
from vaecourse.course.lint import crediting_tests, grading_scheme, total_points

REPO = Path(__file__).resolve().parents[1]
ASSIGNMENT = "01-autoencoders"
BLANK = ("reconstruction_bce", "build_autoencoder")  # what the second student leaves undone
OUT = REPO / "test-output" / "hub"
MISSING = [
    what
    for what, ok in (
        ("root", os.geteuid() == 0),
        ("bubblewrap", shutil.which("bwrap")),
        ("chromium", shutil.which("chromium")),
        ("configurable-http-proxy", shutil.which("configurable-http-proxy")),
    )
    if not ok
]


@pytest.fixture(scope="module")
def hub(fashion_data_root):
    if MISSING:
        message = f"the hub test needs {', '.join(MISSING)}"
        if os.environ.get("CI"):
            pytest.fail(message)
        pytest.skip(message)
    OUT.mkdir(parents=True, exist_ok=True)
    tag = secrets.token_hex(2)
    base = Path(tempfile.mkdtemp(prefix="vaecourse-hub-test-", dir="/var/tmp"))
    had_graders = subprocess.run(["getent", "group", GRADERS], capture_output=True).returncode == 0
    hub = Hub(
        base,
        instructor=f"vct{tag}prof",
        students=(f"vct{tag}alice", f"vct{tag}bob"),
        port=bh.free_port(),
        hub_port=bh.free_port(),
        proxy_api_port=bh.free_port(),
        data=str(fashion_data_root),
    )
    passwords = set_up(hub, REPO, log=lambda *_: None)
    argv, env = command(hub, REPO)
    log = open(OUT / "jupyterhub.log", "w")
    process = subprocess.Popen(
        argv, env=env, cwd=base, stdout=log, stderr=subprocess.STDOUT, start_new_session=True
    )
    url = f"http://{hub.ip}:{hub.port}"
    try:
        deadline = time.monotonic() + 60
        while True:
            with contextlib.suppress(OSError):
                if urllib.request.urlopen(f"{url}/hub/health", timeout=5).status == 200:
                    break
            assert process.poll() is None and time.monotonic() < deadline, (
                f"JupyterHub did not start: {(OUT / 'jupyterhub.log').read_text()[-3000:]}"
            )
            time.sleep(0.5)
        yield hub, passwords, url
    finally:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(process.pid, 15)
        process.wait(timeout=30)
        log.close()
        for user in (hub.instructor, *hub.students):
            subprocess.run(["pkill", "-KILL", "-u", user], capture_output=True)
            subprocess.run(["userdel", "--remove", user], capture_output=True)
        if not had_graders:
            subprocess.run(["groupdel", GRADERS], capture_output=True)
        shutil.rmtree(base, ignore_errors=True)


@pytest.fixture(scope="module")
def browser():
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(
            executable_path=shutil.which("chromium"), args=bh.CHROMIUM_ARGS
        )
        yield chromium
        chromium.close()


class Session:
    """One user's browser session on the hub."""

    def __init__(self, browser, url: str, user: str, password: str):
        self.user, self.url = user, url
        self.context = browser.new_context(viewport={"width": 1400, "height": 900})
        self.page = self.context.new_page()
        self.page.set_default_timeout(60_000)
        self.page.goto(f"{url}/hub/login")
        self.page.fill("#username_input", user)
        self.page.fill("#password_input", password)
        self.page.click("#login_submit")
        self.page.wait_for_url(f"**/user/{user}/**", timeout=180_000)

    def shot(self, name: str) -> None:
        self.page.screenshot(path=str(OUT / f"{name}.png"))

    def api(self, method: str, path: str, data=None):
        xsrf = next((c["value"] for c in self.context.cookies() if c["name"] == "_xsrf"), "")
        response = self.page.request.fetch(
            f"{self.url}/user/{self.user}/api/{path}",
            method=method,
            data=data,
            headers={"X-XSRFToken": xsrf, "Content-Type": "application/json"},
        )
        assert response.ok, f"{method} {path}: {response.status} {response.text()[:500]}"
        return response.json() if response.text() else None


# --- the instructor, in the formgrader ----------------------------------------------------------


def _formgrader_action(session: Session, icon: str, page: str = "", row: str = ASSIGNMENT):
    """Click an action icon in the formgrader's row of ``row``; return the message it shows."""
    page_url = f"{session.url}/user/{session.user}/formgrader/{page}"
    if session.page.url != page_url:
        session.page.goto(page_url)
    target = session.page.locator("tr", has=session.page.get_by_text(row, exact=True))
    target.locator(f".{icon}").click()
    modal = session.page.locator("#success-modal, #error-modal")
    modal.wait_for(timeout=300_000)
    text = modal.inner_text()
    ok = session.page.locator("#success-modal").count() == 1
    modal.locator(".modal-footer button").first.click()
    modal.wait_for(state="detached")
    assert ok, f"the formgrader said: {text}"
    return text


# --- a student, in the Assignments list ---------------------------------------------------------


def _assignment_list(session: Session):
    page = session.page
    if not page.locator("#released_assignments_list").count():
        page.get_by_text("Nbgrader", exact=True).click()
        page.get_by_text("Assignment List", exact=True).click()
    page.locator("#refresh_assignments_list").click()
    return page


def _click_in_list(session: Session, section: str, button: str) -> None:
    page = _assignment_list(session)
    item = page.locator(f"#{section} .list_item", has=page.get_by_text(ASSIGNMENT, exact=True))
    item.get_by_role("button", name=button).first.click()


def _answer(session: Session, source, leave_blank=()) -> None:
    """Fill in the fetched notebook through the student's own server, as typing would."""
    path = f"contents/{ASSIGNMENT}/{ASSIGNMENT}.ipynb"
    fetched = nbformat.from_dict(session.api("GET", path)["content"])
    answered = bh.answered_copy(fetched, source, leave_blank=leave_blank)
    session.api(
        "PUT", path, data=json.dumps({"type": "notebook", "format": "json", "content": answered})
    )


def _feedback_score(session: Session) -> str:
    """Open the student's fetched feedback; return the score line it shows."""
    listing = session.api("GET", f"contents/{ASSIGNMENT}/feedback")["content"]
    (folder,) = [entry["path"] for entry in listing if entry["type"] == "directory"]
    session.page.goto(f"{session.url}/user/{session.user}/files/{folder}/{ASSIGNMENT}.html")
    text = session.page.inner_text("body")
    match = re.search(r"Score: ([\d.]+) / ([\d.]+)", text)
    assert match, f"{session.user}'s feedback shows no score: {text[:500]}"
    return match.group(0)


def _as_user(user: str, code: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        ["runuser", "-u", user, "--", "python3", "-c", code], capture_output=True, text=True
    )


def test_a_class_releases_submits_grades_and_gets_feedback(hub, browser):
    hub, passwords, url = hub
    alice, bob = hub.students
    source = nbformat.read(
        REPO / "course" / "pytorch" / "source" / ASSIGNMENT / f"{ASSIGNMENT}.ipynb", as_version=4
    )
    prof = Session(browser, url, hub.instructor, passwords[hub.instructor])
    _formgrader_action(prof, "glyphicon-education")  # generate the student version
    _formgrader_action(prof, "glyphicon-cloud-upload")  # release it
    prof.shot("1-instructor-released")

    students = {name: Session(browser, url, name, passwords[name]) for name in (alice, bob)}
    for name, session in students.items():
        _click_in_list(session, "released_assignments_list", "Fetch")
        session.page.locator("#fetched_assignments_list .list_item").first.wait_for()
        _answer(session, source, leave_blank=BLANK if name == bob else ())
        _click_in_list(session, "fetched_assignments_list", "Submit")
        session.page.locator("#submitted_assignments_list .list_item").first.wait_for()
    students[alice].shot("2-student-submitted")

    inbound = hub.exchange / hub.course_id / "inbound"
    submissions = {name: next(inbound.glob(f"{name}+*")) for name in (alice, bob)}
    _formgrader_action(prof, "glyphicon-cloud-download")  # collect
    for name in (alice, bob):
        _formgrader_action(
            prof, "glyphicon-flash", page=f"manage_submissions/{ASSIGNMENT}", row=name
        )
    prof.page.goto(f"{url}/user/{hub.instructor}/formgrader/manage_submissions/{ASSIGNMENT}")
    prof.page.get_by_text(bob, exact=True).first.wait_for()
    prof.shot("3-instructor-autograded")
    _formgrader_action(prof, "glyphicon-comment")  # generate feedback
    _formgrader_action(prof, "glyphicon-envelope")  # release feedback

    scores = {}
    for name, session in students.items():
        _click_in_list(session, "submitted_assignments_list", "Fetch Feedback")
        session.page.get_by_text("view feedback").first.wait_for()
        scores[name] = _feedback_score(session)
        session.shot(f"4-{'alice' if name == alice else 'bob'}-feedback")
    auto, manual = total_points(source)
    lost = sum(grading_scheme(source)[t] for a in BLANK for t in crediting_tests(source, a))
    assert scores == {
        alice: f"Score: {auto:.1f} / {auto + manual:.1f}",
        bob: f"Score: {auto - lost:.1f} / {auto + manual:.1f}",
    }, scores

    # Neither student can read the other's work: not in the exchange, not in their home.
    for reader, owner in ((bob, alice), (alice, bob)):
        home = pwd.getpwnam(owner).pw_dir
        for path in (
            inbound,
            submissions[owner] / ASSIGNMENT / f"{ASSIGNMENT}.ipynb",
            hub.exchange / hub.course_id / "feedback",
            f"{home}/{ASSIGNMENT}",
        ):
            result = _as_user(
                reader,
                f"import os, sys\np = {str(path)!r}\n"
                "os.listdir(p) if os.path.isdir(p) else open(p).read()",
            )
            assert "PermissionError" in result.stderr, (
                f"{reader} could read {path}: {result.stdout[:200]} {result.stderr[-300:]}"
            )
        result = _as_user(reader, f"import shutil; shutil.rmtree({str(submissions[owner])!r})")
        assert "PermissionError" in result.stderr and submissions[owner].exists(), (
            f"{reader} could delete {owner}'s submission"
        )
