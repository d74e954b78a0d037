"""outbox hardening: quiet deliveries, finished rows lose their body and are purged

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-29 02:00:00.000000
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op


revision: str = '0004'
down_revision: str | None = '0003'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

FINISHED = ('sent', 'expired', 'failed', 'cancelled')


def upgrade() -> None:
    with op.batch_alter_table('outbox', schema=None) as batch_op:
        batch_op.add_column(sa.Column('quiet', sa.Boolean(), server_default=sa.false(), nullable=False))
        batch_op.add_column(sa.Column('finished_at', sa.DateTime(timezone=True), nullable=True))
        batch_op.alter_column('payload', existing_type=sa.Text(), nullable=True)
        batch_op.create_index('ix_outbox_finished', ['finished_at'], unique=False)
        batch_op.create_index('ix_outbox_replaces', ['space_id', 'replaces'], unique=False)

    forget_finished_bodies()


def forget_finished_bodies() -> None:
    """Rows finished before this migration drop their message and become purgeable."""
    outbox = sa.table(
        'outbox', sa.column('status'), sa.column('payload'), sa.column('finished_at'),
        sa.column('sent_at'), sa.column('created_at'),
    )
    op.get_bind().execute(
        sa.update(outbox)
        .where(outbox.c.status.in_(FINISHED))
        .values(payload=None, finished_at=sa.func.coalesce(outbox.c.sent_at, outbox.c.created_at))
    )


def downgrade() -> None:
    outbox = sa.table('outbox', sa.column('payload'))
    op.get_bind().execute(
        sa.update(outbox).where(outbox.c.payload.is_(None)).values(payload='{"text": ""}')
    )
    with op.batch_alter_table('outbox', schema=None) as batch_op:
        batch_op.drop_index('ix_outbox_replaces')
        batch_op.drop_index('ix_outbox_finished')
        batch_op.alter_column('payload', existing_type=sa.Text(), nullable=False)
        batch_op.drop_column('finished_at')
        batch_op.drop_column('quiet')
