"""Memory of the photo step: the bot's peak resident memory above idle while it decodes nasty photos.

    python bench/bench_photo.py [--at-once 10] [--kinds png-1bit-huge,jpeg-50mp]

For each kind of photo a clerk's phone or scanner produces (generated here with Pillow), a fresh
Python process imports the bot's handlers, decodes a tiny photo (so libjpeg, zlib and the decode
threads exist), reads its idle VmRSS from /proc, then does what ``handlers.intake.on_file`` does
for one upload and, in another fresh process, for ``--at-once`` uploads arriving together: the
file written chunk by chunk into a ``SpooledTemporaryFile`` (as ``Bot.download`` writes it) and
``handlers.intake.decode_photo`` (core.photo.prepare_photo in the photo threads), all awaited at
once. "peak" is the process's high-water mark (VmHWM, reset at idle through
/proc/self/clear_refs) minus idle; "after" is VmRSS once
all are done, minus idle (what the allocator keeps). The form's box is Zhengzhou's, 850×1276.
The goal (issue 9): under 100 MB for one photo, under 300 MB for ten at once.
"""

from __future__ import annotations

import argparse
import asyncio
import io
import json
import os
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

from PIL import Image

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from core.photo import open_header  # noqa: E402

BOX = (850, 1276)
CHUNK = 65536


def png_1bit_huge() -> bytes:
    """7,745×7,745 1-bit PNG of 7 KB: 60 MP (issue 9 saw 573 MB for one, 3.6 GB for six)."""
    return save(Image.new("1", (7745, 7745), 0), "PNG")


def png_over_limit() -> bytes:
    """15,000×13,000 one-colour PNG: 195 MP, past Pillow's own bomb limit."""
    return save(Image.new("L", (15000, 13000), 200), "PNG")


def png_16bit() -> bytes:
    """16-bit grey PNG, 4,000×4,000 (the PNG limit, 16 MP) with a gradient."""
    ramp = Image.linear_gradient("L").resize((4000, 4000))
    return save(ramp.convert("I").point(lambda v: v * 257).convert("I;16"), "PNG")


def png_rgba_at_limit() -> bytes:
    """RGBA PNG screenshot-like, 4,000×4,000 (16 MP): the most memory a PNG may take (4 bytes a pixel)."""
    img = Image.linear_gradient("L").resize((4000, 4000))
    return save(Image.merge("RGBA", (img, img.rotate(90), img.transpose(Image.Transpose.FLIP_TOP_BOTTOM), img)), "PNG")


def jpeg_7000x10000() -> bytes:
    """7,000×10,000 JPEG of about 1.1 MB (a scan of one colour; issue 9: refused as "over 20 MB")."""
    return save(Image.new("RGB", (7000, 10000), (20, 90, 200)), "JPEG")


def jpeg_50mp() -> bytes:
    """8,160×6,144 (50 MP) phone JPEG, baseline, with texture: about 15 MB."""
    return save(textured((8160, 6144)), "JPEG", quality=80)


def jpeg_progressive_at_limit() -> bytes:
    """3,264×2,448 (8 MP, the limit) progressive JPEG without chroma subsampling: libjpeg keeps all
    its coefficients, the most of any kind."""
    return save(textured((3264, 2448)), "JPEG", quality=90, progressive=True, subsampling="4:4:4")


def textured(size: tuple[int, int]) -> Image.Image:
    noise = Image.effect_noise(size, 40)
    ramp = Image.linear_gradient("L").resize(size)
    return Image.merge("RGB", (noise, ramp, Image.blend(noise, ramp, 0.5)))


def save(img: Image.Image, fmt: str, **options: object) -> bytes:
    out = io.BytesIO()
    img.save(out, fmt, **options)
    return out.getvalue()


KINDS: dict[str, Callable[[], bytes]] = {
    "png-1bit-huge": png_1bit_huge,
    "png-195mp": png_over_limit,
    "png-16bit": png_16bit,
    "png-rgba-16mp": png_rgba_at_limit,
    "jpeg-7000x10000": jpeg_7000x10000,
    "jpeg-50mp": jpeg_50mp,
    "jpeg-progressive-8mp": jpeg_progressive_at_limit,
}


def status_mb(field: str) -> float:
    """VmRSS (resident now) or VmHWM (its high-water mark) of this process, in MB."""
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith(field + ":"):
            return int(line.split()[1]) / 1024
    raise RuntimeError(f"no {field} in /proc/self/status")


def vmrss_mb() -> float:
    return status_mb("VmRSS")


async def child(path: Path, at_once: int) -> dict[str, object]:
    """In a fresh process: idle, then ``at_once`` uploads of ``path`` decoded as the bot does."""
    from core.errors import InvalidAnswer
    from handlers.intake import SPOOL_BYTES, decode_photo

    await decode_photo(save(Image.new("RGB", (64, 64)), "JPEG"), *BOX)  # warm: libraries and threads
    await decode_photo(save(Image.new("RGB", (64, 64)), "PNG"), *BOX)
    Path("/proc/self/clear_refs").write_text("5")  # the high-water mark starts again from now
    idle = vmrss_mb()

    async def one() -> str:
        with tempfile.SpooledTemporaryFile(max_size=SPOOL_BYTES) as spool, path.open("rb") as upload:
            while chunk := upload.read(CHUNK):
                spool.write(chunk)
                await asyncio.sleep(0)  # downloads interleave, as they do from the network
            spool.seek(0)
            try:
                photo = await decode_photo(spool, *BOX)
            except InvalidAnswer as err:
                return type(err.problem).__name__
            return f"{photo.width}×{photo.height}"

    started = time.perf_counter()
    outcomes = await asyncio.gather(*(one() for _ in range(at_once)))
    seconds = time.perf_counter() - started
    peak = status_mb("VmHWM")
    return {"outcome": outcomes[0], "peak": peak - idle, "after": vmrss_mb() - idle, "idle": idle, "s": seconds}


def measure(path: Path, at_once: int) -> dict[str, object]:
    out = subprocess.run(
        [sys.executable, __file__, "--child", str(path), "--at-once", str(at_once)],
        check=True,
        capture_output=True,
        text=True,
        cwd=ROOT,
    )
    result: dict[str, object] = json.loads(out.stdout.strip().splitlines()[-1])
    return result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--at-once", type=int, default=10)
    parser.add_argument("--kinds", default=",".join(KINDS))
    parser.add_argument("--child", type=Path, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child is not None:
        print(json.dumps(asyncio.run(child(args.child, args.at_once))))
        return
    kinds = args.kinds.split(",")
    print(f"{'photo':<24}{'file':>9}{'pixels':>14}  {'outcome':<20}{'idle MB':>8}", end="")
    print(f"{'1: peak':>9}{'after':>7}{'s':>6}{f'{args.at_once}: peak':>11}{'after':>7}{'s':>6}")
    with tempfile.TemporaryDirectory() as tmp:
        for kind in kinds:
            data = KINDS[kind]()
            path = Path(tmp) / kind
            path.write_bytes(data)
            with path.open("rb") as fp, open_header(fp) as header:  # Image.open refuses 195 MP
                pixels = f"{header.width}×{header.height}"
            del data
            single, many = measure(path, 1), measure(path, args.at_once)
            size = os.path.getsize(path)
            shown = f"{size / 1024 / 1024:.1f} MB" if size >= 1024 * 1024 else f"{size / 1024:.0f} KB"
            print(f"{kind:<24}{shown:>9}{pixels:>14}  {single['outcome']!s:<20}{single['idle']:>8.0f}", end="")
            print(f"{single['peak']:>9.0f}{single['after']:>7.0f}{single['s']:>6.1f}", end="")
            print(f"{many['peak']:>11.0f}{many['after']:>7.0f}{many['s']:>6.1f}", flush=True)
    print("MB above the idle bot process; peak = high-water mark (VmHWM), after = VmRSS when done")


if __name__ == "__main__":
    main()
