"""Photos for the nominee record: JPG or PNG in, an RGB JPEG within the campaign's pixel limit out.

Memory is bounded before any pixel is decoded: the size is read from the header and checked
against a limit that depends on how the file can be decoded.

- A baseline JPEG is decoded already reduced (libjpeg's DCT scaling, 1/2 … 1/8 per side, via
  ``Image.draft``) to no less than the size that will be stored, so even a 200 MP phone photo
  holds a few megapixels in memory: up to MAX_JPEG_MEGAPIXELS are accepted.
- A PNG is decoded whole: up to MAX_PNG_MEGAPIXELS, which Pillow holds in at most 4 bytes a
  pixel. A progressive JPEG is decoded reduced too, but libjpeg first keeps all its coefficients
  (6 to 10 bytes a pixel, measured): up to MAX_PROGRESSIVE_MEGAPIXELS.

Then the picture is shrunk in the mode it came in (alpha premultiplied, 16-bit samples kept),
turned upright by its EXIF orientation, and converted to RGB (:func:`as_rgb`): transparency
onto white, 16-bit grey scaled to 8 bits. The stored JPEG carries no EXIF (no location).
"""

from __future__ import annotations

import io
import struct
from dataclasses import dataclass
from typing import IO

from PIL import Image, JpegImagePlugin, PngImagePlugin

from core.errors import (
    InvalidAnswer,
    PhotoCorrupt,
    PhotoEmpty,
    PhotoFormat,
    PhotoKind,
    PhotoTooLarge,
    PhotoTooManyPixels,
)

MAX_MB = 20  # Telegram's getFile limit for bots
MAX_BYTES = MAX_MB * 1024 * 1024
MAX_JPEG_MEGAPIXELS = 200  # a baseline JPEG, decoded reduced: the largest phone sensors (16320×12240)
MAX_PNG_MEGAPIXELS = 16  # a PNG is decoded whole: ≤ 64 MB of pixels (4 bytes each at most)
MAX_PROGRESSIVE_MEGAPIXELS = 8  # libjpeg keeps all of a progressive JPEG's coefficients: 6–10 bytes a pixel
MAX_SIDE = 2000  # the longest side stored, whatever the form allows (a printed ID photo needs ~1000)

PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"
JPEG_SIGNATURE = b"\xff\xd8\xff"
# EXIF orientation → the transposition that turns the picture upright (as ImageOps.exif_transpose)
UPRIGHT = {
    2: Image.Transpose.FLIP_LEFT_RIGHT,
    3: Image.Transpose.ROTATE_180,
    4: Image.Transpose.FLIP_TOP_BOTTOM,
    5: Image.Transpose.TRANSPOSE,
    6: Image.Transpose.ROTATE_270,
    7: Image.Transpose.TRANSVERSE,
    8: Image.Transpose.ROTATE_90,
}
SIDEWAYS = {UPRIGHT[5], UPRIGHT[6], UPRIGHT[7], UPRIGHT[8]}  # width and height swap
SIXTEEN_BIT = ("I;16", "I;16L", "I;16B", "I;16N", "I")
STRIP_PIXELS = 1_000_000  # pixels converted at a time
MAX_COPY_PIXELS = 4_000_000  # a decoded picture larger than this is never copied whole
WHITE = (255, 255, 255)


@dataclass(frozen=True)
class Photo:
    data: bytes  # JPEG
    width: int
    height: int
    scaled: bool  # True when the original was larger than the limit


def prepare_photo(source: bytes | IO[bytes], max_width: int | None, max_height: int | None, quality: int = 90) -> Photo:
    """The photo as an RGB JPEG of at most ``max_width`` × ``max_height`` pixels (scaled down,
    never up; each side at most MAX_SIDE whatever the form says).

    ``source`` is the file's bytes or a seekable binary file (read from its start; a file on
    disk keeps a large upload out of memory).

    Raises :class:`InvalidAnswer` with PhotoEmpty, PhotoTooLarge (over MAX_MB), PhotoFormat
    (neither JPEG — MPO's first picture counts — nor PNG), PhotoTooManyPixels (over the limit of
    its kind, read from the header before decoding) or PhotoCorrupt (unreadable pixels)."""
    fp = io.BytesIO(source) if isinstance(source, bytes) else source
    size = fp.seek(0, io.SEEK_END)
    if size == 0:
        raise InvalidAnswer(PhotoEmpty())
    if size > MAX_BYTES:
        raise InvalidAnswer(PhotoTooLarge(max_mb=MAX_MB))
    fp.seek(0)
    img = open_header(fp)
    try:
        check_pixels(img)
        try:
            return convert(img, box(max_width, max_height), quality)
        except (OSError, SyntaxError, ValueError, EOFError, MemoryError):
            raise InvalidAnswer(PhotoCorrupt()) from None
    finally:
        img.close()


def open_header(fp: IO[bytes]) -> Image.Image:
    """The JPEG or PNG with only its header read. Opened by its format's plugin rather than
    ``Image.open``, whose decompression-bomb check would refuse a 200 MP phone photo without
    saying its size; :func:`check_pixels` is the check here."""
    head = fp.read(8)
    fp.seek(0)
    try:
        if head.startswith(PNG_SIGNATURE):
            return PngImagePlugin.PngImageFile(fp)
        if head.startswith(JPEG_SIGNATURE):
            return JpegImagePlugin.jpeg_factory(fp)  # an MPO (second picture embedded) as well
    except (OSError, SyntaxError, ValueError, EOFError, TypeError, IndexError, KeyError, struct.error):
        pass
    raise InvalidAnswer(PhotoFormat())


def is_reduced_while_decoding(img: Image.Image) -> bool:
    """A baseline JPEG: libjpeg can decode it at 1/2, 1/4 or 1/8 of each side."""
    return img.format in ("JPEG", "MPO") and not img.info.get("progressive")


def check_pixels(img: Image.Image) -> None:
    """Refuses a picture with more pixels than the bot decodes for its kind (header only)."""
    width, height = img.size
    kind: PhotoKind
    if img.format == "PNG":
        kind, limit = "PNG", MAX_PNG_MEGAPIXELS
    elif is_reduced_while_decoding(img):
        kind, limit = "JPG", MAX_JPEG_MEGAPIXELS
    else:
        kind, limit = "progressive JPG", MAX_PROGRESSIVE_MEGAPIXELS
    if width * height > limit * 1_000_000:
        raise InvalidAnswer(PhotoTooManyPixels(width=width, height=height, max_megapixels=limit, kind=kind))


def box(max_width: int | None, max_height: int | None) -> tuple[int, int]:
    """The box the stored photo must fit: the form's, within MAX_SIDE."""
    return min(max_width or MAX_SIDE, MAX_SIDE), min(max_height or MAX_SIDE, MAX_SIDE)


def fitted(size: tuple[int, int], limit: tuple[int, int]) -> tuple[int, int]:
    """``size`` scaled down (never up) to fit ``limit``, aspect kept."""
    scale = min(limit[0] / size[0], limit[1] / size[1], 1.0)
    return max(1, round(size[0] * scale)), max(1, round(size[1] * scale))


def convert(img: Image.Image, limit: tuple[int, int], quality: int) -> Photo:
    """Decodes ``img`` (header read) into the stored JPEG that fits ``limit`` once upright."""
    orientation = img.getexif().get(0x0112, 1)
    upright = UPRIGHT.get(orientation) if isinstance(orientation, int) else None
    # the box as the stored pixels lie before turning upright
    raw_limit = (limit[1], limit[0]) if upright in SIDEWAYS else limit
    original = img.size
    target = fitted(original, raw_limit)
    scaled = target != original
    if scaled and is_reduced_while_decoding(img):
        # libjpeg's largest reduction (8, 4 or 2) that still leaves at least the target
        factor = min(original[0] // target[0], original[1] // target[1], 8)
        factor = 1 << (factor.bit_length() - 1)
        img.draft(img.mode, (original[0] // factor, original[1] // factor))
    reduced = reduce_to_rgb(img, reduction(img.size, target))
    final = fitted(original, (min(raw_limit[0], reduced.width), min(raw_limit[1], reduced.height)))
    small = reduced if reduced.size == final else reduced.resize(final, Image.Resampling.LANCZOS)
    if upright is not None:
        small = small.transpose(upright)
    out = io.BytesIO()
    small.save(out, "JPEG", quality=quality, optimize=True)
    return Photo(out.getvalue(), small.width, small.height, scaled)


def reduction(decoded: tuple[int, int], target: tuple[int, int]) -> int:
    """The integer factor the decoded picture is box-averaged by before the final resize: as
    much as leaves at least the target; at least 2 for a large picture that must shrink at all
    (then it may end a little smaller than the box, but no full-size RGB copy is made)."""
    factor = max(1, min(decoded[0] // target[0], decoded[1] // target[1]))
    if factor == 1 and decoded != target and decoded[0] * decoded[1] > MAX_COPY_PIXELS:
        factor = 2
    return factor


def reduce_to_rgb(img: Image.Image, factor: int) -> Image.Image:
    """The decoded picture in RGB (:func:`as_rgb`), box-averaged by ``factor`` (``Image.reduce``).

    Done a strip at a time (strips a multiple of ``factor`` high, so the result is exactly the
    whole picture's): only the decoded picture and one strip are in memory, never a full-size
    copy in another mode (Pillow holds RGB and RGBA in 4 bytes a pixel, and premultiplies alpha
    in a copy). Averaging after flattening onto white equals premultiplied averaging."""
    img.load()
    if img.mode == "RGB" and factor == 1 and "transparency" not in img.info:
        return img
    width, height = img.size
    out = Image.new("RGB", (-(-width // factor), -(-height // factor)), WHITE)
    rows = factor * max(1, STRIP_PIXELS // (width * factor))
    for top in range(0, height, rows):
        part = as_rgb(img.crop((0, top, width, min(height, top + rows))))
        out.paste(part.reduce(factor) if factor > 1 else part, (0, top // factor))
    return out


def as_rgb(img: Image.Image) -> Image.Image:
    """The picture in RGB as it looks: any mode Pillow has (1, L, P, LA, PA, RGBA, CMYK, YCbCr, …).

    Transparency (an alpha band, a palette's or a colour's ``transparency``) is flattened onto
    white: JPEG has no alpha and the office prints on white paper. 16-bit samples (``I;16*``, and
    ``I`` as PNG gives 16-bit grey) are scaled from 0…65535 to 0…255 (Pillow's own conversion
    clips them, which turns a photo white); ``F`` follows Pillow's 0…255 convention."""
    if img.mode in SIXTEEN_BIT:
        eight = img.convert("I").point(lambda v: v / 257).convert("L")
        return eight.convert("RGB")
    if img.mode in ("LA", "PA", "RGBA", "RGBa") or "transparency" in img.info:
        rgba = img.convert("RGBA")
        background = Image.new("RGB", rgba.size, WHITE)
        background.paste(rgba, mask=rgba.getchannel("A"))
        return background
    if img.mode == "RGB":
        return img
    return img.convert("RGB")
