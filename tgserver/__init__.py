"""Local Telegram Bot API server (bot side + ``/_sandbox`` test side).

Stand-alone: it imports nothing from the rest of the project and not aiogram.

    runner, url = await serve("127.0.0.1", 0)       # in-process, free port
    bot = Bot(token, session=AiohttpSession(api=TelegramAPIServer.from_base(url)))
    async with SandboxClient(url, token) as sandbox:
        events = await sandbox.ask(42, "/start")

or ``python -m tgserver --port 8081``.

Modules: ``app`` (the aiohttp application and its routes), ``methods`` (the Bot API methods),
``sandbox`` (the test side's actions), ``params`` (a request's parameters), ``client``
(``SandboxClient``, the tests' end); the in-memory world: ``state`` (``ServerState``), ``bots`` and
``bot_side`` (one bot's state), ``chats`` (users, chats, messages), ``files`` (stored files),
``formatting`` (HTML to text and entities), ``markup`` (keyboards) and ``wire`` (JSON, limits,
``ApiError``).
"""

from .app import STATE_KEY, make_app, serve
from .client import BotEvent, FileInfo, NoReply, SandboxClient, SandboxError
from .state import ServerState
from .wire import ApiError

__all__ = [
    "STATE_KEY",
    "ApiError",
    "BotEvent",
    "FileInfo",
    "NoReply",
    "SandboxClient",
    "SandboxError",
    "ServerState",
    "make_app",
    "serve",
]
