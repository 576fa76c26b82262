"""passage terms

Revision ID: 0004
Revises: 0003
Create Date: 2026-12-01

Each passage keeps its index terms and the analysis version that made them, so that building the
index at start reads them instead of analysing every passage again. Passages stored before have
none: the next build analyses them (as before) and stores what it found, so the migration
itself stays instant at any size.
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0004"
down_revision: str | None = "0003"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

COLUMNS = (("terms", sa.Text()), ("analysis", sa.Integer()))


def upgrade() -> None:
    # A database made by create_all before migrations (stamped 0001) may have them already.
    present = {c["name"] for c in sa.inspect(op.get_bind()).get_columns("passage")}
    missing = [(name, kind) for name, kind in COLUMNS if name not in present]
    if not missing:
        return
    with op.batch_alter_table("passage") as batch:
        for name, kind in missing:
            batch.add_column(sa.Column(name, kind, nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("passage") as batch:
        batch.drop_column("analysis")
        batch.drop_column("terms")
