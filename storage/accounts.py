"""Users and their chat identities: one `users` row per person, created once even when first commands race.

A person migrated from the legacy app claims their account from chat (`claim_by_email`, with an email the
platform has verified) or an operator links it (`link_identity`); the migration itself is `storage.legacy`, which
runtime code never imports.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from storage import ledger
from storage.errors import NotFound
from storage.models import ChatIdentity, LegacyUser, User


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


def normal_email(value: Any) -> str | None:
    """The key an email is matched (and legacy duplicates merged) by: NUL characters dropped, stripped and
    lower-cased; None when there is no usable address."""
    if not isinstance(value, str) or "@" not in value:
        return None
    return value.replace("\x00", "").strip().lower()[:320] or None


# --- claiming a migrated account from chat ------------------------------------------------------------------


@dataclass(frozen=True)
class IdentityLink:
    user_id: int
    identity_id: int
    previous_user_id: int | None
    """The user the chat identity belonged to before (None if it is new or already pointed here)."""


def find_by_email(session: Session, email: str) -> User | None:
    """The migrated user whose legacy email matches `email`, ignoring case (merged duplicates share one user).

    Only migrated accounts are found: the email must be one the platform has verified (Slack `users.info`).
    """
    key = normal_email(email)
    if key is None:
        return None
    return session.execute(
        select(User).join(LegacyUser, LegacyUser.user_id == User.id).where(LegacyUser.email == key).limit(1)
    ).scalar_one_or_none()


def claim_by_email(
    session: Session, email: str, *, platform: str, team_id: str, external_id: str
) -> IdentityLink | None:
    """A chat identity claims the migrated account with this (platform-verified) email, if there is one.

    Called on a person's first command, before any account is made for them, so their commands use the credits
    and projects they had in the legacy app. None when no migrated account has the email.
    """
    user = find_by_email(session, email)
    if user is None:
        return None
    legacy_id = session.execute(
        select(LegacyUser.legacy_id).where(LegacyUser.user_id == user.id).order_by(LegacyUser.legacy_id).limit(1)
    ).scalar_one()
    return link_identity(session, legacy_user_id=legacy_id, platform=platform, team_id=team_id, external_id=external_id)


def link_identity(
    session: Session, *, legacy_user_id: str, platform: str, team_id: str, external_id: str
) -> IdentityLink:
    """Point a chat identity at the user migrated from `legacy_user_id` (any legacy `id` or `_id` of theirs).

    An identity that already exists (the person used the bot before claiming) is moved: from now on their
    commands use the legacy account's credits and projects. Linking twice changes nothing.
    """
    user_id = session.execute(
        select(LegacyUser.user_id).where(
            (LegacyUser.legacy_id == legacy_user_id) | (LegacyUser.source_id == legacy_user_id)
        )
    ).scalar_one_or_none()
    if user_id is None:
        raise NotFound(f"legacy user {legacy_user_id}")
    identity = _identity(session, platform, team_id, external_id)
    if identity is None:
        try:
            with session.begin_nested():
                identity = ChatIdentity(platform=platform, team_id=team_id, external_id=external_id, user_id=user_id)
                session.add(identity)
                session.flush()
            return IdentityLink(user_id=user_id, identity_id=identity.id, previous_user_id=None)
        except IntegrityError:  # the person's first command created it meanwhile: move that one
            identity = _identity(session, platform, team_id, external_id)
            if identity is None:
                raise
    previous = identity.user_id if identity.user_id != user_id else None
    identity.user_id = user_id
    session.flush()
    return IdentityLink(user_id=user_id, identity_id=identity.id, previous_user_id=previous)


def _identity(session: Session, platform: str, team_id: str, external_id: str) -> ChatIdentity | None:
    return session.execute(
        select(ChatIdentity)
        .where(
            ChatIdentity.platform == platform,
            ChatIdentity.team_id == team_id,
            ChatIdentity.external_id == external_id,
        )
        .with_for_update()
    ).scalar_one_or_none()
