"""Read IDX files (the format of MNIST and Fashion-MNIST), checking every size on the way.

An IDX file is a 4-byte magic number, one 4-byte big-endian size per dimension, then the raw
bytes. The magic number's third byte is the element type (0x08 = unsigned byte) and its fourth
byte the number of dimensions: 0x00000803 (2051) for an image file, 0x00000801 (2049) for labels.
"""

from __future__ import annotations

import gzip
import zlib
from pathlib import Path

import numpy as np

IMAGES_MAGIC = 2051
LABELS_MAGIC = 2049
_UNSIGNED_BYTE = 0x08


class CorruptDataError(ValueError):
    """A data file exists but is damaged, truncated or not the file it claims to be."""


def gunzip(path: str | Path) -> bytes:
    """Return the decompressed bytes of a .gz file, or raise CorruptDataError naming it."""
    try:
        with gzip.open(path, "rb") as f:
            return f.read()
    except (OSError, EOFError, zlib.error) as err:
        raise CorruptDataError(
            f"{path} is not a complete gzip file ({err}). It is probably truncated or damaged: "
            "delete it and load the dataset again, or replace it with a fresh copy."
        ) from err


def parse_idx(data: bytes, *, expected_magic: int, source: str | Path) -> np.ndarray:
    """Parse IDX bytes into a uint8 array; `source` names the file in error messages."""
    if len(data) < 8:
        raise CorruptDataError(f"{source} is too short to be an IDX file ({len(data)} bytes).")
    magic = int.from_bytes(data[:4], "big")
    if magic != expected_magic:
        kind = "images" if expected_magic == IMAGES_MAGIC else "labels"
        raise CorruptDataError(
            f"{source} has IDX magic number {magic}, expected {expected_magic} for {kind}. "
            "It is not the file its name says (or it is damaged)."
        )
    ndim = magic & 0xFF
    if (magic >> 8) & 0xFF != _UNSIGNED_BYTE:
        raise CorruptDataError(f"{source}: element type is not unsigned byte.")
    header = 4 + 4 * ndim
    if len(data) < header:
        raise CorruptDataError(f"{source} ends inside its header ({len(data)} bytes).")
    shape = tuple(int.from_bytes(data[4 + 4 * i : 8 + 4 * i], "big") for i in range(ndim))
    expected = header + int(np.prod(shape))
    if len(data) != expected:
        raise CorruptDataError(
            f"{source}: the header announces shape {shape}, i.e. {expected} bytes, "
            f"but the file holds {len(data)} bytes. It is truncated or padded."
        )
    return np.frombuffer(data, dtype=np.uint8, offset=header).reshape(shape)
