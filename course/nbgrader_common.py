# Settings shared by both tracks; each track's nbgrader_config.py loads this file. JupyterLab loads
# it too (through the repository's nbgrader_config.py), so nothing here may change the students'
# kernels: the environment of the kernels that the grading tools start is set by those tools
# (vaecourse.course.layout.KERNEL_ENV), and each notebook's first cell, vaecourse.notebook.setup,
# quiets TensorFlow, because nbgrader gives a test cell 0 points when it writes to stderr.
c = get_config()  # noqa: F821 (provided by traitlets when it loads the file)

# How long one cell may run is each assignment's own setting, in its source notebook's metadata
# ({"vaecourse": {"cell_timeout": seconds}}): nbgrader's Execute is replaced by one that reads it
# (vaecourse.course.execute), in the formgrader and `nbgrader autograde` as in `vaecourse grade`.
# A cell that runs out of time is interrupted and marked as timed out; later cells still run, so
# only the answers it feeds lose points. 300 s is the fallback for a notebook that states nothing.
c.Autograde.autograde_preprocessors = [
    "vaecourse.course.execute.GradingExecute",
    "nbgrader.preprocessors.IgnorePattern",
    "nbconvert.preprocessors.ClearMetadataPreprocessor",
    "nbgrader.preprocessors.LimitOutput",
    "nbgrader.preprocessors.SaveAutoGrades",
    "nbgrader.preprocessors.AssignLatePenalties",
    "nbgrader.preprocessors.CheckCellMetadata",
]
c.Execute.timeout = 300
c.Execute.interrupt_on_timeout = True
# A TensorFlow kernel needs several seconds to start on a 2-core laptop.
c.Execute.startup_timeout = 180
# Deleted test cells are put back from the gradebook, then graded.
c.OverwriteCells.add_missing_cells = True
c.ClearSolutions.code_stub = {"python": "# YOUR CODE HERE\nraise NotImplementedError()"}
c.ClearSolutions.text_stub = "YOUR ANSWER HERE"
c.CourseDirectory.ignore = [".ipynb_checkpoints", "*.pyc", "__pycache__", "feedback"]
