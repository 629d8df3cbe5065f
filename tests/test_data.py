"""Tests of vaecourse.data and vaecourse.idx, run on the real Fashion-MNIST and MNIST files.

Nothing in the loader is mocked. Tests point it at real files (``data_dir=``, ``VAECOURSE_DATA``
or copies in ``tmp_path``); the only things patched are the dataset descriptions' ``mirrors`` and
``system_dirs`` (to make "offline" and "download" deterministic). conftest.py gives each test an
empty cache folder.
"""

from __future__ import annotations

import dataclasses
import functools
import gzip
import hashlib
import http.server
import os
import shutil
import struct
import subprocess
import sys
import threading
from pathlib import Path

import numpy as np
import pytest

import vaecourse.data as data
from vaecourse.data import CorruptDataError, DatasetNotFoundError
from vaecourse.idx import IMAGES_MAGIC, LABELS_MAGIC, gunzip, parse_idx

REPO_ROOT = Path(__file__).resolve().parents[1]
SOURCES = {"fashion-mnist": data.FASHION_MNIST, "mnist": data.MNIST}
LOADERS = {"fashion-mnist": data.load_fashion_mnist, "mnist": data.load_mnist}
FILENAMES = (
    "train-images-idx3-ubyte.gz",
    "train-labels-idx1-ubyte.gz",
    "t10k-images-idx3-ubyte.gz",
    "t10k-labels-idx1-ubyte.gz",
)
FASHION_CLASSES = (
    "T-shirt/top",
    "Trouser",
    "Pullover",
    "Dress",
    "Coat",
    "Sandal",
    "Shirt",
    "Sneaker",
    "Bag",
    "Ankle boot",
)
TRAIN_IMAGES, TRAIN_LABELS, TEST_IMAGES, TEST_LABELS = FILENAMES
DEAD_MIRROR = "http://127.0.0.1:9/"  # the discard port: nothing listens, connection refused


# --------------------------------------------------------------------------------------------
# helpers: an independent reading of the official files (plain gzip + numpy, not vaecourse.idx)
# --------------------------------------------------------------------------------------------


@functools.cache
def _gz_bytes(path: Path) -> bytes:
    return path.read_bytes()


@functools.cache
def _raw_bytes(path: Path) -> bytes:
    return gzip.decompress(_gz_bytes(path))


def _official_array(path: Path) -> np.ndarray:
    raw = _raw_bytes(path)
    magic, n = struct.unpack(">II", raw[:8])
    if magic == IMAGES_MAGIC:
        rows, cols = struct.unpack(">II", raw[8:16])
        return np.frombuffer(raw, np.uint8, offset=16).reshape(n, rows, cols)
    assert magic == LABELS_MAGIC
    return np.frombuffer(raw, np.uint8, offset=8)


def _resource(source_name: str, filename: str):
    (resource,) = [r for r in SOURCES[source_name].resources if r.filename == filename]
    return resource


def _copy_dataset(shared: Path, name: str, dest: Path, filenames=FILENAMES) -> Path:
    """Real copies (not symlinks: the loader resolves links, which would point back at shared)."""
    dest.mkdir(parents=True, exist_ok=True)
    for filename in filenames:
        shutil.copyfile(shared / name / filename, dest / filename)
    return dest


def _files_under(folder: Path) -> list[Path]:
    return sorted(p for p in folder.rglob("*") if p.is_file()) if folder.exists() else []


@pytest.fixture
def patch_source(monkeypatch):
    """Replace a dataset description in vaecourse.data (the loaders read the module global at
    call time): patch_source("fashion-mnist", mirrors=(...), system_dirs=())."""

    def patch(name: str, **changes):
        attr = {"fashion-mnist": "FASHION_MNIST", "mnist": "MNIST"}[name]
        new = dataclasses.replace(getattr(data, attr), **changes)
        monkeypatch.setattr(data, attr, new)
        return new

    return patch


@pytest.fixture
def no_system_dirs(patch_source):
    """Ignore /usr/share/datasets/fashion-mnist, which exists on some machines."""
    patch_source("fashion-mnist", system_dirs=())


# --------------------------------------------------------------------------------------------
# 0. test isolation itself
# --------------------------------------------------------------------------------------------


def test_cache_is_isolated(isolated_cache, tmp_path):
    assert data.cache_dir() == isolated_cache
    assert tmp_path in data.cache_dir().parents
    assert data.ENV_VAR not in os.environ


# --------------------------------------------------------------------------------------------
# 1. checksums
# --------------------------------------------------------------------------------------------


@pytest.mark.parametrize("name", SOURCES)
def test_resources_are_the_four_files_in_order(name):
    source = SOURCES[name]
    assert source.name == name
    assert tuple(r.filename for r in source.resources) == FILENAMES
    assert [r.magic for r in source.resources] == [IMAGES_MAGIC, LABELS_MAGIC] * 2
    assert len(source.mirrors) >= 1 and all(m.endswith("/") for m in source.mirrors)


@pytest.mark.parametrize("name,filename", [(n, f) for n in SOURCES for f in FILENAMES])
def test_checksums_match_the_real_files(data_for, name, filename):
    data_root = data_for(name)
    resource = _resource(name, filename)
    path = data_root / name / filename
    raw = _raw_bytes(path)
    assert hashlib.sha256(raw).hexdigest() == resource.sha256
    assert int.from_bytes(raw[:4], "big") == resource.magic
    if not _gz_bytes(path)[3] & 0x08:  # no FNAME in the gzip header: Debian re-compressed it
        pytest.skip(f"{path} is Debian's re-compressed copy: only its content can be checked")
    assert hashlib.md5(_gz_bytes(path)).hexdigest() == resource.md5


# --------------------------------------------------------------------------------------------
# 2. splits and contents
# --------------------------------------------------------------------------------------------


@pytest.fixture(scope="module", params=list(SOURCES))
def full(request, data_for):
    """(name, float32 dataset, uint8 dataset) loaded once per module from the real files."""
    name = request.param
    data_root = data_for(name)
    data._read_cached.cache_clear()
    ds = LOADERS[name](data_dir=data_root, download=False)
    ds8 = LOADERS[name](data_dir=data_root, download=False, dtype="uint8")
    data._read_cached.cache_clear()
    return name, ds, ds8


def test_split_sizes_and_types(full):
    name, ds, ds8 = full
    assert ds.name == name
    for split, n in ((ds.train, 55_000), (ds.valid, 5_000), (ds.test, 10_000)):
        assert split.images.shape == (n, 28, 28)
        assert split.images.dtype == np.float32
        assert split.labels.shape == (n,)
        assert split.labels.dtype == np.int64
        assert 0.0 <= split.images.min() and split.images.max() <= 1.0
        assert split.images.max() == 1.0  # some pixels are saturated in every split
        assert set(np.unique(split.labels)) == set(range(10))
    for split in (ds8.train, ds8.valid, ds8.test):
        assert split.images.dtype == np.uint8
        assert split.labels.dtype == np.int64


def test_class_names(full):
    name, ds, ds8 = full
    expected = FASHION_CLASSES if name == "fashion-mnist" else tuple("0123456789")
    assert ds.class_names == expected
    assert ds8.class_names == expected
    assert isinstance(ds.class_names, tuple) and len(ds.class_names) == 10


def test_splits_match_the_official_files(full, data_for):
    """train = first 55,000 of the official train file, valid = its LAST 5,000, test = t10k."""
    name, _, ds8 = full
    folder = data_for(name) / name
    train_x, train_y = (
        _official_array(folder / TRAIN_IMAGES),
        _official_array(folder / TRAIN_LABELS),
    )
    test_x, test_y = _official_array(folder / TEST_IMAGES), _official_array(folder / TEST_LABELS)
    assert train_x.shape == (60_000, 28, 28) and test_x.shape == (10_000, 28, 28)
    np.testing.assert_array_equal(ds8.train.images, train_x[:55_000])
    np.testing.assert_array_equal(ds8.train.labels, train_y[:55_000])
    np.testing.assert_array_equal(ds8.valid.images, train_x[-5_000:])
    np.testing.assert_array_equal(ds8.valid.labels, train_y[-5_000:])
    np.testing.assert_array_equal(ds8.test.images, test_x)
    np.testing.assert_array_equal(ds8.test.labels, test_y)


def test_uint8_is_float_times_255(full):
    _, ds, ds8 = full
    for f, u in ((ds.train, ds8.train), (ds.valid, ds8.valid), (ds.test, ds8.test)):
        np.testing.assert_array_equal(u.labels, f.labels)
        assert np.array_equal(u.images.astype(np.float32) / np.float32(255), f.images)
    for f, u in ((ds.valid, ds8.valid), (ds.test, ds8.test)):  # and back (train: too big to redo)
        assert np.array_equal(np.rint(f.images * 255).astype(np.uint8), u.images)
    assert ds8.train.images.max() == 255 and ds8.train.images.min() == 0


def test_subset(data_for, full):
    name, ds, _ = full
    data_root = data_for(name)
    small = LOADERS[name](subset=100, data_dir=data_root, download=False)
    for s, f in ((small.train, ds.train), (small.valid, ds.valid), (small.test, ds.test)):
        assert s.images.shape == (100, 28, 28) and s.labels.shape == (100,)
        np.testing.assert_array_equal(s.images, f.images[:100])
        np.testing.assert_array_equal(s.labels, f.labels[:100])
    # a subset larger than a split keeps the whole split; numpy integers are accepted
    big = LOADERS[name](subset=np.int64(6_000), data_dir=data_root, download=False)
    assert [len(s.images) for s in (big.train, big.valid, big.test)] == [6_000, 5_000, 6_000]


@pytest.fixture(scope="module")
def fashion_binarized(fashion_data_root):
    load = functools.partial(
        data.load_fashion_mnist, subset=3_000, data_dir=fashion_data_root, download=False
    )
    data._read_cached.cache_clear()
    out = {
        "float": load(),
        "seed0": load(binarize=True, seed=0),
        "seed0-again": load(binarize=True, seed=0),
        "seed1": load(binarize=True, seed=1),
        "uint8": load(binarize=True, seed=0, dtype="uint8"),
    }
    data._read_cached.cache_clear()
    return out


def test_binarize_values_and_dtype(fashion_binarized):
    b = fashion_binarized["seed0"]
    for split in (b.train, b.valid, b.test):
        assert split.images.dtype == np.float32
        assert set(np.unique(split.images)) == {0.0, 1.0}
    u = fashion_binarized["uint8"]
    assert u.train.images.dtype == np.uint8
    assert set(np.unique(u.train.images)) == {0, 1}
    np.testing.assert_array_equal(u.train.images, b.train.images.astype(np.uint8))


def test_binarize_is_seeded(fashion_binarized):
    a, a2, c = (fashion_binarized[k] for k in ("seed0", "seed0-again", "seed1"))
    for s1, s2, s3 in zip(
        (a.train, a.valid, a.test),
        (a2.train, a2.valid, a2.test),
        (c.train, c.valid, c.test),
        strict=True,
    ):
        np.testing.assert_array_equal(s1.images, s2.images)
        assert not np.array_equal(s1.images, s3.images)
        np.testing.assert_array_equal(s1.labels, s3.labels)  # labels are never touched


def test_binarize_mean_matches_intensity(fashion_binarized):
    f, b = fashion_binarized["float"], fashion_binarized["seed0"]
    for fs, bs in ((f.train, b.train), (f.valid, b.valid), (f.test, b.test)):
        assert abs(bs.images.mean() - fs.images.mean()) < 0.01
        # black pixels never switch on, saturated ones are always on
        assert not bs.images[fs.images == 0].any()
        assert bs.images[fs.images == 1].all()


def test_returned_arrays_are_private_copies(data_root):
    """Mutating a returned array must not change what the next load returns (the loader keeps
    parsed files in an in-memory cache)."""
    for dtype in ("uint8", "float32"):
        first = data.load_mnist(subset=10, dtype=dtype, data_dir=data_root, download=False)
        before = first.train.images.copy()
        first.train.images[:] = 0
        first.train.labels[:] = 0
        again = data.load_mnist(subset=10, dtype=dtype, data_dir=data_root, download=False)
        np.testing.assert_array_equal(again.train.images, before)
        assert again.train.labels.any()


@pytest.mark.parametrize(
    "kwargs",
    [
        {"dtype": "float64"},
        {"dtype": "int"},
        {"dtype": np.float32},
        {"subset": 0},
        {"subset": -5},
        {"subset": 1.5},
        {"subset": "100"},
    ],
)
@pytest.mark.parametrize("loader", ["fashion-mnist", "mnist", "digits"])
def test_bad_arguments_raise_value_error(data_for, kwargs, loader):
    if loader == "digits":  # needs no file
        with pytest.raises(ValueError):
            data.load_digits(**kwargs)
        return
    with pytest.raises(ValueError) as excinfo:
        LOADERS[loader](data_dir=data_for(loader), download=False, **kwargs)
    assert not isinstance(excinfo.value, CorruptDataError)
    key = next(iter(kwargs))
    assert key in str(excinfo.value)


def test_bad_arguments_are_checked_before_looking_for_files(tmp_path, no_system_dirs):
    """A wrong argument is reported as such, not as missing data (and never after a download)."""
    empty = tmp_path / "empty"
    empty.mkdir()
    for kwargs in ({"dtype": "float64"}, {"subset": 0}):
        with pytest.raises(ValueError, match=next(iter(kwargs))):
            data.load_fashion_mnist(data_dir=empty, download=False, **kwargs)


# --------------------------------------------------------------------------------------------
# 3. where the files are looked for
# --------------------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def fashion_copies(fashion_data_root, tmp_path_factory):
    """Copies of Fashion-MNIST in both supported layouts: <root>/fashion-mnist/*.gz and flat."""
    root = tmp_path_factory.mktemp("fashion-copies")
    _copy_dataset(fashion_data_root, "fashion-mnist", root / "nested" / "fashion-mnist")
    _copy_dataset(fashion_data_root, "fashion-mnist", root / "flat")
    return root


@pytest.mark.parametrize("layout", ["nested", "flat"])
def test_env_var_is_used(
    monkeypatch, fashion_copies, fashion_data_root, isolated_cache, no_system_dirs, layout
):
    """With download=False and an empty cache the env folder is the only place the data exist,
    so a successful load proves it was read from there."""
    env_root = fashion_copies / layout
    monkeypatch.setenv("VAECOURSE_DATA", str(env_root))
    ds = data.load_fashion_mnist(subset=200, download=False, dtype="uint8")
    official = fashion_data_root / "fashion-mnist"
    np.testing.assert_array_equal(ds.train.images, _official_array(official / TRAIN_IMAGES)[:200])
    np.testing.assert_array_equal(
        ds.valid.labels, _official_array(official / TRAIN_LABELS)[55_000:55_200]
    )
    np.testing.assert_array_equal(ds.test.images, _official_array(official / TEST_IMAGES)[:200])
    assert _files_under(isolated_cache) == []  # nothing was downloaded or copied to the cache

    # and without the variable the very same call cannot find anything
    monkeypatch.delenv("VAECOURSE_DATA")
    data._read_cached.cache_clear()
    with pytest.raises(DatasetNotFoundError):
        data.load_fashion_mnist(subset=200, download=False)


def test_env_var_expands_user(monkeypatch, fashion_copies, no_system_dirs):
    monkeypatch.setenv("HOME", str(fashion_copies))
    monkeypatch.setenv("VAECOURSE_DATA", "~/nested")
    ds = data.load_fashion_mnist(subset=5, download=False)
    assert ds.train.images.shape == (5, 28, 28)


def test_data_dir_takes_priority_over_env_var(
    tmp_path, monkeypatch, fashion_data_root, no_system_dirs
):
    env_root = tmp_path / "env"
    bad = env_root / "fashion-mnist" / TRAIN_IMAGES
    bad.parent.mkdir(parents=True)
    bad.write_bytes(b"this is not a gzip file")
    monkeypatch.setenv("VAECOURSE_DATA", str(env_root))
    with pytest.raises(CorruptDataError):  # the env folder alone: its corrupt file is used
        data.load_fashion_mnist(subset=5, download=False)
    ds = data.load_fashion_mnist(subset=5, data_dir=fashion_data_root, download=False)
    assert ds.train.images.shape == (5, 28, 28)


def test_data_dir_accepts_str_and_dataset_folder(data_root, no_system_dirs):
    """data_dir may be a str, and may also be the dataset folder itself (flat layout)."""
    a = data.load_mnist(subset=3, data_dir=str(data_root), download=False)
    b = data.load_mnist(subset=3, data_dir=data_root / "mnist", download=False)
    np.testing.assert_array_equal(a.train.images, b.train.images)


def test_files_found_in_the_cache(data_root, isolated_cache, no_system_dirs):
    _copy_dataset(data_root, "mnist", isolated_cache / "mnist")
    ds = data.load_mnist(subset=4, download=False)
    assert ds.test.labels.shape == (4,)


def test_regzipped_copy_is_accepted(tmp_path, fashion_data_root, no_system_dirs):
    """Debian re-compresses the files (different gzip header, so a different MD5). The loader
    checks a SHA-256 of the decompressed content, so such copies must be accepted."""
    folder = _copy_dataset(fashion_data_root, "fashion-mnist", tmp_path / "deb" / "fashion-mnist")
    for filename in (TRAIN_LABELS, TEST_IMAGES, TEST_LABELS):
        regz = gzip.compress(
            _raw_bytes(fashion_data_root / "fashion-mnist" / filename), compresslevel=1, mtime=0
        )
        assert regz[:10] != _gz_bytes(fashion_data_root / "fashion-mnist" / filename)[:10]
        assert hashlib.md5(regz).hexdigest() != _resource("fashion-mnist", filename).md5
        (folder / filename).write_bytes(regz)
    ds = data.load_fashion_mnist(data_dir=tmp_path / "deb", dtype="uint8", download=False)
    np.testing.assert_array_equal(
        ds.test.images, _official_array(fashion_data_root / "fashion-mnist" / TEST_IMAGES)
    )
    np.testing.assert_array_equal(
        ds.valid.labels,
        _official_array(fashion_data_root / "fashion-mnist" / TRAIN_LABELS)[-5_000:],
    )


@pytest.fixture(scope="module")
def debian_dir():
    """Where Debian's package dataset-fashion-mnist put its files (.ci/run installs it)."""
    folder = data.DEBIAN_FASHION_DIR
    if not all((folder / f).is_file() for f in FILENAMES):
        message = f"Debian's dataset-fashion-mnist is not installed ({folder} is incomplete)"
        if os.environ.get("CI"):  # CI installs the package: its absence there is a failure
            pytest.fail(message)
        pytest.skip(message + ": apt-get install dataset-fashion-mnist")
    return folder


def test_debian_package_files_are_accepted(debian_dir, patch_source, isolated_cache):
    """Debian's real copies, found through system_dirs (the place the package installs them)."""
    assert data.DEBIAN_FASHION_DIR in data.FASHION_MNIST.system_dirs
    patch_source("fashion-mnist", system_dirs=(debian_dir,), mirrors=(DEAD_MIRROR,))
    for filename in FILENAMES:  # not the official bytes: only the SHA-256 check can accept them
        assert (
            hashlib.md5((debian_dir / filename).read_bytes()).hexdigest()
            != _resource("fashion-mnist", filename).md5
        )
    ds = data.load_fashion_mnist(subset=50)
    assert ds.train.images.shape == (50, 28, 28)
    assert _files_under(isolated_cache) == []


# --------------------------------------------------------------------------------------------
# 4. corrupt files
# --------------------------------------------------------------------------------------------


def _truncated_gz(shared: Path) -> bytes:
    gz = _gz_bytes(shared / "fashion-mnist" / TRAIN_IMAGES)
    return gz[: len(gz) // 2]


def _truncated_idx(shared: Path) -> bytes:
    raw = _raw_bytes(shared / "fashion-mnist" / TRAIN_IMAGES)
    return gzip.compress(raw[: 16 + 784 * 1000], mtime=0)  # header still says 60,000 images


def _labels_as_images(shared: Path) -> bytes:
    return _gz_bytes(shared / "fashion-mnist" / TRAIN_LABELS)


def _mnist_in_fashion(shared: Path) -> bytes:
    return _gz_bytes(shared / "mnist" / TRAIN_IMAGES)


CORRUPTIONS = {  # what ends up as fashion-mnist/train-images-idx3-ubyte.gz, expected message
    "truncated-gz": (_truncated_gz, "not a complete gzip file"),
    "truncated-idx": (_truncated_idx, "truncated or padded"),
    "wrong-magic": (_labels_as_images, "magic number 2049, expected 2051"),
    "mnist-file": (_mnist_in_fashion, "SHA-256"),
}


@pytest.mark.parametrize("kind", CORRUPTIONS)
def test_corrupt_file_raises(kind, tmp_path, fashion_data_root, no_system_dirs):
    make, expected = CORRUPTIONS[kind]
    bad = tmp_path / "data" / "fashion-mnist" / TRAIN_IMAGES
    bad.parent.mkdir(parents=True)
    bad.write_bytes(make(fashion_data_root))
    with pytest.raises(CorruptDataError) as excinfo:
        data.load_fashion_mnist(data_dir=tmp_path / "data", download=False)
    message = str(excinfo.value)
    assert str(bad.resolve()) in message
    assert expected in message
    assert isinstance(excinfo.value, ValueError)


def test_one_changed_byte_fails_the_checksum(tmp_path, fashion_data_root, no_system_dirs):
    """Structurally valid (right magic, right size) but one label changed: only the SHA-256
    catches it. Labels are used (small to re-compress), so the train images must be valid."""
    folder = _copy_dataset(
        fashion_data_root,
        "fashion-mnist",
        tmp_path / "data" / "fashion-mnist",
        filenames=(TRAIN_IMAGES,),
    )
    raw = bytearray(_raw_bytes(fashion_data_root / "fashion-mnist" / TRAIN_LABELS))
    raw[8 + 1234] = (raw[8 + 1234] + 1) % 10
    bad = folder / TRAIN_LABELS
    bad.write_bytes(gzip.compress(bytes(raw), mtime=0))
    assert parse_idx(bytes(raw), expected_magic=LABELS_MAGIC, source="x").shape == (60_000,)
    with pytest.raises(CorruptDataError) as excinfo:
        data.load_fashion_mnist(data_dir=tmp_path / "data", download=False)
    message = str(excinfo.value)
    assert str(bad.resolve()) in message
    assert "SHA-256" in message
    assert _resource("fashion-mnist", TRAIN_LABELS).sha256 in message


def test_corrupt_file_is_not_skipped_for_a_later_location(
    tmp_path, monkeypatch, fashion_data_root, patch_source
):
    """A corrupt copy in data_dir raises even though a valid copy is in VAECOURSE_DATA, and
    even though downloading is allowed (it is never silently replaced)."""
    patch_source("fashion-mnist", system_dirs=(), mirrors=(DEAD_MIRROR,))
    bad = tmp_path / "data" / TRAIN_IMAGES  # flat layout this time
    bad.parent.mkdir(parents=True)
    bad.write_bytes(_truncated_gz(fashion_data_root))
    monkeypatch.setenv("VAECOURSE_DATA", str(fashion_data_root))
    for download in (False, True):
        with pytest.raises(CorruptDataError, match="not a complete gzip") as excinfo:
            data.load_fashion_mnist(subset=5, data_dir=tmp_path / "data", download=download)
        assert str(bad.resolve()) in str(excinfo.value)


def test_corrupt_file_in_cache_raises(data_root, isolated_cache, patch_source):
    """E.g. a copy damaged after download: named in the error, not re-downloaded silently."""
    patch_source("mnist", mirrors=(DEAD_MIRROR,))
    bad = isolated_cache / "mnist" / TRAIN_IMAGES
    bad.parent.mkdir(parents=True)
    bad.write_bytes(_gz_bytes(data_root / "mnist" / TRAIN_IMAGES)[:5000])
    with pytest.raises(CorruptDataError) as excinfo:
        data.load_mnist()
    assert str(bad.resolve()) in str(excinfo.value)
    assert "delete" in str(excinfo.value)


def test_right_kind_wrong_file_raises(tmp_path, data_root, no_system_dirs):
    """The train labels under the test labels' name: right magic number, self-consistent size,
    so only the SHA-256 check can tell (the flat layout, data_dir = the dataset folder)."""
    folder = _copy_dataset(data_root, "mnist", tmp_path / "mnist", filenames=FILENAMES[:3])
    shutil.copyfile(data_root / "mnist" / TRAIN_LABELS, folder / TEST_LABELS)
    with pytest.raises(CorruptDataError, match="SHA-256") as excinfo:
        data.load_mnist(data_dir=folder, download=False)
    assert str((folder / TEST_LABELS).resolve()) in str(excinfo.value)


# parse_idx / gunzip on crafted bytes -------------------------------------------------------


def _idx(magic: int, shape: tuple[int, ...], payload: bytes) -> bytes:
    return struct.pack(">I", magic) + b"".join(struct.pack(">I", d) for d in shape) + payload


def test_parse_idx_images():
    payload = bytes(range(24))
    array = parse_idx(
        _idx(IMAGES_MAGIC, (2, 3, 4), payload), expected_magic=IMAGES_MAGIC, source="crafted"
    )
    assert array.shape == (2, 3, 4) and array.dtype == np.uint8
    np.testing.assert_array_equal(array.ravel(), np.arange(24))


def test_parse_idx_labels_and_empty():
    array = parse_idx(
        _idx(LABELS_MAGIC, (5,), b"\x00\x01\x02\x09\x07"),
        expected_magic=LABELS_MAGIC,
        source="crafted",
    )
    np.testing.assert_array_equal(array, [0, 1, 2, 9, 7])
    empty = parse_idx(
        _idx(IMAGES_MAGIC, (0, 28, 28), b""), expected_magic=IMAGES_MAGIC, source="crafted"
    )
    assert empty.shape == (0, 28, 28)


@pytest.mark.parametrize(
    "blob,expected_magic,message",
    [
        (b"", IMAGES_MAGIC, "too short"),
        (b"\x00\x00\x08\x03\x00\x00\x00", IMAGES_MAGIC, "too short"),
        (_idx(IMAGES_MAGIC, (2,), b""), IMAGES_MAGIC, "ends inside its header"),
        (
            _idx(LABELS_MAGIC, (3,), b"\x01\x02\x03"),
            IMAGES_MAGIC,
            "magic number 2049, expected 2051",
        ),
        (
            _idx(IMAGES_MAGIC, (1, 2, 2), b"\x00" * 4),
            LABELS_MAGIC,
            "magic number 2051, expected 2049",
        ),
        (_idx(0x0D03, (1, 1, 1), b"\x00" * 4), IMAGES_MAGIC, "magic number 3331"),  # float32 IDX
        (b"\x89PNG\r\n\x1a\n" + b"\x00" * 16, IMAGES_MAGIC, "magic number"),
        (_idx(IMAGES_MAGIC, (2, 3, 4), bytes(23)), IMAGES_MAGIC, "truncated or padded"),
        (_idx(IMAGES_MAGIC, (2, 3, 4), bytes(25)), IMAGES_MAGIC, "truncated or padded"),
        (_idx(LABELS_MAGIC, (60000,), bytes(100)), LABELS_MAGIC, "(60000,)"),
    ],
)
def test_parse_idx_rejects(blob, expected_magic, message):
    with pytest.raises(CorruptDataError) as excinfo:
        parse_idx(blob, expected_magic=expected_magic, source="/some/where/file.gz")
    assert "/some/where/file.gz" in str(excinfo.value)
    assert message in str(excinfo.value)


def test_gunzip_names_the_file(tmp_path):
    good = tmp_path / "good.gz"
    good.write_bytes(gzip.compress(b"hello", mtime=0))
    assert gunzip(good) == b"hello"
    for bad_bytes in (b"plain text, not gzip", gzip.compress(b"hello" * 1000)[:-10]):
        bad = tmp_path / "bad.gz"
        bad.write_bytes(bad_bytes)
        with pytest.raises(CorruptDataError, match="not a complete gzip file") as excinfo:
            gunzip(bad)
        assert str(bad) in str(excinfo.value)


# --------------------------------------------------------------------------------------------
# 5. nothing found, nothing downloadable
# --------------------------------------------------------------------------------------------


@pytest.fixture
def empty_places(tmp_path, monkeypatch, isolated_cache):
    """An empty data_dir and an empty VAECOURSE_DATA folder (the cache is empty already)."""
    data_dir, env_dir = tmp_path / "empty-data", tmp_path / "empty-env"
    data_dir.mkdir()
    env_dir.mkdir()
    monkeypatch.setenv("VAECOURSE_DATA", str(env_dir))
    return data_dir, env_dir, isolated_cache


def _searched_lines(message: str) -> list[str]:
    """The folder lines of the message: the indented lines right after "Looked in:"."""
    lines = message.splitlines()
    folders = []
    for line in lines[lines.index("Looked in:") + 1 :]:
        if not line.startswith("  "):
            break
        folders.append(line.strip())
    return folders


def test_offline_error(empty_places, patch_source):
    data_dir, env_dir, cache = empty_places
    patch_source("fashion-mnist", mirrors=(DEAD_MIRROR,), system_dirs=())
    with pytest.raises(DatasetNotFoundError) as excinfo:
        data.load_fashion_mnist(data_dir=data_dir)
    err = excinfo.value
    assert isinstance(err, FileNotFoundError)
    message = str(err)
    searched = [
        data_dir / "fashion-mnist",
        data_dir,
        env_dir / "fashion-mnist",
        env_dir,
        cache / "fashion-mnist",
    ]
    assert _searched_lines(message) == [str(p) for p in searched]
    assert "VAECOURSE_DATA" in message and "data_dir" in message
    assert "Downloading failed" in message
    assert DEAD_MIRROR + TRAIN_IMAGES in message  # the mirror that was tried
    assert TRAIN_IMAGES in message
    assert "Downloading was turned off" not in message
    assert _files_under(cache) == []  # no partial download left behind


def test_download_false_error(empty_places, no_system_dirs):
    data_dir, env_dir, cache = empty_places
    with pytest.raises(DatasetNotFoundError) as excinfo:
        data.load_fashion_mnist(data_dir=data_dir, download=False)
    message = str(excinfo.value)
    assert "Downloading was turned off" in message and "download=False" in message
    assert "Downloading failed" not in message
    for folder in (data_dir, env_dir, cache / "fashion-mnist"):
        assert f"  {folder}\n" in message
    assert "VAECOURSE_DATA" in message and "data_dir" in message
    assert not cache.exists()  # nothing created


def test_error_without_data_dir_or_env_var(tmp_path, isolated_cache, patch_source):
    patch_source("mnist", mirrors=(DEAD_MIRROR,))
    with pytest.raises(DatasetNotFoundError) as excinfo:
        data.load_mnist()
    message = str(excinfo.value)
    assert _searched_lines(message) == [str(isolated_cache / "mnist")]
    assert "dataset-fashion-mnist" not in message  # the Debian hint is for Fashion-MNIST only


def test_error_mentions_debian_location(empty_places, patch_source, tmp_path):
    """The system folder is part of the search and of the message (an empty stand-in for
    /usr/share/datasets/fashion-mnist, which may be installed on this machine)."""
    data_dir, _, _ = empty_places
    assert data.DEBIAN_FASHION_DIR in data.FASHION_MNIST.system_dirs
    debian = tmp_path / "usr" / "share" / "datasets" / "fashion-mnist"
    patch_source("fashion-mnist", system_dirs=(debian,))
    with pytest.raises(DatasetNotFoundError) as excinfo:
        data.load_fashion_mnist(data_dir=data_dir, download=False)
    message = str(excinfo.value)
    assert _searched_lines(message)[-1] == str(debian)
    assert "install Debian's package dataset-fashion-mnist" in message


# --------------------------------------------------------------------------------------------
# 6. a real download through pooch, from a local HTTP server
# --------------------------------------------------------------------------------------------


class _Server:
    def __init__(self, folder: Path):
        requests: list[str] = []

        class Handler(http.server.SimpleHTTPRequestHandler):
            def __init__(self, *args, **kwargs):
                super().__init__(*args, directory=str(folder), **kwargs)

            def do_GET(self):
                requests.append(self.path)
                super().do_GET()

            def log_message(self, *args):  # keep the test output clean
                pass

        self.requests = requests
        self.httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.httpd.daemon_threads = True
        self.url = f"http://127.0.0.1:{self.httpd.server_address[1]}/"
        self.thread = threading.Thread(target=self.httpd.serve_forever, daemon=True)
        self.thread.start()
        self.running = True

    def stop(self):
        if self.running:
            self.running = False
            self.httpd.shutdown()
            self.httpd.server_close()
            self.thread.join(timeout=5)


@pytest.fixture
def serve(monkeypatch):
    """serve(folder) -> a running _Server; every server is shut down when the test ends."""
    monkeypatch.setenv("NO_PROXY", "127.0.0.1,localhost")
    monkeypatch.setenv("no_proxy", "127.0.0.1,localhost")
    servers: list[_Server] = []

    def start(folder: Path) -> _Server:
        server = _Server(folder)
        servers.append(server)
        return server

    yield start
    for server in servers:
        server.stop()


def test_download_into_cache_then_offline(tmp_path, data_root, isolated_cache, serve, patch_source):
    www = _copy_dataset(data_root, "mnist", tmp_path / "www")
    server = serve(www)
    # the first mirror is dead: the loader must fall back to the next one
    patch_source("mnist", mirrors=(DEAD_MIRROR, server.url))
    empty = tmp_path / "empty"
    empty.mkdir()

    ds = data.load_mnist(subset=20, data_dir=empty, dtype="uint8")
    assert sorted(server.requests) == sorted("/" + f for f in FILENAMES)
    cached = isolated_cache / "mnist"
    assert _files_under(isolated_cache) == sorted(cached / f for f in FILENAMES)  # no temp files
    for filename in FILENAMES:
        assert (
            hashlib.md5((cached / filename).read_bytes()).hexdigest()
            == _resource("mnist", filename).md5
        )
    np.testing.assert_array_equal(
        ds.train.images, _official_array(data_root / "mnist" / TRAIN_IMAGES)[:20]
    )

    # second load: server gone, in-memory cache cleared -> must come from the cache folder
    server.stop()
    data._read_cached.cache_clear()
    again = data.load_mnist(subset=20, data_dir=empty, dtype="uint8")
    np.testing.assert_array_equal(again.train.images, ds.train.images)
    np.testing.assert_array_equal(again.test.labels, ds.test.labels)
    assert len(server.requests) == 4
    # also with downloads off
    data.load_mnist(subset=1, data_dir=empty, download=False)


def test_download_of_a_corrupted_file_is_rejected(
    tmp_path, data_root, isolated_cache, serve, patch_source
):
    www = tmp_path / "www"
    www.mkdir()
    gz = bytearray(_gz_bytes(data_root / "mnist" / TRAIN_IMAGES))
    gz[len(gz) // 2] ^= 0xFF  # same size, one byte flipped
    (www / TRAIN_IMAGES).write_bytes(bytes(gz))
    server = serve(www)
    patch_source("mnist", mirrors=(server.url,))

    with pytest.raises(DatasetNotFoundError) as excinfo:
        data.load_mnist(subset=5)
    assert isinstance(excinfo.value, OSError)
    message = str(excinfo.value)
    assert "hash" in message.lower()
    assert _resource("mnist", TRAIN_IMAGES).md5 in message
    assert server.url + TRAIN_IMAGES in message
    assert server.requests == ["/" + TRAIN_IMAGES]
    assert not (isolated_cache / "mnist" / TRAIN_IMAGES).exists()
    assert _files_under(isolated_cache) == []  # pooch removed its temporary file too


# --------------------------------------------------------------------------------------------
# 7. load_digits
# --------------------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def digits():
    return data.load_digits()


def test_digits(digits, isolated_cache):
    assert digits.name == "digits"
    assert digits.class_names == tuple("0123456789")
    for split, n in ((digits.train, 1297), (digits.valid, 250), (digits.test, 250)):
        assert split.images.shape == (n, 28, 28) and split.images.dtype == np.float32
        assert split.labels.shape == (n,) and split.labels.dtype == np.int64
        assert 0.0 <= split.images.min() and split.images.max() <= 1.0
        assert set(np.unique(split.labels)) == set(range(10))
        # a 2-pixel empty border around the 24x24 enlarged digit
        assert not split.images[:, :2].any() and not split.images[:, -2:].any()
        assert not split.images[:, :, :2].any() and not split.images[:, :, -2:].any()
    assert digits.train.images.max() == 1.0
    assert _files_under(isolated_cache) == []  # nothing downloaded or cached


def test_digits_is_deterministic(digits):
    again = data.load_digits()
    for a, b in zip(
        (digits.train, digits.valid, digits.test),
        (again.train, again.valid, again.test),
        strict=True,
    ):
        np.testing.assert_array_equal(a.images, b.images)
        np.testing.assert_array_equal(a.labels, b.labels)


def test_digits_options(digits):
    u = data.load_digits(dtype="uint8", subset=30)
    assert u.train.images.dtype == np.uint8 and u.train.images.shape == (30, 28, 28)
    np.testing.assert_array_equal(
        u.train.images.astype(np.float32) / np.float32(255), digits.train.images[:30]
    )
    b1, b2 = data.load_digits(binarize=True, seed=3), data.load_digits(binarize=True, seed=3)
    np.testing.assert_array_equal(b1.train.images, b2.train.images)
    assert set(np.unique(b1.train.images)) == {0.0, 1.0}


def test_digits_split_is_a_partition():
    """All 1,797 sklearn digits appear exactly once across the three splits."""
    from sklearn.datasets import load_digits as sklearn_digits

    ds = data.load_digits(dtype="uint8")
    labels = np.concatenate([ds.train.labels, ds.valid.labels, ds.test.labels])
    np.testing.assert_array_equal(np.bincount(labels), np.bincount(sklearn_digits().target))
    assert len(labels) == 1797


# --------------------------------------------------------------------------------------------
# 8. python -m vaecourse.data
# --------------------------------------------------------------------------------------------


def test_command_line_check(data_root, tmp_path):
    env = dict(os.environ, VAECOURSE_DATA=str(data_root), XDG_CACHE_HOME=str(tmp_path / "c"))
    result = subprocess.run(
        [sys.executable, "-m", "vaecourse.data"],
        env=env,
        cwd=REPO_ROOT,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stderr
    ok = [line for line in result.stdout.splitlines() if line.startswith("ok")]
    assert len(ok) == 8, result.stdout
    for name in SOURCES:
        for filename in FILENAMES:
            expected = str(data_root / name / filename)
            assert any(name in ln and filename in ln and ln.endswith(expected) for ln in ok), (
                name,
                filename,
                result.stdout,
            )
    assert not (tmp_path / "c").exists()  # nothing was downloaded
