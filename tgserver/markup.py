"""Reply markup as the bot sends it: inline and reply keyboards checked like Telegram checks them,
and the lookups of a message's callback data that the sandbox's button presses use.
"""

from __future__ import annotations

from typing import Any

from .wire import JSON, MAX_CALLBACK_DATA_BYTES, bad_request


def validate_reply_markup(markup: Any) -> JSON | None:
    """Validate a reply_markup object; return it (or ``None``). Raises 400 on bad input."""
    if markup is None:
        return None
    if not isinstance(markup, dict):
        raise bad_request("can't parse reply keyboard markup JSON object")
    if "inline_keyboard" in markup:
        rows = markup["inline_keyboard"]
        if not isinstance(rows, list):
            raise bad_request('can\'t parse inline keyboard markup: field "inline_keyboard" must be an Array')
        for row in rows:
            if not isinstance(row, list):
                raise bad_request(
                    'can\'t parse inline keyboard markup: field "inline_keyboard" must be an Array of Arrays'
                )
            for button in row:
                _validate_inline_button(button)
        return markup
    if "keyboard" in markup:
        rows = markup["keyboard"]
        if not isinstance(rows, list) or not all(isinstance(r, list) for r in rows):
            raise bad_request('can\'t parse keyboard markup: field "keyboard" must be an Array of Arrays')
        for row in rows:
            for button in row:
                if isinstance(button, str):
                    continue
                if not isinstance(button, dict) or not isinstance(button.get("text"), str):
                    raise bad_request('can\'t parse keyboard button: Field "text" must be of type String')
        return markup
    if "remove_keyboard" in markup or "force_reply" in markup:
        return markup
    raise bad_request("can't parse reply keyboard markup JSON object")


_INLINE_ACTIONS = (
    "callback_data",
    "url",
    "web_app",
    "login_url",
    "switch_inline_query",
    "switch_inline_query_current_chat",
    "switch_inline_query_chosen_chat",
    "copy_text",
    "callback_game",
    "pay",
)


def _validate_inline_button(button: Any) -> None:
    if not isinstance(button, dict):
        raise bad_request("can't parse inline keyboard button: InlineKeyboardButton must be an Object")
    text = button.get("text")
    if not isinstance(text, str):
        raise bad_request('can\'t parse inline keyboard button: Field "text" must be of type String')
    if not text.strip():
        raise bad_request("BUTTON_TEXT_INVALID")
    actions = [a for a in _INLINE_ACTIONS if a in button]
    if not actions:
        raise bad_request("can't parse inline keyboard button: Text buttons are unallowed in the inline keyboard")
    data = button.get("callback_data")
    if data is not None and (
        not isinstance(data, str) or not data or len(data.encode("utf-8")) > MAX_CALLBACK_DATA_BYTES
    ):
        raise bad_request("BUTTON_DATA_INVALID")
    url = button.get("url")
    if url is not None and (not isinstance(url, str) or not url.startswith(("http://", "https://", "tg://"))):
        raise bad_request("BUTTON_URL_INVALID")


def inline_has_data(markup: JSON | None, data: str | None) -> bool:
    if not markup or "inline_keyboard" not in markup:
        return False
    return any(
        isinstance(button, dict) and "callback_data" in button and button["callback_data"] == data
        for row in markup["inline_keyboard"]
        for button in row
    )


def inline_data(markup: JSON | None) -> list[str]:
    if not markup or "inline_keyboard" not in markup:
        return []
    return [
        f"{button.get('text')}={button['callback_data']}"
        for row in markup["inline_keyboard"]
        for button in row
        if isinstance(button, dict) and "callback_data" in button
    ]
