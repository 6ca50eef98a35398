"""Photos for the nominee record: JPG or PNG in, a JPEG within the campaign's pixel limit out.

Pillow does the decoding; anything it does not recognise as JPEG or PNG is refused with the
reason. Decompression bombs are refused before decoding the pixels.
"""

from __future__ import annotations

import io
from dataclasses import dataclass

from PIL import Image, ImageOps, UnidentifiedImageError

from core.errors import InvalidAnswer, PhotoCorrupt, PhotoEmpty, PhotoFormat, PhotoTooLarge, PhotoTooManyPixels

MAX_MB = 20  # Telegram's getFile limit for bots
MAX_BYTES = MAX_MB * 1024 * 1024
MAX_MEGAPIXELS = 60  # decoding more would hold hundreds of MB of pixels in memory
MAX_PIXELS = MAX_MEGAPIXELS * 1_000_000
ACCEPTED = {"JPEG": "JPG", "PNG": "PNG"}


@dataclass(frozen=True)
class Photo:
    data: bytes  # JPEG
    width: int
    height: int
    scaled: bool  # True when the original was larger than the limit


def prepare_photo(data: bytes, max_width: int | None, max_height: int | None, quality: int = 90) -> Photo:
    """The photo as a JPEG of at most ``max_width`` × ``max_height`` pixels (scaled down, never up).

    Raises :class:`InvalidAnswer` with PhotoEmpty, PhotoTooLarge (over MAX_MB), PhotoFormat (not
    a JPEG or PNG), PhotoTooManyPixels (over MAX_MEGAPIXELS) or PhotoCorrupt (unreadable pixels)."""
    if not data:
        raise InvalidAnswer(PhotoEmpty())
    if len(data) > MAX_BYTES:
        raise InvalidAnswer(PhotoTooLarge(max_mb=MAX_MB))
    try:
        with Image.open(io.BytesIO(data)) as probe:
            fmt = probe.format or ""
            width, height = probe.size
    except (UnidentifiedImageError, OSError, Image.DecompressionBombError):
        raise InvalidAnswer(PhotoFormat()) from None
    if fmt not in ACCEPTED:
        raise InvalidAnswer(PhotoFormat())
    if width * height > MAX_PIXELS:
        # a small file can hold a huge picture (a PNG of one colour): its size in MB says nothing
        raise InvalidAnswer(PhotoTooManyPixels(width=width, height=height, max_megapixels=MAX_MEGAPIXELS))
    try:
        with Image.open(io.BytesIO(data)) as opened:
            img: Image.Image = opened
            ImageOps.exif_transpose(img, in_place=True)  # upright; no copy of the pixels
            if img.mode not in ("RGB", "L"):
                # flatten transparency onto white: JPEG has no alpha and black backgrounds look wrong
                rgba = img.convert("RGBA")
                background = Image.new("RGB", rgba.size, (255, 255, 255))
                background.paste(rgba, mask=rgba.getchannel("A"))
                img = background
            scaled = False
            limit_w, limit_h = max_width or img.width, max_height or img.height
            if img.width > limit_w or img.height > limit_h:
                img.thumbnail((limit_w, limit_h), Image.Resampling.LANCZOS)
                scaled = True
            out = io.BytesIO()
            (img if img.mode == "RGB" else img.convert("RGB")).save(out, "JPEG", quality=quality, optimize=True)
            return Photo(out.getvalue(), img.width, img.height, scaled)
    except (OSError, ValueError, Image.DecompressionBombError):
        raise InvalidAnswer(PhotoCorrupt()) from None
