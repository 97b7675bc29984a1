"""Libraries deleted from Plex: when a full sync found each gone, and how many a run removed.

Revision ID: 0005
Revises: 0004
Create Date: 2026-11-22
"""

import sqlalchemy as sa
from alembic import op

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None


def upgrade():
    op.add_column(
        "library_sections", sa.Column("removed_at", sa.DateTime(timezone=True), nullable=True)
    )
    # The runs already recorded removed no library; new rows get the model's default.
    op.add_column(
        "sync_runs",
        sa.Column("libraries_removed", sa.Integer(), nullable=False, server_default="0"),
    )


def downgrade():
    # Plain ALTER TABLE ... DROP COLUMN on both databases (SQLite has it since 3.35). Batch mode
    # would rebuild library_sections on SQLite, and dropping the old table with foreign keys on
    # would cascade into media_items.
    op.drop_column("sync_runs", "libraries_removed")
    op.drop_column("library_sections", "removed_at")
