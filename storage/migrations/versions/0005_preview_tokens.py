"""preview tokens: each project's previews live at an unguessable path, not at its sequential id

Revision ID: 0005
Revises: 0004
Create Date: 2026-12-05 12:20:00.000000
"""

from __future__ import annotations

import secrets

import sqlalchemy as sa
from alembic import op

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None

BATCH = 1000


def upgrade() -> None:
    op.add_column("projects", sa.Column("preview_token", sa.String(length=64), nullable=True))
    bind = op.get_bind()
    projects = sa.table("projects", sa.column("id", sa.BigInteger()), sa.column("preview_token", sa.String()))
    while (
        ids := bind.execute(sa.select(projects.c.id).where(projects.c.preview_token.is_(None)).limit(BATCH))
        .scalars()
        .all()
    ):
        bind.execute(
            projects.update().where(projects.c.id == sa.bindparam("pid")).values(preview_token=sa.bindparam("token")),
            [{"pid": pid, "token": secrets.token_urlsafe(24)} for pid in ids],
        )
    op.alter_column("projects", "preview_token", nullable=False)
    op.create_unique_constraint("uq_projects_preview_token", "projects", ["preview_token"])


def downgrade() -> None:
    op.drop_constraint("uq_projects_preview_token", "projects", type_="unique")
    op.drop_column("projects", "preview_token")
