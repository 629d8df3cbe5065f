"""nbgrader's exchange, with submissions that other students cannot read.

nbgrader's default exchange is writable by everyone, from its root down: any student can rename a
course's folder, and its default ``submit`` leaves each submission in the ``inbound`` folder open
to everyone (folders ``0777``, files ``0644``): the folder cannot be listed, but its names follow a
pattern (``<student>+<assignment>+<timestamp>+<random>``) and anyone who learns one can read, or
replace, that student's work. Here a submission is readable only by its author and by the group
that owns ``inbound`` (the course's graders): its folders are ``0770``. ``inbound`` itself is set
up setgid and sticky by ``vaecourse hub`` (``3773``), so every submission's folder joins the
graders' group and no student can delete or rename another's.

The students' side of the exchange (list, fetch, fetch feedback, submit) here only needs to read
the exchange's root, which ``vaecourse hub`` keeps root-owned and not world-writable; the
instructor's side works on the course's folder as a member of the graders' group
(``CourseDirectory.groupshared``). The hub's configuration selects these classes with
``c.ExchangeFactory`` (``EXCHANGE_CLASSES``).
"""

from __future__ import annotations

import os

from nbgrader.exchange.default.fetch_assignment import ExchangeFetchAssignment
from nbgrader.exchange.default.fetch_feedback import ExchangeFetchFeedback
from nbgrader.exchange.default.list import ExchangeList
from nbgrader.exchange.default.submit import ExchangeSubmit
from nbgrader.utils import check_directory

# The submission's folders belong to the graders' group (inherited from the setgid ``inbound``;
# copying resets their mode but not their group): closing them closes everything inside, whatever
# the files' own group (the files nbgrader writes last get the student's, and a student cannot give
# a file to a group they are not in). The files stay readable, for the graders to collect.
FOLDER_MODE, FILE_MODE = 0o770, 0o644


class _ReadableRoot:
    """A student's exchange tool needs to read the exchange's root, not to write it."""

    def ensure_root(self):
        if not check_directory(self.root, read=True, execute=True):
            self.fail(f"Unreadable exchange, please contact your instructor: {self.root}")


class StudentList(_ReadableRoot, ExchangeList):
    pass


class StudentFetchAssignment(_ReadableRoot, ExchangeFetchAssignment):
    pass


class StudentFetchFeedback(_ReadableRoot, ExchangeFetchFeedback):
    pass


class PrivateExchangeSubmit(_ReadableRoot, ExchangeSubmit):
    """Submit as nbgrader does, then close the submission to everyone but its author and the
    graders' group."""

    def copy_files(self) -> None:
        super().copy_files()
        submission = os.path.join(self.inbound_path, self.assignment_filename)
        for folder, _, files in os.walk(submission):
            os.chmod(folder, FOLDER_MODE)
            for name in files:
                os.chmod(os.path.join(folder, name), FILE_MODE)


EXCHANGE_CLASSES = {
    "list": "vaecourse.course.exchange.StudentList",
    "fetch_assignment": "vaecourse.course.exchange.StudentFetchAssignment",
    "fetch_feedback": "vaecourse.course.exchange.StudentFetchFeedback",
    "submit": "vaecourse.course.exchange.PrivateExchangeSubmit",
}
