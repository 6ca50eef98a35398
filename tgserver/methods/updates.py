"""Bot API methods for the bot's identity and how it receives updates.

``getMe``, ``logOut``/``close``, the webhook methods (updates POSTed to the URL: tgserver.webhook) and ``getUpdates``
with its long poll (409 when a webhook is set or a newer call supersedes it).
"""

from __future__ import annotations

from typing import Any

from ..bots import BotState
from ..params import Params
from ..wire import JSON, ApiError
from .registry import api_method


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
        bot.stop_webhook()
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
    bot.start_webhook(webhook)
    return True


@api_method("deleteWebhook")
async def delete_webhook(bot: BotState, params: Params) -> Any:
    if params.get_bool("drop_pending_updates"):
        bot.updates.clear()
    bot.stop_webhook()
    return True


@api_method("getWebhookInfo")
async def get_webhook_info(bot: BotState, params: Params) -> Any:
    info: JSON = {
        "url": bot.webhook.get("url", ""),
        "has_custom_certificate": False,
        "pending_update_count": len(bot.updates),
    }
    for key in ("max_connections", "allowed_updates", "ip_address", "last_error_date", "last_error_message"):
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
