"""Datasets for the course: Fashion-MNIST, MNIST and a tiny offline digits set.

Every loader returns a :class:`Dataset` with ``train``, ``valid`` and ``test`` splits. Images are
float32 in [0, 1] with shape ``(N, 28, 28)`` unless you ask for ``dtype="uint8"``.

Where the IDX files are looked for, in this order (the first copy found of each file is used):

1. the ``data_dir`` argument,
2. the ``VAECOURSE_DATA`` environment variable,
3. the user cache (``~/.cache/vaecourse`` on Linux),
4. ``/usr/share/datasets/fashion-mnist`` (Debian's ``dataset-fashion-mnist``; Fashion-MNIST only),
5. a download from the official mirrors into the user cache (skipped with ``download=False``).

In 1 and 2 the files may sit in a sub-folder named after the dataset (``fashion-mnist/``,
``mnist/``) or directly in the folder. Every file is checked: its IDX header and size, then a
SHA-256 of its decompressed content (so Debian's re-compressed copies are accepted). A file that
fails a check raises :class:`CorruptDataError` naming it; it is never used silently.
"""

from __future__ import annotations

import functools
import hashlib
import os
from dataclasses import dataclass
from pathlib import Path
from typing import NamedTuple

import numpy as np

from .idx import IMAGES_MAGIC, LABELS_MAGIC, CorruptDataError, gunzip, parse_idx
from .images import load_image_folder

__all__ = [
    "CorruptDataError",
    "Dataset",
    "DatasetNotFoundError",
    "Split",
    "load_digits",
    "load_fashion_mnist",
    "load_image_folder",
    "load_mnist",
]

ENV_VAR = "VAECOURSE_DATA"
DEBIAN_FASHION_DIR = Path("/usr/share/datasets/fashion-mnist")
N_VALID = 5_000  # the last 5,000 official training images form the validation split


class DatasetNotFoundError(FileNotFoundError):
    """No copy of a dataset file was found and none could be downloaded."""


class Split(NamedTuple):
    images: np.ndarray
    labels: np.ndarray


@dataclass(frozen=True)
class Dataset:
    name: str
    train: Split
    valid: Split
    test: Split
    class_names: tuple[str, ...]


@dataclass(frozen=True)
class _Resource:
    filename: str
    md5: str  # of the official .gz file, checked by pooch on download
    sha256: str  # of the decompressed IDX content, checked on every load
    magic: int


@dataclass(frozen=True)
class _Source:
    name: str
    mirrors: tuple[str, ...]
    resources: tuple[_Resource, ...]  # train images, train labels, test images, test labels
    class_names: tuple[str, ...]
    system_dirs: tuple[Path, ...] = ()


FASHION_MNIST = _Source(
    name="fashion-mnist",
    mirrors=(
        "http://fashion-mnist.s3-website.eu-central-1.amazonaws.com/",
        "https://raw.githubusercontent.com/zalandoresearch/fashion-mnist/master/data/fashion/",
    ),
    resources=(
        _Resource(
            "train-images-idx3-ubyte.gz",
            "8d4fb7e6c68d591d4c3dfef9ec88bf0d",
            "c59f468a2f672dc815687fe0f83887768d799fd8a3f3276145d20f83aa44d888",
            IMAGES_MAGIC,
        ),
        _Resource(
            "train-labels-idx1-ubyte.gz",
            "25c81989df183df01b3e8a0aad5dffbe",
            "bad3541b69d912435c50bb6ba87bec294ff4f6a2e1246121d8633921760443d9",
            LABELS_MAGIC,
        ),
        _Resource(
            "t10k-images-idx3-ubyte.gz",
            "bef4ecab320f06d8554ea6380940ec79",
            "5b4141f0afbad91edebe8549f8fcffe087ea10ca49f1dbef5c9a5cd8815ce37b",
            IMAGES_MAGIC,
        ),
        _Resource(
            "t10k-labels-idx1-ubyte.gz",
            "bb300cfdad3c16e7a12a480ee83cd310",
            "0402a96d92fd2663957122ceb108a494c5af83dab82d92729df917d7dec38c34",
            LABELS_MAGIC,
        ),
    ),
    class_names=(
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
    ),
    system_dirs=(DEBIAN_FASHION_DIR,),
)

MNIST = _Source(
    name="mnist",
    mirrors=(
        "https://ossci-datasets.s3.amazonaws.com/mnist/",
        "http://yann.lecun.com/exdb/mnist/",
    ),
    resources=(
        _Resource(
            "train-images-idx3-ubyte.gz",
            "f68b3c2dcbeaaa9fbdd348bbdeb94873",
            "ba891046e6505d7aadcbbe25680a0738ad16aec93bde7f9b65e87a2fc25776db",
            IMAGES_MAGIC,
        ),
        _Resource(
            "train-labels-idx1-ubyte.gz",
            "d53e105ee54ea40749a09fcbcd1e9432",
            "65a50cbbf4e906d70832878ad85ccda5333a97f0f4c3dd2ef09a8a9eef7101c5",
            LABELS_MAGIC,
        ),
        _Resource(
            "t10k-images-idx3-ubyte.gz",
            "9fb629c4189551a2d022fa330f9573f3",
            "0fa7898d509279e482958e8ce81c8e77db3f2f8254e26661ceb7762c4d494ce7",
            IMAGES_MAGIC,
        ),
        _Resource(
            "t10k-labels-idx1-ubyte.gz",
            "ec29112dd5afa0611ce80d1b7f02629c",
            "ff7bcfd416de33731a308c3f266cc351222c34898ecbeaf847f06e48f7ec33f2",
            LABELS_MAGIC,
        ),
    ),
    class_names=tuple(str(d) for d in range(10)),
)


def cache_dir() -> Path:
    """The user cache folder that downloads go to (``~/.cache/vaecourse`` on Linux)."""
    import pooch

    return Path(pooch.os_cache("vaecourse"))


def _search_dirs(source: _Source, data_dir: str | Path | None) -> list[Path]:
    """Folders to look in, in priority order."""
    dirs: list[Path] = []
    for root in (data_dir, os.environ.get(ENV_VAR) or None):
        if root is not None:
            root = Path(root).expanduser()
            dirs += [root / source.name, root]
    dirs.append(cache_dir() / source.name)
    dirs += list(source.system_dirs)
    return dirs


def _download(source: _Source, resource: _Resource) -> Path:
    """Fetch one file from the first mirror that answers; pooch checks the MD5 and writes
    atomically (to a temporary name, renamed once complete and verified)."""
    import pooch

    errors = []
    for mirror in source.mirrors:
        try:
            path = pooch.retrieve(
                url=mirror + resource.filename,
                known_hash=f"md5:{resource.md5}",
                fname=resource.filename,
                path=cache_dir() / source.name,
                downloader=pooch.HTTPDownloader(progressbar=True, timeout=30),
            )
            return Path(path)
        except (
            Exception
        ) as err:  # network errors, HTTP errors, hash mismatches: try the next mirror
            errors.append(f"  {mirror}{resource.filename}: {type(err).__name__}: {err}")
    raise OSError("every mirror failed:\n" + "\n".join(errors))


def _not_found_message(source: _Source, missing: str, searched: list[Path], why: str) -> str:
    looked = "\n".join(f"  {d}" for d in searched)
    files = ", ".join(r.filename for r in source.resources)
    return (
        f"Could not find {missing} for {source.name}.\nLooked in:\n{looked}\n{why}\n"
        f"To provide the data, put the four files ({files}) in a folder <DIR>/{source.name}/ and "
        f"either pass data_dir='<DIR>' or set the environment variable {ENV_VAR}=<DIR>"
        + (", or install Debian's package dataset-fashion-mnist" if source.system_dirs else "")
        + ", or connect to the internet and load again to download them."
    )


def _locate(source: _Source, resource: _Resource, data_dir, download: bool) -> Path:
    searched = _search_dirs(source, data_dir)
    for folder in searched:
        candidate = folder / resource.filename
        if candidate.is_file():
            return candidate
    if not download:
        why = "Downloading was turned off (download=False)."
        raise DatasetNotFoundError(_not_found_message(source, resource.filename, searched, why))
    try:
        return _download(source, resource)
    except OSError as err:
        why = f"Downloading failed (offline, or a mirror sent a damaged file): {err}"
        raise DatasetNotFoundError(
            _not_found_message(source, resource.filename, searched, why)
        ) from None


def _read_verified(path: Path, magic: int, sha256: str) -> np.ndarray:
    """Decompress, parse and checksum one file. Cached while the file is unchanged on disk."""
    stat = path.stat()
    return _read_cached(path, stat.st_mtime_ns, stat.st_size, magic, sha256)


@functools.lru_cache(maxsize=16)
def _read_cached(path: Path, _mtime_ns: int, _size: int, magic: int, sha256: str) -> np.ndarray:
    raw = gunzip(path)
    array = parse_idx(raw, expected_magic=magic, source=path)
    digest = hashlib.sha256(raw).hexdigest()
    if digest != sha256:
        raise CorruptDataError(
            f"{path} has the wrong content: SHA-256 of its decompressed data is {digest}, "
            f"expected {sha256}. It is damaged or a different dataset's file: delete or replace it."
        )
    array.flags.writeable = False
    return array


def _prepare(images: np.ndarray, dtype: str, binarize: bool, rng: np.random.Generator):
    if binarize:  # static binarization: each pixel is on with probability equal to its intensity
        on = rng.random(images.shape, dtype=np.float32) < images.astype(np.float32) / 255.0
        return on.astype(np.float32 if dtype == "float32" else np.uint8)
    if dtype == "uint8":
        return images.copy()
    return images.astype(np.float32) / np.float32(255.0)


def _check_args(subset, dtype) -> None:
    if dtype not in ("float32", "uint8"):
        raise ValueError(f"dtype must be 'float32' or 'uint8', not {dtype!r}")
    if subset is not None and (
        isinstance(subset, bool) or not isinstance(subset, (int, np.integer)) or subset < 1
    ):
        raise ValueError(f"subset must be a positive integer or None, not {subset!r}")


def _make_dataset(name, class_names, splits, subset, dtype, binarize, seed) -> Dataset:
    _check_args(subset, dtype)
    rng = np.random.default_rng(seed)
    prepared = []
    for images, labels in splits:
        images, labels = images[:subset], labels[:subset]
        prepared.append(Split(_prepare(images, dtype, binarize, rng), labels.astype(np.int64)))
    return Dataset(name, *prepared, class_names=tuple(class_names))


def _load_idx_dataset(source: _Source, subset, dtype, binarize, seed, data_dir, download):
    _check_args(subset, dtype)  # before looking for (or downloading) any file
    arrays = [
        _read_verified(_locate(source, r, data_dir, download).resolve(), r.magic, r.sha256)
        for r in source.resources
    ]
    train_x, train_y, test_x, test_y = arrays
    n_train = len(train_x) - N_VALID
    splits = [
        (train_x[:n_train], train_y[:n_train]),
        (train_x[n_train:], train_y[n_train:]),
        (test_x, test_y),
    ]
    return _make_dataset(source.name, source.class_names, splits, subset, dtype, binarize, seed)


_LOADER_ARGS = """
    subset: keep at most this many examples of each split (the first ones), for quick runs.
    dtype: "float32" for values in [0, 1] (default) or "uint8" for the raw 0..255 values.
    binarize: if True, each pixel becomes 0 or 1, drawn once with probability equal to its
        intensity ("static binarization"), so the data suit a Bernoulli likelihood exactly.
    seed: the seed of the binarization draw.
    data_dir: a folder to look in first (see the module docstring for the full search order).
    download: whether to fetch missing files from the official mirrors.

    Raises DatasetNotFoundError (no copy found, no download possible; the message says where it
    looked) or CorruptDataError (a file is damaged; the message names it)."""


def load_fashion_mnist(
    subset=None, dtype="float32", binarize=False, seed=0, data_dir=None, download=True
) -> Dataset:
    return _load_idx_dataset(FASHION_MNIST, subset, dtype, binarize, seed, data_dir, download)


def load_mnist(
    subset=None, dtype="float32", binarize=False, seed=0, data_dir=None, download=True
) -> Dataset:
    return _load_idx_dataset(MNIST, subset, dtype, binarize, seed, data_dir, download)


load_fashion_mnist.__doc__ = (
    "Fashion-MNIST: 10 clothing classes, train 55,000 / valid 5,000 / test 10,000.\n" + _LOADER_ARGS
)
load_mnist.__doc__ = (
    "MNIST handwritten digits: train 55,000 / valid 5,000 / test 10,000.\n" + _LOADER_ARGS
)


def load_digits(subset=None, dtype="float32", binarize=False, seed=0) -> Dataset:
    """scikit-learn's bundled 8x8 digits (1,797 images), brought to 28x28; needs no download.

    Each image is enlarged 3x with bilinear interpolation to 24x24 and padded to 28x28, so it
    looks like a small MNIST digit. The images are shuffled once with a fixed seed and split into
    train 1,297 / valid 250 / test 250. Arguments as for load_fashion_mnist.
    """
    from scipy.ndimage import zoom
    from sklearn.datasets import load_digits as sklearn_digits

    bunch = sklearn_digits()
    small = bunch.images / 16.0  # values 0..16 in the original
    big = zoom(small, (1, 3, 3), order=1).clip(0.0, 1.0)
    images = np.pad(np.rint(big * 255), ((0, 0), (2, 2), (2, 2))).astype(np.uint8)
    order = np.random.default_rng(0).permutation(len(images))
    images, labels = images[order], bunch.target[order]
    splits = [
        (images[:1297], labels[:1297]),
        (images[1297:1547], labels[1297:1547]),
        (images[1547:], labels[1547:]),
    ]
    names = tuple(str(d) for d in range(10))
    return _make_dataset("digits", names, splits, subset, dtype, binarize, seed)


def main() -> None:
    """`python -m vaecourse.data`: make Fashion-MNIST and MNIST available, and say where."""
    for source in (FASHION_MNIST, MNIST):
        for resource in source.resources:
            path = _locate(source, resource, None, download=True)
            _read_verified(path.resolve(), resource.magic, resource.sha256)
            print(f"ok  {source.name:14s} {resource.filename:28s} {path}")


if __name__ == "__main__":
    main()
