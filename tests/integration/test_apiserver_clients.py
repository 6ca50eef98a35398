"""The local Bot API server sends what real clients send (issue 9): every kind of message a phone
sends, an album, a forwarded text, and messages in groups and channels — each parsed by aiogram's
own models, as the bot would receive it."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest
from aiogram import Bot
from aiogram.client.session.aiohttp import AiohttpSession
from aiogram.client.telegram import TelegramAPIServer
from aiogram.enums import ContentType
from aiogram.types import Update

from tests.nominees import PHOTO, jpeg
from tgserver import STATE_KEY, SandboxClient, SandboxError, ServerState, serve

TOKEN = "123456:TEST-token-clients"
USER = 1001


@pytest.fixture
async def url() -> AsyncIterator[str]:
    state = ServerState()
    runner, address = await serve("127.0.0.1", 0, state)
    assert runner.app[STATE_KEY] is state
    try:
        yield address
    finally:
        await runner.cleanup()


@pytest.fixture
async def bot(url: str) -> AsyncIterator[Bot]:
    bot = Bot(TOKEN, session=AiohttpSession(api=TelegramAPIServer.from_base(url)))
    try:
        yield bot
    finally:
        await bot.session.close()


@pytest.fixture
async def user(url: str) -> AsyncIterator[SandboxClient]:
    async with SandboxClient(url, TOKEN) as client:
        await client.user(USER, "Alice", language_code="zh-hans")
        yield client


async def updates(bot: Bot) -> list[Update]:
    found = await bot.get_updates(timeout=0, allowed_updates=["message", "edited_message", "channel_post"])
    if found:
        await bot.get_updates(offset=found[-1].update_id + 1, timeout=0)
    return found


async def test_every_kind_a_phone_sends_arrives_as_telegram_sends_it(bot: Bot, user: SandboxClient) -> None:
    kinds = {
        "sticker": ContentType.STICKER,
        "voice": ContentType.VOICE,
        "video_note": ContentType.VIDEO_NOTE,
        "video": ContentType.VIDEO,
        "audio": ContentType.AUDIO,
        "animation": ContentType.ANIMATION,
        "location": ContentType.LOCATION,
        "venue": ContentType.VENUE,
        "poll": ContentType.POLL,
        "dice": ContentType.DICE,
    }
    for kind in kinds:
        await user.send_other(USER, kind)
    await user.send_contact(USER, "8613912345678", "王建国", contact_user_id=42)
    await user.forward_text(USER, "别人的话", "李明")
    got = [u.message for u in await updates(bot)]
    assert all(m is not None and m.chat.type == "private" and m.text is None for m in got[: len(kinds)])
    assert [m.content_type for m in got[: len(kinds)] if m is not None] == list(kinds.values())
    contact, forward = got[len(kinds)], got[len(kinds) + 1]
    assert contact is not None and contact.contact is not None and contact.contact.phone_number == "8613912345678"
    assert contact.contact.user_id == 42
    assert forward is not None and forward.text == "别人的话" and forward.forward_origin is not None
    with pytest.raises(SandboxError, match="kind must be one of"):
        await user.send_other(USER, "hologram")


async def test_an_album_is_one_message_per_photo_with_one_media_group_id(bot: Bot, user: SandboxClient) -> None:
    await user.send_album(USER, [PHOTO, jpeg(640, 900), jpeg(600, 800)])
    got = [u.message for u in await updates(bot)]
    assert len(got) == 3 and all(m is not None and m.photo for m in got)
    assert len({m.media_group_id for m in got if m is not None}) == 1 and got[0] and got[0].media_group_id
    with pytest.raises(SandboxError, match="2 to 10"):
        await user.send_album(USER, [PHOTO])


async def test_groups_and_channels_have_their_own_chat_and_the_bot_writes_there(bot: Bot, user: SandboxClient) -> None:
    await user.group(-100500, USER, title="工作群")
    await user.send_in_group(-100500, USER, "/status 1")
    await user.group(-100600, USER, kind="channel", title="通知")
    await user.send_in_group(-100600, USER, "公告")
    joined, status, post = await updates(bot)
    assert joined.message is not None and joined.message.new_chat_members
    assert joined.message.new_chat_members[0].is_bot and joined.message.chat.id == -100500
    assert status.message is not None and status.message.chat.type == "supergroup"
    assert status.message.from_user is not None and status.message.from_user.id == USER
    assert post.channel_post is not None and post.channel_post.chat.type == "channel"
    assert post.channel_post.from_user is None and post.channel_post.sender_chat is not None

    await bot.send_message(-100500, "请在私聊中使用")
    said = await user.messages(-100500)
    assert [m.text for m in said] == ["请在私聊中使用"]
    with pytest.raises(SandboxError, match="there is no group"):
        await user.send_in_group(-100700, USER, "?")
