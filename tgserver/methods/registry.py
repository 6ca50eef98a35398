"""The table of Bot API methods (:data:`METHODS`) and the decorator that fills it.

A method is looked up by its lower-cased name (Telegram's names are case-insensitive) and
recorded under the name as Telegram spells it.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any

from ..bots import BotState
from ..params import Params

Handler = Callable[[BotState, Params], Awaitable[Any]]
METHODS: dict[str, tuple[str, Handler]] = {}


def api_method(*names: str) -> Callable[[Handler], Handler]:
    def register(func: Handler) -> Handler:
        for name in names:
            METHODS[name.lower()] = (name, func)
        return func

    return register
