"""community events: series, occurrences with their own numbers, RSVPs, and per space the
next event number and the calendar feed's secret token

Revision ID: 0008
Revises: 0007
Create Date: 2026-11-29 03:25:15.285724
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op


revision: str = '0008'
down_revision: str | None = '0007'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table('event_spaces',
    sa.Column('space_id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=False),
    sa.Column('next_number', sa.Integer(), nullable=False),
    sa.Column('feed_token', sa.String(length=64), nullable=True),
    sa.Column('feed_since', sa.DateTime(timezone=True), nullable=True),
    sa.ForeignKeyConstraint(['space_id'], ['spaces.id'], ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('space_id'),
    sa.UniqueConstraint('feed_token')
    )
    op.create_table('event_series',
    sa.Column('id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), autoincrement=True, nullable=False),
    sa.Column('space_id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=False),
    sa.Column('zone', sa.String(length=64), nullable=False),
    sa.Column('starts_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('repeat', sa.String(length=10), nullable=True),
    sa.Column('until', sa.Date(), nullable=True),
    sa.Column('creator_id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=True),
    sa.Column('sequence', sa.Integer(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('cancelled_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('title', sa.String(length=200), nullable=False),
    sa.Column('kind', sa.String(length=10), nullable=False),
    sa.Column('description', sa.Text(), nullable=False),
    sa.Column('link', sa.String(length=500), nullable=False),
    sa.Column('duration_minutes', sa.Integer(), nullable=False),
    sa.Column('capacity', sa.Integer(), nullable=True),
    sa.Column('host_id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=True),
    sa.ForeignKeyConstraint(['creator_id'], ['members.id'], ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['host_id'], ['members.id'], ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['space_id'], ['spaces.id'], ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table('event_series', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_event_series_space_id'), ['space_id'], unique=False)

    op.create_table('event_occurrences',
    sa.Column('id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), autoincrement=True, nullable=False),
    sa.Column('space_id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=False),
    sa.Column('series_id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=False),
    sa.Column('number', sa.Integer(), nullable=False),
    sa.Column('position', sa.Integer(), nullable=False),
    sa.Column('starts_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('ends_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('slot_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('zone', sa.String(length=64), nullable=False),
    sa.Column('sequence', sa.Integer(), nullable=False),
    sa.Column('edited', sa.Boolean(), nullable=False),
    sa.Column('cancelled_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('cancel_reason', sa.String(length=300), nullable=False),
    sa.Column('channel_id', sa.String(length=64), nullable=True),
    sa.Column('card_version', sa.Integer(), nullable=False),
    sa.Column('announce_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('schedule', sa.Integer(), nullable=False),
    sa.Column('scheduled_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('reminders_planned_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('reminder_offsets', sa.String(length=40), nullable=False),
    sa.Column('rsvp_seq', sa.Integer(), nullable=False),
    sa.Column('followups', sa.Integer(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('title', sa.String(length=200), nullable=False),
    sa.Column('kind', sa.String(length=10), nullable=False),
    sa.Column('description', sa.Text(), nullable=False),
    sa.Column('link', sa.String(length=500), nullable=False),
    sa.Column('duration_minutes', sa.Integer(), nullable=False),
    sa.Column('capacity', sa.Integer(), nullable=True),
    sa.Column('host_id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=True),
    sa.ForeignKeyConstraint(['host_id'], ['members.id'], ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['series_id'], ['event_series.id'], ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['space_id'], ['spaces.id'], ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('space_id', 'number')
    )
    with op.batch_alter_table('event_occurrences', schema=None) as batch_op:
        batch_op.create_index('ix_event_occurrences_plan', ['reminders_planned_at', 'starts_at'], unique=False)
        batch_op.create_index(batch_op.f('ix_event_occurrences_series_id'), ['series_id'], unique=False)
        batch_op.create_index('ix_event_occurrences_space_start', ['space_id', 'starts_at'], unique=False)

    op.create_table('event_rsvps',
    sa.Column('occurrence_id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=False),
    sa.Column('member_id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=False),
    sa.Column('space_id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=False),
    sa.Column('answer', sa.String(length=10), nullable=False),
    sa.Column('seq', sa.Integer(), nullable=False),
    sa.Column('answered_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['member_id'], ['members.id'], ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['occurrence_id'], ['event_occurrences.id'], ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['space_id'], ['spaces.id'], ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('occurrence_id', 'member_id')
    )
    with op.batch_alter_table('event_rsvps', schema=None) as batch_op:
        batch_op.create_index('ix_event_rsvps_answers', ['occurrence_id', 'answer', 'seq'], unique=False)
        batch_op.create_index(batch_op.f('ix_event_rsvps_member_id'), ['member_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_event_rsvps_space_id'), ['space_id'], unique=False)



def downgrade() -> None:
    with op.batch_alter_table('event_rsvps', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_event_rsvps_space_id'))
        batch_op.drop_index(batch_op.f('ix_event_rsvps_member_id'))
        batch_op.drop_index('ix_event_rsvps_answers')

    op.drop_table('event_rsvps')
    with op.batch_alter_table('event_occurrences', schema=None) as batch_op:
        batch_op.drop_index('ix_event_occurrences_space_start')
        batch_op.drop_index(batch_op.f('ix_event_occurrences_series_id'))
        batch_op.drop_index('ix_event_occurrences_plan')

    op.drop_table('event_occurrences')
    with op.batch_alter_table('event_series', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_event_series_space_id'))

    op.drop_table('event_series')
    op.drop_table('event_spaces')
