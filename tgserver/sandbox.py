"""The sandbox (test) side: ``/_sandbox/{token}/{action}`` handlers by (HTTP method, action).

The tests play the bot's users here (create a user, send text or a file, edit, press a button),
wait for the bot's actions (events after a ``seq``), read a chat's messages or the bot's state,
and inject failures into the bot's next Bot API calls (an error response, or a connection that
drops), block a chat, rename or reset the bot.
"""

from __future__ import annotations

import secrets
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


# ------------------------------------------------------------------ what else clients send
# Groups and channels, and the kinds of message a phone sends besides text and files: the
# Telegram objects are made here, as Telegram would deliver them (file ids of stored files).

# kind → the Telegram field and its shape (beyond file_id / file_unique_id, for the file kinds)
_FILE_KINDS: dict[str, JSON] = {
    "sticker": {"type": "regular", "width": 512, "height": 512, "is_animated": False, "is_video": False, "emoji": "👍"},
    "voice": {"duration": 4, "mime_type": "audio/ogg"},
    "video_note": {"length": 240, "duration": 6},
    "video": {"width": 640, "height": 480, "duration": 9, "mime_type": "video/mp4"},
    "audio": {"duration": 180, "mime_type": "audio/mpeg", "title": "录音"},
    "animation": {"width": 320, "height": 240, "duration": 2, "mime_type": "video/mp4"},
}
OTHER_KINDS = (*_FILE_KINDS, "location", "venue", "contact", "poll", "dice", "forward", "text")


def _other_content(state: ServerState, kind: str, params: Params) -> tuple[str | None, JSON]:
    """(text, the other Telegram fields) of a message of ``kind`` made from ``params``."""
    if kind in _FILE_KINDS:
        stored = state.store_file(b"\x00" * 64, "document", file_name=f"{kind}.bin")
        return None, {kind: {"file_id": stored.file_id, "file_unique_id": stored.file_unique_id} | _FILE_KINDS[kind]}
    location = {"latitude": params.get_float("latitude", 34.7466), "longitude": params.get_float("longitude", 113.6253)}
    match kind:
        case "location":
            return None, {"location": location}
        case "venue":
            title = params.get_str("title") or "郑州市总工会"
            return None, {"venue": {"location": location, "title": title, "address": params.get_str("address") or ""}}
        case "contact":
            contact: JSON = {
                "phone_number": params.req_str("phone_number"),
                "first_name": params.get_str("first_name") or "联系人",
            }
            if params.get_int("contact_user_id") is not None:
                contact["user_id"] = params.get_int("contact_user_id")
            return None, {"contact": contact}
        case "poll":
            options = params.get_list("options") or ["是", "否"]
            return None, {
                "poll": {
                    "id": str(secrets.randbelow(10**18)),
                    "question": params.get_str("question") or "?",
                    "options": [
                        {"persistent_id": str(i), "text": str(o), "voter_count": 0} for i, o in enumerate(options)
                    ],
                    "total_voter_count": 0,
                    "is_closed": False,
                    "is_anonymous": True,
                    "type": "regular",
                    "allows_multiple_answers": False,
                    "allows_revoting": False,
                    "members_only": False,
                }
            }
        case "dice":
            emoji = params.get_str("emoji") or "🎲"
            return None, {"dice": {"emoji": emoji, "value": params.get_int("value") or 3}}
        case "forward":  # a text forwarded from somebody else (who hides their account)
            origin = {
                "type": "hidden_user",
                "date": 1_700_000_000,
                "sender_user_name": params.get_str("from") or "他人",
            }
            return params.req_str("text"), {"forward_origin": origin}
        case _:  # "text": a plain text (e.g. in a group)
            return params.req_str("text"), {}


@sandbox("POST", "group")
async def sb_group(state: ServerState, bot: BotState, params: Params) -> JSON:
    """The user ``user_id`` brings the bot into the group/supergroup/channel ``chat_id``."""
    seq = state.seq
    chat = bot.group_chat(
        params.req_int("chat_id"),
        params.get_str("type") or "supergroup",
        params.get_str("title") or "群组",
        params.req_int("user_id"),
    )
    return {"seq": seq, "chat": chat.chat_dict()}


@sandbox("POST", "send_other")
async def sb_send_other(state: ServerState, bot: BotState, params: Params) -> JSON:
    """A message of ``kind`` (a sticker, voice, video note, video, audio, animation, location,
    venue, contact, poll, dice, forwarded text, or a text) from ``user_id``, in their private chat
    or in the group ``chat_id``."""
    kind = params.req_str("kind")
    if kind not in OTHER_KINDS:
        raise bad_request(f"kind must be one of {', '.join(OTHER_KINDS)}")
    text, extra = _other_content(state, kind, params)
    if text is not None and (not text.strip() or len(text) > MAX_TEXT_LENGTH):
        raise bad_request("message text is empty or too long")
    seq = state.seq
    msg = bot.user_content(params.req_int("user_id"), extra, chat_id=params.get_int("chat_id"), text=text)
    return {"seq": seq, "message": msg.to_dict(), "update_id": bot.next_update_id - 1}


@sandbox("POST", "album")
async def sb_album(state: ServerState, bot: BotState, params: Params) -> JSON:
    """Several photos sent at once (``file0``, ``file1``, …): one message each, sharing a
    ``media_group_id``, as Telegram delivers an album."""
    uploads = [params.files[f"file{i}"] for i in range(len(params.files)) if f"file{i}" in params.files]
    if len(uploads) < 2 or len(uploads) > 10:
        raise bad_request("an album has 2 to 10 items (file0, file1, …)")
    group = params.get_str("media_group_id") or str(13 * 10**15 + secrets.randbelow(10**15))
    seq = state.seq
    messages = []
    for upload in uploads:
        stored = state.store_file(upload.data, "photo", file_name=upload.filename, mime_type=upload.content_type)
        msg = bot.user_content(params.req_int("user_id"), {"media_group_id": group}, file=stored)
        messages.append(msg.to_dict())
    return {"seq": seq, "messages": messages, "media_group_id": group}


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
