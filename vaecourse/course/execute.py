"""nbgrader's Execute preprocessor, with each assignment's own cell timeout.

An assignment states how long one of its cells may run in its source notebook's metadata,
``{"vaecourse": {"cell_timeout": seconds}}``: a few seconds' worth of margin for 01-03, a minute's
training plus margin for 04-07. The timeout is read from the instructor's source notebook (a
submission's own metadata could be edited by its author), or from the notebook itself when no
course is known (a student validating their own work). The course configuration
(``course/nbgrader_common.py``) puts this class in place of nbgrader's, so ``vaecourse grade``,
``nbgrader autograde`` and the formgrader all use it.
"""

from __future__ import annotations

from pathlib import Path

import nbformat
from nbgrader.preprocessors import Execute as NbgraderExecute
from traitlets import Integer

DEFAULT_CELL_TIMEOUT = 300


def cell_timeout(nb) -> int | None:
    """The cell timeout a notebook's metadata states, or None."""
    value = nb.metadata.get("vaecourse", {}).get("cell_timeout")
    return int(value) if isinstance(value, (int, float)) and value > 0 else None


class Execute(NbgraderExecute):
    """Execute a notebook with the cell timeout of its assignment."""

    cell_timeout_override = Integer(
        None,
        allow_none=True,
        help="Seconds per cell for every notebook, in place of each assignment's own timeout.",
    ).tag(config=True)

    def _source_notebook(self, resources) -> Path | None:
        info = resources.get("nbgrader", {})
        owner = self.parent
        while owner is not None and not hasattr(owner, "coursedir"):
            owner = getattr(owner, "parent", None)
        if owner is None or "assignment" not in info:
            return None
        folder = owner.coursedir.format_path(
            owner.coursedir.source_directory, ".", info["assignment"]
        )
        return Path(folder) / f"{info['notebook']}.ipynb"

    def preprocess(self, nb, resources=None, km=None):
        source = self._source_notebook(resources or {})
        stated = (
            cell_timeout(nbformat.read(source, as_version=4))
            if source and source.is_file()
            else cell_timeout(nb)
        )
        self._assignment_timeout = self.cell_timeout_override or stated
        return super().preprocess(nb, resources, km=km)

    def _get_timeout(self, cell):
        return getattr(self, "_assignment_timeout", None) or super()._get_timeout(cell)
