# nbgrader course root for the pytorch track. Run nbgrader commands from this folder.
import os

c = get_config()  # noqa: F821
c.CourseDirectory.course_id = "vaecourse-pytorch"
load_subconfig(os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "nbgrader_common.py"))  # noqa: F821
