"""platform admins remembered: managers' alerts reach admins nobody added in Rounds

Revision ID: 0012
Revises: 0011
Create Date: 2026-11-29 06:00:00.000000
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op


revision: str = '0012'
down_revision: str | None = '0011'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    # a plain ADD COLUMN, never batch mode: on SQLite that copies the table and drops the
    # directory's search triggers on it (migration 0006)
    op.add_column(
        'members',
        sa.Column('platform_admin', sa.Boolean(), server_default=sa.false(), nullable=False),
    )


def downgrade() -> None:
    op.drop_column('members', 'platform_admin')
