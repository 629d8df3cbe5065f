"""Grades out of nbgrader's gradebook, in the CSV layouts that LMS gradebooks import.

- **Canvas** (Grades > Import): the columns ``Student`` ("Last, First"), ``ID``, ``SIS User ID``,
  ``SIS Login ID``, ``Section``, then one column per assignment; a second row, ``Points
  Possible``, holds each assignment's maximum. Canvas matches students on the SIS login (here the
  nbgrader student id, which is the hub's or the LMS's login) and creates an assignment for every
  column it does not know.
- **Moodle** (Grades > Import > CSV file): ``First name``, ``Last name``, ``ID number``,
  ``Email address``, then one column per assignment, ``<name> (Real)``, as Moodle's own export
  writes them; map ``ID number`` (the nbgrader student id) to the user on import.

A score is the submission's total (autograded and manually graded points); a student without a
submission gets an empty cell, which both LMSs leave ungraded. Every field is quoted where CSV
needs it (``csv.QUOTE_MINIMAL``: commas, quotes, line breaks), so "O'Brien, Jr." stays one field.
"""

from __future__ import annotations

import csv
import io
from pathlib import Path

FORMATS = ("canvas", "moodle")


def _table(course_root: Path) -> tuple[list[str], dict[str, float], list[dict]]:
    """(assignment names, their maximum scores, one row per student with their scores)."""
    from nbgrader.api import Gradebook, MissingEntry

    with Gradebook(f"sqlite:///{course_root / 'gradebook.db'}") as gb:
        assignments = sorted(gb.assignments, key=lambda a: a.name)
        names = [a.name for a in assignments]
        maxima = {a.name: a.max_score for a in assignments}
        rows = []
        for student in sorted(gb.students, key=lambda s: s.id):
            scores = {}
            for name in names:
                try:
                    scores[name] = gb.find_submission(name, student.id).score
                except MissingEntry:
                    scores[name] = None
            rows.append(
                {
                    "id": student.id,
                    "first": student.first_name or "",
                    "last": student.last_name or "",
                    "email": student.email or "",
                    "scores": scores,
                }
            )
    return names, maxima, rows


def _number(value) -> str:
    return "" if value is None else f"{value:g}"


def lms_csv(course_root: Path, fmt: str) -> str:
    """The gradebook of the nbgrader course at ``course_root`` as CSV for an LMS ("canvas" or
    "moodle")."""
    if fmt not in FORMATS:
        raise ValueError(f"format must be one of {', '.join(FORMATS)}, not {fmt!r}")
    names, maxima, rows = _table(course_root)
    out = io.StringIO()
    writer = csv.writer(out, quoting=csv.QUOTE_MINIMAL, lineterminator="\r\n")
    if fmt == "canvas":
        writer.writerow(["Student", "ID", "SIS User ID", "SIS Login ID", "Section", *names])
        writer.writerow(
            ["    Points Possible", "", "", "", "", *(_number(maxima[n]) for n in names)]
        )
        for row in rows:
            student = ", ".join(p for p in (row["last"], row["first"]) if p) or row["id"]
            writer.writerow(
                [student, "", row["id"], row["id"], "", *(_number(row["scores"][n]) for n in names)]
            )
    else:
        writer.writerow(
            [
                "First name",
                "Last name",
                "ID number",
                "Email address",
                *(f"{n} (Real)" for n in names),
            ]
        )
        for row in rows:
            writer.writerow(
                [
                    row["first"],
                    row["last"],
                    row["id"],
                    row["email"],
                    *(_number(row["scores"][n]) for n in names),
                ]
            )
    return out.getvalue()
