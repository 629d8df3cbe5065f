# Settings shared by both tracks; each track's nbgrader_config.py loads this file.
import os

# Framework start-up and log messages go to stderr, and nbgrader gives a test cell 0 points when it
# writes to stderr. Kernels inherit this process's environment, so quiet them here.
os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
os.environ.setdefault("KERAS_BACKEND", "tensorflow")
os.environ.setdefault("MPLBACKEND", "module://matplotlib_inline.backend_inline")
os.environ.setdefault("TQDM_DISABLE", "1")

c = get_config()  # noqa: F821 (provided by traitlets when it loads the file)

# Each cell may run for up to 5 minutes (the longest training cell takes well under 1), then it
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
