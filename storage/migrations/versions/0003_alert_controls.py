"""alert controls

Revision ID: 0003
Revises: 0002
Create Date: 2026-12-01

Per chat: /mute (muted_until), /quiet (quiet_start, quiet_end), /digest daily (daily_digest_at),
the chat's time zone, and when it was last alerted (the digest window runs from there).
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0003"
down_revision: str | None = "0002"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

COLUMNS = (
    ("muted_until", sa.DateTime(timezone=True)),
    ("quiet_start", sa.String(length=5)),
    ("quiet_end", sa.String(length=5)),
    ("daily_digest_at", sa.String(length=5)),
    ("timezone", sa.String(length=64)),
    ("alerted_at", sa.DateTime(timezone=True)),
)


def upgrade() -> None:
    # A database made by create_all before migrations (stamped 0001) may have them already.
    present = {c["name"] for c in sa.inspect(op.get_bind()).get_columns("chat")}
    missing = [(name, kind) for name, kind in COLUMNS if name not in present]
    if not missing:
        return
    with op.batch_alter_table("chat") as batch:
        for name, kind in missing:
            batch.add_column(sa.Column(name, kind, nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("chat") as batch:
        for name, _ in reversed(COLUMNS):
            batch.drop_column(name)
