"""Exceptions of the chat side.

BotError
 ├── UserError          the message is the reply: bad input, refused permission, not enough credits
 └── NotConfigured      an adapter was started without the credentials it needs
"""

from __future__ import annotations


class BotError(Exception):
    """Base class of every error this package raises on purpose."""


class UserError(BotError):
    """Raised with the exact text to show the user; adapters reply with it and change nothing."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


class NotConfigured(BotError):
    pass
