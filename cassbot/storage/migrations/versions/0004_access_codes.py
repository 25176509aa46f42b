"""access codes for registration requests, complaints and appeals

A folio with a random access code (not the phone number) opens a status page. Rows filed
before this revision get a code here; their owners learn it from the next message about
their request, or from Gobierno Digital, who sees it in the panel.

Revision ID: 0004_access_codes
Revises: 0003_outbox_lane_heads
Create Date: 2026-12-04
"""

from __future__ import annotations

import secrets
from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0004_access_codes"
down_revision: str | Sequence[str] | None = "0003_outbox_lane_heads"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_TABLES = ("registration_requests", "feedback_items", "appeals")
# The same alphabet and length as cassbot.registration.access (copied: a migration must not
# change when the application code does).
_ALPHABET = "ABCDEFGHJKMNPQRSTVWXYZ23456789"
_LENGTH = 8


def upgrade() -> None:
    connection = op.get_bind()
    for table in _TABLES:
        op.add_column(table, sa.Column("access_code", sa.String(length=16), nullable=True))
        rows = sa.table(table, sa.column("id", sa.BigInteger()), sa.column("access_code"))
        ids = connection.execute(sa.select(rows.c.id)).scalars().all()
        for row_id in ids:
            code = "".join(secrets.choice(_ALPHABET) for _ in range(_LENGTH))
            connection.execute(
                sa.update(rows).where(rows.c.id == row_id).values(access_code=code)
            )


def downgrade() -> None:
    for table in _TABLES:
        with op.batch_alter_table(table) as batch_op:
            batch_op.drop_column("access_code")
