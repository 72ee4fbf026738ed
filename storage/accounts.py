"""Users and their chat identities: one `users` row per person, created once even when first commands race."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from storage import ledger
from storage.models import ChatIdentity, User


def find_user(session: Session, platform: str, team_id: str, external_id: str) -> User | None:
    return session.execute(
        select(User)
        .join(ChatIdentity, ChatIdentity.user_id == User.id)
        .where(
            ChatIdentity.platform == platform,
            ChatIdentity.team_id == team_id,
            ChatIdentity.external_id == external_id,
        )
    ).scalar_one_or_none()


def get_or_create_user(
    session: Session,
    platform: str,
    team_id: str,
    external_id: str,
    *,
    display_name: str = "",
    signup_credits: int = 0,
) -> tuple[User, bool]:
    """Return the user behind a chat identity, creating it (with its signup grant) on first sight.

    The unique constraint on the identity decides a race: the loser's savepoint rolls back and it reads the
    winner's row, so the signup grant is written once.
    """
    if (user := find_user(session, platform, team_id, external_id)) is not None:
        return user, False
    try:
        with session.begin_nested():
            user = User(display_name=display_name[:200], balance=0, held=0)
            session.add(user)
            session.flush()
            session.add(ChatIdentity(platform=platform, team_id=team_id, external_id=external_id, user_id=user.id))
            session.flush()
            if signup_credits > 0:
                ledger.credit(
                    session,
                    user.id,
                    signup_credits,
                    key=f"signup:{user.id}",
                    type="grant",
                    note="signup credits",
                )
    except IntegrityError:
        user = find_user(session, platform, team_id, external_id)
        if user is None:
            raise
        return user, False
    return user, True
