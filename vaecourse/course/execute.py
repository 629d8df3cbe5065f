"""nbgrader's Execute preprocessor, made fit for grading untrusted notebooks.

- **Each assignment's own cell timeout.** An assignment states how long one of its cells may run
  in its source notebook's metadata, ``{"vaecourse": {"cell_timeout": seconds}}``. It is read
  from the instructor's source notebook (a submission's own metadata could be edited by its
  author), or from the notebook itself when no course is known (a student validating their work).
- **A kernel that ignores the interrupt is restarted.** A cell that runs out of time is
  interrupted; one that swallows the ``KeyboardInterrupt`` would make every later cell wait a full
  timeout too, so after a grace period the kernel is restarted: the later cells run, without the
  state of the earlier ones. A kernel that dies (``os._exit``, a crash, a resource limit) ends the
  run instead, so that no misleading score is recorded, and the error names the cell.
- **Grading kernels** (``vaecourse.course.kernel``): IPC sockets instead of TCP ports, the sandbox
  (``vaecourse.course.sandbox``) unless it is turned off, and the grading guard
  (``vaecourse.course.guard``). Two closing checks run after the last cell: a cell that fails
  must still report its error, and the guard must still be alive. What they and the guard found is
  left in the notebook's metadata, ``{"vaecourse_grading": {"flags": [...]}}``, for the report.

The course configuration (``course/nbgrader_common.py``) puts this class in place of nbgrader's,
so ``vaecourse grade``, ``nbgrader autograde`` and the formgrader all use it.
"""

from __future__ import annotations

import os
import shutil
import tempfile
import time
from pathlib import Path

import nbformat
from jupyter_client.utils import ensure_async
from nbclient.exceptions import DeadKernelError
from nbformat.v4 import new_code_cell
from nbgrader.preprocessors import Execute
from traitlets import Bool, Dict, Integer, List

from .guard import MARK
from .kernel import GradingKernelManager
from .sandbox import Limits, fork_note, unavailable, write_settings

DEFAULT_CELL_TIMEOUT = 300
_CLOSING = "vaecourse_closing_check"
DIED = "the kernel died in"
_CANARY = 'raise AssertionError("vaecourse grading: this cell must fail")'
_GUARD_STATUS = "__import__('vaecourse.course.guard', fromlist=['status']).status()"


def _where(cell, index) -> str:
    """A cell's name in the report: its grade_id, or its place in the notebook."""
    return cell.metadata.get("nbgrader", {}).get("grade_id") or f"cell {index}"


class SandboxUnavailable(RuntimeError):
    """Untrusted submissions cannot be graded safely here."""


def cell_timeout(nb) -> int | None:
    """The cell timeout a notebook's metadata states, or None."""
    value = nb.metadata.get("vaecourse", {}).get("cell_timeout")
    return int(value) if isinstance(value, (int, float)) and value > 0 else None


def sandbox_refusal() -> str | None:
    """Why submissions cannot be sandboxed here, as the grader says it, or None."""
    why = unavailable()
    if why is None:
        return None
    return (
        f"Refusing to grade: the sandbox cannot run ({why}). Grading runs every "
        "submission's code; without the sandbox it can read the hidden tests, change the "
        "gradebook and reach the network. Install bubblewrap, or, only for submissions you "
        "trust, grade with --no-sandbox (GradingExecute.sandbox = False)."
    )


class GradingExecute(Execute):
    """Execute a notebook with its assignment's cell timeout, in a grading kernel."""

    cell_timeout_override = Integer(
        None,
        allow_none=True,
        help="Seconds per cell for every notebook, in place of each assignment's own timeout.",
    ).tag(config=True)
    grading_kernel = Bool(
        True, help="Start kernels through the grading kernelspec: IPC, guard, closing checks."
    ).tag(config=True)
    sandbox = Bool(
        True,
        help="Run grading kernels in the sandbox (needs bubblewrap). Turn it off only for "
        "submissions you trust.",
    ).tag(config=True)
    limits = Dict(help="Overrides of vaecourse.course.sandbox.Limits, by field name.").tag(
        config=True
    )
    grading_paths = List(
        help="Files and folders a submission may not touch (besides the course's own)."
    ).tag(config=True)
    interrupt_grace = Integer(
        5,
        help="Seconds a timed-out cell has to stop after the interrupt before the kernel is "
        "restarted.",
    ).tag(config=True)

    def _coursedir(self):
        owner = self.parent
        while owner is not None and not hasattr(owner, "coursedir"):
            owner = getattr(owner, "parent", None)
        return None if owner is None else owner.coursedir

    def _source_notebook(self, resources) -> Path | None:
        info, coursedir = resources.get("nbgrader", {}), self._coursedir()
        if coursedir is None or "assignment" not in info:
            return None
        folder = coursedir.format_path(coursedir.source_directory, ".", info["assignment"])
        return Path(folder) / f"{info['notebook']}.ipynb"

    def _protected_paths(self) -> list[str]:
        coursedir, paths = self._coursedir(), list(self.grading_paths)
        if coursedir is not None:
            root = Path(coursedir.root)
            paths += [
                str(root / name)
                for name in (
                    coursedir.source_directory,
                    coursedir.release_directory,
                    coursedir.submitted_directory,
                    coursedir.autograded_directory,
                    coursedir.feedback_directory,
                    "gradebook.db",
                    "nbgrader_config.py",
                )
            ]
        return paths

    # -- running ---------------------------------------------------------------------------------
    def preprocess(self, nb, resources=None, km=None):
        resources = resources or {}
        source = self._source_notebook(resources)
        stated = (
            cell_timeout(nbformat.read(source, as_version=4))
            if source and source.is_file()
            else cell_timeout(nb)
        )
        self._assignment_timeout = self.cell_timeout_override or stated
        self._restarts: list[str] = []
        if not self.grading_kernel:
            return super().preprocess(nb, resources, km=km)
        if self.sandbox and (refusal := sandbox_refusal()):
            raise SandboxUnavailable(refusal)
        run = Path(tempfile.mkdtemp(prefix="vaecourse-grading-"))
        run.chmod(0o711)
        try:
            limits = Limits(**{**Limits().__dict__, **self.limits})
            self._forking_processes = limits.forking_processes
            self._kernel_settings = {
                "settings": str(write_settings(run / "sandbox.json", self.sandbox, limits)),
                "runtime_root": str(run),
                "grading_env": {
                    "VAECOURSE_GRADING_PATHS": os.pathsep.join(self._protected_paths())
                },
            }
            nb.cells += [
                new_code_cell(code, metadata={_CLOSING: True}) for code in (_CANARY, _GUARD_STATUS)
            ]
            nb, resources = super().preprocess(nb, resources, km=km)
        finally:
            shutil.rmtree(run, ignore_errors=True)
        closing = [c for c in nb.cells if c.metadata.get(_CLOSING)]
        nb.cells = [c for c in nb.cells if not c.metadata.get(_CLOSING)]
        nb.metadata["vaecourse_grading"] = {
            "flags": self._flags(nb, closing),
            "restarts": self._restarts,
        }
        return nb, resources

    def create_kernel_manager(self):
        if not self.grading_kernel:
            return super().create_kernel_manager()
        self.km = GradingKernelManager(config=self.config, **self._kernel_settings)
        return self.km

    def preprocess_cell(self, cell, resources, index):
        """A cell that kills its kernel (``os._exit``, a crash, a resource limit) ends the run, so
        that no misleading score is recorded; the error names the cell."""
        iopub = self.iopub_timeout, self.raise_on_iopub_timeout
        try:
            return super().preprocess_cell(cell, resources, index)
        except DeadKernelError:
            where = _where(cell, index)
            note = fork_note(self.km.connection_file) if self.grading_kernel else ""
            if note and os.path.exists(note):
                why = (
                    f"it kept forking (a fork bomb?), and the sandbox ended it once it held "
                    f"{self._forking_processes} processes"
                )
            else:
                why = "os._exit, a crash, or a resource limit of the sandbox"
            raise DeadKernelError(f"{DIED} {where} ({why})") from None
        finally:
            self.iopub_timeout, self.raise_on_iopub_timeout = iopub

    async def _restart(self, where: str) -> None:
        """Restart the kernel and wait until it answers on the shell channel (the iopub channel
        belongs to the cell's own reader meanwhile, so ``wait_for_ready`` cannot be used).
        A restart that fails (a fork bomb's processes not yet gone, say) is the kernel's death."""
        try:
            await ensure_async(self.km.restart_kernel(now=True))
        except Exception as error:
            raise DeadKernelError(
                f"{DIED} {where}: it did not come back after a restart ({error!r})"
            ) from error
        deadline = time.monotonic() + self.startup_timeout
        while not await self._kernel_answers(1.0):
            if time.monotonic() > deadline or not await ensure_async(self.km.is_alive()):
                raise DeadKernelError(f"{DIED} {where}: it did not come back after a restart")
        self._restarts.append(where)

    def _get_timeout(self, cell):
        return getattr(self, "_assignment_timeout", None) or super()._get_timeout(cell)

    # -- a kernel that ignores the interrupt ------------------------------------------------------
    async def _kernel_answers(self, within: float) -> bool:
        """Whether the kernel answers a kernel_info request within ``within`` seconds (it cannot
        while a cell still runs). Other replies that come meanwhile are stale: dropped."""
        msg_id = self.kc.kernel_info()
        deadline = time.monotonic() + within
        while (left := deadline - time.monotonic()) > 0:
            try:
                msg = await ensure_async(self.kc.shell_channel.get_msg(timeout=left))
            except Exception:  # queue.Empty: nothing came
                return False
            if msg["parent_header"].get("msg_id") == msg_id:
                return True
        return False

    async def _async_handle_timeout(self, timeout, cell=None):
        reply = await super()._async_handle_timeout(timeout, cell)
        if self.interrupt_on_timeout and not await self._kernel_answers(self.interrupt_grace):
            where = _where(cell, self.nb.cells.index(cell) if cell in self.nb.cells else "?")
            self.log.error("The kernel ignored the interrupt of cell %s: restarting it", where)
            await self._restart(where)
            # the restarted kernel never sends the cell's last output: do not wait for it
            self.iopub_timeout, self.raise_on_iopub_timeout = 0, False
            if reply is not None:
                content = reply["content"]
                content["evalue"] = (
                    "the cell ran out of time and ignored the interrupt: the "
                    "kernel was restarted, and the cells after it ran without "
                    "the state of the cells before"
                )
                content["traceback"] = [f"CellTimeoutError: {content['evalue']}"]
        return reply

    # -- what the closing checks and the guard found ---------------------------------------------
    def _flags(self, nb, closing) -> list[str]:
        flags = []
        for cell in nb.cells:
            for output in cell.get("outputs", []):
                if output.get("output_type") == "stream":
                    for line in output.get("text", "").splitlines():
                        if line.startswith(MARK) and "alive" not in line:
                            flags.append(line[len(MARK) :].strip())
        canary, status = (closing + [None, None])[:2]
        outputs = [] if canary is None else canary.get("outputs", [])
        if not any(
            o.get("output_type") == "error" and o.get("ename") == "AssertionError" for o in outputs
        ):
            flags.append(
                "a cell that fails no longer reported its error: the notebook "
                "changed how errors are shown, so failing tests may look passed"
            )
        texts = (
            ""
            if status is None
            else "".join(
                o.get("text", "")
                for o in status.get("outputs", [])
                if o.get("output_type") == "stream"
            )
        )
        if f"{MARK} alive" not in texts:
            flags.append("the grading guard stopped working: the notebook removed or replaced it")
        for line in texts.splitlines():
            if line.startswith(MARK) and "grading file" in line:
                flags.append(line[len(MARK) :].strip())
        return sorted(set(flags), key=flags.index)
