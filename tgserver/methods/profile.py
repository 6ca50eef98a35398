"""Bot API methods for how the bot presents itself.

Its command lists (by scope and language), the menu button (per chat and the default), and its
name, description and short description (by language).
"""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

from ..bots import BotState
from ..params import Params
from ..wire import JSON, bad_request
from .registry import Handler, api_method

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
