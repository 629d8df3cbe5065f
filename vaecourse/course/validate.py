"""A student's self-check: run a notebook the way nbgrader's Validate button does, and fail
loudly when a test fails (``nbgrader validate`` prints the failures but exits 0 either way)."""

from __future__ import annotations

from pathlib import Path


def validate(notebook: Path, cell_timeout: int = 300) -> tuple[bool, str]:
    """(passed, a readable report) for one notebook."""
    from nbgrader.validator import Validator
    from traitlets.config import Config

    config = Config()
    config.Execute.timeout = cell_timeout
    config.Execute.startup_timeout = 180
    results = Validator(config=config).validate(str(notebook))
    lines = []
    for cell in results.get("type_changed", []):
        lines.append(f"A cell's type was changed from {cell['new_type']} to {cell['old_type']}:"
                     f"\n{cell['source']}")
    for cell in results.get("changed", []):
        lines.append(f"A read-only cell was changed:\n{cell['source']}")
    for cell in results.get("failed", []):
        lines.append(f"A test failed:\n{cell['source']}\n\n{cell['raw_error'].strip()}")
    if lines:
        return False, "\n\n".join(lines)
    return True, "Success! Your notebook passes all the tests."
