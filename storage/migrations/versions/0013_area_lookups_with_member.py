"""area look-ups carry the member: mentor matching reads who shares an area from the index

Revision ID: 0013
Revises: 0012
Create Date: 2026-11-29 09:00:00.000000

The two look-up indexes by (space, area) and (space, interest) gain member_id, so the
mentor ranking's pass over the areas (storage/mentorship_match.py) finds each hit's member
without a visit to the table. Plain DROP/CREATE INDEX: batch mode would rebuild both tables on
SQLite for nothing.
"""

from collections.abc import Sequence

from alembic import op


revision: str = '0013'
down_revision: str | None = '0012'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.drop_index('ix_mentorship_areas_lookup', table_name='mentorship_areas')
    op.create_index(
        'ix_mentorship_areas_lookup', 'mentorship_areas', ['space_id', 'area', 'member_id']
    )
    op.drop_index('ix_member_interests_lookup', table_name='member_interests')
    op.create_index(
        'ix_member_interests_lookup', 'member_interests', ['space_id', 'interest', 'member_id']
    )


def downgrade() -> None:
    op.drop_index('ix_member_interests_lookup', table_name='member_interests')
    op.create_index('ix_member_interests_lookup', 'member_interests', ['space_id', 'interest'])
    op.drop_index('ix_mentorship_areas_lookup', table_name='mentorship_areas')
    op.create_index('ix_mentorship_areas_lookup', 'mentorship_areas', ['space_id', 'area'])
