"""Photos as clerks send them: big PNG screenshots, JPGs, and things that are not photos at all."""

import io
import struct
import zlib

import pytest
from PIL import Image

from core.errors import (
    AnswerProblem,
    InvalidAnswer,
    PhotoCorrupt,
    PhotoEmpty,
    PhotoFormat,
    PhotoTooLarge,
    PhotoTooManyPixels,
)
from core.photo import MAX_BYTES, prepare_photo


def image_bytes(fmt: str, size: tuple[int, int], mode: str = "RGB") -> bytes:
    buf = io.BytesIO()
    Image.new(mode, size, (200, 30, 30) if mode == "RGB" else (200, 30, 30, 100)).save(buf, fmt)
    return buf.getvalue()


def test_a_large_png_is_converted_to_jpeg_within_the_zhengzhou_limit():
    photo = prepare_photo(image_bytes("PNG", (2000, 3000), "RGBA"), 850, 1276)
    assert photo.scaled and photo.width <= 850 and photo.height <= 1276
    with Image.open(io.BytesIO(photo.data)) as img:
        assert img.format == "JPEG" and img.size == (photo.width, photo.height)


def test_a_small_jpeg_is_kept_at_its_size():
    photo = prepare_photo(image_bytes("JPEG", (413, 579)), 850, 1276)
    assert not photo.scaled and (photo.width, photo.height) == (413, 579)


def with_size(png: bytes, width: int, height: int) -> bytes:
    """The PNG with another width and height in its header (and the header's checksum redone):
    what a picture of that size looks like before its pixels are decoded."""
    ihdr = png[12:29]  # chunk type + 13 bytes of data, after the 8-byte signature and the length
    changed = ihdr[:4] + struct.pack(">II", width, height) + ihdr[12:]
    return png[:12] + changed + struct.pack(">I", zlib.crc32(changed)) + png[33:]


def refusal(data: bytes) -> AnswerProblem:
    with pytest.raises(InvalidAnswer) as err:
        prepare_photo(data, 850, 1276)
    return err.value.problem


@pytest.mark.parametrize(
    ("data", "problem"),
    [
        (b"", PhotoEmpty()),
        (b"%PDF-1.7\n1 0 obj <<>> endobj", PhotoFormat()),
        (image_bytes("GIF", (10, 10)), PhotoFormat()),
        (image_bytes("PNG", (100, 100))[:60], PhotoCorrupt()),  # the header is there, the pixels are cut off
    ],
)
def test_anything_but_a_readable_jpg_or_png_is_refused_with_the_reason(data, problem):
    assert refusal(data) == problem


def test_a_file_over_telegrams_download_limit_is_refused_with_the_limit_in_mb():
    assert refusal(b"\xff\xd8" + bytes(MAX_BYTES)) == PhotoTooLarge(max_mb=20)


def test_a_small_file_holding_a_huge_picture_is_refused_for_its_pixels_not_its_size():
    huge = with_size(image_bytes("PNG", (10, 10)), 10_000, 7_000)
    assert len(huge) < 1000
    assert refusal(huge) == PhotoTooManyPixels(width=10_000, height=7_000, max_megapixels=60)


def test_a_phone_photo_taken_sideways_is_stored_upright_without_its_exif():
    """Phones store the pixels as the sensor saw them and a rotation tag; the stored photo is
    turned upright (so the office prints it the right way up) and carries no EXIF (no location)."""
    buf = io.BytesIO()
    img = Image.new("RGB", (1200, 800), (30, 60, 200))
    img.paste((250, 250, 0), (0, 0, 100, 100))  # a yellow corner to follow
    exif = Image.Exif()
    exif[0x0112] = 6  # Orientation: rotate 90° clockwise to view
    exif[0x8825] = {2: (34.0, 45.0, 0.0)}  # GPS latitude
    img.save(buf, "JPEG", exif=exif.tobytes())
    photo = prepare_photo(buf.getvalue(), 850, 1276)
    assert (photo.width, photo.height) == (800, 1200) and not photo.scaled
    with Image.open(io.BytesIO(photo.data)) as out:
        assert out.size == (800, 1200)
        assert not out.getexif()
        corner = out.getpixel((out.width - 10, 10))  # the yellow corner, now top right
        assert isinstance(corner, tuple)
        r, g, b = corner
        assert r > 200 and g > 200 and b < 80


def test_a_grey_or_transparent_png_becomes_an_rgb_jpeg_on_white():
    grey = io.BytesIO()
    Image.new("L", (300, 400), 128).save(grey, "PNG")
    with Image.open(io.BytesIO(prepare_photo(grey.getvalue(), 850, 1276).data)) as out:
        assert out.mode == "RGB"
    clear = io.BytesIO()
    Image.new("RGBA", (300, 400), (0, 0, 0, 0)).save(clear, "PNG")
    with Image.open(io.BytesIO(prepare_photo(clear.getvalue(), 850, 1276).data)) as out:
        middle = out.getpixel((150, 200))
        assert out.mode == "RGB" and isinstance(middle, tuple) and min(middle) > 240
