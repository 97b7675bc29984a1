"""The backup registry.

Revision ID: 0019
Revises: 0018
Create Date: 2026-12-03
"""

import sqlalchemy as sa
from alembic import op

revision = "0019"
down_revision = "0018"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "backups",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("trigger", sa.String(length=16), nullable=False),
        sa.Column("target", sa.String(length=16), nullable=False),
        sa.Column("filename", sa.String(length=200), nullable=False),
        sa.Column("size", sa.BigInteger(), nullable=True),
        sa.Column("sha256", sa.String(length=64), nullable=False),
        sa.Column("database", sa.String(length=16), nullable=False),
        sa.Column("schema", sa.String(length=32), nullable=False),
        sa.Column("rows", sa.BigInteger(), nullable=True),
        sa.Column("verified", sa.String(length=16), nullable=True),
        sa.Column("verify_detail", sa.Text(), nullable=False),
        sa.Column("error", sa.Text(), nullable=False),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("lease_until", sa.DateTime(timezone=True), nullable=True),
        sa.Column("requested_by", sa.String(length=64), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("finished_at", sa.DateTime(timezone=True), nullable=True),
    )
    op.create_index("ix_backups_status", "backups", ["status"])
    if op.get_bind().dialect.name == "postgresql":
        _qualify_fold()


def _qualify_fold() -> None:
    """medianest_fold names its helper by schema: a restore runs with an empty search_path, and
    the generated column that calls it must find medianest_unaccent there too."""
    schema = op.get_bind().execute(sa.text("SELECT current_schema()")).scalar_one()
    op.execute(
        "CREATE OR REPLACE FUNCTION medianest_fold(text) RETURNS text "
        "LANGUAGE sql IMMUTABLE PARALLEL SAFE STRICT AS "
        f'$$ SELECT btrim(regexp_replace(lower("{schema}".medianest_unaccent($1)), '
        "'[^[:alnum:]]+', ' ', 'g')) $$"
    )


def downgrade():
    op.drop_index("ix_backups_status", table_name="backups")
    op.drop_table("backups")
