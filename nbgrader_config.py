# nbgrader settings for JupyterLab started from the repository root (`make lab`): the formgrader
# and the Validate button use the course root of one track, chosen with VAECOURSE_TRACK
# (pytorch by default). Command-line nbgrader runs from course/<track>/ read that folder's config.
import os

c = get_config()  # noqa: F821
_track = os.environ.get("VAECOURSE_TRACK", "pytorch")
_root = os.path.join(os.path.dirname(os.path.abspath(__file__)), "course", _track)
c.CourseDirectory.root = _root
load_subconfig(os.path.join(_root, "nbgrader_config.py"))  # noqa: F821
