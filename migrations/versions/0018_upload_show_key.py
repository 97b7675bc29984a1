"""Uploads remember the Plex show (their collection) they went into, so the upload can link
to it in our library, which lists shows rather than single episodes.

Revision ID: 0018
Revises: 0017
Create Date: 2026-12-03
"""

import sqlalchemy as sa
from alembic import op

revision = "0018"
down_revision = "0017"
branch_labels = None
depends_on = None


def upgrade():
    op.add_column("uploads", sa.Column("plex_show_key", sa.String(length=32), nullable=True))


def downgrade():
    op.drop_column("uploads", "plex_show_key")
