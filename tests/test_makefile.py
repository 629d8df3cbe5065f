"""The README's two commands, as the Makefile builds them (``make -n`` prints without running)."""

from __future__ import annotations

import os
import subprocess
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]


def _recipe(target: str, *variables: str) -> list[str]:
    result = subprocess.run(
        ["make", "-n", target, *variables], cwd=REPO, capture_output=True, text=True, check=True
    )
    return result.stdout.splitlines()


def _lab_command(*variables: str) -> str:
    (line,) = [line for line in _recipe("lab", *variables) if " lab " in line + " "]
    return line


@pytest.mark.parametrize("user_id, allowed", [("0", True), ("1000", False)])
def test_make_lab_allows_root_exactly_when_run_as_root(user_id, allowed):
    """Jupyter refuses to start as root ("Running as root is not recommended. Use --allow-root to
    bypass."): containers and CI run as root."""
    command = _lab_command(f"USER_ID={user_id}")
    assert "jupyter lab" in command and "--notebook-dir=." in command
    assert ("--allow-root" in command) is allowed, command


def test_make_lab_knows_who_runs_it():
    assert ("--allow-root" in _lab_command()) is (os.getuid() == 0)


def test_make_test_runs_the_code_lint_then_the_whole_suite_in_parallel():
    recipe = _recipe("test")
    ruff = [i for i, line in enumerate(recipe) if "ruff" in line]
    (pytest_line,) = [i for i, line in enumerate(recipe) if "-m pytest" in line]
    assert len(ruff) == 2 and max(ruff) < pytest_line, recipe
    assert "-n 2 --dist loadscope" in recipe[pytest_line]
    assert "--ignore" not in recipe[pytest_line], "make test is the whole suite"


def test_make_test_quick_skips_the_browser_suite_and_the_harness():
    (line,) = [line for line in _recipe("test-quick") if "-m pytest" in line]
    assert "--ignore=tests/test_browser.py" in line and "--ignore=tests/test_validity.py" in line
