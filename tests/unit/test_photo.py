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
from core.photo import MAX_BYTES, as_rgb, prepare_photo


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
    assert refusal(huge) == PhotoTooManyPixels(width=10_000, height=7_000, max_megapixels=16, kind="PNG")


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


# ------------------------------------------------------------------ every mode becomes what it shows


def encoded(img: Image.Image, fmt: str, **options: object) -> bytes:
    buf = io.BytesIO()
    img.save(buf, fmt, **options)
    return buf.getvalue()


def stored(data: bytes) -> Image.Image:
    """The stored photo, checked to be an RGB JPEG."""
    photo = prepare_photo(data, 850, 1276)
    out = Image.open(io.BytesIO(photo.data))
    assert out.format == "JPEG" and out.mode == "RGB" and out.size == (photo.width, photo.height)
    return out


def near(pixel: object, expected: tuple[int, int, int], tolerance: int = 8) -> bool:
    assert isinstance(pixel, tuple)
    return all(abs(a - b) <= tolerance for a, b in zip(pixel, expected, strict=True))


def halves(mode: str, left: object, right: object, size: tuple[int, int] = (200, 100)) -> Image.Image:
    img = Image.new(mode, size, left)  # type: ignore[arg-type]
    img.paste(right, (size[0] // 2, 0, size[0], size[1]))  # type: ignore[arg-type]
    return img


def grey_ramp(width: int = 256) -> Image.Image:
    """One row per grey level 0…255, left to right."""
    return Image.frombytes("L", (256, 1), bytes(range(256))).resize((width, 64), Image.Resampling.NEAREST)


def test_a_16_bit_grey_scan_keeps_its_shades_instead_of_turning_white():
    ramp = grey_ramp().convert("I").point(lambda v: v * 257).convert("I;16")  # 0…65535, left to right
    data = encoded(ramp, "PNG")
    assert Image.open(io.BytesIO(data)).mode == "I;16"
    out = stored(data)
    for x in (5, 64, 128, 192, 250):
        assert near(out.getpixel((x, 32)), (x, x, x), 3), x


@pytest.mark.parametrize("mode", ["I", "F"])
def test_deep_grey_modes_become_their_grey(mode):
    """``I`` as PNG's 16-bit grey (0…65535), ``F`` on Pillow's 0…255 scale."""
    scale = 257 if mode == "I" else 1
    ramp = grey_ramp().convert("I").point(lambda v: v * scale).convert(mode)
    out = as_rgb(ramp)
    assert out.mode == "RGB"
    for x in (0, 100, 255):
        assert near(out.getpixel((x, 10)), (x, x, x), 1), x


def test_a_1_bit_scan_stays_black_on_white():
    out = stored(encoded(halves("1", 0, 1), "PNG"))
    assert near(out.getpixel((20, 50)), (0, 0, 0)) and near(out.getpixel((180, 50)), (255, 255, 255))


def test_a_grey_png_stays_grey():
    out = stored(encoded(halves("L", 60, 190), "PNG"))
    assert near(out.getpixel((20, 50)), (60, 60, 60)) and near(out.getpixel((180, 50)), (190, 190, 190))


def test_a_palette_png_keeps_its_colours_and_its_transparent_colour_becomes_white():
    img = halves("P", 1, 0)
    img.putpalette([0, 0, 0, 200, 30, 30] + [0] * 762)
    plain = stored(encoded(img, "PNG"))
    assert near(plain.getpixel((20, 50)), (200, 30, 30)) and near(plain.getpixel((180, 50)), (0, 0, 0))
    clear = stored(encoded(img, "PNG", transparency=0))  # index 0 (black) is transparent
    assert near(clear.getpixel((20, 50)), (200, 30, 30)) and near(clear.getpixel((180, 50)), (255, 255, 255))


def test_a_grey_png_with_alpha_is_laid_on_white():
    out = stored(encoded(halves("LA", (0, 255), (0, 0)), "PNG"))  # black, then fully transparent
    assert near(out.getpixel((20, 50)), (0, 0, 0)) and near(out.getpixel((180, 50)), (255, 255, 255))


def test_a_colour_png_with_alpha_is_laid_on_white_and_half_transparent_red_turns_pink():
    out = stored(encoded(halves("RGBA", (0, 0, 200, 255), (255, 0, 0, 128)), "PNG"))
    assert near(out.getpixel((20, 50)), (0, 0, 200)) and near(out.getpixel((180, 50)), (255, 127, 127))


def test_a_transparent_png_shrunk_to_the_limit_looks_as_the_same_picture_drawn_on_white():
    """Shrinking averages transparent pixels too: their hidden colour (black here) must not show
    as a dark fringe along the edges."""
    img = Image.new("RGBA", (1900, 2852), (0, 0, 0, 0))
    img.paste((255, 0, 0, 255), (0, 0, 951, 2852))
    on_white = Image.new("RGB", img.size, (255, 255, 255))
    on_white.paste(img, mask=img)
    out, expected = stored(encoded(img, "PNG")), stored(encoded(on_white, "PNG"))
    assert out.size == expected.size == (850, 1276)
    assert all(near(out.getpixel((x, 600)), expected.getpixel((x, 600)), 4) for x in range(850))  # type: ignore[arg-type]


def test_a_colour_png_whose_one_colour_is_transparent_shows_white_there():
    out = stored(encoded(halves("RGB", (0, 0, 0), (30, 120, 60)), "PNG", transparency=(0, 0, 0)))
    assert near(out.getpixel((20, 50)), (255, 255, 255)) and near(out.getpixel((180, 50)), (30, 120, 60))


def test_an_rgb_jpeg_keeps_its_colours():
    out = stored(encoded(halves("RGB", (200, 30, 30), (30, 30, 200)), "JPEG", quality=95))
    assert near(out.getpixel((20, 50)), (200, 30, 30)) and near(out.getpixel((180, 50)), (30, 30, 200))


def test_a_cmyk_jpeg_from_a_print_shop_shows_its_colours():
    cmyk = halves("CMYK", (0, 255, 255, 0), (255, 255, 0, 0))  # red, then blue
    out = stored(encoded(cmyk, "JPEG", quality=95))
    assert near(out.getpixel((20, 50)), (255, 0, 0), 12) and near(out.getpixel((180, 50)), (0, 0, 255), 12)


def test_a_ycbcr_picture_shows_its_colours():
    ycbcr = halves("RGB", (200, 30, 30), (30, 30, 200)).convert("YCbCr")
    assert near(as_rgb(ycbcr).getpixel((20, 50)), (200, 30, 30), 3)
    out = stored(encoded(ycbcr, "JPEG", quality=95))
    assert near(out.getpixel((20, 50)), (200, 30, 30)) and near(out.getpixel((180, 50)), (30, 30, 200))


def test_a_phone_photo_with_a_second_picture_inside_mpo_is_taken_as_its_first_picture():
    first, second = Image.new("RGB", (640, 480), (200, 30, 30)), Image.new("RGB", (320, 240), (30, 30, 200))
    data = encoded(first, "MPO", save_all=True, append_images=[second])
    assert Image.open(io.BytesIO(data)).format == "MPO"
    out = stored(data)
    assert out.size == (640, 480) and near(out.getpixel((100, 100)), (200, 30, 30))


# ------------------------------------------------------------------ the limits, read from the header


def jpeg_with_size(width: int, height: int) -> bytes:
    """A small JPEG whose frame header says ``width`` × ``height``: what a huge JPEG looks like
    before its pixels are decoded."""
    data = bytearray(encoded(Image.new("RGB", (16, 16)), "JPEG"))
    sof = data.index(b"\xff\xc0")
    data[sof + 5 : sof + 9] = struct.pack(">HH", height, width)
    return bytes(data)


@pytest.fixture(scope="module")
def scan_7000x10000() -> bytes:
    return encoded(Image.new("L", (7000, 10000), 90), "JPEG")


def test_a_7000_by_10000_jpeg_of_one_megabyte_is_taken_and_scaled(scan_7000x10000):
    assert len(scan_7000x10000) < 2 * 1024 * 1024
    photo = prepare_photo(scan_7000x10000, 850, 1276)
    assert photo.scaled and (photo.width, photo.height) == (850, 1214)


def test_a_50_megapixel_phone_photo_is_taken_and_scaled():
    phone = encoded(Image.new("L", (8160, 6144), 150), "JPEG")
    photo = prepare_photo(phone, 850, 1276)
    assert photo.scaled and (photo.width, photo.height) == (850, 640)


def test_a_jpeg_over_200_megapixels_is_refused_naming_its_size_and_the_limit():
    assert refusal(jpeg_with_size(20_000, 12_000)) == PhotoTooManyPixels(20_000, 12_000, 200, "JPG")


def test_a_png_past_pillows_own_bomb_limit_is_refused_for_its_pixels_not_as_an_unknown_format():
    """15,000 × 13,000 = 195 MP: Image.open would raise DecompressionBombError from the header."""
    assert refusal(with_size(image_bytes("PNG", (10, 10)), 15_000, 13_000)) == PhotoTooManyPixels(
        15_000, 13_000, 16, "PNG"
    )


def test_a_1_bit_png_of_7_kb_holding_60_megapixels_is_refused_before_decoding():
    data = encoded(Image.new("1", (7745, 7745), 0), "PNG")
    assert len(data) < 10_000
    assert refusal(data) == PhotoTooManyPixels(7745, 7745, 16, "PNG")


def test_a_png_at_the_limit_is_taken():
    photo = prepare_photo(encoded(Image.new("1", (4000, 4000), 1), "PNG"), 850, 1276)
    assert (photo.width, photo.height) == (850, 850)


def test_a_progressive_jpeg_is_held_whole_by_libjpeg_so_its_limit_is_lower():
    progressive = encoded(Image.new("L", (4000, 2500), 100), "JPEG", progressive=True)
    assert refusal(progressive) == PhotoTooManyPixels(4000, 2500, 8, "progressive JPG")
    small = encoded(Image.new("L", (3000, 2000), 100), "JPEG", progressive=True)
    assert prepare_photo(small, 850, 1276).width == 850
