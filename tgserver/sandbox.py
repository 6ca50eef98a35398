"""The sandbox (test) side: ``/_sandbox/{token}/{action}`` handlers by (HTTP method, action).

The tests play the bot's users here (create a user, send text or a file, edit, press a button),
wait for the bot's actions (events after a ``seq``), read a chat's messages or the bot's state,
and inject failures into the bot's next Bot API calls (an error response, or a connection that
drops), block a chat, rename or reset the bot.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable

from .bots import BotState
from .methods import METHODS
from .params import Params
from .state import ServerState
from .wire import JSON, MAX_CAPTION_LENGTH, MAX_TEXT_LENGTH, bad_request

SandboxHandler = Callable[[ServerState, BotState, Params], Awaitable[JSON]]
SANDBOX_ROUTES: dict[tuple[str, str], SandboxHandler] = {}


def sandbox(method: str, action: str) -> Callable[[SandboxHandler], SandboxHandler]:
    def register(func: SandboxHandler) -> SandboxHandler:
        SANDBOX_ROUTES[(method, action)] = func
        return func

    return register


@sandbox("POST", "users")
async def sb_users(state: ServerState, bot: BotState, params: Params) -> JSON:
    user_id = params.get_int("id") or params.req_int("user_id")
    user = state.ensure_user(
        user_id,
        first_name=params.get_str("first_name"),
        username=params.get_str("username"),
        last_name=params.get_str("last_name"),
        language_code=params.get_str("language_code"),
    )
    chat = bot.open_chat(user)
    return {"user": user.to_dict(), "chat": chat.user.chat_dict()}


@sandbox("POST", "send_text")
async def sb_send_text(state: ServerState, bot: BotState, params: Params) -> JSON:
    user_id = params.req_int("user_id")
    text = params.get_str("text")
    if not text or not text.strip():
        raise bad_request("message text is empty")
    if len(text) > MAX_TEXT_LENGTH:
        raise bad_request("message is too long")
    seq = state.seq
    msg = bot.user_message(user_id, text=text, reply_to_message_id=params.get_int("reply_to_message_id"))
    return {"seq": seq, "message": msg.to_dict(), "update_id": bot.next_update_id - 1}


@sandbox("POST", "edit")
async def sb_edit(state: ServerState, bot: BotState, params: Params) -> JSON:
    seq = state.seq
    msg = bot.user_edit(params.req_int("user_id"), params.req_int("message_id"), params.req_str("text"))
    return {"seq": seq, "message": msg.to_dict()}


@sandbox("POST", "press")
async def sb_press(state: ServerState, bot: BotState, params: Params) -> JSON:
    seq = state.seq
    query_id = bot.user_press(
        params.req_int("user_id"),
        params.req_int("message_id"),
        params.get_str("data"),
        force=params.get_bool("force"),
    )
    return {"seq": seq, "callback_query_id": query_id}


@sandbox("POST", "upload")
async def sb_upload(state: ServerState, bot: BotState, params: Params) -> JSON:
    user_id = params.req_int("user_id")
    kind = params.get_str("kind") or "document"
    if kind not in ("photo", "document"):
        raise bad_request('kind must be "photo" or "document"')
    upload = params.files.get("file")
    if upload is None:
        raise bad_request("there is no file in the request")
    file_name = params.get_str("filename") or upload.filename
    mime_type = params.get_str("mime_type") or upload.content_type
    caption = params.get_str("caption")
    if caption is not None and len(caption) > MAX_CAPTION_LENGTH:
        raise bad_request("message caption is too long")
    stored = state.store_file(upload.data, kind, file_name=file_name, mime_type=mime_type)
    seq = state.seq
    msg = bot.user_message(user_id, file=stored, caption=caption)
    return {"seq": seq, "message": msg.to_dict(), "file": stored.info()}


@sandbox("GET", "messages")
async def sb_messages(state: ServerState, bot: BotState, params: Params) -> JSON:
    user_id = params.req_int("user_id")
    after = params.get_int("after") or 0
    include_user = params.get_bool("include_user")
    chat = bot.chats.get(user_id)
    if chat is None:
        return {"messages": [], "callback_answers": [], "reply_keyboard": None, "seq": state.seq}
    return {
        "messages": [m.view() for m in chat.messages.values() if m.message_id > after and (m.outgoing or include_user)],
        "callback_answers": chat.callback_answers,
        "reply_keyboard": chat.reply_keyboard,
        "last_action": chat.last_action,
        "seq": state.seq,
    }


@sandbox("GET", "wait")
async def sb_wait(state: ServerState, bot: BotState, params: Params) -> JSON:
    user_id = params.get_int("user_id")
    after_seq = params.get_int("after_seq") or 0
    timeout = min(max(params.get_float("timeout", 10.0), 0.0), 300.0)
    events = await bot.wait_events(user_id, after_seq, timeout)
    return {"events": events, "seq": state.seq}


@sandbox("GET", "state")
async def sb_state(state: ServerState, bot: BotState, params: Params) -> JSON:
    summary = bot.summary()
    summary["counts"]["users"] = len(state.users)
    summary["counts"]["files"] = len(state.files)
    return summary


@sandbox("POST", "fail")
async def sb_fail(state: ServerState, bot: BotState, params: Params) -> JSON:
    method = params.req_str("method")
    if method.lower() not in METHODS:
        raise bad_request(f"unknown method {method!r}")
    count = params.get_int("count")
    bot.inject_failure(
        METHODS[method.lower()][0],
        1 if count is None else count,
        params.get_int("error_code") or 429,
        params.get_str("description"),
        params.get_int("retry_after"),
    )
    return {"failures": bot.summary()["failures"]}


@sandbox("POST", "block")
async def sb_block(state: ServerState, bot: BotState, params: Params) -> JSON:
    chat = bot.user_chat(params.req_int("user_id"))
    chat.blocked = params.get_bool("blocked") if params.has("blocked") else True
    return {"blocked": chat.blocked}


@sandbox("POST", "configure")
async def sb_configure(state: ServerState, bot: BotState, params: Params) -> JSON:
    bot.user.update(username=params.get_str("username"), first_name=params.get_str("first_name"))
    for chat in bot.chats.values():
        for msg in chat.messages.values():
            msg.changed()
    return {"bot": bot.me()}


@sandbox("POST", "reset")
async def sb_reset(state: ServerState, bot: BotState, params: Params) -> JSON:
    return {"bot": state.reset_bot(bot.token).me()}


# ------------------------------------------------------------------------------ transport faults


@sandbox("POST", "drop")
async def sb_drop(state: ServerState, bot: BotState, params: Params) -> JSON:
    """The next ``count`` calls of ``method`` lose their connection: ``when`` "before" the server
    performs them (the default) or "after" (done, but the reply never arrives)."""
    method = params.req_str("method")
    if method.lower() not in METHODS:
        raise bad_request(f"unknown method {method!r}")
    count = params.get_int("count")
    bot.inject_drop(METHODS[method.lower()][0], 1 if count is None else count, params.get_str("when") or "before")
    return {"failures": bot.summary()["failures"]}


@sandbox("POST", "redeliver")
async def sb_redeliver(state: ServerState, bot: BotState, params: Params) -> JSON:
    """A recent update (``update_id``, or the latest) is delivered once more under a new id."""
    seq = state.seq
    return {"seq": seq, "update_id": bot.redeliver(params.get_int("update_id"))}
