# Settings shared by both tracks; each track's nbgrader_config.py loads this file. JupyterLab loads
# it too (through the repository's nbgrader_config.py), so nothing here may change the students'
# kernels: the environment of the kernels that the grading tools start is set by those tools
# (vaecourse.course.layout.KERNEL_ENV), and each notebook's first cell, vaecourse.notebook.setup,
# quiets TensorFlow, because nbgrader gives a test cell 0 points when it writes to stderr.
c = get_config()  # noqa: F821 (provided by traitlets when it loads the file)

# Each cell may run for up to 5 minutes (the longest solution cell takes a few seconds), then it
# is interrupted and marked as timed out; later cells still run, so only that answer loses points.
c.Execute.timeout = 300
c.Execute.interrupt_on_timeout = True
# A TensorFlow kernel needs several seconds to start on a 2-core laptop.
c.Execute.startup_timeout = 180
# Deleted test cells are put back from the gradebook, then graded.
c.OverwriteCells.add_missing_cells = True
c.ClearSolutions.code_stub = {"python": "# YOUR CODE HERE\nraise NotImplementedError()"}
c.ClearSolutions.text_stub = "YOUR ANSWER HERE"
c.CourseDirectory.ignore = [".ipynb_checkpoints", "*.pyc", "__pycache__", "feedback"]
