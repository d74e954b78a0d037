"""directory search: folded forms and indexes

Revision ID: 0006
Revises: 0005
Create Date: 2026-11-29 09:00:00

Adds the members' folded search columns, fills them (and re-folds search_text and the
member_interests keys) for existing members, and indexes them: an FTS5 trigram table with
triggers on SQLite; pg_trgm (when it can be installed) and a GIN array index on PostgreSQL.
"""

import json
import logging
from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = '0006'
down_revision: str | None = '0005'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

log = logging.getLogger('alembic.runtime.migration')

COLUMNS = ('search_text', 'specialty_key', 'region_key', 'interest_keys', 'search_terms')
VALUES = (
    '{0}.search_text, char(10) || {0}.specialty_key || char(10), '
    'char(10) || {0}.region_key || char(10), {0}.interest_keys, {0}.search_terms'
)
LIST = ', '.join(COLUMNS)
SQLITE_TABLE = (
    f"CREATE VIRTUAL TABLE member_search USING fts5({LIST}, content='', "
    "tokenize='trigram case_sensitive 1')"
)
SQLITE_FILL = (
    f"INSERT INTO member_search(rowid, {LIST}) SELECT members.id, {VALUES.format('members')} "
    'FROM members'
)
SQLITE_TRIGGERS = (
    'CREATE TRIGGER member_search_insert AFTER INSERT ON members BEGIN '
    f"INSERT INTO member_search(rowid, {LIST}) VALUES (new.id, {VALUES.format('new')}); END",
    'CREATE TRIGGER member_search_delete AFTER DELETE ON members BEGIN '
    f'INSERT INTO member_search(member_search, rowid, {LIST}) '
    f"VALUES ('delete', old.id, {VALUES.format('old')}); END",
    f'CREATE TRIGGER member_search_update AFTER UPDATE OF {LIST} ON members BEGIN '
    f'INSERT INTO member_search(member_search, rowid, {LIST}) '
    f"VALUES ('delete', old.id, {VALUES.format('old')}); "
    f"INSERT INTO member_search(rowid, {LIST}) VALUES (new.id, {VALUES.format('new')}); END",
)
POSTGRES_TRGM = (
    'CREATE INDEX IF NOT EXISTS ix_members_directory_trgm ON members USING gin '
    '(search_text gin_trgm_ops, specialty_key gin_trgm_ops, region_key gin_trgm_ops, '
    'interest_keys gin_trgm_ops)'
)
POSTGRES_TERMS = (
    'CREATE INDEX IF NOT EXISTS ix_members_directory_terms ON members USING gin '
    "(string_to_array(search_terms, ' '))"
)


def upgrade() -> None:
    with op.batch_alter_table('members', schema=None) as batch_op:
        for name in COLUMNS[1:]:
            batch_op.add_column(sa.Column(name, sa.Text(), nullable=False, server_default=''))
    backfill()
    connection = op.get_bind()
    if connection.dialect.name == 'sqlite':
        # The index is filled before the triggers exist: a trigger's 'delete' of a row that
        # was never indexed would corrupt a contentless FTS5 table.
        op.execute(SQLITE_TABLE)
        op.execute(SQLITE_FILL)
        for trigger in SQLITE_TRIGGERS:
            op.execute(trigger)
    elif connection.dialect.name == 'postgresql':
        if pg_trgm(connection):
            op.execute(POSTGRES_TRGM)
        op.execute(POSTGRES_TERMS)


def pg_trgm(connection: sa.Connection) -> bool:
    """pg_trgm needs the contrib package and the right to create extensions. Without it the
    directory still answers (by scanning members), so the migration goes on."""
    try:
        with connection.begin_nested():
            connection.execute(sa.text('CREATE EXTENSION IF NOT EXISTS pg_trgm'))
    except sa.exc.DBAPIError as error:
        reason = type(error.orig).__name__  # e.g. InsufficientPrivilegeError
        log.warning('pg_trgm could not be installed (%s); the directory will scan', reason)
        return False
    return True


def backfill() -> None:
    """Members saved before this migration get their folded forms. They are computed by the
    running code's fold, on purpose: queries are folded by it too, and the two must agree."""
    from bot.domain import Profile
    from storage.directory_index import directory_columns, interest_keys

    connection = op.get_bind()
    members = sa.table(
        'members', sa.column('id'), sa.column('space_id'), sa.column('name'),
        sa.column('display_name'), sa.column('profession'), sa.column('stage'),
        sa.column('specialty'), sa.column('institution'), sa.column('region'),
        sa.column('interests'), sa.column('goals'), *map(sa.column, COLUMNS),
    )
    interests = sa.table(
        'member_interests', sa.column('member_id'), sa.column('space_id'), sa.column('interest')
    )
    connection.execute(sa.delete(interests))
    update = (
        sa.update(members)
        .where(members.c.id == sa.bindparam('member_id'))
        .values({name: sa.bindparam(f'new_{name}') for name in COLUMNS})
    )
    rows = connection.execute(sa.select(members).order_by(members.c.id)).mappings().all()
    for start in range(0, len(rows), 1000):
        changes, keys = [], []
        for row in rows[start:start + 1000]:
            profile = Profile(
                name=row['name'], profession=row['profession'], stage=row['stage'],
                specialty=row['specialty'], institution=row['institution'], region=row['region'],
                interests=tuple(json.loads(row['interests'] or '[]')),
                goals=tuple(json.loads(row['goals'] or '[]')),
            )
            columns = directory_columns(profile, row['display_name'])
            changes.append(
                {'member_id': row['id'], **{f'new_{k}': v for k, v in columns.items()}}
            )
            keys += [
                {'member_id': row['id'], 'space_id': row['space_id'], 'interest': key}
                for key in interest_keys(profile)
            ]
        connection.execute(update, changes)
        if keys:
            connection.execute(sa.insert(interests), keys)


def downgrade() -> None:
    connection = op.get_bind()
    if connection.dialect.name == 'sqlite':
        for name in ('insert', 'delete', 'update'):
            op.execute(f'DROP TRIGGER IF EXISTS member_search_{name}')
        op.execute('DROP TABLE IF EXISTS member_search')
    elif connection.dialect.name == 'postgresql':
        op.execute('DROP INDEX IF EXISTS ix_members_directory_trgm')
        op.execute('DROP INDEX IF EXISTS ix_members_directory_terms')
    with op.batch_alter_table('members', schema=None) as batch_op:
        for name in reversed(COLUMNS[1:]):
            batch_op.drop_column(name)
