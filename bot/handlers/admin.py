"""Admin-only commands: `credits grant <user> <amount>` (ADMIN_IDS). An admin's `status` is in `reads`."""

from __future__ import annotations

from bot import messages
from bot.errors import UserError
from bot.reply import Reply
from bot.request import Request
from storage import accounts, ledger


def grant(req: Request) -> Reply:
    """Credit a user of this team (or `platform:team:user` anywhere), once per chat delivery."""
    command, a = req.command, req.actor
    assert command.target_user is not None and command.amount is not None
    if not req.is_admin:
        raise UserError(messages.not_admin())
    platform, team, target = a.platform, a.team_id, command.target_user
    if target.count(":") == 2:
        platform, team, target = target.split(":")
    with req.ctx.db.session() as s:
        user = accounts.find_user(s, platform, team, target)
        if user is None:
            raise UserError(messages.unknown_user(command.target_user))
        key = req.request_key.replace(":", "/", 1)
        ledger.credit(
            s,
            user.id,
            command.amount,
            key=f"grant:{key}",
            type="grant",
            actor=a.qualified_id,
            note=f"granted by {a.qualified_id}",
        )
        balance = ledger.balance_of(s, user.id).available
    return Reply(text=messages.granted(command.amount, command.target_user, balance), ephemeral=True)
