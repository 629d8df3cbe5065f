"""Tests of vaecourse.images.load_image_folder, on real image files written in tmp_path.

Every file is written with PIL as a user's camera or drawing program would write it (PNG, JPEG,
GIF, colour, transparency, 16 bits, other sizes); the broken ones are real broken files (a PNG cut
short, a text file named .png).
"""

from __future__ import annotations

import warnings

import numpy as np
import pytest
from PIL import Image

import vaecourse.data
from vaecourse.images import (
    ImageFolderError,
    UnreadableImageWarning,
    load_image_folder,
)


def _grey(seed: int, shape=(28, 28)) -> np.ndarray:
    return np.random.default_rng(seed).integers(0, 256, shape, dtype=np.uint8)


def _save(folder, name: str, pixels: np.ndarray) -> None:
    Image.fromarray(pixels).save(folder / name)


def _load_quietly(folder, **kwargs):
    """load_image_folder with warnings turned into errors: a clean folder warns about nothing."""
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        return load_image_folder(folder, **kwargs)


def test_greyscale_pngs_of_the_right_size_load_exactly_and_quietly(tmp_path, capsys):
    pixels = {name: _grey(seed) for seed, name in enumerate(("b.png", "a.png", "c.png"))}
    for name, values in pixels.items():
        _save(tmp_path, name, values)
    images, names = _load_quietly(tmp_path)
    assert names == ["a.png", "b.png", "c.png"]  # sorted by name
    assert images.dtype == np.float32 and images.shape == (3, 28, 28)
    for image, name in zip(images, names, strict=True):
        np.testing.assert_array_equal(image, pixels[name] / np.float32(255))
    assert capsys.readouterr().out == ""  # nothing was converted: no message


def test_the_result_unpacks_and_has_named_fields(tmp_path):
    _save(tmp_path, "only.png", _grey(0))
    result = _load_quietly(tmp_path)
    assert result.names == ["only.png"] and result.images.shape == (1, 28, 28)
    images, names = result
    assert images is result.images and names is result.names


def test_jpeg_is_read(tmp_path):
    smooth = np.tile(np.linspace(0, 255, 28).astype(np.uint8), (28, 1))
    Image.fromarray(smooth).save(tmp_path / "photo.jpg", quality=95)
    images, names = _load_quietly(tmp_path)
    assert names == ["photo.jpg"] and images.shape == (1, 28, 28)
    assert np.abs(images[0] - smooth / 255).max() < 0.05  # JPEG is lossy, but close


def test_colour_and_other_sizes_are_converted_with_one_message(tmp_path, capsys):
    rgb = np.zeros((28, 28, 3), np.uint8)
    rgb[..., 0] = 255  # pure red: greyscale 0.299 * 255 = 76 (ITU-R 601-2 luma)
    _save(tmp_path, "red.png", rgb)
    _save(tmp_path, "big.png", np.full((56, 56), 200, np.uint8))
    _save(tmp_path, "wide.png", np.full((30, 40), 100, np.uint8))
    _save(tmp_path, "colour_and_big.jpg", np.full((64, 64, 3), 128, np.uint8))
    _save(tmp_path, "fine.png", _grey(1))
    images, names = _load_quietly(tmp_path)
    assert images.shape == (5, 28, 28) and images.dtype == np.float32
    by_name = dict(zip(names, images, strict=True))
    np.testing.assert_allclose(by_name["red.png"], 76 / 255, atol=1 / 255)
    np.testing.assert_allclose(by_name["big.png"], 200 / 255, atol=1 / 255)
    np.testing.assert_allclose(by_name["wide.png"], 100 / 255, atol=1 / 255)
    lines = capsys.readouterr().out.strip().splitlines()
    assert len(lines) == 1, lines  # ONE message for all the conversions
    message = lines[0]
    assert str(tmp_path) in message
    assert "4 of the 5 images were converted to 28x28 greyscale" in message
    assert "2 to greyscale (from RGB colour: 2)" in message
    assert "3 resized" in message
    for size in ("56x56: 1", "40x30: 1", "64x64: 1"):  # width x height, as the message says
        assert size in message
    assert "aspect ratio is not kept" in message


def test_transparency_palette_and_16_bits_become_8_bit_greyscale(tmp_path, capsys):
    rgba = np.zeros((28, 28, 4), np.uint8)
    rgba[..., :3] = 255  # white...
    rgba[:14, :, 3] = 255  # ...opaque in the top half, transparent in the bottom half
    _save(tmp_path, "icon.png", rgba)
    Image.fromarray(np.full((28, 28), 90, np.uint8)).convert("P").save(tmp_path / "palette.gif")
    Image.fromarray(np.full((28, 28), 65535, np.uint16)).save(tmp_path / "deep.png")
    images, names = _load_quietly(tmp_path)
    by_name = dict(zip(names, images, strict=True))
    np.testing.assert_array_equal(by_name["icon.png"][:14], 1.0)
    np.testing.assert_array_equal(by_name["icon.png"][14:], 0.0)  # transparent: black
    np.testing.assert_allclose(by_name["palette.gif"], 90 / 255, atol=1 / 255)
    np.testing.assert_array_equal(by_name["deep.png"], 1.0)  # scaled, not clipped at 255
    message = capsys.readouterr().out
    assert "3 of the 3 images were converted" in message
    for mode in ("RGB colour with transparency: 1", "palette colours: 1", "16-bit greyscale: 1"):
        assert mode in message


def test_unreadable_files_are_skipped_with_a_warning_naming_them(tmp_path):
    _save(tmp_path, "good.png", _grey(2))
    _save(tmp_path, "whole.png", _grey(3))
    (tmp_path / "cut_short.png").write_bytes((tmp_path / "whole.png").read_bytes()[:80])
    (tmp_path / "notes.txt").write_text("these are not pixels\n")
    (tmp_path / "fake.png").write_text("a text file with an image's name")
    with pytest.warns(UnreadableImageWarning) as caught:
        images, names = load_image_folder(tmp_path)
    assert names == ["good.png", "whole.png"] and images.shape == (2, 28, 28)
    assert len(caught) == 1  # one warning for all the skipped files
    message = str(caught[0].message)
    assert "skipped 3 of 5 files" in message and str(tmp_path) in message
    for name in ("cut_short.png", "notes.txt", "fake.png"):
        assert name in message


def test_many_unreadable_files_are_listed_briefly(tmp_path):
    _save(tmp_path, "good.png", _grey(4))
    for k in range(15):
        (tmp_path / f"junk{k:02d}.dat").write_bytes(b"\x00" * 10)
    with pytest.warns(UnreadableImageWarning, match=r"junk00\.dat.*\.\.\. and 5 more"):
        images, _ = load_image_folder(tmp_path)
    assert len(images) == 1


def test_an_empty_folder_is_an_error_naming_it(tmp_path):
    (tmp_path / "sub").mkdir()  # sub-folders are not searched...
    (tmp_path / ".hidden.png").write_bytes(b"")  # ...and hidden files are not read
    _save(tmp_path / "sub", "deep.png", _grey(5))
    with pytest.raises(ImageFolderError, match="is empty") as raised:
        load_image_folder(tmp_path)
    assert str(tmp_path) in str(raised.value)


def test_a_folder_without_one_readable_image_is_an_error_naming_it_and_its_files(tmp_path):
    (tmp_path / "readme.txt").write_text("no images here")
    (tmp_path / "broken.jpg").write_bytes(b"\xff\xd8\xff\xe0 not really a JPEG")
    with pytest.raises(ImageFolderError, match="No readable image") as raised:
        load_image_folder(tmp_path)
    message = str(raised.value)
    assert str(tmp_path) in message and "readme.txt" in message and "broken.jpg" in message
    assert isinstance(raised.value, ValueError)


def test_a_missing_folder_or_a_file_is_a_clear_error(tmp_path):
    with pytest.raises(FileNotFoundError, match="no_such_folder"):
        load_image_folder(tmp_path / "no_such_folder")
    _save(tmp_path, "single.png", _grey(6))
    with pytest.raises(NotADirectoryError, match="single.png"):
        load_image_folder(tmp_path / "single.png")


def test_another_size_and_invert(tmp_path, capsys):
    _save(tmp_path, "square.png", np.full((28, 28), 51, np.uint8))
    images, _ = _load_quietly(tmp_path, size=(32, 16))
    assert images.shape == (1, 32, 16)
    np.testing.assert_allclose(images, 0.2, atol=1 / 255)
    assert "converted to 16x32 greyscale" in capsys.readouterr().out  # width x height
    inverted, _ = _load_quietly(tmp_path, invert=True)
    np.testing.assert_allclose(inverted, 0.8, atol=1e-6)
    assert inverted.dtype == np.float32
    for bad in ((28,), (0, 28), (28.5, 28), "28x28"):
        with pytest.raises(ValueError, match="size must be"):
            load_image_folder(tmp_path, size=bad)


def test_jpeg_rotation_from_exif_is_applied(tmp_path):
    tall = np.zeros((40, 20), np.uint8)
    tall[:20] = 255  # bright top half
    exif = Image.Exif()
    exif[0x0112] = 6  # "rotate 90 degrees clockwise to display"
    Image.fromarray(tall).save(tmp_path / "phone.jpg", exif=exif, quality=95)
    images, _ = load_image_folder(tmp_path, size=(20, 40))  # displayed: 40 wide, 20 high
    assert images[0][:, 20:].mean() > 0.9 and images[0][:, :20].mean() < 0.1


def test_it_is_exported_by_vaecourse_data():
    assert vaecourse.data.load_image_folder is load_image_folder


def test_the_warning_comes_again_when_the_same_folder_is_loaded_again(tmp_path):
    """Python shows a warning once per place and message by default: a notebook cell run twice
    would stay silent the second time. This warning is shown every time."""
    _save(tmp_path, "good.png", _grey(7))
    (tmp_path / "notes.txt").write_text("not an image")
    with warnings.catch_warnings(record=True) as caught:
        warnings.filterwarnings("default", append=True)  # Python's default, below the module's
        for _ in range(2):
            load_image_folder(tmp_path)
    assert [w.category for w in caught] == [UnreadableImageWarning] * 2
