"""Requests, their history, the outbox to Overseerr, per-person quotas and Overseerr matches.

Revision ID: 0009
Revises: 0008
Create Date: 2026-12-01
"""

import sqlalchemy as sa
from alembic import op

revision = "0009"
down_revision = "0008"
branch_labels = None
depends_on = None

WHEN = sa.DateTime(timezone=True)


def _user_fk(table: str, column: str = "user_id", ondelete: str = "CASCADE"):
    return sa.ForeignKeyConstraint(
        [column], ["users.id"], name=op.f(f"fk_{table}_{column}_users"), ondelete=ondelete
    )


def _request_fk(table: str):
    return sa.ForeignKeyConstraint(
        ["request_id"],
        ["media_requests.id"],
        name=op.f(f"fk_{table}_request_id_media_requests"),
        ondelete="CASCADE",
    )


def upgrade():
    op.create_table(
        "media_requests",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("client_token", sa.String(length=64), nullable=True),
        sa.Column("media_type", sa.String(length=8), nullable=False),
        sa.Column("tmdb_id", sa.Integer(), nullable=False),
        sa.Column("tvdb_id", sa.Integer(), nullable=True),
        sa.Column("title", sa.String(length=500), nullable=False),
        sa.Column("year", sa.Integer(), nullable=True),
        sa.Column("poster_path", sa.String(length=255), nullable=True),
        sa.Column("seasons", sa.JSON(), nullable=False),
        sa.Column("seasons_available", sa.JSON(), nullable=False),
        sa.Column("status", sa.String(length=24), nullable=False),
        sa.Column("delivery", sa.String(length=16), nullable=True),
        sa.Column("delivery_error", sa.Text(), nullable=True),
        sa.Column("overseerr_id", sa.Integer(), nullable=True),
        sa.Column("decline_reason", sa.String(length=500), nullable=True),
        sa.Column("decided_by_id", sa.Integer(), nullable=True),
        sa.Column("decided_at", WHEN, nullable=True),
        sa.Column("available_item_id", sa.Integer(), nullable=True),
        sa.Column("created_at", WHEN, nullable=False),
        sa.Column("updated_at", WHEN, nullable=False),
        sa.ForeignKeyConstraint(
            ["available_item_id"],
            ["media_items.id"],
            name=op.f("fk_media_requests_available_item_id_media_items"),
            ondelete="SET NULL",
        ),
        _user_fk("media_requests", "decided_by_id", "SET NULL"),
        _user_fk("media_requests"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_media_requests")),
        sa.UniqueConstraint("client_token", name=op.f("uq_media_requests_client_token")),
    )
    op.create_index("ix_media_requests_media", "media_requests", ["media_type", "tmdb_id"])
    op.create_index(op.f("ix_media_requests_overseerr_id"), "media_requests", ["overseerr_id"])
    op.create_index("ix_media_requests_status", "media_requests", ["status"])
    op.create_index("ix_media_requests_user_created", "media_requests", ["user_id", "created_at"])

    op.create_table(
        "request_events",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("request_id", sa.Integer(), nullable=False),
        sa.Column("at", WHEN, nullable=False),
        sa.Column("status", sa.String(length=24), nullable=False),
        sa.Column("source", sa.String(length=16), nullable=False),
        sa.Column("message", sa.Text(), nullable=False),
        sa.Column("actor_name", sa.String(length=64), nullable=True),
        _request_fk("request_events"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_request_events")),
    )
    op.create_index(op.f("ix_request_events_request_id"), "request_events", ["request_id"])

    op.create_table(
        "request_actions",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("request_id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=16), nullable=False),
        sa.Column("payload", sa.JSON(), nullable=False),
        sa.Column("state", sa.String(length=16), nullable=False),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("due_at", WHEN, nullable=False),
        sa.Column("last_error", sa.Text(), nullable=True),
        sa.Column("created_at", WHEN, nullable=False),
        sa.Column("done_at", WHEN, nullable=True),
        _request_fk("request_actions"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_request_actions")),
    )
    op.create_index(op.f("ix_request_actions_request_id"), "request_actions", ["request_id"])
    op.create_index("ix_request_actions_state_due", "request_actions", ["state", "due_at"])

    op.create_table(
        "request_quotas",
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("movie_limit", sa.Integer(), nullable=True),
        sa.Column("movie_days", sa.Integer(), nullable=True),
        sa.Column("season_limit", sa.Integer(), nullable=True),
        sa.Column("season_days", sa.Integer(), nullable=True),
        _user_fk("request_quotas"),
        sa.PrimaryKeyConstraint("user_id", name=op.f("pk_request_quotas")),
    )
    op.create_table(
        "overseerr_links",
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("overseerr_user_id", sa.Integer(), nullable=False),
        sa.Column("overseerr_name", sa.String(length=255), nullable=False),
        sa.Column("matched_at", WHEN, nullable=False),
        _user_fk("overseerr_links"),
        sa.PrimaryKeyConstraint("user_id", name=op.f("pk_overseerr_links")),
    )


def downgrade():
    for table in ("overseerr_links", "request_quotas", "request_actions", "request_events"):
        op.drop_table(table)
    op.drop_table("media_requests")
