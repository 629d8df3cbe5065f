"""Checks for the instructor's source notebooks, run before every build.

A source notebook must be valid nbformat with stripped outputs and state its cell timeout; every
cell carries nbgrader metadata (schema 3) with a unique grade_id; graded cells have positive
points; code answer cells mark their solution; every autograded answer X is followed directly by
a visible test cell ``test_X`` and a hidden test cell ``test_X_hidden`` that use it, and hidden
tests hold at most half of the autograded points; tests do not
use vaecourse's reference code (the registry in ``vaecourse.reference``); and the two tracks of
an assignment have the same cells (grade_ids, in order) and the same points.
"""

from __future__ import annotations

import ast
import re

import nbformat

from ..reference import REFERENCE, is_registered
from .execute import cell_timeout
from .layout import Assignment

HIDDEN_BEGIN, HIDDEN_END = "### BEGIN HIDDEN TESTS", "### END HIDDEN TESTS"
_GRADE_ID = re.compile(r"^[A-Za-z0-9_-]+$")


def _meta(cell) -> dict:
    return cell.metadata.get("nbgrader", {})


def is_test(cell) -> bool:
    meta = _meta(cell)
    return cell.cell_type == "code" and meta.get("grade", False) and not meta.get("solution", False)


def is_autograded_answer(cell) -> bool:
    meta = _meta(cell)
    return cell.cell_type == "code" and meta.get("solution", False) and not meta.get("grade", False)


def _split_hidden(source: str) -> tuple[str, str]:
    """(visible part, hidden part) of a test cell's source."""
    visible, hidden, inside = [], [], False
    for line in source.splitlines():
        if line.strip() == HIDDEN_BEGIN:
            inside = True
        elif line.strip() == HIDDEN_END:
            inside = False
        else:
            (hidden if inside else visible).append(line)
    return "\n".join(visible), "\n".join(hidden)


def _has_code(text: str) -> bool:
    return any(line.strip() and not line.strip().startswith("#") for line in text.splitlines())


def lint_notebook(nb) -> list[str]:
    """Problems found in one source notebook (an empty list when it is clean)."""
    problems = []
    try:
        nbformat.validate(nb)
    except nbformat.ValidationError as err:
        problems.append(f"invalid notebook: {err.message}")
    if nb.metadata.get("kernelspec", {}).get("name") != "python3":
        problems.append("the kernelspec must be python3")
    seen = set()
    for index, cell in enumerate(nb.cells):
        where = f"cell {index}"
        meta = _meta(cell)
        if not meta:
            problems.append(f"{where}: no nbgrader metadata (make it read-only at least)")
            continue
        grade_id = meta.get("grade_id", "")
        where = f"cell {index} ({grade_id or 'no grade_id'})"
        if meta.get("schema_version") != 3:
            problems.append(f"{where}: nbgrader schema_version must be 3")
        if not _GRADE_ID.match(grade_id):
            problems.append(f"{where}: grade_id must be letters, digits, - or _")
        elif grade_id in seen:
            problems.append(f"{where}: duplicate grade_id")
        seen.add(grade_id)
        if meta.get("grade"):
            points = meta.get("points")
            if not isinstance(points, (int, float)) or points <= 0:
                problems.append(f"{where}: a graded cell needs positive points, has {points!r}")
        if cell.cell_type == "code":
            if cell.get("outputs") or cell.get("execution_count") is not None:
                problems.append(f"{where}: outputs are not stripped")
            if meta.get("solution") and "### BEGIN SOLUTION" not in cell.source:
                problems.append(
                    f"{where}: a code answer must mark its solution with "
                    "### BEGIN SOLUTION / ### END SOLUTION"
                )
        if is_test(cell) and (used := reference_uses(cell.source)):
            problems.append(
                f"{where}: tests must compare with NumPy written in the test, "
                f"not with vaecourse's reference code ({', '.join(used)})"
            )
    if cell_timeout(nb) is None:
        problems.append(
            "the notebook metadata must state the cell timeout in seconds: "
            '{"vaecourse": {"cell_timeout": ...}}'
        )
    problems += _coverage_problems(nb)
    hidden = sum(
        _meta(c)["points"]
        for c in nb.cells
        if is_test(c) and _meta(c)["grade_id"].endswith("_hidden")
    )
    auto, _ = total_points(nb)
    if hidden > auto / 2:
        problems.append(
            f"hidden tests hold {hidden:g} of the {auto:g} autograded points: at most half "
            "(they vary what the visible tests show, they add no new requirement)"
        )
    if not any(
        _meta(c).get("grade") and _meta(c).get("solution") and not is_autograded_answer(c)
        for c in nb.cells
    ):
        problems.append("no manually graded answer: every assignment has a written question")
    return problems


def _dotted(node: ast.AST, aliases: dict[str, str]) -> str | None:
    """``a.b.c`` with its first name resolved through the cell's imports, or None."""
    parts = []
    while isinstance(node, ast.Attribute):
        parts.append(node.attr)
        node = node.value
    if not isinstance(node, ast.Name) or node.id not in aliases:
        return None
    return ".".join([aliases[node.id], *reversed(parts)])


def reference_uses(source: str) -> list[str]:
    """The registered reference callables (``vaecourse.reference``) that a cell's code imports or
    uses, as dotted names; magics and shell lines are skipped."""
    code = "\n".join(
        "" if line.lstrip().startswith(("%", "!")) else line for line in source.splitlines()
    )
    try:
        tree = ast.parse(code)
    except SyntaxError:
        return []
    aliases, used = {}, set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            for alias in node.names:
                aliases[alias.asname or alias.name.split(".")[0]] = (
                    alias.name if alias.asname else alias.name.split(".")[0]
                )
        elif isinstance(node, ast.ImportFrom) and node.module and not node.level:
            for alias in node.names:
                dotted = f"{node.module}.{alias.name}"
                aliases[alias.asname or alias.name] = dotted
                if is_registered(dotted) or (alias.name == "*" and node.module in REFERENCE):
                    used.add(dotted)
    for node in ast.walk(tree):
        if isinstance(node, (ast.Attribute, ast.Name)):
            dotted = _dotted(node, aliases)
            if dotted and is_registered(dotted):
                used.add(dotted)
    return sorted(used)


def _coverage_problems(nb) -> list[str]:
    """Every autograded answer X is followed directly by a visible test cell ``test_X`` and a
    hidden test cell ``test_X_hidden`` that use it (the grader credits each answer by these
    names, and the validity harness probes each answer right after its tests). The name is
    matched regardless of case: tests of a ``Sampling`` layer cover the answer ``sampling``."""
    problems = []
    tests = {_meta(c)["grade_id"]: _split_hidden(c.source) for c in nb.cells if is_test(c)}
    ids = [_meta(c).get("grade_id", "") for c in nb.cells]
    for index, cell in enumerate(nb.cells):
        if not is_autograded_answer(cell):
            continue
        name = _meta(cell)["grade_id"]
        if ids[index + 1 : index + 3] != [f"test_{name}", f"test_{name}_hidden"]:
            problems.append(
                f"answer {name}: the next cells must be test_{name} and "
                f"test_{name}_hidden, are {ids[index + 1 : index + 3]}"
            )
        uses = re.compile(rf"\b{re.escape(name)}\b", re.IGNORECASE).search
        visible, _ = tests.get(f"test_{name}", ("", ""))
        if not (_has_code(visible) and uses(visible)):
            problems.append(f"answer {name}: no visible test cell test_{name} that uses it")
        _, hidden = tests.get(f"test_{name}_hidden", ("", ""))
        if not (_has_code(hidden) and uses(hidden)):
            problems.append(f"answer {name}: no hidden test cell test_{name}_hidden that uses it")
    return problems


def crediting_tests(nb, answer: str) -> list[str]:
    """grade_ids of the test cells that credit ``answer``."""
    return [
        _meta(c)["grade_id"]
        for c in nb.cells
        if is_test(c) and _meta(c)["grade_id"] in (f"test_{answer}", f"test_{answer}_hidden")
    ]


def autograded_answers(nb) -> list[str]:
    return [_meta(c)["grade_id"] for c in nb.cells if is_autograded_answer(c)]


def grading_scheme(nb) -> dict[str, float]:
    """grade_id -> points of every graded cell."""
    return {_meta(c)["grade_id"]: _meta(c)["points"] for c in nb.cells if _meta(c).get("grade")}


def _cell_ids(nb) -> list[str]:
    return [_meta(c).get("grade_id", "") for c in nb.cells]


def _track_disagreements(by_track: dict) -> list[str]:
    """What differs between the tracks of one assignment ({track: notebook})."""
    (first, nb), *others = by_track.items()
    problems = []
    for track, other in others:
        if grading_scheme(other) != grading_scheme(nb):
            problems.append(
                f"the tracks disagree on graded cells or points: {first} has "
                f"{grading_scheme(nb)}, {track} has {grading_scheme(other)}"
            )
        ids, other_ids = _cell_ids(nb), _cell_ids(other)
        if ids != other_ids:
            k = next(
                (i for i, (a, b) in enumerate(zip(ids, other_ids, strict=False)) if a != b),
                min(len(ids), len(other_ids)),
            )
            problems.append(
                f"the tracks disagree on their sections: cell {k} is "
                f"{ids[k] if k < len(ids) else 'missing'!r} in {first} but "
                f"{other_ids[k] if k < len(other_ids) else 'missing'!r} in {track} "
                "(both tracks have the same cells, with the same grade_ids, in order)"
            )
    return problems


def lint(assignments: list[Assignment]) -> dict[str, list[str]]:
    """Problems per source notebook, plus cross-track disagreements. Empty dict: all clean."""
    report, notebooks = {}, {}
    for assignment in assignments:
        key = f"{assignment.track}/{assignment.name}"
        try:
            nb = nbformat.read(assignment.source, as_version=4)
        except Exception as err:  # unreadable JSON, missing file
            report[key] = [f"cannot read {assignment.source}: {err}"]
            continue
        problems = lint_notebook(nb)
        if problems:
            report[key] = problems
        notebooks.setdefault(assignment.name, {})[assignment.track] = nb
    for name, by_track in notebooks.items():
        problems = _track_disagreements(by_track)
        if problems:
            report[f"*/{name}"] = problems
    return report


def total_points(nb) -> tuple[float, float]:
    """(autograded points, manually graded points) of a source notebook."""
    auto = manual = 0.0
    for cell in nb.cells:
        meta = _meta(cell)
        if meta.get("grade"):
            if meta.get("solution"):
                manual += meta["points"]
            else:
                auto += meta["points"]
    return auto, manual
