"""aiohttp application: the Bot API wire format plus the ``/_sandbox`` test side.

Bot side:      ``GET|POST /bot{token}/{method}``  and  ``GET /file/bot{token}/{file_path}``
Sandbox side:  ``/_sandbox/{token}/{action}`` (JSON in/out), see :data:`SANDBOX_ROUTES`.
"""

from __future__ import annotations

import json
import re
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any
from urllib.parse import parse_qsl

from aiohttp import BodyPartReader, hdrs, web

from .bots import BotState
from .chats import Chat, Message
from .files import StoredFile
from .formatting import format_text
from .markup import validate_reply_markup
from .state import ServerState
from .wire import JSON, MAX_DOWNLOAD_SIZE, MAX_TEXT_LENGTH, MAX_UPLOAD_SIZE, ApiError, bad_request

STATE_KEY = web.AppKey("apiserver_state", ServerState)

_dumps = json.JSONEncoder(ensure_ascii=False, separators=(",", ":")).encode


def json_response(body: Any, status: int = 200) -> web.Response:
    return web.Response(
        body=_dumps(body).encode("utf-8"),
        status=status,
        content_type="application/json",
        charset="utf-8",
    )


def _ok(result: Any) -> web.Response:
    return json_response({"ok": True, "result": result})


# --------------------------------------------------------------------------- parameters


@dataclass(slots=True)
class Upload:
    data: bytes
    filename: str | None
    content_type: str | None


class Params:
    """Request parameters from the query string, JSON, urlencoded or multipart bodies.

    Form encodings carry every value as a string (aiogram JSON-encodes complex
    values and booleans), so the accessors coerce.
    """

    __slots__ = ("files", "values")

    def __init__(self, values: dict[str, Any], files: dict[str, Upload]) -> None:
        self.values = values
        self.files = files

    def has(self, name: str) -> bool:
        value = self.values.get(name)
        return value is not None and value != ""

    def get_str(self, name: str, *, required: bool = False) -> str | None:
        value = self.values.get(name)
        if value is None or value == "":
            if required:
                raise bad_request(f"{name} is empty")
            return None
        if isinstance(value, str):
            return value
        if isinstance(value, bool):
            return "true" if value else "false"
        if isinstance(value, int | float):
            return str(value)
        raise bad_request(f'field "{name}" must be of type String')

    def req_str(self, name: str) -> str:
        value = self.get_str(name, required=True)
        assert value is not None
        return value

    def get_int(self, name: str, *, required: bool = False) -> int | None:
        value = self.values.get(name)
        if value is None or value == "":
            if required:
                raise bad_request(f"{name} is empty")
            return None
        if isinstance(value, bool):
            raise bad_request(f'field "{name}" must be of type Integer')
        if isinstance(value, int):
            return value
        if isinstance(value, float) and value.is_integer():
            return int(value)
        if isinstance(value, str):
            try:
                return int(value.strip())
            except ValueError:
                pass
        raise bad_request(f'field "{name}" must be of type Integer')

    def req_int(self, name: str) -> int:
        value = self.get_int(name, required=True)
        assert value is not None
        return value

    def get_float(self, name: str, default: float) -> float:
        value = self.values.get(name)
        if value is None or value == "":
            return default
        try:
            return float(value)
        except (TypeError, ValueError):
            raise bad_request(f'field "{name}" must be of type Number') from None

    def get_bool(self, name: str) -> bool:
        value = self.values.get(name)
        if value is None or value == "":
            return False
        if isinstance(value, bool):
            return value
        if isinstance(value, int):
            return value != 0
        if isinstance(value, str):
            lowered = value.strip().lower()
            if lowered in ("true", "1", "yes", "on"):
                return True
            if lowered in ("false", "0", "no", "off"):
                return False
        raise bad_request(f'field "{name}" must be of type Boolean')

    def get_json(self, name: str) -> Any:
        value = self.values.get(name)
        if value is None or value == "":
            return None
        if isinstance(value, str):
            try:
                return json.loads(value)
            except ValueError:
                if name == "reply_markup":
                    raise bad_request("can't parse reply keyboard markup JSON object") from None
                raise bad_request(f"can't parse {name} JSON object") from None
        return value

    def get_object(self, name: str) -> JSON | None:
        value = self.get_json(name)
        if value is None:
            return None
        if not isinstance(value, dict):
            raise bad_request(f'field "{name}" must be an Object')
        return value

    def get_list(self, name: str) -> list[Any] | None:
        value = self.get_json(name)
        if value is None:
            return None
        if not isinstance(value, list):
            raise bad_request(f'field "{name}" must be an Array')
        return value

    def chat_id(self) -> int | str:
        value = self.values.get("chat_id")
        if value is None or value == "":
            raise bad_request("chat_id is empty")
        if isinstance(value, bool):
            raise bad_request("chat not found")
        if isinstance(value, int):
            return value
        if isinstance(value, str):
            value = value.strip()
            if value.startswith("@"):
                return value
            try:
                return int(value)
            except ValueError:
                raise bad_request("chat not found") from None
        raise bad_request("chat not found")


async def read_params(request: web.Request) -> Params:
    values: dict[str, Any] = dict(request.query) if request.query_string else {}
    files: dict[str, Upload] = {}
    if request.body_exists:
        ctype = request.content_type
        if ctype == "multipart/form-data":
            await _read_multipart(request, values, files)
        elif ctype == "application/json":
            raw = await request.read()
            if raw.strip():
                try:
                    body = json.loads(raw)
                except ValueError:
                    raise bad_request("can't parse JSON object") from None
                if not isinstance(body, dict):
                    raise bad_request("JSON object expected")
                values.update(body)
        else:  # x-www-form-urlencoded (or untyped)
            raw = await request.read()
            if raw:
                values.update(parse_qsl(raw.decode("utf-8", "replace"), keep_blank_values=True))
    return Params(values, files)


async def _read_multipart(request: web.Request, values: dict[str, Any], files: dict[str, Upload]) -> None:
    reader = await request.multipart()
    total = 0
    while True:
        part = await reader.next()
        if part is None:
            break
        if not isinstance(part, BodyPartReader) or part.name is None:
            continue
        if part.filename is None:
            values[part.name] = await part.text()
            continue
        chunks: list[bytes] = []
        while chunk := await part.read_chunk(1 << 16):
            total += len(chunk)
            if total > MAX_UPLOAD_SIZE:
                raise ApiError(413, "Request Entity Too Large")
            chunks.append(chunk)
        files[part.name] = Upload(b"".join(chunks), part.filename, part.headers.get(hdrs.CONTENT_TYPE))


# --------------------------------------------------------------------------- bot API methods

Handler = Callable[[BotState, Params], Awaitable[Any]]
METHODS: dict[str, tuple[str, Handler]] = {}


def api_method(*names: str) -> Callable[[Handler], Handler]:
    def register(func: Handler) -> Handler:
        for name in names:
            METHODS[name.lower()] = (name, func)
        return func

    return register


def _reply_markup(params: Params) -> JSON | None:
    return validate_reply_markup(params.get_json("reply_markup"))


def _reply_to(chat: Chat, params: Params) -> Message | None:
    reply = params.get_object("reply_parameters")
    allow_without = params.get_bool("allow_sending_without_reply")
    if reply is not None:
        message_id = reply.get("message_id")
        allow_without = allow_without or bool(reply.get("allow_sending_without_reply"))
    else:
        message_id = params.get_int("reply_to_message_id")
    if not message_id:
        return None
    if not isinstance(message_id, int):
        raise bad_request("message to be replied not found")
    msg = chat.get_message(message_id)
    if msg is None and not allow_without:
        raise bad_request("message to be replied not found")
    return msg


def _entities(params: Params, name: str) -> list[JSON] | None:
    value = params.get_list(name)
    if value is None:
        return None
    if not all(isinstance(e, dict) and "type" in e and "offset" in e and "length" in e for e in value):
        raise bad_request(f"can't parse {name} JSON object")
    return value


@api_method("getMe")
async def get_me(bot: BotState, params: Params) -> Any:
    return bot.me()


@api_method("logOut", "close")
async def log_out(bot: BotState, params: Params) -> Any:
    return True


@api_method("setWebhook")
async def set_webhook(bot: BotState, params: Params) -> Any:
    url = params.get_str("url") or ""
    if params.get_bool("drop_pending_updates"):
        bot.updates.clear()
    if not url:
        bot.webhook = {"url": ""}
        return True
    webhook: JSON = {"url": url}
    if (secret := params.get_str("secret_token")) is not None:
        webhook["secret_token"] = secret
    if (max_connections := params.get_int("max_connections")) is not None:
        webhook["max_connections"] = max_connections
    if (allowed := params.get_list("allowed_updates")) is not None:
        webhook["allowed_updates"] = allowed
        bot.set_allowed_updates(allowed)
    if (ip := params.get_str("ip_address")) is not None:
        webhook["ip_address"] = ip
    bot.webhook = webhook
    return True


@api_method("deleteWebhook")
async def delete_webhook(bot: BotState, params: Params) -> Any:
    if params.get_bool("drop_pending_updates"):
        bot.updates.clear()
    bot.webhook = {"url": ""}
    return True


@api_method("getWebhookInfo")
async def get_webhook_info(bot: BotState, params: Params) -> Any:
    info: JSON = {
        "url": bot.webhook.get("url", ""),
        "has_custom_certificate": False,
        "pending_update_count": len(bot.updates),
    }
    for key in ("max_connections", "allowed_updates", "ip_address"):
        if key in bot.webhook:
            info[key] = bot.webhook[key]
    return info


@api_method("getUpdates")
async def get_updates(bot: BotState, params: Params) -> Any:
    if bot.webhook.get("url"):
        raise ApiError(
            409,
            "Conflict: can't use getUpdates method while webhook is active; "
            "use deleteWebhook to delete the webhook first",
        )
    offset = params.get_int("offset")
    limit = params.get_int("limit") or 100
    limit = min(max(limit, 1), 100)
    timeout = max(params.get_float("timeout", 0.0), 0.0)
    allowed = params.get_list("allowed_updates")
    generation = bot.start_poll()
    if allowed is not None:
        bot.set_allowed_updates(allowed)
    if offset is not None:
        bot.confirm_updates(offset)
    if not bot.updates and timeout > 0:
        await bot.wait_updates(generation, timeout)
    return bot.take_updates(limit)


@api_method("sendMessage")
async def send_message(bot: BotState, params: Params) -> Any:
    chat = bot.chat(params.chat_id())
    text = params.get_str("text")
    if text is None:
        raise bad_request("message text is empty")
    parse_mode = params.get_str("parse_mode")
    plain, entities = format_text(text, parse_mode, _entities(params, "entities"))
    markup = _reply_markup(params)
    reply_to = _reply_to(chat, params)
    msg = bot.send_message(
        chat,
        text=plain,
        raw_text=text,
        parse_mode=parse_mode,
        entities=entities,
        reply_markup=markup,
        reply_to=reply_to,
    )
    return msg.to_dict()


async def _send_file(bot: BotState, params: Params, field: str) -> Any:
    chat = bot.chat(params.chat_id())
    stored = _input_file(bot, params, field)
    caption = params.get_str("caption")
    parse_mode = params.get_str("parse_mode")
    plain: str | None = None
    entities: list[JSON] = []
    if caption is not None:
        plain, entities = format_text(caption, parse_mode, _entities(params, "caption_entities"), caption=True)
    markup = _reply_markup(params)
    reply_to = _reply_to(chat, params)
    msg = bot.send_message(
        chat,
        raw_text=caption,
        parse_mode=parse_mode,
        caption=plain,
        caption_entities=entities,
        file=stored,
        reply_markup=markup,
        reply_to=reply_to,
    )
    return msg.to_dict()


def _input_file(bot: BotState, params: Params, field: str) -> StoredFile:
    upload = params.files.get(field)
    value = params.values.get(field)
    if upload is None and isinstance(value, str) and value.startswith("attach://"):
        upload = params.files.get(value[len("attach://") :])
        if upload is None:
            raise bad_request(f"there is no {field} in the request")
    if upload is not None:
        return bot.server.store_file(upload.data, field, file_name=upload.filename, mime_type=upload.content_type)
    if isinstance(value, str) and value:
        if value.startswith(("http://", "https://")):
            raise bad_request("failed to get HTTP URL content")
        return bot.server.existing_file(value, field)
    raise bad_request(f"there is no {field} in the request")


@api_method("sendPhoto")
async def send_photo(bot: BotState, params: Params) -> Any:
    return await _send_file(bot, params, "photo")


@api_method("sendDocument")
async def send_document(bot: BotState, params: Params) -> Any:
    return await _send_file(bot, params, "document")


def _message_to_edit(bot: BotState, params: Params) -> Message:
    if params.has("inline_message_id"):
        raise bad_request("MESSAGE_ID_INVALID")
    chat = bot.chat(params.chat_id())
    message_id = params.get_int("message_id")
    if message_id is None:
        raise bad_request("message identifier is not specified")
    msg = chat.get_message(message_id)
    if msg is None:
        raise bad_request("message to edit not found")
    if not msg.outgoing:
        raise bad_request("message can't be edited")
    return msg


@api_method("editMessageText")
async def edit_message_text(bot: BotState, params: Params) -> Any:
    msg = _message_to_edit(bot, params)
    if msg.text is None:
        raise bad_request("there is no text in the message to edit")
    text = params.get_str("text")
    if text is None:
        raise bad_request("message text is empty")
    parse_mode = params.get_str("parse_mode")
    plain, entities = format_text(text, parse_mode, _entities(params, "entities"))
    markup = _inline_markup(params)
    bot.edit_message(msg, text=plain, entities=entities, raw_text=text, parse_mode=parse_mode, reply_markup=markup)
    return msg.to_dict()


@api_method("editMessageCaption")
async def edit_message_caption(bot: BotState, params: Params) -> Any:
    msg = _message_to_edit(bot, params)
    if msg.file is None:
        raise bad_request("there is no caption in the message to edit")
    caption = params.get_str("caption") or ""
    parse_mode = params.get_str("parse_mode")
    plain, entities = format_text(caption, parse_mode, _entities(params, "caption_entities"), caption=True)
    markup = _inline_markup(params)
    bot.edit_message(
        msg,
        caption=plain,
        caption_entities=entities,
        raw_text=caption,
        parse_mode=parse_mode,
        reply_markup=markup,
    )
    return msg.to_dict()


def _inline_markup(params: Params) -> JSON | None:
    markup = _reply_markup(params)
    if markup is not None and "inline_keyboard" not in markup:
        raise bad_request("inline keyboard expected")
    return markup


@api_method("editMessageReplyMarkup")
async def edit_message_reply_markup(bot: BotState, params: Params) -> Any:
    msg = _message_to_edit(bot, params)
    bot.edit_message(msg, reply_markup=_inline_markup(params), markup_only=True)
    return msg.to_dict()


@api_method("deleteMessage")
async def delete_message(bot: BotState, params: Params) -> Any:
    chat = bot.chat(params.chat_id())
    msg = chat.get_message(params.req_int("message_id"))
    if msg is None:
        raise bad_request("message to delete not found")
    bot.delete_message(msg)
    return True


@api_method("deleteMessages")
async def delete_messages(bot: BotState, params: Params) -> Any:
    chat = bot.chat(params.chat_id())
    ids = params.get_list("message_ids")
    if not ids or len(ids) > 100:
        raise bad_request("message_ids is empty" if not ids else "too many message identifiers specified")
    for message_id in ids:
        msg = chat.get_message(message_id) if isinstance(message_id, int) else None
        if msg is not None:
            bot.delete_message(msg)
    return True


@api_method("answerCallbackQuery")
async def answer_callback_query(bot: BotState, params: Params) -> Any:
    query_id = params.get_str("callback_query_id")
    if query_id is None:
        raise bad_request("query is too old and response timeout expired or query ID is invalid")
    text = params.get_str("text")
    if text is not None and len(text) > 200:
        raise bad_request("MESSAGE_TOO_LONG")
    bot.answer_callback(
        query_id,
        text=text,
        show_alert=params.get_bool("show_alert"),
        url=params.get_str("url"),
        cache_time=params.get_int("cache_time") or 0,
    )
    return True


@api_method("getFile")
async def get_file(bot: BotState, params: Params) -> Any:
    file_id = params.get_str("file_id")
    stored = bot.server.files.get(file_id or "")
    if stored is None:
        raise bad_request("invalid file_id")
    if stored.file_size > MAX_DOWNLOAD_SIZE:
        raise bad_request("file is too big")
    return stored.file_dict()


_COMMAND_RE = re.compile(r"^[a-z0-9_]{1,32}$")
_SCOPE_TYPES = {
    "default",
    "all_private_chats",
    "all_group_chats",
    "all_chat_administrators",
    "chat",
    "chat_administrators",
    "chat_member",
}


def _scope(bot: BotState, params: Params) -> JSON | None:
    scope = params.get_object("scope")
    if scope is None:
        return None
    kind = scope.get("type")
    if kind not in _SCOPE_TYPES:
        raise bad_request("can't parse BotCommandScope: unsupported type")
    if kind in ("chat", "chat_administrators", "chat_member"):
        chat_id = scope.get("chat_id")
        if chat_id is None or (isinstance(chat_id, int) and chat_id not in bot.chats):
            raise bad_request("chat not found")
        if kind == "chat_member" and not isinstance(scope.get("user_id"), int):
            raise bad_request("user not found")
    return scope


@api_method("setMyCommands")
async def set_my_commands(bot: BotState, params: Params) -> Any:
    commands = params.get_list("commands")
    if commands is None:
        raise bad_request("commands is empty")
    if len(commands) > 100:
        raise bad_request("too many commands")
    cleaned: list[JSON] = []
    for item in commands:
        if not isinstance(item, dict):
            raise bad_request("can't parse BotCommand: BotCommand must be an Object")
        command, description = item.get("command"), item.get("description")
        if not isinstance(command, str) or not _COMMAND_RE.match(command.lstrip("/")):
            raise bad_request("BOT_COMMAND_INVALID")
        if not isinstance(description, str) or not 1 <= len(description.strip()) <= 256:
            raise bad_request("command description is empty" if not description else "BOT_COMMAND_DESCRIPTION_INVALID")
        cleaned.append({"command": command.lstrip("/"), "description": description})
    bot.set_commands(_scope(bot, params), params.get_str("language_code") or "", cleaned)
    return True


@api_method("getMyCommands")
async def get_my_commands(bot: BotState, params: Params) -> Any:
    return bot.get_commands(_scope(bot, params), params.get_str("language_code") or "")


@api_method("deleteMyCommands")
async def delete_my_commands(bot: BotState, params: Params) -> Any:
    bot.delete_commands(_scope(bot, params), params.get_str("language_code") or "")
    return True


@api_method("setChatMenuButton")
async def set_chat_menu_button(bot: BotState, params: Params) -> Any:
    button = params.get_object("menu_button") or {"type": "default"}
    if button.get("type") not in ("default", "commands", "web_app"):
        raise bad_request("can't parse MenuButton: unsupported type")
    if params.has("chat_id"):
        bot.chat(params.chat_id()).menu_button = button
    else:
        bot.default_menu_button = {"type": "commands"} if button["type"] == "default" else button
    return True


@api_method("getChatMenuButton")
async def get_chat_menu_button(bot: BotState, params: Params) -> Any:
    if params.has("chat_id"):
        button = bot.chat(params.chat_id()).menu_button
        if button is not None and button.get("type") != "default":
            return button
    return bot.default_menu_button


_CHAT_ACTIONS = {
    "typing",
    "upload_photo",
    "record_video",
    "upload_video",
    "record_voice",
    "upload_voice",
    "upload_document",
    "choose_sticker",
    "find_location",
    "record_video_note",
    "upload_video_note",
}


@api_method("sendChatAction")
async def send_chat_action(bot: BotState, params: Params) -> Any:
    chat = bot.chat(params.chat_id())
    action = params.get_str("action")
    if action not in _CHAT_ACTIONS:
        raise bad_request("wrong parameter action in request")
    chat.last_action = action
    return True


@api_method("getChat")
async def get_chat(bot: BotState, params: Params) -> Any:
    chat_id = params.chat_id()
    chat = bot.chats.get(chat_id) if isinstance(chat_id, int) else None
    if chat is None:
        chat = bot.chat(chat_id)
    return {
        **chat.user.chat_dict(),
        "accent_color_id": 0,
        "max_reaction_count": 11,
        "accepted_gift_types": {
            "unlimited_gifts": True,
            "limited_gifts": True,
            "unique_gifts": True,
            "premium_subscription": True,
            "gifts_from_channels": True,
        },
    }


def _profile_setter(field: str, limit: int) -> Handler:
    async def setter(bot: BotState, params: Params) -> Any:
        value = params.get_str(field) or ""
        if len(value) > limit:
            raise bad_request(f"{field} is too long")
        bot.profile[f"{field}:{params.get_str('language_code') or ''}"] = value
        return True

    return setter


def _profile_getter(field: str, fallback: Callable[[BotState], str]) -> Handler:
    async def getter(bot: BotState, params: Params) -> Any:
        key = f"{field}:{params.get_str('language_code') or ''}"
        return {field: bot.profile.get(key) or bot.profile.get(f"{field}:") or fallback(bot)}

    return getter


api_method("setMyName")(_profile_setter("name", 64))
api_method("getMyName")(_profile_getter("name", lambda bot: bot.user.first_name))
api_method("setMyDescription")(_profile_setter("description", 512))
api_method("getMyDescription")(_profile_getter("description", lambda bot: ""))
api_method("setMyShortDescription")(_profile_setter("short_description", 120))
api_method("getMyShortDescription")(_profile_getter("short_description", lambda bot: ""))


async def bot_api(request: web.Request) -> web.Response:
    state = request.app[STATE_KEY]
    try:
        bot = state.bot(request.match_info["token"])
        entry = METHODS.get(request.match_info["method"].lower())
        if entry is None:
            raise ApiError(404, "Not Found")
        name, handler = entry
        bot.method_calls[name] = bot.method_calls.get(name, 0) + 1
        if bot.failures and (failure := bot.take_failure(name.lower())) is not None:
            raise failure
        params = await read_params(request)
        result = await handler(bot, params)
    except ApiError as exc:
        return json_response(exc.to_dict(), status=exc.code)
    return _ok(result)


async def download_file(request: web.Request) -> web.Response:
    state = request.app[STATE_KEY]
    try:
        state.bot(request.match_info["token"])
    except ApiError as exc:
        return json_response(exc.to_dict(), status=exc.code)
    stored = state.files_by_path.get(request.match_info["path"])
    if stored is None:
        return json_response(ApiError(404, "Not Found").to_dict(), status=404)
    return web.Response(body=stored.data, content_type=stored.mime_type or "application/octet-stream")


# --------------------------------------------------------------------------- sandbox side

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
    if caption is not None and len(caption) > 1024:
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


async def sandbox_api(request: web.Request) -> web.Response:
    state = request.app[STATE_KEY]
    handler = SANDBOX_ROUTES.get((request.method, request.match_info["action"]))
    if handler is None:
        return json_response({"ok": False, "error_code": 404, "description": "Not Found"}, status=404)
    try:
        bot = state.bot(request.match_info["token"])
        params = await read_params(request)
        result = await handler(state, bot, params)
    except ApiError as exc:
        return json_response(exc.to_dict(), status=exc.code)
    return json_response({"ok": True, **result})


async def index(request: web.Request) -> web.Response:
    state = request.app[STATE_KEY]
    return json_response({"ok": True, "service": "nominee-bot local Bot API server", "bots": len(state.bots)})


def make_app(state: ServerState | None = None) -> web.Application:
    app = web.Application(client_max_size=MAX_UPLOAD_SIZE + (1 << 20))
    app[STATE_KEY] = state if state is not None else ServerState()
    app.router.add_route("*", "/bot{token}/{method}", bot_api)
    app.router.add_get("/file/bot{token}/{path:.+}", download_file)
    app.router.add_route("*", "/_sandbox/{token}/{action}", sandbox_api)
    app.router.add_get("/", index)
    app.on_shutdown.append(_on_shutdown)
    return app


async def _on_shutdown(app: web.Application) -> None:
    app[STATE_KEY].close()


async def serve(host: str = "127.0.0.1", port: int = 0, state: ServerState | None = None) -> tuple[web.AppRunner, str]:
    """Start the server (``port=0`` picks a free port); returns the runner and base URL.

    Stop it with ``await runner.cleanup()``; the state is ``runner.app[STATE_KEY]``.
    """
    runner = web.AppRunner(make_app(state), handler_cancellation=True, access_log=None)
    await runner.setup()
    site = web.TCPSite(runner, host, port)
    await site.start()
    bound_port = runner.addresses[0][1]
    shown = host if host not in ("0.0.0.0", "::", "") else "127.0.0.1"
    if ":" in shown:
        shown = f"[{shown}]"
    return runner, f"http://{shown}:{bound_port}"
