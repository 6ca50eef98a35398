"""The local Bot API server (tgserver) driven by a real aiogram 3 bot and the sandbox client."""

from __future__ import annotations

import asyncio
import io
import json
from collections.abc import AsyncIterator
from typing import Any

import aiohttp
import pytest
from aiogram import Bot, Dispatcher, F, Router
from aiogram.client.session.aiohttp import AiohttpSession
from aiogram.client.telegram import TelegramAPIServer
from aiogram.exceptions import TelegramBadRequest, TelegramNetworkError, TelegramRetryAfter, TelegramServerError
from aiogram.filters import Command, CommandObject, CommandStart
from aiogram.types import (
    BotCommand,
    BotCommandScopeChat,
    BufferedInputFile,
    CallbackQuery,
    InlineKeyboardButton,
    InlineKeyboardMarkup,
    KeyboardButton,
    Message,
    ReplyKeyboardMarkup,
    ReplyParameters,
)
from PIL import Image

from bot.session import tune
from tgserver import STATE_KEY, SandboxClient, SandboxError, ServerState, serve
from tgserver.client import NoReply, texts

TOKEN = "123456:TEST-token-apiserver"
USER = 1001


def png(width: int, height: int, color: str = "red") -> bytes:
    buf = io.BytesIO()
    Image.new("RGB", (width, height), color).save(buf, format="PNG")
    return buf.getvalue()


def make_router() -> Router:
    router = Router()

    @router.message(CommandStart())
    async def start(message: Message, command: CommandObject) -> None:
        keyboard = InlineKeyboardMarkup(
            inline_keyboard=[
                [
                    InlineKeyboardButton(text="✅ Yes", callback_data="yes"),
                    InlineKeyboardButton(text="No", callback_data="no"),
                ],
                [InlineKeyboardButton(text="Docs", url="https://example.com/docs")],
            ]
        )
        await message.answer(f"hi {command.args or 'there'}", reply_markup=keyboard)

    @router.message(Command("multi"))
    async def multi(message: Message) -> None:
        await message.answer("one")
        await message.answer("<b>two</b> &amp; more", parse_mode="HTML")
        await message.answer(
            "three",
            reply_markup=ReplyKeyboardMarkup(keyboard=[[KeyboardButton(text="A"), KeyboardButton(text="B")]]),
        )

    @router.callback_query(F.data == "yes")
    async def yes(callback: CallbackQuery) -> None:
        assert isinstance(callback.message, Message)
        await callback.message.edit_text("You said yes")
        await callback.answer("noted")

    @router.callback_query(F.data == "no")
    async def no(callback: CallbackQuery) -> None:
        await callback.answer("maybe later", show_alert=True)

    @router.callback_query()
    async def other(callback: CallbackQuery) -> None:
        await callback.answer(f"stale {callback.data}")

    @router.message(F.photo)
    async def photo(message: Message, bot: Bot) -> None:
        assert message.photo
        size = message.photo[-1]
        data = await bot.download(size)
        assert data is not None
        await message.answer(f"photo {size.width}x{size.height} {len(data.read())} bytes {message.caption}")

    @router.message(F.document)
    async def document(message: Message, bot: Bot) -> None:
        assert message.document
        data = await bot.download(message.document)
        assert data is not None
        await message.answer(
            f"doc {message.document.file_name} {message.document.mime_type} {len(data.read())}"
        )

    @router.message(F.text)
    async def echo(message: Message) -> None:
        assert message.text
        await message.answer(message.text)

    return router


@pytest.fixture
async def server() -> AsyncIterator[tuple[str, ServerState]]:
    state = ServerState()
    runner, url = await serve("127.0.0.1", 0, state)
    assert runner.app[STATE_KEY] is state
    try:
        yield url, state
    finally:
        await runner.cleanup()


def make_bot(url: str, token: str = TOKEN) -> Bot:
    return Bot(token, session=AiohttpSession(api=TelegramAPIServer.from_base(url)))


@pytest.fixture
async def api_bot(server: tuple[str, ServerState]) -> AsyncIterator[Bot]:
    """An aiogram Bot talking to the server, without polling."""
    bot = make_bot(server[0])
    try:
        yield bot
    finally:
        await bot.session.close()


@pytest.fixture
async def sandbox(server: tuple[str, ServerState]) -> AsyncIterator[SandboxClient]:
    async with SandboxClient(server[0], TOKEN) as client:
        await client.user(USER, "Alice", username="alice", language_code="en")
        yield client


@pytest.fixture
async def polling(server: tuple[str, ServerState], sandbox: SandboxClient) -> AsyncIterator[Bot]:
    url, state = server
    bot = make_bot(url)
    dp = Dispatcher()
    dp.include_router(make_router())
    task = asyncio.create_task(dp.start_polling(bot, handle_signals=False, polling_timeout=5))
    for _ in range(500):
        if state.bot(TOKEN).get_updates_calls:
            break
        await asyncio.sleep(0.01)
    try:
        yield bot
    finally:
        await dp.stop_polling()
        await asyncio.wait_for(task, 10)


async def raw_call(url: str, method: str, token: str = TOKEN, **payload: Any) -> tuple[int, dict[str, Any]]:
    async with aiohttp.ClientSession() as session, session.post(
        f"{url}/bot{token}/{method}", json=payload
    ) as resp:
        return resp.status, await resp.json()


# --------------------------------------------------------------------------- through a polling aiogram bot


async def test_echo_start_and_keyboard(polling: Bot, sandbox: SandboxClient) -> None:
    events = await sandbox.ask(USER, "/start abc")
    assert [e.kind for e in events] == ["message"]
    assert events[0].text == "hi abc"
    assert events[0].buttons == [[("✅ Yes", "yes"), ("No", "no")], [("Docs", None)]]
    assert events[0].message is not None
    assert events[0].message["from"]["is_bot"] is True
    assert events[0].message["chat"] == {"id": USER, "type": "private", "first_name": "Alice", "username": "alice"}

    assert texts(await sandbox.ask(USER, "hello 你好 👋")) == ["hello 你好 👋"]
    assert await sandbox.last_keyboard(USER) == [[("✅ Yes", "yes"), ("No", "no")], [("Docs", None)]]


async def test_multi_message_reply_is_collected(polling: Bot, sandbox: SandboxClient) -> None:
    events = await sandbox.ask(USER, "/multi")
    assert texts(events) == ["one", "two & more", "three"]
    assert events[1].raw_text == "<b>two</b> &amp; more"
    assert events[1].message is not None
    assert events[1].message["entities"] == [{"type": "bold", "offset": 0, "length": 3}]
    assert events[2].reply_keyboard == [["A", "B"]]
    assert events[2].message is not None and "reply_markup" not in events[2].message  # inline only
    keyboard = await sandbox.reply_keyboard(USER)
    assert keyboard is not None and keyboard["keyboard"] == [[{"text": "A"}, {"text": "B"}]]


async def test_press_button_edits_and_answers(polling: Bot, sandbox: SandboxClient) -> None:
    start = await sandbox.ask(USER, "/start")
    message_id = start[0].message_id
    assert message_id is not None

    events = await sandbox.press_text(USER, "Yes")
    kinds = {e.kind: e for e in events}
    assert set(kinds) == {"edit", "callback_answer"}
    assert kinds["edit"].text == "You said yes"
    assert kinds["edit"].buttons == []  # editMessageText without reply_markup drops the keyboard
    assert kinds["edit"].message_id == message_id
    assert kinds["callback_answer"].text == "noted"
    assert kinds["callback_answer"].callback_data == "yes"

    [msg] = await sandbox.messages(USER, after=message_id - 1)
    assert msg.text == "You said yes" and msg.edit_count == 1 and msg.buttons == []
    answers = await sandbox.callback_answers(USER)
    assert [a["text"] for a in answers] == ["noted"]


async def test_alert_answer_and_pressing_missing_buttons(polling: Bot, sandbox: SandboxClient) -> None:
    start = await sandbox.ask(USER, "/start")
    message_id = start[0].message_id
    assert message_id is not None

    events = await sandbox.tap(USER, message_id, "no")
    assert [(e.kind, e.text, e.show_alert) for e in events] == [("callback_answer", "maybe later", True)]

    with pytest.raises(SandboxError) as err:
        await sandbox.press(USER, message_id, "nope")
    assert err.value.status == 400 and "nope" in err.value.description
    with pytest.raises(SandboxError):
        await sandbox.press(USER, 999, "yes")
    with pytest.raises(LookupError):
        await sandbox.press_text(USER, "Docs")  # URL button, nothing to press

    await sandbox.tap(USER, message_id, "yes")  # keyboard is gone after this edit
    with pytest.raises(SandboxError):
        await sandbox.press(USER, message_id, "yes")
    # a test can still force a stale press, as a real client with an old screen would
    query_id = await sandbox.press(USER, message_id, "yes-old", force=True)
    assert query_id.isdigit()
    events = await sandbox.collect(USER, 0, timeout=5)
    assert any(e.kind == "callback_answer" and e.text == "stale yes-old" for e in events)


async def test_photo_and_document_uploads_are_downloaded_by_bot(polling: Bot, sandbox: SandboxClient) -> None:
    image = png(37, 21)
    events = await sandbox.ask_photo(USER, image, "pic.png", caption="my cat")
    assert texts(events) == [f"photo 37x21 {len(image)} bytes my cat"]

    payload = "姓名,单位\n张三,工会\n".encode()
    events = await sandbox.ask_document(USER, payload, "list.csv")
    assert texts(events) == [f"doc list.csv text/csv {len(payload)}"]

    with pytest.raises(SandboxError):  # not an image
        await sandbox.upload_photo(USER, b"not an image", "x.jpg")


async def test_many_concurrent_users(polling: Bot, sandbox: SandboxClient) -> None:
    users = list(range(2000, 2030))
    for uid in users:
        await sandbox.user(uid, f"U{uid}")
    replies = await asyncio.gather(*(sandbox.ask(uid, f"msg from {uid}") for uid in users))
    assert [texts(r) for r in replies] == [[f"msg from {uid}"] for uid in users]


# --------------------------------------------------------------------------- direct Bot API calls


async def test_get_me_and_bot_identity(api_bot: Bot, server: tuple[str, ServerState]) -> None:
    me = await api_bot.get_me()
    assert (me.id, me.is_bot, me.username) == (123456, True, "nominee_test_bot")
    other = make_bot(server[0], "42:other")
    try:
        assert (await other.get_me()).id == 42
    finally:
        await other.session.close()


async def test_send_edit_delete_via_aiogram(api_bot: Bot, sandbox: SandboxClient) -> None:
    seq = await sandbox.seq()
    keyboard = InlineKeyboardMarkup(inline_keyboard=[[InlineKeyboardButton(text="Go", callback_data="go")]])
    sent = await api_bot.send_message(USER, "<b>Hi</b> &lt;you&gt;", parse_mode="HTML", reply_markup=keyboard)
    assert sent.text == "Hi <you>"
    assert sent.html_text == "<b>Hi</b> &lt;you&gt;"
    assert sent.reply_markup is not None and sent.reply_markup.model_dump() == keyboard.model_dump()
    assert sent.from_user is not None and sent.from_user.is_bot

    with pytest.raises(TelegramBadRequest, match="message is not modified"):
        await api_bot.edit_message_text(
            "<b>Hi</b> &lt;you&gt;", chat_id=USER, message_id=sent.message_id, parse_mode="HTML",
            reply_markup=keyboard,
        )
    edited = await api_bot.edit_message_text("Bye", chat_id=USER, message_id=sent.message_id, reply_markup=keyboard)
    assert isinstance(edited, Message) and edited.text == "Bye" and edited.edit_date is not None
    with pytest.raises(TelegramBadRequest, match="message is not modified"):
        await api_bot.edit_message_reply_markup(chat_id=USER, message_id=sent.message_id, reply_markup=keyboard)
    await api_bot.edit_message_reply_markup(chat_id=USER, message_id=sent.message_id)
    with pytest.raises(TelegramBadRequest, match="message to edit not found"):
        await api_bot.edit_message_text("x", chat_id=USER, message_id=9999)

    reply = await api_bot.send_message(USER, "re", reply_to_message_id=sent.message_id)
    assert reply.reply_to_message is not None and reply.reply_to_message.message_id == sent.message_id

    assert await api_bot.delete_message(USER, sent.message_id)
    with pytest.raises(TelegramBadRequest, match="message to delete not found"):
        await api_bot.delete_message(USER, sent.message_id)

    events = await sandbox.collect(USER, seq, timeout=5, min_events=5)
    assert [e.kind for e in events] == ["message", "edit", "edit", "message", "delete"]
    assert [e.seq for e in events] == sorted(e.seq for e in events)
    messages = await sandbox.messages(USER)
    assert [(m.text, m.deleted, m.edit_count) for m in messages] == [("Bye", True, 2), ("re", False, 0)]


async def test_bot_sends_photo_and_document(
    api_bot: Bot, sandbox: SandboxClient, server: tuple[str, ServerState]
) -> None:
    image = png(64, 48, "blue")
    sent = await api_bot.send_photo(USER, BufferedInputFile(image, "chart.png"), caption="<i>chart</i>",
                                    parse_mode="HTML")
    assert sent.photo is not None
    size = sent.photo[-1]
    assert (size.width, size.height, size.file_size) == (64, 48, len(image))
    assert sent.caption == "chart" and sent.caption_entities is not None

    file = await api_bot.get_file(size.file_id)
    assert file.file_path is not None
    downloaded = await api_bot.download_file(file.file_path)
    assert downloaded is not None and downloaded.read() == image

    again = await api_bot.send_photo(USER, size.file_id)  # resend by file_id
    assert again.photo is not None and again.photo[-1].file_id == size.file_id

    doc = await api_bot.send_document(USER, BufferedInputFile(b"PK\x03\x04data", "export.xlsx"))
    assert doc.document is not None
    assert doc.document.file_name == "export.xlsx"
    assert doc.document.mime_type == "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    with pytest.raises(TelegramBadRequest, match="type of file mismatch"):
        await api_bot.send_photo(USER, doc.document.file_id)
    with pytest.raises(TelegramBadRequest, match="IMAGE_PROCESS_FAILED"):
        await api_bot.send_photo(USER, BufferedInputFile(b"garbage", "x.jpg"))

    messages = await sandbox.messages(USER)
    assert [m.file.kind if m.file else None for m in messages] == ["photo", "photo", "document"]
    assert messages[0].file is not None and (messages[0].file.width, messages[0].file.height) == (64, 48)
    assert messages[0].text == "chart"

    url = server[0]
    async with aiohttp.ClientSession() as session:
        async with session.get(f"{url}/file/bot{TOKEN}/{file.file_path}") as resp:
            assert resp.status == 200 and await resp.read() == image
        async with session.get(f"{url}/file/bot{TOKEN}/photos/missing.jpg") as resp:
            assert resp.status == 404


async def test_error_shapes(server: tuple[str, ServerState], sandbox: SandboxClient, api_bot: Bot) -> None:
    url, _ = server
    assert await raw_call(url, "getMe", token="no-colon") == (
        401,
        {"ok": False, "error_code": 401, "description": "Unauthorized"},
    )
    assert await raw_call(url, "fooBar") == (404, {"ok": False, "error_code": 404, "description": "Not Found"})
    status, body = await raw_call(url, "SENDMESSAGE", chat_id=USER, text="x" * 4097)  # case-insensitive
    assert (status, body["description"]) == (400, "Bad Request: message is too long")
    status, body = await raw_call(url, "sendMessage", chat_id=USER, text="x" * 4096)
    assert status == 200 and body["ok"] is True
    status, body = await raw_call(url, "sendMessage", chat_id=USER, text="  ")
    empty = {"ok": False, "error_code": 400, "description": "Bad Request: message text is empty"}
    assert (status, body) == (400, empty)
    status, body = await raw_call(url, "sendMessage", chat_id=777, text="hi")
    assert (status, body["description"]) == (400, "Bad Request: chat not found")
    status, body = await raw_call(url, "sendMessage", chat_id=USER, text="<b>x", parse_mode="HTML")
    assert status == 400 and body["description"].startswith("Bad Request: can't parse entities")
    status, body = await raw_call(url, "answerCallbackQuery", callback_query_id="123")
    assert (status, body["description"]) == (
        400,
        "Bad Request: query is too old and response timeout expired or query ID is invalid",
    )

    too_long = InlineKeyboardMarkup(inline_keyboard=[[InlineKeyboardButton(text="x", callback_data="d" * 65)]])
    with pytest.raises(TelegramBadRequest, match="BUTTON_DATA_INVALID"):
        await api_bot.send_message(USER, "kb", reply_markup=too_long)
    ok = InlineKeyboardMarkup(inline_keyboard=[[InlineKeyboardButton(text="x", callback_data="é" * 32)]])
    await api_bot.send_message(USER, "kb", reply_markup=ok)  # exactly 64 bytes
    with pytest.raises(TelegramBadRequest, match="can't parse entities"):
        await api_bot.send_message(USER, "1 < 2", parse_mode="HTML")

    await sandbox.block(USER)
    status, body = await raw_call(url, "sendMessage", chat_id=USER, text="hi")
    assert (status, body["description"]) == (403, "Forbidden: bot was blocked by the user")
    await sandbox.block(USER, False)


async def test_injected_flood_wait(api_bot: Bot, sandbox: SandboxClient, server: tuple[str, ServerState]) -> None:
    await sandbox.fail("sendMessage", count=2, retry_after=7)
    for _ in range(2):
        with pytest.raises(TelegramRetryAfter) as err:
            await api_bot.send_message(USER, "hi")
        assert err.value.retry_after == 7
    status, body = await raw_call(server[0], "sendMessage", chat_id=USER, text="ok now")
    assert status == 200 and body["result"]["text"] == "ok now"

    await sandbox.fail("sendMessage", error_code=400, description="Bad Request: custom")
    with pytest.raises(TelegramBadRequest, match="custom"):
        await api_bot.send_message(USER, "hi")
    status, body = await raw_call(server[0], "sendMessage", chat_id=USER, text="x")
    assert status == 200
    await sandbox.fail("getMe", retry_after=3)
    assert await raw_call(server[0], "getMe") == (
        429,
        {"ok": False, "error_code": 429, "description": "Too Many Requests: retry after 3",
         "parameters": {"retry_after": 3}},
    )


async def test_get_updates_offset_and_long_poll(server: tuple[str, ServerState], sandbox: SandboxClient) -> None:
    url, _ = server
    await sandbox.send(USER, "/start payload")
    await sandbox.send(USER, "second")
    status, body = await raw_call(url, "getUpdates")
    assert status == 200
    updates = body["result"]
    assert [u["message"]["text"] for u in updates] == ["/start payload", "second"]
    first = updates[0]
    assert first["message"]["entities"] == [{"type": "bot_command", "offset": 0, "length": 6}]
    assert first["message"]["from"] == {"id": USER, "is_bot": False, "first_name": "Alice", "username": "alice",
                                        "language_code": "en"}
    assert isinstance(first["message"]["date"], int)

    # not confirmed yet: returned again; limit respected
    _, body = await raw_call(url, "getUpdates", limit=1)
    assert [u["update_id"] for u in body["result"]] == [first["update_id"]]
    # confirming with offset drops older updates
    _, body = await raw_call(url, "getUpdates", offset=updates[1]["update_id"])
    assert [u["update_id"] for u in body["result"]] == [updates[1]["update_id"]]
    _, body = await raw_call(url, "getUpdates", offset=updates[1]["update_id"] + 1)
    assert body["result"] == []

    # long poll wakes up as soon as an update arrives
    loop = asyncio.get_running_loop()
    started = loop.time()
    poll = asyncio.create_task(raw_call(url, "getUpdates", offset=updates[1]["update_id"] + 1, timeout=5))
    await asyncio.sleep(0.1)
    assert not poll.done()
    await sandbox.send(USER, "wake up")
    _, body = await poll
    assert [u["message"]["text"] for u in body["result"]] == ["wake up"]
    assert loop.time() - started < 2

    # long poll with nothing to deliver returns an empty list after the timeout
    started = loop.time()
    _, body = await raw_call(url, "getUpdates", offset=body["result"][0]["update_id"] + 1, timeout=0.3)
    assert body["result"] == [] and 0.25 < loop.time() - started < 2

    # a second concurrent getUpdates terminates the first with 409, like Telegram
    first_poll = asyncio.create_task(raw_call(url, "getUpdates", timeout=5))
    await asyncio.sleep(0.1)
    second_poll = asyncio.create_task(raw_call(url, "getUpdates", timeout=0.2))
    status, body = await first_poll
    assert status == 409 and body["description"].startswith("Conflict: terminated by other getUpdates")
    assert (await second_poll)[0] == 200


async def test_allowed_updates_filter(server: tuple[str, ServerState], sandbox: SandboxClient) -> None:
    url, _ = server
    _, body = await raw_call(url, "getUpdates", allowed_updates=["callback_query"])
    assert body["result"] == []
    await sandbox.send(USER, "dropped")
    _, body = await raw_call(url, "getUpdates")
    assert body["result"] == []
    _, body = await raw_call(url, "getUpdates", allowed_updates=[])
    await sandbox.send(USER, "kept")
    _, body = await raw_call(url, "getUpdates")
    assert [u["message"]["text"] for u in body["result"]] == ["kept"]


async def test_form_encoded_requests(server: tuple[str, ServerState], sandbox: SandboxClient) -> None:
    url = server[0]
    markup = json.dumps({"inline_keyboard": [[{"text": "A", "callback_data": "a"}]]})
    async with aiohttp.ClientSession() as session:
        async with session.post(
            f"{url}/bot{TOKEN}/sendMessage", data={"chat_id": str(USER), "text": "form", "reply_markup": markup}
        ) as resp:
            body = await resp.json()
        assert body["ok"] and body["result"]["reply_markup"]["inline_keyboard"][0][0]["callback_data"] == "a"
        async with session.get(f"{url}/bot{TOKEN}/getMe") as resp:
            assert (await resp.json())["result"]["username"] == "nominee_test_bot"
        form = aiohttp.FormData()
        form.add_field("chat_id", str(USER))
        form.add_field("document", b"hello", filename="hello.txt")
        async with session.post(f"{url}/bot{TOKEN}/sendDocument", data=form) as resp:
            body = await resp.json()
        assert body["result"]["document"]["mime_type"] == "text/plain"
        assert body["result"]["document"]["file_size"] == 5


def pairs(commands: list[BotCommand]) -> list[tuple[str, str]]:
    return [(c.command, c.description) for c in commands]


async def test_commands_menu_webhook_and_state(api_bot: Bot, sandbox: SandboxClient) -> None:
    commands = [BotCommand(command="start", description="开始"), BotCommand(command="help", description="帮助")]
    assert await api_bot.set_my_commands(commands)
    assert await api_bot.set_my_commands(commands[:1], scope=BotCommandScopeChat(chat_id=USER), language_code="zh")
    assert pairs(await api_bot.get_my_commands()) == [("start", "开始"), ("help", "帮助")]
    zh = await api_bot.get_my_commands(scope=BotCommandScopeChat(chat_id=USER), language_code="zh")
    assert pairs(zh) == [("start", "开始")]
    assert await api_bot.get_my_commands(language_code="en") == []
    with pytest.raises(TelegramBadRequest, match="BOT_COMMAND_INVALID"):
        await api_bot.set_my_commands([BotCommand(command="Bad-Command", description="x")])
    assert await api_bot.set_chat_menu_button()
    assert await api_bot.send_chat_action(USER, "typing")

    assert await api_bot.set_webhook("https://example.com/hook", secret_token="s3cret")
    info = await api_bot.get_webhook_info()
    assert info.url == "https://example.com/hook"
    with pytest.raises(Exception, match="Conflict"):
        await api_bot.get_updates()
    assert await api_bot.delete_webhook()
    assert (await api_bot.get_webhook_info()).url == ""

    state = await sandbox.state()
    assert {(c["language_code"], len(c["commands"])) for c in state["commands"]} == {("", 2), ("zh", 1)}
    assert state["counts"]["chats"] == 1
    assert state["method_calls"]["sendChatAction"] == 1
    assert state["webhook"] == {"url": ""}

    assert await api_bot.delete_my_commands()
    assert await api_bot.get_my_commands() == []


async def test_ask_times_out_without_bot(sandbox: SandboxClient) -> None:
    with pytest.raises(NoReply):
        await sandbox.ask(USER, "anyone there?", timeout=0.3)
    seq = await sandbox.seq()
    await sandbox.expect_silence(USER, seq, period=0.1)


async def test_sandbox_edit_reset_and_user_messages(
    server: tuple[str, ServerState], sandbox: SandboxClient, api_bot: Bot
) -> None:
    url, _ = server
    await sandbox.send(USER, "typo")
    assert sandbox.last_sent is not None
    user_message_id = sandbox.last_sent["message_id"]
    await sandbox.edit(USER, user_message_id, "fixed")
    _, body = await raw_call(url, "getUpdates")
    assert [next(k for k in u if k != "update_id") for u in body["result"]] == ["message", "edited_message"]
    edited = body["result"][1]["edited_message"]
    assert edited["text"] == "fixed" and isinstance(edited["edit_date"], int)
    last_update_id = body["result"][-1]["update_id"]

    with pytest.raises(TelegramBadRequest, match="message can't be edited"):
        await api_bot.edit_message_text("bot edits user", chat_id=USER, message_id=user_message_id)
    await api_bot.send_message(USER, "answer", reply_parameters=ReplyParameters(message_id=user_message_id))
    both = await sandbox.messages(USER, include_user=True)
    assert [(m.outgoing, m.text) for m in both] == [(False, "fixed"), (True, "answer")]
    assert both[1].message is not None and both[1].message["reply_to_message"]["text"] == "fixed"

    await sandbox.fail("sendMessage", count=5)
    await sandbox.reset()
    state = await sandbox.state()
    assert state["counts"]["chats"] == 0 and state["failures"] == {}
    status, body = await raw_call(url, "sendMessage", chat_id=USER, text="gone")
    assert (status, body["description"]) == (400, "Bad Request: chat not found")
    await sandbox.user(USER)
    await sandbox.send(USER, "after reset")
    _, body = await raw_call(url, "getUpdates", offset=last_update_id + 1)
    assert [u["message"]["text"] for u in body["result"]] == ["after reset"]  # update ids keep growing


# --------------------------------------------------------------------------- text that is not UTF-8, transport faults


async def test_a_lone_surrogate_is_refused_at_the_door_and_the_feed_goes_on(
    server: tuple[str, ServerState], sandbox: SandboxClient
) -> None:
    url, _ = server
    with pytest.raises(SandboxError, match="strings must be encoded in UTF-8") as refused:
        await sandbox.send(USER, "a\udcffb")  # a JSON \udcff escape: no UTF-8 text has it
    assert refused.value.status == 400
    await sandbox.send(USER, "after")
    status, body = await raw_call(url, "getUpdates")
    assert status == 200 and [u["message"]["text"] for u in body["result"]] == ["after"]

    # the bot side has the same door: JSON, forms, multipart, keys and nested values
    status, body = await raw_call(url, "sendMessage", chat_id=USER, text="a\udcffb")
    assert (status, body["description"]) == (400, "Bad Request: strings must be encoded in UTF-8")
    status, body = await raw_call(url, "sendMessage", chat_id=USER, text="好", reply_markup={"inline_keyboard": [
        [{"text": "\ud800", "callback_data": "x"}]]})
    assert status == 400
    form = b"chat_id=1001&text=a%ED%B3%BFb"  # the surrogate's bytes, percent-encoded
    multipart = (
        b'--B\r\nContent-Disposition: form-data; name="chat_id"\r\n\r\n1001\r\n'
        b'--B\r\nContent-Disposition: form-data; name="text"\r\n\r\na\xedb\r\n--B--\r\n'
    )
    for body_bytes, content_type, description in [
        (form, "application/x-www-form-urlencoded", "strings must be encoded in UTF-8"),
        (multipart, "multipart/form-data; boundary=B", "strings must be encoded in UTF-8"),
        (b'{"chat_id": 1001, "text": "a\xffb"}', "application/json", "can't parse JSON object"),
    ]:
        async with aiohttp.ClientSession() as session, session.post(
            f"{url}/bot{TOKEN}/sendMessage", data=body_bytes, headers={"Content-Type": content_type}
        ) as resp:
            assert (resp.status, (await resp.json())["description"]) == (400, "Bad Request: " + description)
    assert [m.text for m in await sandbox.messages(USER)] == []


async def test_an_update_that_cannot_be_written_never_blocks_the_others(
    server: tuple[str, ServerState], sandbox: SandboxClient
) -> None:
    url, state = server
    await sandbox.send(USER, "before")
    # past the door (as a bug could put it there): an update that JSON cannot write as UTF-8
    state.bot(TOKEN).push_update("message", {"message_id": 99, "date": 0, "chat": {"id": USER, "type": "private"},
                                             "text": "a\udcffb"})
    await sandbox.send(USER, "after")
    for _ in range(2):  # every poll, not only the first, delivers the good ones
        status, body = await raw_call(url, "getUpdates")
        assert status == 200 and [u["message"]["text"] for u in body["result"]] == ["before", "after"]
    assert (await sandbox.state())["counts"]["pending_updates"] == 2


async def test_injected_drops_reach_aiogram_as_a_network_error(api_bot: Bot, sandbox: SandboxClient) -> None:
    await sandbox.drop_connection("sendMessage")
    with pytest.raises(TelegramNetworkError):
        await api_bot.send_message(USER, "lost on the way")
    await sandbox.drop_connection("sendMessage", performed=True)
    with pytest.raises(TelegramNetworkError):
        await api_bot.send_message(USER, "sent, reply lost")
    await sandbox.server_error("sendMessage", error_code=502)
    with pytest.raises(TelegramServerError):
        await api_bot.send_message(USER, "bad gateway")
    await api_bot.send_message(USER, "fine")
    assert [m.text for m in await sandbox.messages(USER)] == ["sent, reply lost", "fine"]
    assert (await sandbox.state())["failures"] == {}


async def test_the_bots_session_gets_through_flood_waits_server_errors_and_drops(
    server: tuple[str, ServerState], sandbox: SandboxClient
) -> None:
    waits: list[float] = []

    async def wait(seconds: float) -> None:
        waits.append(seconds)

    bot = Bot(TOKEN, session=tune(AiohttpSession(api=TelegramAPIServer.from_base(server[0])), sleep=wait))
    try:
        await sandbox.flood_wait("sendMessage", retry_after=2)
        await bot.send_message(USER, "one")
        await sandbox.server_error("sendMessage", count=2)
        await bot.send_message(USER, "two")
        await sandbox.drop_connection("sendMessage")
        await bot.send_message(USER, "three")
        sent = await bot.send_message(USER, "four", reply_markup=InlineKeyboardMarkup(
            inline_keyboard=[[InlineKeyboardButton(text="好", callback_data="ok")]]))
        await sandbox.drop_connection("editMessageText", performed=True)
        await bot.edit_message_text("four, edited", chat_id=USER, message_id=sent.message_id)
        query = await sandbox.press(USER, sent.message_id, "ok", force=True)
        await bot.answer_callback_query(query)
        await bot.answer_callback_query(query)  # twice: not an error
    finally:
        await bot.session.close()
    assert [m.text for m in await sandbox.messages(USER)] == ["one", "two", "three", "four, edited"]
    assert waits[0] == 2 and len(waits) == 5


async def test_a_press_is_redelivered_under_a_new_update_id(
    server: tuple[str, ServerState], sandbox: SandboxClient, api_bot: Bot
) -> None:
    url, _ = server
    sent = await api_bot.send_message(USER, "问题", reply_markup=InlineKeyboardMarkup(
        inline_keyboard=[[InlineKeyboardButton(text="好", callback_data="ok")]]))
    query = await sandbox.press(USER, sent.message_id, "ok")
    await sandbox.redeliver()
    _, body = await raw_call(url, "getUpdates")
    first, second = body["result"]
    assert first["callback_query"] == second["callback_query"] and first["callback_query"]["id"] == query
    assert second["update_id"] > first["update_id"]
    assert await api_bot.answer_callback_query(query)
    with pytest.raises(TelegramBadRequest, match="query is too old"):  # the bare session: an error
        await api_bot.answer_callback_query(query)
    with pytest.raises(SandboxError, match="no recent update 12345"):
        await sandbox.redeliver(12345)
