"""A copy of each backup in an S3-compatible bucket.

Revision ID: 0020
Revises: 0019
Create Date: 2026-12-04
"""

import sqlalchemy as sa
from alembic import op

revision = "0020"
down_revision = "0019"
branch_labels = None
depends_on = None

WHEN = sa.DateTime(timezone=True)


def upgrade():
    with op.batch_alter_table("backups") as table:
        table.add_column(sa.Column("bucket_status", sa.String(length=16), nullable=True))
        table.add_column(
            sa.Column("bucket_key", sa.String(length=300), nullable=False, server_default="")
        )
        table.add_column(sa.Column("bucket_error", sa.Text(), nullable=False, server_default=""))
        table.add_column(
            sa.Column("bucket_attempts", sa.Integer(), nullable=False, server_default="0")
        )
        table.add_column(sa.Column("bucket_next_at", WHEN, nullable=True))
        table.add_column(sa.Column("bucket_at", WHEN, nullable=True))
        table.create_index("ix_backups_bucket_status", ["bucket_status"])


def downgrade():
    with op.batch_alter_table("backups") as table:
        table.drop_index("ix_backups_bucket_status")
        for name in ("bucket_at", "bucket_next_at", "bucket_attempts", "bucket_error"):
            table.drop_column(name)
        table.drop_column("bucket_key")
        table.drop_column("bucket_status")
