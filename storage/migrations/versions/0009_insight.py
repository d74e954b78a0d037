"""insight and data rights: the audit log, erased members' salted hashes (and each space's
salt), weekly digests, guard warning counts; Q&A authors may be none (anonymised posts); indexes
for finding a member's rows fast (outbox targets, exclusions of them, events they created or
host) and for counting check-ins and RSVPs per week

Revision ID: 0009
Revises: 0008
Create Date: 2026-11-29 03:54:18

`qa_questions.author_id` and `qa_answers.author_id` become nullable: an erased member who keeps
their posts is no longer their author. On SQLite batch mode rebuilds both tables (env.py turns
foreign keys off meanwhile, so the rebuild does not cascade to answers, tags, votes), and the
trigger that keeps the full-text index in step with deleted questions is made again, since a
table's triggers go with it. Nothing to backfill: every new column is empty until first used.
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op


revision: str = '0009'
down_revision: str | None = '0008'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

ID = sa.BigInteger().with_variant(sa.Integer(), 'sqlite')
FTS_TRIGGER = (
    'CREATE TRIGGER IF NOT EXISTS fts_qa_questions_delete AFTER DELETE ON qa_questions '
    'BEGIN DELETE FROM fts_qa_questions WHERE rowid = old.id; END'
)


def upgrade() -> None:
    op.create_table('erased_members',
    sa.Column('space_id', ID, nullable=False),
    sa.Column('user_hash', sa.String(length=64), nullable=False),
    sa.Column('erased_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['space_id'], ['spaces.id'], ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('space_id', 'user_hash')
    )
    op.create_table('guard_warnings',
    sa.Column('space_id', ID, nullable=False),
    sa.Column('day', sa.DateTime(timezone=True), nullable=False),
    sa.Column('purpose', sa.String(length=40), nullable=False),
    sa.Column('count', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['space_id'], ['spaces.id'], ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('space_id', 'day', 'purpose')
    )
    op.create_table('insight_digests',
    sa.Column('space_id', ID, nullable=False),
    sa.Column('scheduled_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('planned_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('sent', sa.Boolean(), nullable=False),
    sa.ForeignKeyConstraint(['space_id'], ['spaces.id'], ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('space_id', 'scheduled_at')
    )
    op.create_table('audit_log',
    sa.Column('id', ID, autoincrement=True, nullable=False),
    sa.Column('space_id', ID, nullable=False),
    sa.Column('at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('action', sa.String(length=40), nullable=False),
    sa.Column('detail', sa.String(length=500), nullable=False),
    sa.Column('by_member', sa.Boolean(), nullable=False),
    sa.Column('actor_id', ID, nullable=True),
    sa.Column('subject_id', ID, nullable=True),
    sa.ForeignKeyConstraint(['actor_id'], ['members.id'], ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['space_id'], ['spaces.id'], ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['subject_id'], ['members.id'], ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table('audit_log', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_audit_log_actor_id'), ['actor_id'], unique=False)
        batch_op.create_index('ix_audit_log_space_at', ['space_id', 'at'], unique=False)
        batch_op.create_index(batch_op.f('ix_audit_log_subject_id'), ['subject_id'], unique=False)

    with op.batch_alter_table('network_exclusions', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_network_exclusions_excluded_id'), ['excluded_id'], unique=False)

    with op.batch_alter_table('outbox', schema=None) as batch_op:
        batch_op.create_index('ix_outbox_target', ['space_id', 'target_id'], unique=False)

    with op.batch_alter_table('qa_answers', schema=None) as batch_op:
        batch_op.alter_column('author_id', existing_type=ID, nullable=True)

    with op.batch_alter_table('qa_questions', schema=None) as batch_op:
        batch_op.alter_column('author_id', existing_type=ID, nullable=True)
    if op.get_bind().dialect.name == 'sqlite':
        op.execute(FTS_TRIGGER)

    # mentorship's and events' parts: a member's events found by creator or host (erasure),
    # check-ins and answers counted per week (the chart)
    op.create_index('ix_event_series_creator_id', 'event_series', ['creator_id'])
    op.create_index('ix_event_series_host_id', 'event_series', ['host_id'])
    op.create_index('ix_event_occurrences_host_id', 'event_occurrences', ['host_id'])
    op.create_index('ix_event_rsvps_week', 'event_rsvps', ['space_id', 'answered_at'])
    op.create_index('ix_mentorship_checkins_week', 'mentorship_checkins', ['space_id', 'met_at'])

    # a plain ADD COLUMN (never a rebuild of `spaces`, which every table references)
    op.add_column('spaces', sa.Column('salt', sa.String(length=64), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table('spaces', schema=None) as batch_op:
        batch_op.drop_column('salt')

    op.drop_index('ix_mentorship_checkins_week', table_name='mentorship_checkins')
    op.drop_index('ix_event_rsvps_week', table_name='event_rsvps')
    op.drop_index('ix_event_occurrences_host_id', table_name='event_occurrences')
    op.drop_index('ix_event_series_host_id', table_name='event_series')
    op.drop_index('ix_event_series_creator_id', table_name='event_series')

    # anonymised posts have no author to give back: they go
    op.execute('DELETE FROM qa_answers WHERE author_id IS NULL')
    op.execute('DELETE FROM qa_questions WHERE author_id IS NULL')
    with op.batch_alter_table('qa_questions', schema=None) as batch_op:
        batch_op.alter_column('author_id', existing_type=ID, nullable=False)
    if op.get_bind().dialect.name == 'sqlite':
        op.execute(FTS_TRIGGER)

    with op.batch_alter_table('qa_answers', schema=None) as batch_op:
        batch_op.alter_column('author_id', existing_type=ID, nullable=False)

    with op.batch_alter_table('outbox', schema=None) as batch_op:
        batch_op.drop_index('ix_outbox_target')

    with op.batch_alter_table('network_exclusions', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_network_exclusions_excluded_id'))

    with op.batch_alter_table('audit_log', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_audit_log_subject_id'))
        batch_op.drop_index('ix_audit_log_space_at')
        batch_op.drop_index(batch_op.f('ix_audit_log_actor_id'))

    op.drop_table('audit_log')
    op.drop_table('insight_digests')
    op.drop_table('guard_warnings')
    op.drop_table('erased_members')
