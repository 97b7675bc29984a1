"""Notifications remember the event type they came from, so the page can filter by kind.

Revision ID: 0016
Revises: 0015
Create Date: 2026-12-02
"""

import sqlalchemy as sa
from alembic import op

revision = "0016"
down_revision = "0015"
branch_labels = None
depends_on = None


def upgrade():
    # Rows written before this stay without a type: they show under "All" only.
    op.add_column("notifications", sa.Column("kind", sa.String(length=40), nullable=True))
    op.create_index("ix_notifications_user_kind", "notifications", ["user_id", "kind"])


def downgrade():
    op.drop_index("ix_notifications_user_kind", table_name="notifications")
    op.drop_column("notifications", "kind")
