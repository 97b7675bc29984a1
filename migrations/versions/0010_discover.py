"""Discover's stored titles and lists.

Revision ID: 0010
Revises: 0009
Create Date: 2026-12-01
"""

import sqlalchemy as sa
from alembic import op

revision = "0010"
down_revision = "0009"
branch_labels = None
depends_on = None

WHEN = sa.DateTime(timezone=True)


def upgrade():
    op.create_table(
        "discover_titles",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("media_type", sa.String(length=8), nullable=False),
        sa.Column("tmdb_id", sa.BigInteger(), nullable=False),
        sa.Column("data", sa.JSON(), nullable=False),
        sa.Column("detailed", sa.Boolean(), nullable=False),
        sa.Column("source", sa.String(length=16), nullable=False),
        sa.Column("fetched_at", WHEN, nullable=False),
        sa.Column("last_viewed_at", WHEN, nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_discover_titles")),
        sa.UniqueConstraint("media_type", "tmdb_id", name="uq_discover_titles_media"),
    )
    op.create_index("ix_discover_titles_last_viewed_at", "discover_titles", ["last_viewed_at"])
    op.create_table(
        "discover_lists",
        sa.Column("name", sa.String(length=32), nullable=False),
        sa.Column("keys", sa.JSON(), nullable=False),
        sa.Column("source", sa.String(length=16), nullable=False),
        sa.Column("fetched_at", WHEN, nullable=False),
        sa.PrimaryKeyConstraint("name", name=op.f("pk_discover_lists")),
    )


def downgrade():
    op.drop_table("discover_lists")
    op.drop_index("ix_discover_titles_last_viewed_at", table_name="discover_titles")
    op.drop_table("discover_titles")
