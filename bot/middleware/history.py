"""Our own chat history: every answered command and its reply, written behind the reply by `HistoryWriter`."""

from __future__ import annotations

from collections.abc import Callable

from bot.chat_text import plain
from bot.reply import Reply
from bot.request import Request
from storage.history import HistoryWriter


class History:
    """Keeps the command and the reply (queued for the writer's thread, so the sender never waits for it: this
    runs before a chat platform gets its ack). A refused command (UserError) passes by unrecorded."""

    def __init__(self, writer: HistoryWriter) -> None:
        self.writer = writer

    def __call__(self, request: Request, next: Callable[[], Reply]) -> Reply:
        reply = next()
        a = request.actor
        where = {
            "platform": a.platform,
            "project_id": reply.project_id,
            "user_id": request.user_id,
            "channel_id": a.channel_id,
            "thread_id": a.thread_id,
        }
        text = plain(reply.text)
        self.writer.add([{**where, "role": "user", "text": request.text}, {**where, "role": "bot", "text": text}])
        return reply.model_copy(update={"user_id": request.known_user_id})
