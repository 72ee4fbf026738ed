"""Checks that run around every command before its handler, one concern per module (as slack-bolt's middleware).

A middleware is a callable `(request, next) -> Reply`: it may refuse (raise UserError), fill in the request, call
`next()` to run the rest of the chain and the handler, and look at the reply on its way back. The service runs
`RateLimit` → `Identity` → `History` → handler; `help` runs bare, before any of them.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Protocol

from bot.middleware.history import History
from bot.middleware.identity import EmailLookup, Identity
from bot.middleware.ratelimit import RateLimit
from bot.reply import Reply
from bot.request import Request

__all__ = ["EmailLookup", "History", "Identity", "Middleware", "Next", "RateLimit", "run"]

Next = Callable[[], Reply]


class Middleware(Protocol):
    def __call__(self, request: Request, next: Next) -> Reply: ...


def run(chain: Sequence[Middleware], request: Request, handler: Callable[[Request], Reply]) -> Reply:
    """Run `request` through `chain`, then `handler`; each middleware decides whether the rest runs."""

    def step(i: int) -> Reply:
        if i == len(chain):
            return handler(request)
        return chain[i](request, lambda: step(i + 1))

    return step(0)
