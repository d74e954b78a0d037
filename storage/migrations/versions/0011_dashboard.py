"""dashboard: one-time sign-in links and sessions of the managers' web dashboard (token hashes)

Revision ID: 0011
Revises: 0010
Create Date: 2026-12-01 10:00:00

Two new tables, nothing to backfill. (0010 is taken by concurrent work; the chain is re-linked
when both land.)
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op


revision: str = '0011'
down_revision: str | None = '0010'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

ID = sa.BigInteger().with_variant(sa.Integer(), 'sqlite')


def upgrade() -> None:
    op.create_table('dashboard_links',
    sa.Column('token_hash', sa.String(length=64), nullable=False),
    sa.Column('space_id', ID, nullable=False),
    sa.Column('member_id', ID, nullable=False),
    sa.Column('platform_admin', sa.Boolean(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('expires_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('used_at', sa.DateTime(timezone=True), nullable=True),
    sa.ForeignKeyConstraint(['member_id'], ['members.id'], ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['space_id'], ['spaces.id'], ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('token_hash')
    )
    with op.batch_alter_table('dashboard_links', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_dashboard_links_expires_at'), ['expires_at'], unique=False)
        batch_op.create_index(batch_op.f('ix_dashboard_links_member_id'), ['member_id'], unique=False)

    op.create_table('dashboard_sessions',
    sa.Column('token_hash', sa.String(length=64), nullable=False),
    sa.Column('space_id', ID, nullable=False),
    sa.Column('member_id', ID, nullable=False),
    sa.Column('platform_admin', sa.Boolean(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('expires_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('ended_at', sa.DateTime(timezone=True), nullable=True),
    sa.ForeignKeyConstraint(['member_id'], ['members.id'], ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['space_id'], ['spaces.id'], ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('token_hash')
    )
    with op.batch_alter_table('dashboard_sessions', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_dashboard_sessions_expires_at'), ['expires_at'], unique=False)
        batch_op.create_index('ix_dashboard_sessions_member', ['space_id', 'member_id'], unique=False)


def downgrade() -> None:
    with op.batch_alter_table('dashboard_sessions', schema=None) as batch_op:
        batch_op.drop_index('ix_dashboard_sessions_member')
        batch_op.drop_index(batch_op.f('ix_dashboard_sessions_expires_at'))
    op.drop_table('dashboard_sessions')

    with op.batch_alter_table('dashboard_links', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_dashboard_links_member_id'))
        batch_op.drop_index(batch_op.f('ix_dashboard_links_expires_at'))
    op.drop_table('dashboard_links')
