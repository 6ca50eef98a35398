"""Bot API methods for what the bot does in a chat.

Send a text, photo or document; edit a message's text, caption or inline keyboard; delete
messages; answer callback queries; ``getFile``; chat actions and ``getChat``.
"""

from __future__ import annotations

from typing import Any

from ..bots import BotState
from ..chats import Chat, Message
from ..files import StoredFile
from ..formatting import format_text
from ..markup import validate_reply_markup
from ..params import Params
from ..wire import JSON, MAX_DOWNLOAD_SIZE, QUERY_TOO_OLD, bad_request
from .registry import api_method


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


@api_method("sendMessage")
async def send_message(bot: BotState, params: Params) -> Any:
    chat = bot.chat(params.chat_id())
    text = params.get_str("text")
    if text is None:
        raise bad_request("message text is empty")
    parse_mode = params.get_str("parse_mode")
    plain, entities = format_text(text, parse_mode, _entities(params, "entities"))
    return _send(bot, chat, params, text=plain, raw_text=text, parse_mode=parse_mode, entities=entities)


async def _send_file(bot: BotState, params: Params, field: str) -> Any:
    chat = bot.chat(params.chat_id())
    stored = _input_file(bot, params, field)
    caption = params.get_str("caption")
    parse_mode = params.get_str("parse_mode")
    plain: str | None = None
    entities: list[JSON] = []
    if caption is not None:
        plain, entities = format_text(caption, parse_mode, _entities(params, "caption_entities"), caption=True)
    return _send(
        bot,
        chat,
        params,
        raw_text=caption,
        parse_mode=parse_mode,
        caption=plain,
        caption_entities=entities,
        file=stored,
    )


def _send(bot: BotState, chat: Chat, params: Params, **content: Any) -> JSON:
    """Send ``content`` (:meth:`BotSide.send_message`'s keywords) to ``chat``; the new Telegram ``Message``.

    The request's ``reply_markup`` and then its reply target are read after the content: of several
    errors in one request, the content's is the one answered.
    """
    msg = bot.send_message(chat, reply_markup=_reply_markup(params), reply_to=_reply_to(chat, params), **content)
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
        raise bad_request(QUERY_TOO_OLD)
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
        **chat.chat_dict(),
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
