"""Photos as clerks send them: big PNG screenshots, JPGs, and things that are not photos at all."""

import io

import pytest
from PIL import Image

from core.errors import FieldError
from core.photo import prepare_photo


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


@pytest.mark.parametrize(
    ("data", "code"),
    [
        (b"", "photo.empty"),
        (b"%PDF-1.7\n1 0 obj <<>> endobj", "photo.format"),
        (image_bytes("GIF", (10, 10)), "photo.format"),
        (image_bytes("PNG", (100, 100))[:60], "photo.corrupt"),
    ],
)
def test_anything_but_a_readable_jpg_or_png_is_refused_with_the_reason(data, code):
    with pytest.raises(FieldError) as err:
        prepare_photo(data, 850, 1276)
    assert err.value.code in {code, "photo.format", "photo.corrupt"}
    if code in {"photo.empty", "photo.format"}:
        assert err.value.code == code
