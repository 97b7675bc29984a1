"""Home-video uploads: the file as it arrives (resumable), its processing, its place in Plex.

Revision ID: 0017
Revises: 0016
Create Date: 2026-12-02
"""

import sqlalchemy as sa
from alembic import op

revision = "0017"
down_revision = "0016"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "uploads",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("key", sa.String(length=32), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("filename", sa.String(length=200), nullable=False),
        sa.Column("size", sa.BigInteger(), nullable=False),
        sa.Column("state", sa.String(length=16), nullable=False),
        sa.Column("error", sa.Text(), nullable=False),
        sa.Column("progress", sa.Integer(), nullable=False),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("due_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("kind", sa.String(length=8), nullable=False),
        sa.Column("container", sa.String(length=16), nullable=False),
        sa.Column("duration", sa.Float(), nullable=True),
        sa.Column("width", sa.Integer(), nullable=True),
        sa.Column("height", sa.Integer(), nullable=True),
        sa.Column("video_codec", sa.String(length=32), nullable=False),
        sa.Column("audio_codec", sa.String(length=32), nullable=False),
        sa.Column("taken_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("camera", sa.String(length=200), nullable=False),
        sa.Column("converted", sa.Boolean(), nullable=False),
        sa.Column("title", sa.String(length=200), nullable=False),
        sa.Column("collection", sa.String(length=200), nullable=False),
        sa.Column("plex_path", sa.String(length=1000), nullable=False),
        sa.Column("plex_rating_key", sa.String(length=32), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["user_id"], ["users.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("key"),
    )
    op.create_index("ix_uploads_user_state", "uploads", ["user_id", "state"])
    op.create_index("ix_uploads_state_due", "uploads", ["state", "due_at"])
    # A person's own upload space; NULL follows Admin → Uploads.
    op.add_column("users", sa.Column("quota_upload_gb", sa.Float(), nullable=True))


def downgrade():
    with op.batch_alter_table("users") as batch:
        batch.drop_column("quota_upload_gb")
    op.drop_index("ix_uploads_state_due", table_name="uploads")
    op.drop_index("ix_uploads_user_state", table_name="uploads")
    op.drop_table("uploads")
