"""Index each chat's outbox queue head; joins the three feature branches of 0002.

Revision ID: 0003_outbox_lane_heads
Revises: 0002_moderation, 0002_registration, 0002_tickets
Create Date: 2026-12-04
"""

from __future__ import annotations

from collections.abc import Sequence

from alembic import op

revision: str = "0003_outbox_lane_heads"
down_revision: str | Sequence[str] | None = (
    "0002_moderation",
    "0002_registration",
    "0002_tickets",
)
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("outbox", schema=None) as batch_op:
        batch_op.create_index("ix_outbox_status_lane_id", ["status", "lane", "id"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("outbox", schema=None) as batch_op:
        batch_op.drop_index("ix_outbox_status_lane_id")
