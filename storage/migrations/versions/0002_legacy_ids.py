"""legacy migration bookkeeping: legacy users, rejections, checkpoints

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-29 10:00:00.000000

The legacy MongoDB → PostgreSQL migration (`storage.legacy`) keeps, next to the migrated rows: every legacy user
document and the user it became (merged duplicates included), every document it refused and why, and the last
`_id` each phase finished so an interrupted run resumes.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "legacy_users",
        sa.Column("legacy_id", sa.String(length=64), nullable=False),
        sa.Column("source_id", sa.String(length=200), nullable=False),
        sa.Column("user_id", sa.BigInteger(), nullable=False),
        sa.Column("email", sa.String(length=320), nullable=True),
        sa.Column("credits", sa.BigInteger(), nullable=True),
        sa.Column("merged", sa.Boolean(), server_default="false", nullable=False),
        sa.Column("migrated_at", sa.DateTime(timezone=True), server_default=sa.text("now()"), nullable=False),
        sa.ForeignKeyConstraint(["user_id"], ["users.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("legacy_id"),
        sa.UniqueConstraint("source_id"),
    )
    op.create_index(op.f("ix_legacy_users_email"), "legacy_users", ["email"], unique=False)
    op.create_index(op.f("ix_legacy_users_user_id"), "legacy_users", ["user_id"], unique=False)
    op.create_table(
        "legacy_rejections",
        sa.Column("collection", sa.String(length=40), nullable=False),
        sa.Column("source_id", sa.String(length=200), nullable=False),
        sa.Column("legacy_id", sa.String(length=200), nullable=False),
        sa.Column("code", sa.String(length=40), nullable=False),
        sa.Column("reason", sa.Text(), nullable=False),
        sa.Column("rejected_at", sa.DateTime(timezone=True), server_default=sa.text("now()"), nullable=False),
        sa.PrimaryKeyConstraint("collection", "source_id"),
    )
    op.create_table(
        "legacy_checkpoints",
        sa.Column("phase", sa.String(length=40), nullable=False),
        sa.Column("last_id", sa.Text(), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), server_default=sa.text("now()"), nullable=False),
        sa.PrimaryKeyConstraint("phase"),
    )


def downgrade() -> None:
    op.drop_table("legacy_checkpoints")
    op.drop_table("legacy_rejections")
    op.drop_index(op.f("ix_legacy_users_user_id"), table_name="legacy_users")
    op.drop_index(op.f("ix_legacy_users_email"), table_name="legacy_users")
    op.drop_table("legacy_users")
