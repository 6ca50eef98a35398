"""The photo question: a picture or a JPG/PNG file is taken (scaled into the form's limit);
anything else, or too large a file, is refused with the question asked again."""

from __future__ import annotations

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
