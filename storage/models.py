"""PostgreSQL schema (SQLAlchemy 2 declarative). Change it only together with an Alembic migration."""

from __future__ import annotations

import secrets
from datetime import datetime
from typing import Any

from slack_sdk.oauth.installation_store.sqlalchemy import SQLAlchemyInstallationStore
from slack_sdk.oauth.state_store.sqlalchemy import SQLAlchemyOAuthStateStore
from sqlalchemy import (
    JSON,
    BigInteger,
    Boolean,
    CheckConstraint,
    DateTime,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    UniqueConstraint,
    func,
    text,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

LEDGER_TYPES = ("grant", "hold", "capture", "release", "refund", "purchase", "adjustment")
VERSION_STATES = ("queued", "running", "succeeded", "failed", "cancelled")


class Base(DeclarativeBase):
    pass


PREVIEW_TOKEN_BYTES = 24
"""192 random bits per preview token (32 URL-safe characters)."""


def new_preview_token() -> str:
    return secrets.token_urlsafe(PREVIEW_TOKEN_BYTES)


def _now() -> Mapped[datetime]:
    return mapped_column(DateTime(timezone=True), server_default=func.now(), nullable=False)


class User(Base):
    """One person, whatever chat platforms they use. `balance` and `held` mirror the ledger sums."""

    __tablename__ = "users"
    __table_args__ = (
        CheckConstraint("balance >= 0", name="balance_not_negative"),
        CheckConstraint("held >= 0 AND held <= balance", name="held_within_balance"),
    )

    id: Mapped[int] = mapped_column(BigInteger, primary_key=True)
    display_name: Mapped[str] = mapped_column(String(200), default="")
    email: Mapped[str | None] = mapped_column(String(320))
    balance: Mapped[int] = mapped_column(BigInteger, default=0, server_default="0")
    held: Mapped[int] = mapped_column(BigInteger, default=0, server_default="0")
    legacy_id: Mapped[str | None] = mapped_column(String(64), unique=True)
    created_at: Mapped[datetime] = _now()


class ChatIdentity(Base):
    """(platform, team or guild, platform user id) → user."""

    __tablename__ = "chat_identities"
    __table_args__ = (UniqueConstraint("platform", "team_id", "external_id", name="uq_chat_identity"),)

    id: Mapped[int] = mapped_column(BigInteger, primary_key=True)
    platform: Mapped[str] = mapped_column(String(20))
    team_id: Mapped[str] = mapped_column(String(64))
    external_id: Mapped[str] = mapped_column(String(64))
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    created_at: Mapped[datetime] = _now()


class Project(Base):
    __tablename__ = "projects"
    __table_args__ = (UniqueConstraint("preview_token", name="uq_projects_preview_token"),)

    id: Mapped[int] = mapped_column(BigInteger, primary_key=True)
    owner_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    platform: Mapped[str] = mapped_column(String(20))
    team_id: Mapped[str] = mapped_column(String(64))
    name: Mapped[str] = mapped_column(String(200))
    prompt: Mapped[str] = mapped_column(Text)
    current_version: Mapped[int | None] = mapped_column(Integer)
    legacy_id: Mapped[str | None] = mapped_column(String(64), unique=True)
    preview_token: Mapped[str] = mapped_column(String(64), default=new_preview_token)
    """The unguessable part of the project's preview links (`/p/<token>/`); the id alone serves nothing."""
    created_at: Mapped[datetime] = _now()
    updated_at: Mapped[datetime] = _now()


class ProjectVersion(Base):
    """One build, edit or rollback of a project: immutable once it has succeeded.

    The row doubles as the durable job state: the worker moves `status` from queued to a terminal state and
    records the step and progress it reached.
    """

    __tablename__ = "project_versions"
    __table_args__ = (
        UniqueConstraint("project_id", "number", name="uq_version_number"),
        CheckConstraint(f"status IN {VERSION_STATES!r}", name="version_status"),
    )

    id: Mapped[int] = mapped_column(BigInteger, primary_key=True)
    project_id: Mapped[int] = mapped_column(ForeignKey("projects.id", ondelete="CASCADE"), index=True)
    number: Mapped[int] = mapped_column(Integer)
    kind: Mapped[str] = mapped_column(String(20))
    instruction: Mapped[str] = mapped_column(Text, default="")
    status: Mapped[str] = mapped_column(String(20), default="queued")
    request_key: Mapped[str] = mapped_column(String(200), unique=True)
    job_id: Mapped[str | None] = mapped_column(String(100))
    hold_id: Mapped[int | None] = mapped_column(ForeignKey("credit_transactions.id"))
    step: Mapped[str] = mapped_column(String(100), default="")
    progress: Mapped[int] = mapped_column(Integer, default=0)
    error: Mapped[str | None] = mapped_column(Text)
    template_slug: Mapped[str | None] = mapped_column(String(100))
    site_path: Mapped[str | None] = mapped_column(Text)
    spec: Mapped[dict[str, Any] | None] = mapped_column(JSON)
    created_at: Mapped[datetime] = _now()
    finished_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))


class ProjectMessage(Base):
    """Every command, bot reply and progress milestone: our own chat history."""

    __tablename__ = "project_messages"

    id: Mapped[int] = mapped_column(BigInteger, primary_key=True)
    project_id: Mapped[int | None] = mapped_column(ForeignKey("projects.id", ondelete="CASCADE"), index=True)
    user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    role: Mapped[str] = mapped_column(String(20))
    platform: Mapped[str] = mapped_column(String(20))
    channel_id: Mapped[str] = mapped_column(String(64), default="")
    thread_id: Mapped[str] = mapped_column(String(64), default="")
    text: Mapped[str] = mapped_column(Text)
    created_at: Mapped[datetime] = _now()


class CreditTransaction(Base):
    """Append-only ledger row.

    `amount` is the change to the balance and `hold_delta` the change to the open holds, so for every user
    balance = Σ amount and held = Σ hold_delta. A hold row has amount 0 and hold_delta +n; its capture has
    amount −n and hold_delta −n; its release amount 0 and hold_delta −n.
    """

    __tablename__ = "credit_transactions"
    __table_args__ = (
        CheckConstraint(f"type IN {LEDGER_TYPES!r}", name="ledger_type"),
        CheckConstraint("balance_after >= 0 AND held_after >= 0", name="ledger_not_negative"),
        # A hold is settled (captured or released) at most once.
        Index(
            "uq_ledger_settlement",
            "hold_id",
            unique=True,
            postgresql_where=text("type IN ('capture', 'release')"),
        ),
    )

    id: Mapped[int] = mapped_column(BigInteger, primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    type: Mapped[str] = mapped_column(String(20))
    amount: Mapped[int] = mapped_column(BigInteger)
    hold_delta: Mapped[int] = mapped_column(BigInteger, default=0)
    balance_after: Mapped[int] = mapped_column(BigInteger)
    held_after: Mapped[int] = mapped_column(BigInteger)
    hold_id: Mapped[int | None] = mapped_column(ForeignKey("credit_transactions.id"))
    reference: Mapped[str] = mapped_column(String(200), default="")
    idempotency_key: Mapped[str] = mapped_column(String(200), unique=True)
    actor: Mapped[str | None] = mapped_column(String(200))
    note: Mapped[str] = mapped_column(Text, default="")
    created_at: Mapped[datetime] = _now()


class UserSession(Base):
    """A chat thread that belongs to a project, so a reply there is an edit of it."""

    __tablename__ = "user_sessions"
    __table_args__ = (UniqueConstraint("platform", "team_id", "channel_id", "thread_id", name="uq_session_thread"),)

    id: Mapped[int] = mapped_column(BigInteger, primary_key=True)
    platform: Mapped[str] = mapped_column(String(20))
    team_id: Mapped[str] = mapped_column(String(64))
    channel_id: Mapped[str] = mapped_column(String(64))
    thread_id: Mapped[str] = mapped_column(String(64))
    project_id: Mapped[int] = mapped_column(ForeignKey("projects.id", ondelete="CASCADE"))
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    expires_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    created_at: Mapped[datetime] = _now()


class OutboxEntry(Base):
    """The final outcome of one version (the durable outbox), written in the transaction that makes it terminal.

    Pub/sub carries live progress only; a final message comes from this row, so none is lost when no relay is
    listening. A relay claims a row (`claimed_by`/`claimed_at`, a lease), posts it, then sets `delivered_at`.
    `payload` is the terminal progress event as JSON; `event_id` is that event's id.
    """

    __tablename__ = "outbox"
    __table_args__ = (Index("ix_outbox_undelivered", "platform", "id", postgresql_where=text("delivered_at IS NULL")),)

    id: Mapped[int] = mapped_column(BigInteger, primary_key=True)
    event_id: Mapped[str] = mapped_column(String(64), unique=True)
    version_id: Mapped[int] = mapped_column(ForeignKey("project_versions.id", ondelete="CASCADE"), unique=True)
    project_id: Mapped[int] = mapped_column(ForeignKey("projects.id", ondelete="CASCADE"), index=True)
    platform: Mapped[str] = mapped_column(String(20))
    payload: Mapped[dict[str, Any]] = mapped_column(JSON)
    created_at: Mapped[datetime] = _now()
    claimed_by: Mapped[str | None] = mapped_column(String(200))
    claimed_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    delivered_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))


class LegacyUser(Base):
    """A user document of the legacy MongoDB app and the user it became (several when emails were merged).

    Legacy projects and transactions name their owner by the document's `id` or by its `_id`, so both are kept;
    `credits` is the legacy balance the ledger must reproduce. `email` is lower-cased: the key duplicates merge on.
    """

    __tablename__ = "legacy_users"

    legacy_id: Mapped[str] = mapped_column(String(64), primary_key=True)
    source_id: Mapped[str] = mapped_column(String(200), unique=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    email: Mapped[str | None] = mapped_column(String(320), index=True)
    credits: Mapped[int | None] = mapped_column(BigInteger)
    merged: Mapped[bool] = mapped_column(Boolean, default=False, server_default="false")
    migrated_at: Mapped[datetime] = _now()


class LegacyRejection(Base):
    """A legacy document the migration refused, and why: nothing is dropped without a row here."""

    __tablename__ = "legacy_rejections"

    collection: Mapped[str] = mapped_column(String(40), primary_key=True)
    source_id: Mapped[str] = mapped_column(String(200), primary_key=True)
    legacy_id: Mapped[str] = mapped_column(String(200))
    code: Mapped[str] = mapped_column(String(40))
    reason: Mapped[str] = mapped_column(Text)
    rejected_at: Mapped[datetime] = _now()


class LegacyCheckpoint(Base):
    """The last legacy `_id` (extended JSON) each migration phase finished, written with that batch."""

    __tablename__ = "legacy_checkpoints"

    phase: Mapped[str] = mapped_column(String(40), primary_key=True)
    last_id: Mapped[str] = mapped_column(Text)
    updated_at: Mapped[datetime] = _now()


# Slack's multi-workspace OAuth keeps installations, bots and OAuth states in tables whose shape slack_sdk defines
# (its SQLAlchemy installation and state stores read and write them). Declaring them on our metadata lets Alembic
# create them like every other table, instead of slack_sdk's create_tables() at run time.
SLACK_TABLES = (
    SQLAlchemyInstallationStore.build_installations_table(Base.metadata, "slack_installations"),
    SQLAlchemyInstallationStore.build_bots_table(Base.metadata, "slack_bots"),
    SQLAlchemyOAuthStateStore.build_oauth_states_table(Base.metadata, "slack_oauth_states"),
)
