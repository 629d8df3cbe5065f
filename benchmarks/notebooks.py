"""Every solution notebook of both tracks, run end to end as a student would (Run All): its wall
time, kernel start included, the slowest cell, and the kernel's peak memory (VmHWM)."""

from __future__ import annotations

import datetime as dt
import time
from pathlib import Path

import nbformat


def _seconds(cell) -> float:
    meta = cell.metadata.get("execution", {})
    start, end = meta.get("iopub.execute_input"), meta.get("shell.execute_reply")
    if not (start and end):
        return 0.0
    return (dt.datetime.fromisoformat(end) - dt.datetime.fromisoformat(start)).total_seconds()


def _peak_bytes(pid: int) -> int:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) * 1024
    return 0


def run(assignment) -> dict:
    """{"seconds", "slowest_cell", "slowest_seconds", "peak_bytes"} of one solution notebook."""
    from nbclient import NotebookClient

    from vaecourse.course.build import BUILD_MARGIN, solution_notebook
    from vaecourse.course.execute import DEFAULT_CELL_TIMEOUT, cell_timeout
    from vaecourse.course.layout import kernel_env

    nb = solution_notebook(nbformat.read(assignment.source, as_version=4))
    peak = {}

    def measure(**_):  # after every cell, while the kernel lives: VmHWM only grows
        peak["bytes"] = _peak_bytes(client.km.provisioner.pid)

    client = NotebookClient(
        nb,
        timeout=BUILD_MARGIN * (cell_timeout(nb) or DEFAULT_CELL_TIMEOUT),  # as the build does
        kernel_name="python3",
        record_timing=True,
        on_cell_executed=measure,
        resources={"metadata": {"path": str(assignment.solution.parent)}},
    )
    start = time.perf_counter()
    with kernel_env():
        client.execute()
    seconds = time.perf_counter() - start
    cells = [c for c in nb.cells if c.cell_type == "code"]
    slowest = max(cells, key=_seconds)
    return {
        "seconds": round(seconds, 1),
        "slowest_cell": slowest.source.splitlines()[0][:60],
        "slowest_seconds": round(_seconds(slowest), 1),
        "peak_bytes": peak["bytes"],
    }
