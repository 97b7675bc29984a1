"""Library search: a collections column, and full-text and typo indexes for each database.

PostgreSQL: a generated, weighted tsvector (title A, original title B, people and collections C,
summary D) over unaccented text with a GIN index, and a trigram GIN index on the folded title.
The folded title (lower case, no accents) is a stored column for prefixes and typos.
SQLite: an FTS5 table with external content on media_items, kept current by triggers.
Both: triggers on item_tags keep media_items.collections (one name per line) current, so the
search sees collections whatever writes the tags.

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-21
"""

import sqlalchemy as sa
from alembic import op

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None

SEARCHED = ("title", "original_title", "people", "collections", "summary")

PG_EXTENSIONS = (
    # The CI and the compose file connect as a superuser. A non-superuser install needs a
    # database administrator to run these two statements once before migrating.
    "CREATE EXTENSION IF NOT EXISTS unaccent",
    "CREATE EXTENSION IF NOT EXISTS pg_trgm",
)


def _pg_schema(bind, extension: str) -> str:
    return bind.execute(
        sa.text(
            "SELECT n.nspname FROM pg_extension e JOIN pg_namespace n ON n.oid = e.extnamespace "
            "WHERE e.extname = :name"
        ),
        {"name": extension},
    ).scalar_one()


def _pg_upgrade(bind) -> None:
    for statement in PG_EXTENSIONS:
        op.execute(statement)
    schema = _pg_schema(bind, "unaccent")
    # unaccent() is only STABLE (its dictionary could change); pinning the dictionary makes this
    # wrapper safe to declare IMMUTABLE, which generated columns and index expressions require.
    op.execute(
        "CREATE OR REPLACE FUNCTION medianest_unaccent(text) RETURNS text "
        "LANGUAGE sql IMMUTABLE PARALLEL SAFE STRICT AS "
        f"$$ SELECT {schema}.unaccent('{schema}.unaccent'::regdictionary, $1) $$"
    )
    # Lower case, no accents, every run of non-alphanumerics one space: what titles are
    # compared as for prefixes and typos (the Python side folds queries the same way).
    op.execute(
        "CREATE OR REPLACE FUNCTION medianest_fold(text) RETURNS text "
        "LANGUAGE sql IMMUTABLE PARALLEL SAFE STRICT AS "
        "$$ SELECT btrim(regexp_replace(lower(medianest_unaccent($1)), "
        "'[^[:alnum:]]+', ' ', 'g')) $$"
    )
    op.add_column("media_items", sa.Column("collections", sa.Text(), nullable=True))
    op.execute(
        "ALTER TABLE media_items ADD COLUMN search_vector tsvector GENERATED ALWAYS AS ("
        "setweight(to_tsvector('simple', medianest_unaccent(coalesce(title, ''))), 'A') || "
        "setweight(to_tsvector('simple', medianest_unaccent(coalesce(original_title, ''))), 'B')"
        " || setweight(to_tsvector('simple', medianest_unaccent("
        "coalesce(people, '') || ' ' || coalesce(collections, ''))), 'C') || "
        "setweight(to_tsvector('simple', medianest_unaccent(coalesce(summary, ''))), 'D')"
        ") STORED"
    )
    op.execute("CREATE INDEX ix_media_items_search ON media_items USING gin (search_vector)")
    # Stored, so neither prefix tests nor trigram rechecks fold a title at query time.
    op.execute(
        "ALTER TABLE media_items ADD COLUMN title_folded text "
        "GENERATED ALWAYS AS (medianest_fold(title)) STORED"
    )
    trgm = _pg_schema(bind, "pg_trgm")
    op.execute(
        "CREATE INDEX ix_media_items_title_trgm ON media_items "
        f"USING gin (title_folded {trgm}.gin_trgm_ops)"
    )
    op.execute(
        "CREATE INDEX ix_media_items_title_folded ON media_items (title_folded text_pattern_ops)"
    )
    op.execute(
        "CREATE FUNCTION medianest_item_collections() RETURNS trigger LANGUAGE plpgsql AS $$\n"
        "DECLARE target integer;\n"
        "BEGIN\n"
        "  IF TG_OP = 'DELETE' THEN target := OLD.item_id; ELSE target := NEW.item_id; END IF;\n"
        "  UPDATE media_items SET collections = ("
        "SELECT string_agg(value, E'\\n' ORDER BY id) FROM item_tags "
        "WHERE item_id = target AND kind = 'collection') WHERE id = target;\n"
        "  RETURN NULL;\n"
        "END $$"
    )
    op.execute(
        "CREATE TRIGGER item_tags_collections_insert AFTER INSERT ON item_tags "
        "FOR EACH ROW WHEN (NEW.kind = 'collection') "
        "EXECUTE FUNCTION medianest_item_collections()"
    )
    op.execute(
        "CREATE TRIGGER item_tags_collections_delete AFTER DELETE ON item_tags "
        "FOR EACH ROW WHEN (OLD.kind = 'collection') "
        "EXECUTE FUNCTION medianest_item_collections()"
    )
    op.execute(
        "UPDATE media_items m SET collections = t.names FROM ("
        "SELECT item_id, string_agg(value, E'\\n' ORDER BY id) AS names FROM item_tags "
        "WHERE kind = 'collection' GROUP BY item_id) t WHERE t.item_id = m.id"
    )


def _pg_downgrade() -> None:
    op.execute("DROP TRIGGER IF EXISTS item_tags_collections_delete ON item_tags")
    op.execute("DROP TRIGGER IF EXISTS item_tags_collections_insert ON item_tags")
    op.execute("DROP FUNCTION IF EXISTS medianest_item_collections()")
    op.execute("DROP INDEX IF EXISTS ix_media_items_title_folded")
    op.execute("DROP INDEX IF EXISTS ix_media_items_title_trgm")
    op.execute("DROP INDEX IF EXISTS ix_media_items_search")
    op.drop_column("media_items", "title_folded")
    op.drop_column("media_items", "search_vector")
    op.drop_column("media_items", "collections")
    op.execute("DROP FUNCTION IF EXISTS medianest_fold(text)")
    op.execute("DROP FUNCTION IF EXISTS medianest_unaccent(text)")
    # The extensions stay: other databases objects may use them, and dropping needs a superuser.


def _collections_sql(item: str) -> str:
    return (
        "UPDATE media_items SET collections = (SELECT group_concat(value, char(10)) FROM "
        f"(SELECT value FROM item_tags WHERE item_id = {item}.item_id AND kind = 'collection' "
        f"ORDER BY id)) WHERE id = {item}.item_id;"
    )


def _sqlite_upgrade() -> None:
    op.add_column("media_items", sa.Column("collections", sa.Text(), nullable=True))
    columns = ", ".join(SEARCHED)
    new = ", ".join(f"new.{name}" for name in SEARCHED)
    old = ", ".join(f"old.{name}" for name in SEARCHED)
    op.execute(
        f"CREATE VIRTUAL TABLE media_search USING fts5({columns}, content='media_items', "
        "content_rowid='id', tokenize='unicode61 remove_diacritics 2')"
    )
    op.execute(
        "CREATE TRIGGER media_items_search_insert AFTER INSERT ON media_items BEGIN "
        f"INSERT INTO media_search(rowid, {columns}) VALUES (new.id, {new}); END"
    )
    op.execute(
        "CREATE TRIGGER media_items_search_delete AFTER DELETE ON media_items BEGIN "
        f"INSERT INTO media_search(media_search, rowid, {columns}) "
        f"VALUES ('delete', old.id, {old}); END"
    )
    op.execute(
        f"CREATE TRIGGER media_items_search_update AFTER UPDATE OF {columns} ON media_items "
        "BEGIN "
        f"INSERT INTO media_search(media_search, rowid, {columns}) "
        f"VALUES ('delete', old.id, {old}); "
        f"INSERT INTO media_search(rowid, {columns}) VALUES (new.id, {new}); END"
    )
    op.execute(
        "CREATE TRIGGER item_tags_collections_insert AFTER INSERT ON item_tags "
        f"WHEN new.kind = 'collection' BEGIN {_collections_sql('new')} END"
    )
    op.execute(
        "CREATE TRIGGER item_tags_collections_delete AFTER DELETE ON item_tags "
        f"WHEN old.kind = 'collection' BEGIN {_collections_sql('old')} END"
    )
    op.execute(
        "UPDATE media_items SET collections = (SELECT group_concat(value, char(10)) FROM "
        "(SELECT value FROM item_tags WHERE item_id = media_items.id AND kind = 'collection' "
        "ORDER BY id)) WHERE id IN (SELECT item_id FROM item_tags WHERE kind = 'collection')"
    )
    op.execute("INSERT INTO media_search(media_search) VALUES ('rebuild')")


def _sqlite_downgrade() -> None:
    for trigger in (
        "item_tags_collections_delete",
        "item_tags_collections_insert",
        "media_items_search_update",
        "media_items_search_delete",
        "media_items_search_insert",
    ):
        op.execute(f"DROP TRIGGER IF EXISTS {trigger}")
    op.execute("DROP TABLE IF EXISTS media_search")
    with op.batch_alter_table("media_items") as batch:
        batch.drop_column("collections")


def upgrade():
    bind = op.get_bind()
    if bind.dialect.name == "postgresql":
        _pg_upgrade(bind)
    else:
        _sqlite_upgrade()


def downgrade():
    if op.get_bind().dialect.name == "postgresql":
        _pg_downgrade()
    else:
        _sqlite_downgrade()
