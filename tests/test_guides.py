"""The guides in docs/ cannot rot: what they name must exist, and what they quote must be printed.

- every repository path in their code (inline spans and code blocks) exists; ``<track>``,
  ``<id>`` and other ``<placeholders>`` match any name, and so does ``*``;
- every relative link between documents points at a file;
- every ``make <target>`` they show is a target of the Makefile (``make -n <target>`` succeeds);
- every ``vaecourse <subcommand>`` they show exists, with every ``--flag`` given to it (also in
  ``HUB_ARGS="..."``) listed by ``vaecourse <subcommand> --help``;
- every ``vaecourse.<module>[.<name>]`` they name is a module of the package, the name in it;
- every error message that troubleshooting.md quotes (its ``text`` code blocks) contains
  distinctive pieces of the string literals of the code that prints it: the ``vaecourse`` package,
  or nbclient, nbgrader, nbformat or ipykernel for the messages those tools print;
- the self-study guide's table lists every assignment of the course.
"""

from __future__ import annotations

import ast
import contextlib
import functools
import glob
import importlib.util
import io
import re
import subprocess
from pathlib import Path

import pytest

from vaecourse.cli import main as vaecourse_main

REPO = Path(__file__).resolve().parents[1]
DOCS = REPO / "docs"
GUIDES = ("instructor-guide.md", "self-study.md", "troubleshooting.md")
# The repository's own top-level entries: a path in the guides that starts with one of these is a
# path of the repository (others, such as grading/01-pytorch or ~/Downloads, are the reader's).
TOP_LEVEL = {
    "assignments",
    "benchmarks",
    "course",
    "docs",
    "hub",
    "scripts",
    "solutions",
    "tests",
    "vaecourse",
    "Makefile",
    "README.md",
    "constraints.txt",
    "environment.yml",
    "pyproject.toml",
    "nbgrader_config.py",
}
# Packages besides vaecourse whose messages troubleshooting.md quotes (their tests excluded).
MESSAGE_PACKAGES = ("nbclient", "nbgrader", "nbformat", "ipykernel")
# A quoted message is backed by the code when it contains pieces of the code's string literals
# that are words (with a space: not a bare path or name), each at least MIN_PIECE characters long
# and together at least MIN_BACKING.
MIN_PIECE, MIN_BACKING = 10, 20

FENCE = re.compile(r"^([ \t]*)```([\w-]*)[ \t]*\n(.*?)\n\1```[ \t]*$", re.S | re.M)
INLINE = re.compile(r"(`+)(.+?)\1", re.S)


def _text(name: str) -> str:
    return (DOCS / name).read_text(encoding="utf-8")


def _blocks(text: str) -> list[tuple[str, str]]:
    """(info string, content) of every fenced code block, the content dedented."""
    found = []
    for indent, info, body in FENCE.findall(text):
        lines = body.split("\n")
        found.append((info, "\n".join(line.removeprefix(indent) for line in lines)))
    return found


def _code(text: str) -> list[str]:
    """Every piece of code in a guide that is not a quoted message: code blocks other than
    ``text`` ones, and inline code spans outside code blocks."""
    pieces = [body for info, body in _blocks(text) if info != "text"]
    prose = FENCE.sub("", text)
    pieces += [span.strip() for _, span in INLINE.findall(prose)]
    # a command continued on the next line is one line
    return [piece.replace("\\\n", " ") for piece in pieces]


def _all_code() -> list[tuple[str, str]]:
    return [(name, piece) for name in GUIDES for piece in _code(_text(name))]


def _path_candidates() -> list[tuple[str, str]]:
    found = []
    for name, piece in _all_code():
        for token in piece.split():
            token = token.strip("\"'(),;:").removesuffix(".")
            first = token.split("/")[0]
            # a folder counts with its slash (``hub`` alone is a word; ``hub/`` is a path)
            if first in TOP_LEVEL and ("/" in token or "." in token or token == "Makefile"):
                found.append((name, token))
    return sorted(set(found))


def _exists(path: str) -> bool:
    pattern = re.sub(r"<[^<>/]+>", "*", path)
    return bool(glob.glob(str(REPO / pattern)))


def test_every_repository_path_in_the_guides_exists():
    candidates = _path_candidates()
    assert len(candidates) > 20, "the guides name the repository's files"
    missing = [f"{name}: {path}" for name, path in candidates if not _exists(path)]
    assert not missing, "paths that do not exist:\n" + "\n".join(missing)


def test_every_link_between_the_documents_points_at_a_file():
    missing = []
    for name in GUIDES:
        for target in re.findall(r"\]\(([^)\s]+)\)", FENCE.sub("", _text(name))):
            if "://" in target or target.startswith("#"):
                continue
            if not (DOCS / target.split("#")[0]).exists():
                missing.append(f"{name}: {target}")
    assert not missing, missing


def _make_targets() -> set[str]:
    targets = set()
    assignment = r"[A-Za-z_]+=(?:\"[^\"]*\"|\S+)\s+"
    for _, piece in _all_code():
        for match in re.finditer(rf"(?<![\w-])make\s+(?:{assignment})*([a-z][\w-]*)", piece):
            targets.add(match.group(1))
    return targets


def test_every_make_target_in_the_guides_exists():
    targets = _make_targets()
    assert {"install", "lab", "data", "assignments", "hub"} <= targets, targets
    for target in sorted(targets):
        result = subprocess.run(["make", "-n", target], cwd=REPO, capture_output=True, text=True)
        assert result.returncode == 0, f"make {target}: {result.stderr}"


@functools.cache
def _help(subcommand: str | None) -> str:
    """What ``vaecourse [subcommand] --help`` prints."""
    out = io.StringIO()
    with contextlib.redirect_stdout(out), pytest.raises(SystemExit):
        vaecourse_main([subcommand, "--help"] if subcommand else ["--help"])
    return out.getvalue()


def _without_comment(line: str) -> str:
    return re.split(r"\s#\s", line, maxsplit=1)[0]


def _vaecourse_commands() -> list[tuple[str, str, list[str]]]:
    """(guide, subcommand, its flags) of every ``vaecourse <subcommand> ...`` in the guides."""
    commands = []
    flag = re.compile(r"(?<![\w-])--[a-z][a-z-]*")
    for name, piece in _all_code():
        for line in piece.splitlines():
            line = _without_comment(line)
            for match in re.finditer(r"(?:^|[\s/])vaecourse\s+([a-z][a-z-]*)([^|;&]*)", line):
                commands.append((name, match.group(1), flag.findall(match.group(2))))
            for hub_args in re.findall(r'HUB_ARGS="([^"]*)"', line):
                commands.append((name, "hub", flag.findall(hub_args)))
    return commands


def test_every_vaecourse_command_and_flag_in_the_guides_is_accepted():
    commands = _vaecourse_commands()
    subcommands = {sub for _, sub, _ in commands}
    assert {"lint", "build", "check-build", "grade", "export", "hub", "validate"} <= subcommands
    assert {"--jobs", "--no-sandbox", "--cell-timeout"} <= {
        flag for _, sub, flags in commands if sub == "grade" for flag in flags
    }
    known = set(re.search(r"\{([a-z,-]+)\}", _help(None)).group(1).split(","))
    problems = []
    for name, sub, flags in commands:
        if sub not in known:
            problems.append(f"{name}: vaecourse {sub}: no such subcommand")
            continue
        problems += [
            f"{name}: vaecourse {sub} {f}: not an option"
            for f in flags
            if not re.search(rf"{re.escape(f)}(?![\w-])", _help(sub))
        ]
    assert not problems, "\n".join(problems)


def _module_path(parts: list[str]) -> Path | None:
    folder = REPO.joinpath(*parts)
    if (folder / "__init__.py").is_file():
        return folder / "__init__.py"
    module = folder.with_suffix(".py")
    return module if module.is_file() else None


def test_every_vaecourse_module_named_in_the_guides_exists():
    dotted = set()
    for _, piece in _all_code():
        dotted |= set(re.findall(r"(?<![\w./])vaecourse(?:\.\w+)+", piece))
    assert "vaecourse.data" in dotted, dotted
    problems = []
    for name in sorted(dotted):
        parts = name.split(".")
        k = max((k for k in range(1, len(parts) + 1) if _module_path(parts[:k])), default=0)
        if k == 0:
            problems.append(f"{name}: no such module")
        elif k < len(parts):
            source = _module_path(parts[:k]).read_text(encoding="utf-8")
            if not re.search(rf"\b{re.escape(parts[k])}\b", source):
                problems.append(f"{name}: {parts[k]} is not in {'.'.join(parts[:k])}")
    assert not problems, problems


def _python_files() -> list[Path]:
    files = list((REPO / "vaecourse").rglob("*.py"))
    for package in MESSAGE_PACKAGES:
        spec = importlib.util.find_spec(package)
        assert spec and spec.submodule_search_locations, f"{package} is not installed"
        root = Path(spec.submodule_search_locations[0])
        files += [p for p in root.rglob("*.py") if "tests" not in p.relative_to(root).parts]
    return files


@functools.cache
def _message_fragments() -> frozenset[str]:
    """The distinctive pieces of every string literal in the code that prints the messages: each
    literal (an f-string's literal parts apart) cut at its format fields and line breaks, colour
    codes removed."""
    fields = re.compile(r"%[-#0 +]*\d*(?:\.\d+)?[sdrfi]|\{[^{}]*\}|\x1b\[[0-9;]*m|\n")
    fragments = set()
    for path in _python_files():
        try:
            tree = ast.parse(path.read_text(encoding="utf-8"))
        except (SyntaxError, UnicodeDecodeError):
            continue
        for node in ast.walk(tree):
            if isinstance(node, ast.Constant) and isinstance(node.value, str):
                for piece in fields.split(node.value):
                    piece = piece.strip()
                    if len(piece) >= MIN_PIECE and " " in piece:
                        fragments.add(piece)
    return frozenset(fragments)


def _backing(message: str) -> int:
    """How many characters of ``message`` come from the code's string literals (the longest
    pieces first, each place in the message counted once)."""
    covered = [False] * len(message)
    for piece in sorted(_message_fragments(), key=len, reverse=True):
        start = message.find(piece)
        while start >= 0:
            covered[start : start + len(piece)] = [True] * len(piece)
            start = message.find(piece, start + 1)
    return sum(covered)


def test_every_quoted_error_message_is_printed_by_the_code():
    messages = [body for info, body in _blocks(_text("troubleshooting.md")) if info == "text"]
    assert len(messages) >= 15, "troubleshooting.md quotes its messages in ```text blocks"
    unknown = [m for m in messages if _backing(m) < MIN_BACKING]
    assert not unknown, "messages that no code prints:\n\n" + "\n\n".join(unknown)


def test_the_self_study_guide_lists_every_assignment():
    text = _text("self-study.md")
    names = sorted(p.name for p in (REPO / "course" / "pytorch" / "source").iterdir() if p.is_dir())
    assert names, "no assignments found"
    missing = [name for name in names if f"| `{name}` |" not in text]
    assert not missing, f"the self-study guide's time table lacks {missing}"
