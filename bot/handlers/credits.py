"""`credits`: the sender's balance (cached), open holds and recent ledger rows."""

from __future__ import annotations

from bot import messages
from bot.reply import Reply
from bot.request import Request
from storage import ledger, projects


def credits(req: Request) -> Reply:
    ctx, user_id = req.ctx, req.user_id

    def load() -> dict[str, int]:
        with ctx.db.session() as s:
            b = ledger.balance_of(s, user_id)
        return {"balance": b.balance, "held": b.held}

    cached = ctx.cache.balance(user_id, load)
    with ctx.db.session() as s:
        ops = ledger.operations(s, user_id)
        labels = projects.version_labels(s, [o.reference for o in ops])
    recent = [(o.kind, o.net, labels.get(o.reference, "")) for o in ops]
    return Reply(text=messages.credits_summary(cached["balance"], cached["held"], recent), ephemeral=True)
