"""Downloads into Plex: downloads, their videos, watchers and subscriptions; storage quotas.

Revision ID: 0013
Revises: 0012
Create Date: 2026-12-01
"""

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = "0013"
down_revision = "0012"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "subscriptions",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("source_url", sa.String(length=2000), nullable=False),
        sa.Column("source_key", sa.String(length=2000), nullable=False),
        sa.Column("kind", sa.String(length=16), nullable=False),
        sa.Column("title", sa.String(length=500), nullable=False),
        sa.Column("quality", sa.String(length=16), nullable=False),
        sa.Column("interval_minutes", sa.Integer(), nullable=False),
        sa.Column("keep_newest", sa.Integer(), nullable=True),
        sa.Column("keep_days", sa.Integer(), nullable=True),
        sa.Column("enabled", sa.Boolean(), nullable=False),
        sa.Column("last_checked_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("next_check_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("last_result", sa.String(length=500), nullable=True),
        sa.Column("last_new", sa.Integer(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["user_id"],
            ["users.id"],
            name=op.f("fk_subscriptions_user_id_users"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_subscriptions")),
        sa.UniqueConstraint("user_id", "source_key", name=op.f("uq_subscriptions_user_id")),
    )
    with op.batch_alter_table("subscriptions", schema=None) as batch_op:
        batch_op.create_index("ix_subscriptions_due", ["enabled", "next_check_at"], unique=False)

    op.create_table(
        "downloads",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("client_token", sa.String(length=64), nullable=True),
        sa.Column("source_url", sa.String(length=2000), nullable=False),
        sa.Column("source_key", sa.String(length=2000), nullable=False),
        sa.Column("active_key", sa.String(length=2020), nullable=True),
        sa.Column("kind", sa.String(length=16), nullable=False),
        sa.Column("title", sa.String(length=500), nullable=False),
        sa.Column("uploader", sa.String(length=500), nullable=False),
        sa.Column("thumbnail_url", sa.String(length=2000), nullable=True),
        sa.Column("quality", sa.String(length=16), nullable=False),
        sa.Column("selection", sa.String(length=200), nullable=False),
        sa.Column("folder", sa.String(length=255), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("total_items", sa.Integer(), nullable=False),
        sa.Column("error", sa.Text(), nullable=True),
        sa.Column("subscription_id", sa.Integer(), nullable=True),
        sa.Column("plex_state", sa.String(length=16), nullable=True),
        sa.Column("plex_error", sa.Text(), nullable=True),
        sa.Column("plex_attempts", sa.Integer(), nullable=False),
        sa.Column("plex_due_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("plex_show_key", sa.String(length=32), nullable=True),
        sa.Column("plex_collection_key", sa.String(length=32), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("finished_at", sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(
            ["subscription_id"],
            ["subscriptions.id"],
            name=op.f("fk_downloads_subscription_id_subscriptions"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["user_id"], ["users.id"], name=op.f("fk_downloads_user_id_users"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_downloads")),
        sa.UniqueConstraint("active_key", name=op.f("uq_downloads_active_key")),
        sa.UniqueConstraint("client_token", name=op.f("uq_downloads_client_token")),
    )
    with op.batch_alter_table("downloads", schema=None) as batch_op:
        batch_op.create_index("ix_downloads_status", ["status"], unique=False)
        batch_op.create_index(
            batch_op.f("ix_downloads_subscription_id"), ["subscription_id"], unique=False
        )
        batch_op.create_index("ix_downloads_user_created", ["user_id", "created_at"], unique=False)

    op.create_table(
        "download_items",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("download_id", sa.Integer(), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("extractor", sa.String(length=64), nullable=False),
        sa.Column("video_id", sa.String(length=200), nullable=False),
        sa.Column("url", sa.String(length=2000), nullable=False),
        sa.Column("title", sa.String(length=500), nullable=False),
        sa.Column("uploader", sa.String(length=500), nullable=False),
        sa.Column("upload_date", sa.String(length=8), nullable=True),
        sa.Column("duration", sa.Integer(), nullable=True),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("due_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("error_code", sa.String(length=32), nullable=True),
        sa.Column("error", sa.Text(), nullable=True),
        sa.Column("pct", sa.Double(), nullable=False),
        sa.Column("size_bytes", sa.BigInteger(), nullable=True),
        sa.Column("file_path", sa.String(length=1000), nullable=True),
        sa.Column("reused", sa.Boolean(), nullable=False),
        sa.Column("plex_key", sa.String(length=32), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("finished_at", sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(
            ["download_id"],
            ["downloads.id"],
            name=op.f("fk_download_items_download_id_downloads"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_download_items")),
        sa.UniqueConstraint("download_id", "position", name=op.f("uq_download_items_download_id")),
    )
    with op.batch_alter_table("download_items", schema=None) as batch_op:
        batch_op.create_index("ix_download_items_status_due", ["status", "due_at"], unique=False)
        batch_op.create_index("ix_download_items_video", ["extractor", "video_id"], unique=False)

    op.create_table(
        "download_watchers",
        sa.Column("download_id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["download_id"],
            ["downloads.id"],
            name=op.f("fk_download_watchers_download_id_downloads"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["user_id"],
            ["users.id"],
            name=op.f("fk_download_watchers_user_id_users"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("download_id", "user_id", name=op.f("pk_download_watchers")),
    )
    with op.batch_alter_table("download_watchers", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_download_watchers_user_id"), ["user_id"], unique=False)

    with op.batch_alter_table("users", schema=None) as batch_op:
        batch_op.add_column(sa.Column("quota_storage_gb", sa.Double(), nullable=True))


def downgrade():
    with op.batch_alter_table("users", schema=None) as batch_op:
        batch_op.drop_column("quota_storage_gb")

    with op.batch_alter_table("download_watchers", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_download_watchers_user_id"))

    op.drop_table("download_watchers")
    with op.batch_alter_table("download_items", schema=None) as batch_op:
        batch_op.drop_index("ix_download_items_video")
        batch_op.drop_index("ix_download_items_status_due")

    op.drop_table("download_items")
    with op.batch_alter_table("downloads", schema=None) as batch_op:
        batch_op.drop_index("ix_downloads_user_created")
        batch_op.drop_index(batch_op.f("ix_downloads_subscription_id"))
        batch_op.drop_index("ix_downloads_status")

    op.drop_table("downloads")
    with op.batch_alter_table("subscriptions", schema=None) as batch_op:
        batch_op.drop_index("ix_subscriptions_due")

    op.drop_table("subscriptions")
