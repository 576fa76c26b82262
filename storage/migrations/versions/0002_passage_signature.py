"""passage signature

Revision ID: 0002
Revises: 0001
Create Date: 2026-12-01

Each passage keeps the MinHash of its words (``retrieval.duplicates``), so that search spots a
re-sent text without reading every candidate again. Passages stored before are signed here.
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

from retrieval.duplicates import signature

revision: str = "0002"
down_revision: str | None = "0001"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

BATCH = 5_000


def upgrade() -> None:
    connection = op.get_bind()
    # A database made by create_all before migrations existed is stamped at 0001 with the
    # tables of the models that made it, which may already have the column.
    if "signature" not in {c["name"] for c in sa.inspect(connection).get_columns("passage")}:
        op.add_column("passage", sa.Column("signature", sa.LargeBinary(), nullable=True))
    passage = sa.table(
        "passage", sa.column("id", sa.Integer), sa.column("text"), sa.column("signature")
    )
    last = 0
    while True:
        rows = connection.execute(
            sa.select(passage.c.id, passage.c.text)
            .where(passage.c.id > last, passage.c.signature.is_(None))
            .order_by(passage.c.id)
            .limit(BATCH)
        ).all()
        if not rows:
            return
        connection.execute(
            passage.update().where(passage.c.id == sa.bindparam("pid")),
            [{"pid": pid, "signature": signature(text)} for pid, text in rows],
        )
        last = rows[-1][0]


def downgrade() -> None:
    with op.batch_alter_table("passage") as batch:
        batch.drop_column("signature")
