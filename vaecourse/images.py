"""A folder of your own images, as the course's loaders give Fashion-MNIST.

``load_image_folder(path)`` reads every image file of one folder (not its sub-folders, not hidden
files), in the order of their names, and returns them as float32 greyscale images in [0, 1] of
shape ``(N, 28, 28)``, with the file names. Images in colour (or with transparency, a palette,
16 bits...) are converted to greyscale, and images of another size are resized (the aspect ratio
is not kept); one printed message says how many were converted and how. Files that cannot be
read as images are skipped, with one warning naming them. A folder without a single readable image
is an error naming the folder. PIL (Pillow, installed with matplotlib) does the decoding; it is
imported only when a folder is loaded.

``vaecourse.data.load_image_folder`` is the same function.
"""

from __future__ import annotations

import sys
import warnings
from collections import Counter
from pathlib import Path
from typing import NamedTuple

import numpy as np

__all__ = ["ImageFolder", "ImageFolderError", "UnreadableImageWarning", "load_image_folder"]

#: Names listed in full in a message; beyond that, "... and N more".
_LISTED = 10
#: PIL's image modes in words, for the conversion message.
_MODE_NAMES = {
    "1": "black and white",
    "LA": "greyscale with transparency",
    "P": "palette colours",
    "RGB": "RGB colour",
    "RGBA": "RGB colour with transparency",
    "CMYK": "CMYK colour",
    "I;16": "16-bit greyscale",
    "I": "32-bit integer",
    "F": "32-bit float",
}


class ImageFolder(NamedTuple):
    images: np.ndarray  # float32 (N, height, width) in [0, 1]
    names: list[str]  # the file names, in the same order


class ImageFolderError(ValueError):
    """The folder holds no image that could be read."""


class UnreadableImageWarning(UserWarning):
    """Some files of the folder could not be read as images and were skipped."""


def load_image_folder(path, *, size=(28, 28), invert: bool = False) -> ImageFolder:
    """The images of the folder ``path`` as float32 greyscale arrays in [0, 1].

    size: (height, width) of the returned images; images of another size are resized to it with
        Lanczos filtering (the aspect ratio is not kept).
    invert: if True, return 1 - image, so that dark objects on a light background become light on
        dark, like Fashion-MNIST and MNIST.
    Reads every file of the folder whose name does not start with a dot (sub-folders are not
    searched), sorted by name. Colour, transparency and other modes are converted to 8-bit
    greyscale; JPEG rotations recorded in the EXIF data are applied. One printed message counts
    the converted images and says how they were converted.

    Returns ``ImageFolder(images, names)``: images of shape (N, height, width) and the N file
    names, in the same order; it unpacks as ``images, names = load_image_folder(path)``.
    Raises FileNotFoundError or NotADirectoryError (no such folder) and ImageFolderError (no
    readable image in it). Files that cannot be read are skipped with an UnreadableImageWarning
    that names them.
    """
    folder = Path(path)
    height, width = _checked_size(size)
    files = _files_of(folder)
    images, names, converted, unreadable = [], [], [], []
    for file in files:
        try:
            pixels, changes = _read(file, (height, width))
        except Exception as error:  # any failure to decode means: not an image
            unreadable.append(f"{file.name} ({_reason(error, file)})")
            continue
        images.append(pixels)
        names.append(file.name)
        if changes:
            converted.append(changes)
    if not images:
        raise ImageFolderError(
            f"No readable image in the folder {folder}: none of its {len(files)} files could be "
            f"read as an image: {_listing(unreadable)}."
        )
    if unreadable:
        _warn_every_time(
            f"{folder}: skipped {len(unreadable)} of {len(files)} files that could not be read "
            f"as images: {_listing(unreadable)}."
        )
    if converted:
        print(_conversion_message(folder, converted, len(images), (height, width)))
    result = np.stack(images).astype(np.float32) / np.float32(255.0)
    return ImageFolder(1.0 - result if invert else result, names)


def _warn_every_time(message: str) -> None:
    """An UnreadableImageWarning from the caller of load_image_folder, shown every time: Python
    shows a warning once per place and message by default, so a notebook cell that loads the same
    folder again would stay silent about the files it skips."""
    caller = sys._getframe(2)
    warnings.warn_explicit(
        message,
        UnreadableImageWarning,
        caller.f_code.co_filename,
        caller.f_lineno,
        module=caller.f_globals.get("__name__"),
        registry=None,  # no memory of earlier warnings
    )


def _checked_size(size) -> tuple[int, int]:
    try:
        height, width = (int(v) for v in size)
    except (TypeError, ValueError):
        raise ValueError(f"size must be (height, width), two positive ints; got {size!r}") from None
    if height < 1 or width < 1 or (height, width) != tuple(size):
        raise ValueError(f"size must be (height, width), two positive ints; got {size!r}")
    return height, width


def _files_of(folder: Path) -> list[Path]:
    """The visible files of ``folder``, sorted by name; a clear error when there are none."""
    if not folder.exists():
        raise FileNotFoundError(f"There is no folder {folder} (looked from {Path.cwd()}).")
    if not folder.is_dir():
        raise NotADirectoryError(f"{folder} is a file, not a folder of images.")
    files = sorted(f for f in folder.iterdir() if f.is_file() and not f.name.startswith("."))
    if not files:
        raise ImageFolderError(
            f"The folder {folder} is empty: it holds no files (sub-folders and hidden files are "
            "not searched)."
        )
    return files


def _read(file: Path, size: tuple[int, int]) -> tuple[np.ndarray, dict[str, str]]:
    """(uint8 pixels of shape ``size``, what was converted: {"mode": ..., "size": ...})."""
    from PIL import Image, ImageOps

    with Image.open(file) as opened:
        opened.load()
        image = ImageOps.exif_transpose(opened)
    changes = {}
    if image.mode != "L":
        changes["mode"] = image.mode
        image = _greyscale(image)
    height, width = size
    if image.size != (width, height):
        changes["size"] = f"{image.width}x{image.height}"
        image = image.resize((width, height), Image.Resampling.LANCZOS)
    return np.asarray(image, dtype=np.uint8), changes


def _greyscale(image):
    """An 8-bit greyscale ("L") copy: transparent pixels become black (the datasets' background),
    16-bit and float images are scaled to 0..255 rather than clipped."""
    from PIL import Image

    if image.mode in ("I", "I;16", "I;16B", "I;16L", "F"):
        values = np.asarray(image, dtype=np.float64)
        top = 65535.0 if image.mode.startswith("I;16") or values.max() > 255 else 255.0
        if image.mode == "F" and values.max() <= 1:
            top = 1.0
        return Image.fromarray(np.uint8(np.clip(np.round(values / top * 255), 0, 255)))
    if image.mode in ("RGBA", "LA", "PA") or "transparency" in image.info:
        rgba = image.convert("RGBA")
        black = Image.new("RGBA", rgba.size, (0, 0, 0, 255))
        return Image.alpha_composite(black, rgba).convert("L")
    return image.convert("L")


def _reason(error: Exception, file: Path) -> str:
    """The first line of the error, without the file's path (the message names the file)."""
    text = str(error).split("\n")[0].replace(repr(str(file)), "").strip()
    return text or type(error).__name__


def _listing(items: list[str]) -> str:
    shown = ", ".join(items[:_LISTED])
    return shown + (f", ... and {len(items) - _LISTED} more" if len(items) > _LISTED else "")


def _conversion_message(folder: Path, converted: list[dict], n: int, size) -> str:
    """One line: how many of the n images were converted, and from what."""
    modes = Counter(c["mode"] for c in converted if "mode" in c)
    sizes = Counter(c["size"] for c in converted if "size" in c)
    parts = []
    if modes:
        parts.append(
            f"{sum(modes.values())} to greyscale (from "
            + ", ".join(
                f"{_MODE_NAMES.get(mode, mode)}: {count}" for mode, count in modes.most_common()
            )
            + ")"
        )
    if sizes:
        shown = sizes.most_common(_LISTED)
        more = len(sizes) - len(shown)
        parts.append(
            f"{sum(sizes.values())} resized (from "
            + ", ".join(f"{s}: {count}" for s, count in shown)
            + (f", and {more} other sizes" if more else "")
            + "; width x height, the aspect ratio is not kept)"
        )
    return (
        f"{folder}: {len(converted)} of the {n} images were converted to {size[1]}x{size[0]} "
        "greyscale: " + "; ".join(parts) + "."
    )
