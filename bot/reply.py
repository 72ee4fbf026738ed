"""What the service says back to an adapter: one `Reply` per command, rendered by each platform its own way."""

from __future__ import annotations

import secrets

from pydantic import BaseModel

from bot import messages


class Reply(BaseModel):
    """What to say back. `ephemeral` replies are shown only to the sender where the platform allows it."""

    text: str
    ephemeral: bool = False
    project_id: int | None = None
    version_id: int | None = None
    version: int | None = None
    user_id: int | None = None
    """The sender's account, when the command needed it (the relay binds the build's thread to it)."""
    queue_position: int | None = None
    """Jobs ahead of a queued version's when it was queued (its status message starts from it)."""


def duplicate(project_id: int) -> Reply:
    """The answer to a request seen before (a redelivery, a double click): nothing was done again."""
    return Reply(text=messages.duplicate_request(project_id), project_id=project_id, ephemeral=True)


def new_ref() -> str:
    """A short reference shown to the user and written to the log with the error behind it."""
    return secrets.token_hex(2).upper()
