"""A student's self-check: run a notebook the way nbgrader's Validate button does, and fail
loudly when a test fails (``nbgrader validate`` prints the failures but exits 0 either way)."""

from __future__ import annotations

from pathlib import Path


def validate(notebook: Path, cell_timeout: int | None = None) -> tuple[bool, str]:
    """(passed, a readable report) for one notebook. Each cell may run for the timeout that the
    notebook's metadata states (see vaecourse.course.execute), or ``cell_timeout`` seconds."""
    from nbgrader.preprocessors import CheckCellMetadata, ClearOutput
    from nbgrader.validator import Validator
    from traitlets.config import Config

    from .execute import DEFAULT_CELL_TIMEOUT, GradingExecute

    config = Config()
    config.Execute.timeout = DEFAULT_CELL_TIMEOUT
    config.Execute.startup_timeout = 180
    config.GradingExecute.cell_timeout_override = cell_timeout
    config.GradingExecute.grading_kernel = False  # a student's own work, on their own machine
    validator = Validator(config=config)
    validator.preprocessors = [CheckCellMetadata, ClearOutput, GradingExecute]
    results = validator.validate(str(notebook))
    lines = []
    for cell in results.get("type_changed", []):
        lines.append(
            f"A cell's type was changed from {cell['new_type']} to {cell['old_type']}:"
            f"\n{cell['source']}"
        )
    for cell in results.get("changed", []):
        lines.append(f"A read-only cell was changed:\n{cell['source']}")
    for cell in results.get("failed", []):
        lines.append(f"A test failed:\n{cell['source']}\n\n{cell['raw_error'].strip()}")
    if lines:
        return False, "\n\n".join(lines)
    return True, "Success! Your notebook passes all the tests."
