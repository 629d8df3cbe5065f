"""Shared pytest fixtures for the vaecourse test suite.

* ``DATA_ROOT``: a folder with a sub-folder per real dataset (``fashion-mnist/``, ``mnist/``), found
  the way the course's loader finds them, before any test runs: ``$VAECOURSE_DATA`` when it is set
  (the Makefile sets it to ``../shared/data`` when that folder exists), else wherever the loader
  finds each dataset (the user cache, Debian's package, a download), linked into a temporary folder.
  The ``data_root`` fixture needs both datasets, ``fashion_data_root`` Fashion-MNIST only, and
  ``data_for(name)`` the one named; they skip a test when its data cannot be found, or fail it
  under ``CI=1``.
* Every test runs with ``XDG_CACHE_HOME`` pointing at a fresh temporary folder (so the user's real
  ``~/.cache/vaecourse`` is never read or written) and with ``VAECOURSE_DATA`` unset (tests that
  want it set it themselves with ``monkeypatch.setenv``). The loader's in-memory cache of parsed
  files is cleared around every test.
* Under pytest-xdist, every worker and every kernel it starts runs its frameworks on one thread
  (two workers on two cores would otherwise oversubscribe them).
"""

from __future__ import annotations

import atexit
import os
import shutil
import tempfile
from pathlib import Path

import pytest

from vaecourse.course.layout import ONE_THREAD

REPO_ROOT = Path(__file__).resolve().parents[1]
DATASETS = ("fashion-mnist", "mnist")

if os.environ.get("PYTEST_XDIST_WORKER"):
    os.environ.update(ONE_THREAD)


def _locate_data() -> Path:
    if os.environ.get("VAECOURSE_DATA"):
        return Path(os.environ["VAECOURSE_DATA"]).expanduser()
    from vaecourse.data import FASHION_MNIST, MNIST, DatasetNotFoundError, _locate

    root = Path(tempfile.mkdtemp(prefix="vaecourse-test-data-"))
    atexit.register(shutil.rmtree, root, ignore_errors=True)
    for source in (FASHION_MNIST, MNIST):
        try:
            folders = {
                _locate(source, r, None, download=True).resolve().parent for r in source.resources
            }
        except DatasetNotFoundError:
            continue
        if len(folders) == 1:
            (root / source.name).symlink_to(folders.pop(), target_is_directory=True)
    return root


# Found once, at import time, before the autouse fixtures below hide the variable and the cache.
DATA_ROOT = _locate_data()


def _require(*names: str) -> Path:
    missing = [n for n in names if not (DATA_ROOT / n).is_dir()]
    if missing:
        message = (
            f"real data not found: {', '.join(missing)} (looked in {DATA_ROOT}; set "
            "VAECOURSE_DATA to a folder holding fashion-mnist/ and mnist/)"
        )
        if os.environ.get("CI"):  # in CI the data must be there: fail rather than skip
            pytest.fail(message)
        pytest.skip(message)
    return DATA_ROOT


@pytest.fixture(scope="session")
def data_root() -> Path:
    """The folder holding the real Fashion-MNIST and MNIST (``fashion-mnist/``, ``mnist/``)."""
    return _require(*DATASETS)


@pytest.fixture(scope="session")
def data_for():
    """``data_for(name, ...)``: the data folder, once it is known to hold those datasets."""
    return _require


@pytest.fixture(scope="session")
def fashion_data_root() -> Path:
    """The folder holding the real Fashion-MNIST (``fashion-mnist/``)."""
    return _require("fashion-mnist")


@pytest.fixture(scope="session", autouse=True)
def _isolate_session_cache(tmp_path_factory):
    """Session-wide safety net: module- and session-scoped fixtures run before the per-test
    fixture below, so they too must never see the real user cache or a stray VAECOURSE_DATA."""
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("XDG_CACHE_HOME", str(tmp_path_factory.mktemp("xdg-cache-session")))
        mp.delenv("VAECOURSE_DATA", raising=False)
        yield


def _clear_loader_cache() -> None:
    import vaecourse.data

    vaecourse.data._read_cached.cache_clear()


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
def fashion_small(fashion_data_root):
    """Real Fashion-MNIST, the first 2,000 images of each split."""
    from vaecourse.data import load_fashion_mnist

    return load_fashion_mnist(subset=2000, data_dir=fashion_data_root)
