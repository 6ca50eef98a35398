"""``nominee-bot sandbox``: the local Bot API server (tgserver/), the bot and a web chat page in one
process, without Telegram and without a token. The one place where the bot and the test server
meet: the bot itself never imports tgserver. ``demo`` runs it all; ``webchat`` is the page."""
