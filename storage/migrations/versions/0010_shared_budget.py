"""shared rate budget: pacing and pauses per platform and scope, for every process

Revision ID: 0010
Revises: 0009
Create Date: 2026-11-29 05:00:00.000000
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op


revision: str = '0010'
down_revision: str | None = '0009'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        'rate_limits',
        sa.Column('platform', sa.String(length=20), nullable=False),
        sa.Column('scope', sa.String(length=200), nullable=False),
        sa.Column('next_at', sa.Float(), nullable=False),
        sa.Column('paused_until', sa.DateTime(timezone=True), nullable=True),
        sa.PrimaryKeyConstraint('platform', 'scope'),
    )


def downgrade() -> None:
    op.drop_table('rate_limits')
