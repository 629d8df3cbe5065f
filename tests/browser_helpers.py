"""Helpers for tests/test_browser.py: a throw-away JupyterLab server, the system Chromium driven by
Playwright, and the notebook operations a student does by hand (type an answer, Run All,
Validate), each followed by a check on JupyterLab's own model of the notebook.

The page is driven through the UI (clicks, keyboard, menus, toolbar buttons); JupyterLab is
started with ``expose_app_in_browser`` only so that the tests can *read* the notebook model
(cell sources, execution counts, outputs, kernel status) instead of scraping it from the DOM,
which is virtualised and so incomplete for long cells.
"""

from __future__ import annotations

import contextlib
import json
import os
import re
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path

import nbformat

SOLUTION_MARKERS = ("### BEGIN SOLUTION", "### END SOLUTION")
CODE_STUB = re.compile(r"# YOUR CODE HERE\s*\n\s*raise NotImplementedError\(\)")  # indented
TEXT_STUB = "YOUR ANSWER HERE"
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
INLINE_BACKEND = "module://matplotlib_inline.backend_inline"


# --- notebooks ---------------------------------------------------------------------------------


def _meta(cell) -> dict:
    return cell.metadata.get("nbgrader", {})


def without_markers(source: str) -> str:
    """A source cell's text minus its ``### BEGIN/END SOLUTION`` lines."""
    return "\n".join(line for line in source.splitlines() if line.strip() not in SOLUTION_MARKERS)


def code_answers(source_nb) -> dict[str, str]:
    """grade_id -> solution code of every autograded answer cell (solution=true, grade=false)."""
    return {
        _meta(c)["grade_id"]: without_markers(c.source)
        for c in source_nb.cells
        if c.cell_type == "code" and _meta(c).get("solution") and not _meta(c).get("grade")
    }


def written_answers(source_nb) -> dict[str, str]:
    """grade_id -> text to write in every manually graded markdown answer cell."""
    answers = {}
    for cell in source_nb.cells:
        meta = _meta(cell)
        if cell.cell_type == "markdown" and meta.get("solution") and meta.get("grade"):
            text = without_markers(cell.source).strip()
            answers[meta["grade_id"]] = text or "An answer typed in the browser by the test suite."
    return answers


def code_cell_ids(nb) -> list[str]:
    return [_meta(c).get("grade_id") for c in nb.cells if c.cell_type == "code"]


def graded_test_sources(nb) -> dict[str, str]:
    """grade_id -> source of every autograded test cell."""
    return {
        _meta(c)["grade_id"]: c.source
        for c in nb.cells
        if c.cell_type == "code" and _meta(c).get("grade") and not _meta(c).get("solution")
    }


def answered_copy(student_nb, source_nb, leave_blank=()):
    """The student version with every answer filled in from the source notebook, except the
    answer cells whose grade_id is in ``leave_blank`` (they keep their stub)."""
    nb = nbformat.from_dict(json.loads(nbformat.writes(student_nb)))
    answers = {**code_answers(source_nb), **written_answers(source_nb)}
    for cell in nb.cells:
        grade_id = _meta(cell).get("grade_id")
        if grade_id in answers and grade_id not in leave_blank:
            cell.source = answers[grade_id]
    return nb


# --- the JupyterLab server ---------------------------------------------------------------------


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def make_workspace(repo: Path, dest: Path) -> Path:
    """A copy of what JupyterLab started at the repository root needs: ``nbgrader_config.py``,
    ``course/`` (without gradebooks or grading folders) and ``assignments/``."""
    dest.mkdir(parents=True, exist_ok=True)
    shutil.copy2(repo / "nbgrader_config.py", dest / "nbgrader_config.py")
    shutil.copytree(
        repo / "course",
        dest / "course",
        ignore=shutil.ignore_patterns(
            "gradebook.db",
            "release",
            "submitted",
            "autograded",
            "feedback",
            ".ipynb_checkpoints",
            "__pycache__",
        ),
    )
    shutil.copytree(
        repo / "assignments",
        dest / "assignments",
        ignore=shutil.ignore_patterns(".ipynb_checkpoints"),
    )
    return dest


def jupyter_dirs(base: Path) -> dict[str, str]:
    """Jupyter's per-user config, data and runtime folders, and IPython's, all under ``base``
    (so the user's own settings, kernels and extensions play no part). The extensions installed
    in the Python environment (nbgrader's among them) are still found: Jupyter always searches
    ``sys.prefix``. JupyterLab's user settings live under the config folder; they turn off the
    news/update notifications (no network here) and render every cell (``windowingMode: none``)
    so each cell can be clicked."""
    dirs = {name: base / name for name in ("config", "data", "runtime", "ipython")}
    for folder in dirs.values():
        folder.mkdir(parents=True, exist_ok=True)
    settings = dirs["config"] / "lab" / "user-settings" / "@jupyterlab"
    user_settings = {
        "apputils-extension/notification.jupyterlab-settings": {
            "fetchNews": "false",
            "checkForUpdates": False,
        },
        "notebook-extension/tracker.jupyterlab-settings": {"windowingMode": "none"},
    }
    for name, value in user_settings.items():
        (settings / name).parent.mkdir(parents=True, exist_ok=True)
        (settings / name).write_text(json.dumps(value))
    return {
        "JUPYTER_CONFIG_DIR": str(dirs["config"]),
        "JUPYTER_DATA_DIR": str(dirs["data"]),
        "JUPYTER_RUNTIME_DIR": str(dirs["runtime"]),
        "IPYTHONDIR": str(dirs["ipython"]),
    }


def tools_path() -> str:
    """PATH with this Python environment's scripts first (nbgrader runs ``alembic`` by name)."""
    return os.pathsep.join([str(Path(sys.executable).parent), os.environ.get("PATH", "")])


class LabServer:
    """``jupyter lab`` on 127.0.0.1, a free port and a random token, serving ``root``."""

    def __init__(self, root: Path, env: dict[str, str], log_path: Path):
        self.root, self.env, self.log_path = root, env, log_path
        self.port = free_port()
        self.token = secrets.token_hex(24)
        self.url = f"http://127.0.0.1:{self.port}"
        self.process = None
        self._log = None

    def start(self, timeout: float = 90) -> LabServer:
        command = [
            sys.executable,
            "-m",
            "jupyter",
            "lab",
            "--no-browser",
            "--ServerApp.ip=127.0.0.1",
            f"--ServerApp.port={self.port}",
            "--ServerApp.port_retries=0",
            f"--IdentityProvider.token={self.token}",
            f"--ServerApp.root_dir={self.root}",
            "--LabApp.expose_app_in_browser=True",
        ]
        if hasattr(os, "geteuid") and os.geteuid() == 0:  # containers, CI runners
            command.append("--allow-root")
        self._log = open(self.log_path, "w", buffering=1)
        self._log.write(f"$ {' '.join(command)}\n(cwd {self.root})\n")
        # The server's working folder is the workspace: nbgrader's Validate handler reads the
        # nbgrader_config.py of the folder the server was started in, as with `make lab`.
        self.process = subprocess.Popen(
            command,
            cwd=self.root,
            env=self.env,
            stdin=subprocess.DEVNULL,
            stdout=self._log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
        deadline = time.monotonic() + timeout
        while True:
            if self.process.poll() is not None:
                raise RuntimeError(
                    f"jupyter lab exited with code {self.process.returncode} before "
                    f"answering; its log: {self.log_path}\n{self.log_tail()}"
                )
            try:
                self.api("GET", "/api/status", timeout=5)
                return self
            except (OSError, urllib.error.URLError):
                pass
            if time.monotonic() > deadline:
                raise RuntimeError(
                    f"jupyter lab did not answer /api/status within {timeout:.0f} s; "
                    f"its log: {self.log_path}\n{self.log_tail()}"
                )
            time.sleep(0.5)

    def api(self, method: str, path: str, timeout: float = 10):
        request = urllib.request.Request(
            f"{self.url}{path}", method=method, headers={"Authorization": f"token {self.token}"}
        )
        with urllib.request.urlopen(request, timeout=timeout) as response:
            body = response.read()
        return json.loads(body) if body else None

    def page_url(self, path: str) -> str:
        return f"{self.url}{path}{'&' if '?' in path else '?'}token={self.token}"

    def log_tail(self, chars: int = 4000) -> str:
        try:
            return self.log_path.read_text(errors="replace")[-chars:]
        except OSError:
            return ""

    def stop(self) -> None:
        """Shut down every kernel, then the server; SIGTERM and at last SIGKILL (its whole process
        group) if it does not go. Safe to call more than once, or after a failed start."""
        if self.process is None:
            return
        if self.process.poll() is None:
            with contextlib.suppress(Exception):
                for kernel in self.api("GET", "/api/kernels", timeout=5) or []:
                    with contextlib.suppress(Exception):
                        self.api("DELETE", f"/api/kernels/{kernel['id']}", timeout=20)
            with contextlib.suppress(Exception):
                self.api("POST", "/api/shutdown", timeout=10)
            try:
                self.process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                self.process.terminate()
                try:
                    self.process.wait(timeout=10)
                except subprocess.TimeoutExpired:
                    pass
        # Whatever is left of the server's session (a kernel it could not stop), then the server.
        with contextlib.suppress(ProcessLookupError, PermissionError):
            os.killpg(self.process.pid, signal.SIGKILL)
        with contextlib.suppress(subprocess.TimeoutExpired):
            self.process.wait(timeout=10)
        if self._log:
            self._log.close()
        self.process = None


# --- the browser -------------------------------------------------------------------------------


def launch_chromium(playwright, executable: Path, user_data_dir: Path):
    """The system Chromium with a fresh profile and a 1280x900 window."""
    return playwright.chromium.launch_persistent_context(
        str(user_data_dir),
        executable_path=str(executable),
        headless=True,
        args=CHROMIUM_ARGS,
        viewport={"width": 1280, "height": 900},
        device_scale_factor=1,
    )


@contextlib.contextmanager
def evidence_on_failure(page, out: Path, name: str, server: LabServer | None = None):
    """On any failure inside the block: save a screenshot and the page's text under ``out``,
    then re-raise, with the paths added to the message."""
    try:
        yield
    except BaseException as err:
        saved = []
        with contextlib.suppress(Exception):
            page.screenshot(path=str(out / f"FAILED-{name}.png"))
            saved.append(str(out / f"FAILED-{name}.png"))
        with contextlib.suppress(Exception):
            text = page.inner_text("body", timeout=5000)
            (out / f"FAILED-{name}.txt").write_text(f"{page.url}\n\n{text}")
            saved.append(str(out / f"FAILED-{name}.txt"))
        if server is not None:
            saved.append(str(server.log_path))
        if saved and isinstance(err, Exception):
            with contextlib.suppress(Exception):
                err.add_note("browser evidence: " + ", ".join(saved))
        raise


def _js(body: str) -> str:
    """A page function ``(arg) => ...`` that finds the notebook panel whose path is
    ``arg.path`` as ``panel`` (null until JupyterLab has opened it) before running ``body``."""
    return (
        "(arg) => { const app = window.jupyterapp; let panel = null;"
        " if (app) { for (const w of app.shell.widgets('main')) {"
        "   if (w.context && w.context.path === arg.path && w.content && w.content.widgets)"
        "     { panel = w; } } }"
        f" {body} }}"
    )


class Notebook:
    """A notebook open in JupyterLab in ``page``, at ``path`` relative to the server's root."""

    def __init__(self, page, server: LabServer, path: str):
        self.page, self.server, self.path = page, server, path

    def open(self, workspace: str, kernel_timeout: float = 120) -> Notebook:
        """Open the notebook in a fresh JupyterLab workspace; wait for its kernel to be idle."""
        self.page.goto(
            self.server.page_url(f"/lab/workspaces/{workspace}/tree/{self.path}"),
            wait_until="domcontentloaded",
            timeout=60_000,
        )
        self.page.wait_for_function(
            _js(
                "return !!(panel && panel.context.isReady && panel.content.widgets.length"
                " && panel.node.querySelector('.jp-Cell'));"
            ),
            arg={"path": self.path},
            timeout=90_000,
            polling=250,
        )
        self.wait_kernel_idle(kernel_timeout)
        # Fold the file browser away, as a student would for room (and clearer screenshots).
        tab = self.page.locator(".jp-SideBar.jp-mod-left .lm-TabBar-tab.lm-mod-current")
        if tab.count():
            tab.first.click()
        return self

    def wait_kernel_idle(self, timeout: float) -> None:
        try:
            self.page.wait_for_function(
                _js(
                    "const k = panel && panel.sessionContext.session"
                    " && panel.sessionContext.session.kernel;"
                    " return !!(k && k.status === 'idle');"
                ),
                arg={"path": self.path},
                timeout=timeout * 1000,
                polling=500,
            )
        except Exception as err:
            raise AssertionError(
                f"the kernel of {self.path} was not idle within {timeout:.0f} s "
                f"(status: {self.kernel_status()})"
            ) from err

    def kernel_status(self):
        return self.page.evaluate(
            _js(
                "const s = panel && panel.sessionContext.session;"
                " return s && s.kernel ? s.kernel.status : null;"
            ),
            {"path": self.path},
        )

    def cell_index(self, grade_id: str) -> int:
        index = self.page.evaluate(
            _js(
                "return panel.content.widgets.findIndex(c => {"
                " const m = c.model.getMetadata('nbgrader');"
                " return !!m && m.grade_id === arg.id; });"
            ),
            {"path": self.path, "id": grade_id},
        )
        assert index >= 0, f"{self.path} has no cell with grade_id {grade_id!r}"
        return index

    def cell(self, grade_id: str):
        """The DOM node of a cell, found through the model by its nbgrader grade_id."""
        index = self.cell_index(grade_id)
        self.page.evaluate(
            _js("panel.content.widgets[arg.index].node.setAttribute('data-grade-id', arg.id);"),
            {"path": self.path, "index": index, "id": grade_id},
        )
        return self.page.locator(f'.jp-Cell[data-grade-id="{grade_id}"]')

    def source(self, grade_id: str) -> str:
        return self.page.evaluate(
            _js("return panel.content.widgets[arg.index].model.sharedModel.getSource();"),
            {"path": self.path, "index": self.cell_index(grade_id)},
        )

    def type_into(self, grade_id: str, text: str) -> None:
        """Replace a cell's text as a student would: click into its editor (a markdown cell:
        double-click its rendered text first), select all, insert the text in one go (no
        per-character auto-indent or bracket closing), leave the editor; then check the model."""
        cell = self.cell(grade_id)
        cell.scroll_into_view_if_needed()
        editor = cell.locator(".jp-InputArea-editor .cm-content")
        if not editor.is_visible():  # a rendered markdown cell shows no editor
            cell.locator(".jp-MarkdownOutput").dblclick()
        editor.wait_for(state="visible", timeout=10_000)
        editor.click()
        self.page.keyboard.press("Control+a")
        self.page.keyboard.insert_text(text)
        self.page.keyboard.press("Escape")  # back to command mode
        got = self.source(grade_id)
        assert got == text, (
            f"cell {grade_id!r} of {self.path} holds, after typing:\n{got}\n"
            f"--- but should hold:\n{text}"
        )

    def run_all_from_menu(self) -> None:
        """Run > Run All Cells, from JupyterLab's menu bar."""
        self.page.locator(".lm-MenuBar-item", has_text=re.compile(r"^\s*Run\s*$")).click()
        self.page.locator(
            ".lm-Menu-content .lm-Menu-item", has_text=re.compile(r"^\s*Run All Cells\s*$")
        ).click()

    def state(self) -> dict:
        """Kernel status and, per code cell: grade_id, execution count, pending?, error outputs."""
        return self.page.evaluate(
            _js(
                "const s = panel.sessionContext.session;"
                " const cells = panel.content.widgets"
                ".filter(c => c.model.type === 'code').map(c => {"
                "   const m = c.model.getMetadata('nbgrader') || {};"
                "   const prompt = c.node.querySelector('.jp-InputPrompt');"
                "   const outputs = c.model.outputs.toJSON();"
                "   return {id: m.grade_id || null, count: c.model.executionCount,"
                "     pending: !!prompt && prompt.textContent.includes('*'),"
                "     errors: outputs.filter(o => o.output_type === 'error')"
                "       .map(o => o.ename + ': ' + o.evalue)}; });"
                " return {kernel: s && s.kernel ? s.kernel.status : null, cells};"
            ),
            {"path": self.path},
        )

    def wait_run_all(self, timeout: float) -> dict:
        """Wait until no cell is pending, the kernel is idle, and every code cell has run or one
        has failed (JupyterLab then skips the rest); twice in a row, half a second apart."""
        deadline, settled, state = time.monotonic() + timeout, 0, None
        while time.monotonic() < deadline:
            state = self.state()
            cells = state["cells"]
            done = (
                state["kernel"] == "idle"
                and not any(c["pending"] for c in cells)
                and (all(c["count"] is not None for c in cells) or any(c["errors"] for c in cells))
            )
            settled = settled + 1 if done else 0
            if settled >= 2:
                return state
            time.sleep(0.5)
        running = [c["id"] for c in (state or {}).get("cells", []) if c["pending"]]
        raise AssertionError(
            f"Run All of {self.path} did not finish within {timeout:.0f} s "
            f"(kernel {state and state['kernel']}, still pending: {running})"
        )

    def stderr_tracebacks(self) -> list[str]:
        """Text of rendered stderr/error outputs that show a traceback."""
        texts = self.page.locator(
            '.jp-OutputArea-output[data-mime-type="application/vnd.jupyter.stderr"]'
        ).all_inner_texts()
        return [t for t in texts if re.search(r"Traceback|Error\b.*\n|-{20,}", t)]

    def validate(self, timeout: float) -> tuple[str, str]:
        """Click nbgrader's Validate button; wait for its result dialog. Returns (the dialog's
        text, its result class: validation-success / validation-failed / ...)."""
        button = self.page.locator(".jp-NotebookPanel-toolbar .validate-button").first
        button.wait_for(state="visible", timeout=30_000)
        button.click()
        dialog = self.page.locator(".jp-Dialog")
        try:
            dialog.first.wait_for(state="visible", timeout=timeout * 1000)
        except Exception as err:
            label = button.inner_text(timeout=2000) if button.is_visible() else "?"
            raise AssertionError(
                f"no dialog within {timeout:.0f} s of clicking Validate on "
                f"{self.path} (the button reads {label!r})"
            ) from err
        text = dialog.first.inner_text()
        assert "Validation Results" in text, f"Validate opened an unexpected dialog:\n{text}"
        kind = self.page.evaluate(
            "() => { const n = document.querySelector('.jp-Dialog [class*=\"validation-\"]');"
            " return n ? [...n.classList].filter(c => c.startsWith('validation-')).join(' ')"
            " : ''; }"
        )
        return text, kind

    def close_dialog(self) -> None:
        self.page.locator(".jp-Dialog .jp-Dialog-button.jp-mod-accept").click()
        self.page.locator(".jp-Dialog").wait_for(state="detached", timeout=10_000)


def run_nbgrader(course_root: Path, env: dict[str, str], *args: str, timeout: float = 600) -> str:
    """Run ``nbgrader <args>`` in ``course_root``; fail with its output unless it succeeds."""
    result = subprocess.run(
        [sys.executable, "-m", "nbgrader", *args],
        cwd=course_root,
        env=env,
        capture_output=True,
        text=True,
        timeout=timeout,
    )
    output = result.stdout + result.stderr
    if result.returncode != 0:
        raise AssertionError(
            f"nbgrader {' '.join(args)} failed in {course_root} "
            f"(exit {result.returncode}):\n{output[-6000:]}"
        )
    return output
