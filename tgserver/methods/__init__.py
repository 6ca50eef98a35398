"""The Bot API methods the server answers, by name (:data:`METHODS`).

``registry`` holds the table and the ``api_method`` decorator; importing the modules below fills
it: ``updates`` (identity, webhooks, getUpdates), ``messages`` (send, edit, delete, callback
answers, files, chat actions, getChat) and ``profile`` (commands, menu buttons, name and
descriptions).
"""

from . import messages, profile, updates  # noqa: F401  (importing them registers their methods)
from .registry import METHODS, Handler, api_method

__all__ = ["METHODS", "Handler", "api_method"]
