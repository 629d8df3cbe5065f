"""Shared pytest fixtures for the vaecourse test suite.

* ``SHARED_DATA`` / the ``shared_data`` fixture: the folder holding the real Fashion-MNIST and
  MNIST files (``fashion-mnist/`` and ``mnist/`` sub-folders). It is ``$VAECOURSE_DATA`` when that
  is set when pytest starts, else ``<repo>/../shared/data``.
* Every test runs with ``XDG_CACHE_HOME`` pointing at a fresh temporary folder (so the user's real
  ``~/.cache/vaecourse`` is never read or written) and with ``VAECOURSE_DATA`` unset (tests that
  want it set it themselves with ``monkeypatch.setenv``). The loader's in-memory cache of parsed
  files is cleared around every test.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest

REPO_ROOT = Path(__file__).resolve().parents[1]

# Read once, at import time, before the autouse fixtures below remove the variable.
SHARED_DATA = Path(os.environ.get("VAECOURSE_DATA") or REPO_ROOT.parent / "shared" / "data")


def _clear_loader_cache() -> None:
    import vaecourse.data

    vaecourse.data._read_cached.cache_clear()


@pytest.fixture(scope="session")
def shared_data() -> Path:
    """The folder with the real datasets; skips the test when they are not there."""
    missing = [n for n in ("fashion-mnist", "mnist") if not (SHARED_DATA / n).is_dir()]
    if missing:
        if os.environ.get("CI"):  # in CI the data must be there: fail rather than skip
            pytest.fail(f"real data not found under {SHARED_DATA}: {', '.join(missing)}")
        pytest.skip(f"real data not found: {', '.join(missing)} missing under {SHARED_DATA} "
                    "(set VAECOURSE_DATA to the folder holding them)")
    return SHARED_DATA


@pytest.fixture(scope="session", autouse=True)
def _isolate_session_cache(tmp_path_factory):
    """Session-wide safety net: module- and session-scoped fixtures run before the per-test
    fixture below, so they too must never see the real user cache or a stray VAECOURSE_DATA."""
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("XDG_CACHE_HOME", str(tmp_path_factory.mktemp("xdg-cache-session")))
        mp.delenv("VAECOURSE_DATA", raising=False)
        yield


@pytest.fixture(autouse=True)
def isolated_cache(tmp_path, monkeypatch) -> Path:
    """A fresh, empty XDG cache for each test (``pooch.os_cache`` reads ``XDG_CACHE_HOME`` on every
    call). Returns the folder that ``vaecourse.data.cache_dir()`` resolves to."""
    xdg = tmp_path / "xdg-cache"
    monkeypatch.setenv("XDG_CACHE_HOME", str(xdg))
    monkeypatch.delenv("VAECOURSE_DATA", raising=False)
    _clear_loader_cache()
    yield xdg / "vaecourse"
    _clear_loader_cache()


@pytest.fixture(scope="session")
def fashion_small(shared_data):
    """Real Fashion-MNIST, the first 2,000 images of each split."""
    from vaecourse.data import load_fashion_mnist

    return load_fashion_mnist(subset=2000, data_dir=shared_data)
