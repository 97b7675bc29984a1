"""The library catalog: sections, items, their tags and outside ids, and the sync history.

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-21
"""

import sqlalchemy as sa
from alembic import op

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "library_sections",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("key", sa.String(length=32), nullable=False),
        sa.Column("title", sa.String(length=255), nullable=False),
        sa.Column("type", sa.String(length=16), nullable=False),
        sa.Column("hidden", sa.Boolean(), nullable=False),
        sa.Column("item_count", sa.Integer(), nullable=False),
        sa.Column("last_synced_at", sa.DateTime(timezone=True), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_library_sections")),
        sa.UniqueConstraint("key", name=op.f("uq_library_sections_key")),
    )
    op.create_table(
        "sync_runs",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=16), nullable=False),
        sa.Column("section_key", sa.String(length=32), nullable=True),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("started_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("finished_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("added", sa.Integer(), nullable=False),
        sa.Column("updated", sa.Integer(), nullable=False),
        sa.Column("removed", sa.Integer(), nullable=False),
        sa.Column("skipped", sa.Integer(), nullable=False),
        sa.Column("problems", sa.JSON(), nullable=False),
        sa.Column("error", sa.Text(), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_sync_runs")),
    )
    op.create_index(op.f("ix_sync_runs_started_at"), "sync_runs", ["started_at"])
    op.create_table(
        "media_items",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("rating_key", sa.Integer(), nullable=False),
        sa.Column("section_id", sa.Integer(), nullable=False),
        sa.Column("type", sa.String(length=16), nullable=False),
        sa.Column("title", sa.String(length=500), nullable=False),
        sa.Column("original_title", sa.String(length=500), nullable=True),
        sa.Column("sort_title", sa.String(length=500), nullable=True),
        sa.Column("summary", sa.Text(), nullable=True),
        sa.Column("year", sa.Integer(), nullable=True),
        sa.Column("added_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("rating", sa.Float(), nullable=True),
        sa.Column("duration", sa.Integer(), nullable=True),
        sa.Column("content_rating", sa.String(length=64), nullable=True),
        sa.Column("thumb", sa.String(length=500), nullable=True),
        sa.Column("parent_rating_key", sa.Integer(), nullable=True),
        sa.Column("index", sa.Integer(), nullable=True),
        sa.Column("child_count", sa.Integer(), nullable=True),
        sa.Column("leaf_count", sa.Integer(), nullable=True),
        sa.Column("video_resolution", sa.String(length=16), nullable=True),
        sa.Column("people", sa.Text(), nullable=True),
        sa.Column("digest", sa.String(length=16), nullable=False),
        sa.Column("synced_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("removed_at", sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(
            ["section_id"],
            ["library_sections.id"],
            name=op.f("fk_media_items_section_id_library_sections"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_media_items")),
        sa.UniqueConstraint("rating_key", name=op.f("uq_media_items_rating_key")),
    )
    op.create_index("ix_media_items_added_at", "media_items", ["added_at"])
    op.create_index(op.f("ix_media_items_parent_rating_key"), "media_items", ["parent_rating_key"])
    op.create_index("ix_media_items_section_type", "media_items", ["section_id", "type"])
    for table, column, index in (
        ("item_guids", "scheme", "scheme_value"),
        ("item_tags", "kind", "kind_value"),
    ):
        op.create_table(
            table,
            sa.Column("id", sa.Integer(), nullable=False),
            sa.Column("item_id", sa.Integer(), nullable=False),
            sa.Column(column, sa.String(length=8 if column == "scheme" else 16), nullable=False),
            sa.Column("value", sa.String(length=255), nullable=False),
            sa.ForeignKeyConstraint(
                ["item_id"],
                ["media_items.id"],
                name=op.f(f"fk_{table}_item_id_media_items"),
                ondelete="CASCADE",
            ),
            sa.PrimaryKeyConstraint("id", name=op.f(f"pk_{table}")),
        )
        op.create_index(op.f(f"ix_{table}_item_id"), table, ["item_id"])
        op.create_index(f"ix_{table}_{index}", table, [column, "value"])


def downgrade():
    for table, index in (("item_tags", "kind_value"), ("item_guids", "scheme_value")):
        op.drop_index(f"ix_{table}_{index}", table_name=table)
        op.drop_index(op.f(f"ix_{table}_item_id"), table_name=table)
        op.drop_table(table)
    op.drop_index("ix_media_items_section_type", table_name="media_items")
    op.drop_index(op.f("ix_media_items_parent_rating_key"), table_name="media_items")
    op.drop_index("ix_media_items_added_at", table_name="media_items")
    op.drop_table("media_items")
    op.drop_index(op.f("ix_sync_runs_started_at"), table_name="sync_runs")
    op.drop_table("sync_runs")
    op.drop_table("library_sections")
