"""The photo question: a picture or a JPG/PNG file is taken (scaled into the form's limit) and
stored as an RGB JPEG that looks as the original did, whatever its kind (16-bit grey, transparent,
MPO, a huge scan); anything else, too large a file or too many pixels for its kind, is refused
with the reason and the question asked again."""

from __future__ import annotations

import io
import struct
import zlib

from PIL import Image

from tests.chat.chat import Chat, Harness
from tests.chat.people import medal
from tests.nominees import PDF, PHOTO, gif, id_number, jpeg, png

DAMAGED = "无法读取该图片，文件可能已损坏，请更换文件后重新发送。"
WRONG_TYPE = "仅接受 JPG 和 PNG 格式的图片，该文件不符合要求，请发送照片。"


async def at_the_photo(bot: Harness, tg_id: int) -> tuple[Chat, tuple[int, int]]:
    clerk = await bot.clerk(tg_id, "金水区")
    await clerk.command("/new")
    await clerk.tap("五一劳动奖章")
    await clerk.fill(medal("秦立新", id_number(tg_id)), until="照片")
    clerk.expect("第 20/21 步 · 照片", "请发送照片（JPG 或 PNG 格式）", "850×1276")
    assert clerk.text.count("JPG") == 1 and clerk.text.count("850×1276") == 1  # the limits said once
    return clerk, clerk.progress


async def test_a_photo_sent_as_a_picture_is_taken(bot: Harness) -> None:
    clerk, (i, n) = await at_the_photo(bot, 4001)
    await clerk.send_photo(jpeg(640, 900))
    clerk.expect("照片已收到：640×900 像素。", f"第 {i + 1}/{n} 步")


async def test_a_large_png_sent_as_a_file_is_scaled_into_the_limit(bot: Harness) -> None:
    clerk, (i, n) = await at_the_photo(bot, 4002)
    await clerk.send_document(png(2000, 3000), "image/png", "证件照.png")
    clerk.expect("照片已收到，已按尺寸要求自动缩小为 850×1275 像素。", f"第 {i + 1}/{n} 步")


async def test_a_jpeg_sent_as_a_file_is_taken(bot: Harness) -> None:
    clerk, (i, n) = await at_the_photo(bot, 4003)
    await clerk.send_document(PHOTO, "image/jpeg", "照片.jpg")
    clerk.expect("照片已收到：300×420 像素。", f"第 {i + 1}/{n} 步")


async def test_other_files_and_damaged_images_are_refused_and_the_photo_is_asked_again(bot: Harness) -> None:
    clerk, where = await at_the_photo(bot, 4004)
    files = [
        (PDF, "application/pdf", "推荐材料.pdf", WRONG_TYPE),
        (b"RIFF....WEBPVP8 ", "image/webp", "sticker.webp", WRONG_TYPE),  # a sticker saved as a file
        (b"\xff\xd8\xff\xe0 no jpeg", "image/jpeg", "broken.jpg", WRONG_TYPE),
        (png(200, 300)[:80], "image/png", "cut.png", DAMAGED),  # cut short
    ]
    for data, mime, filename, reason in files:
        (await clerk.send_document(data, mime, filename)).expect(reason, "第 20/21 步 · 照片")
        assert clerk.progress == where
    (await clerk.send_photo(gif())).expect(WRONG_TYPE, "第 20/21 步 · 照片")  # a GIF delivered as a picture
    assert clerk.progress == where


async def test_a_file_over_20_mb_is_refused_before_it_is_downloaded(bot: Harness) -> None:
    clerk, where = await at_the_photo(bot, 4005)
    downloads = len([r for r in clerk.session.requests if r.__api_method__ == "getFile"])
    await clerk.send_document(PHOTO, "image/jpeg", "扫描件.jpg", size=25 * 1024 * 1024)
    clerk.expect("文件过大（最大 20 MB）。")
    assert clerk.progress == where
    assert len([r for r in clerk.session.requests if r.__api_method__ == "getFile"]) == downloads


async def test_text_at_the_photo_question_asks_for_the_photo(bot: Harness) -> None:
    clerk, where = await at_the_photo(bot, 4006)
    await clerk.send("照片稍后补交")
    clerk.expect("请发送照片（JPG 或 PNG 格式）")
    assert clerk.progress == where
    await clerk.send_photo(PHOTO)
    assert clerk.progress[0] == where[0] + 1


# ------------------------------------------------------------------ what real phones and scanners send


def encoded(img: Image.Image, fmt: str, **options: object) -> bytes:
    buf = io.BytesIO()
    img.save(buf, fmt, **options)
    return buf.getvalue()


def stored_photo(bot: Harness) -> Image.Image:
    """The photo the bot stored last (its files directory holds the JPEGs it made)."""
    files = [p for p in bot.world.files_dir.rglob("*") if p.is_file()]
    newest = max(files, key=lambda p: p.stat().st_mtime_ns)
    img = Image.open(newest)
    assert img.format == "JPEG" and img.mode == "RGB"
    return img


async def test_a_16_bit_grey_scan_is_stored_with_its_shades_not_white(bot: Harness) -> None:
    clerk, (i, n) = await at_the_photo(bot, 4007)
    ramp = Image.frombytes("L", (256, 1), bytes(range(256))).resize((512, 700), Image.Resampling.NEAREST)
    scan = ramp.convert("I").point(lambda v: v * 257).convert("I;16")  # black to white, 16 bits a sample
    await clerk.send_document(encoded(scan, "PNG"), "image/png", "扫描件.png")
    clerk.expect("照片已收到：512×700 像素。", f"第 {i + 1}/{n} 步")
    photo = stored_photo(bot)
    shades = [photo.getpixel((x, 350)) for x in (10, 256, 500)]
    assert [s[0] for s in shades] == sorted(s[0] for s in shades)  # type: ignore[index]
    assert shades[0][0] < 20 and 110 < shades[1][0] < 145 and shades[2][0] > 235  # type: ignore[index]


async def test_a_transparent_png_is_stored_on_white(bot: Harness) -> None:
    clerk, (i, n) = await at_the_photo(bot, 4008)
    cut_out = Image.new("RGBA", (400, 560), (0, 0, 0, 0))  # a portrait cut out of its background
    cut_out.paste((40, 60, 160, 255), (100, 100, 300, 460))
    await clerk.send_document(encoded(cut_out, "PNG"), "image/png", "抠图.png")
    clerk.expect("照片已收到：400×560 像素。", f"第 {i + 1}/{n} 步")
    photo = stored_photo(bot)
    assert min(photo.getpixel((20, 20))) > 245  # type: ignore[arg-type]
    r, g, b = photo.getpixel((200, 280))  # type: ignore[misc]
    assert abs(r - 40) < 10 and abs(g - 60) < 10 and abs(b - 160) < 10


async def test_a_phone_photo_with_a_second_picture_inside_is_taken_as_the_photo(bot: Harness) -> None:
    """Some phones save JPEGs as MPO (a depth map or a preview embedded): Pillow reads the first."""
    clerk, (i, n) = await at_the_photo(bot, 4009)
    portrait, depth = Image.new("RGB", (600, 800), (150, 40, 40)), Image.new("RGB", (300, 400), (0, 0, 0))
    await clerk.send_document(
        encoded(portrait, "MPO", save_all=True, append_images=[depth]), "image/jpeg", "IMG_0001.jpg"
    )
    clerk.expect("照片已收到：600×800 像素。", f"第 {i + 1}/{n} 步")
    r, g, b = stored_photo(bot).getpixel((300, 400))  # type: ignore[misc]
    assert r > 130 and g < 60 and b < 60


async def test_a_7000_by_10000_scan_of_one_megabyte_is_taken_and_scaled_down(bot: Harness) -> None:
    clerk, (i, n) = await at_the_photo(bot, 4010)
    scan = encoded(Image.new("L", (7000, 10000), 90), "JPEG")
    assert len(scan) < 2 * 1024 * 1024
    await clerk.send_document(scan, "image/jpeg", "扫描件.jpg")
    clerk.expect("照片已收到，已按尺寸要求自动缩小为 850×1214 像素。", f"第 {i + 1}/{n} 步")


async def test_a_png_with_too_many_pixels_is_refused_with_its_size_and_the_limit(bot: Harness) -> None:
    clerk, where = await at_the_photo(bot, 4011)
    bomb = encoded(Image.new("1", (7745, 7745), 0), "PNG")  # 60 million pixels in 7 KB
    assert len(bomb) < 10_000
    (await clerk.send_document(bomb, "image/png", "白纸.png")).expect(
        "图片像素过多（7745×7745 像素）：PNG 格式的图片总像素不得超过 16 百万。",
        "请将图片缩小后重新发送，或将照片另存为 JPG 格式后发送。",
        "第 20/21 步 · 照片",
    )
    assert clerk.progress == where
    (await clerk.send_document(png_claiming(15_000, 13_000), "image/png", "大图.png")).expect(
        "图片像素过多（15000×13000 像素）：PNG 格式的图片总像素不得超过 16 百万。"
    )
    clerk.expect_not(WRONG_TYPE)
    assert clerk.progress == where


def png_claiming(width: int, height: int) -> bytes:
    """A small PNG whose header says ``width`` × ``height`` (checked before any pixel is decoded)."""
    data = encoded(Image.new("L", (10, 10)), "PNG")
    ihdr = data[12:29]
    changed = ihdr[:4] + struct.pack(">II", width, height) + ihdr[12:]
    return data[:12] + changed + struct.pack(">I", zlib.crc32(changed)) + data[33:]
