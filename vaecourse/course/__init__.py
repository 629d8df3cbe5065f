"""Instructor tooling for the nbgrader course: lint the sources, build the student and solution
versions, and grade submissions. Used through the ``vaecourse`` command (see ``vaecourse.cli``)."""
