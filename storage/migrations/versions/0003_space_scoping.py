"""space scoping: network_pair_members.space_id, intro_cards.channel_id, outbox keys by member
id, network_rounds.planned_at, network_members.told_alone_after

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-29 02:00:00

Every programme table now carries `space_id`, so every query can filter by it. Dedupe keys of
planned deliveries name members by internal id, not by platform user id: keys already in the
outbox are rewritten, so a pending reminder is still cancelled and a card still edits its post.
"""

import re
from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op


revision: str = '0003'
down_revision: str | None = '0002'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

# purpose -> (pattern of the old key, the groups that held platform user ids)
OLD_KEYS = {
    'intro': (re.compile(r'^intro:(?P<u1>[^:]+):(?P<rest>.*)$'), ('u1',)),
    'intro-reminder': (re.compile(r'^intro-reminder:(?P<u1>[^:]+)$'), ('u1',)),
    'hello': (re.compile(r'^hello:(?P<u1>[^:]+):(?P<u2>[^:]+):(?P<rest>.*)$'), ('u1', 'u2')),
    'welcome': (re.compile(r'^welcome:(?P<u1>[^:]+)$'), ('u1',)),
    'manager-hint': (re.compile(r'^hint:intros-channel:(?P<u1>[^:]+):(?P<rest>.*)$'), ('u1',)),
    'network-unmatched': (re.compile(r'^network:(?P<n>\d+):unmatched:(?P<u1>[^:]+)$'), ('u1',)),
    'network-check': (
        re.compile(r'^network:(?P<n>\d+):check:(?P<p>\d+):(?P<u1>[^:]+)$'),
        ('u1',),
    ),
}


def upgrade() -> None:
    with op.batch_alter_table('network_pair_members', schema=None) as batch_op:
        batch_op.add_column(sa.Column('space_id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=True))
    op.execute(
        'UPDATE network_pair_members SET space_id = '
        '(SELECT network_pairs.space_id FROM network_pairs '
        'WHERE network_pairs.id = network_pair_members.pair_id)'
    )
    with op.batch_alter_table('network_pair_members', schema=None) as batch_op:
        batch_op.alter_column('space_id', existing_type=sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=False)
        batch_op.create_index(batch_op.f('ix_network_pair_members_space_id'), ['space_id'], unique=False)
        batch_op.create_foreign_key(batch_op.f('fk_network_pair_members_space_id_spaces'), 'spaces', ['space_id'], ['id'], ondelete='CASCADE')

    with op.batch_alter_table('intro_cards', schema=None) as batch_op:
        batch_op.add_column(sa.Column('channel_id', sa.String(length=64), nullable=True))

    with op.batch_alter_table('network_rounds', schema=None) as batch_op:
        batch_op.add_column(sa.Column('planned_at', sa.DateTime(timezone=True), nullable=True))
    with op.batch_alter_table('network_members', schema=None) as batch_op:
        batch_op.add_column(sa.Column('told_alone_after', sa.Integer(), nullable=True))
    op.execute('UPDATE network_rounds SET planned_at = paired_at')

    rewrite_outbox_keys()
    backfill_card_channels()


def rewrite_outbox_keys() -> None:
    connection = op.get_bind()
    members = {
        (row.space_id, row.user_id): row.id
        for row in connection.execute(sa.text('SELECT id, space_id, user_id FROM members'))
    }

    def new_key(space_id: int, purpose: str, key: str | None) -> str | None:
        if key is None or purpose not in OLD_KEYS:
            return key
        pattern, users = OLD_KEYS[purpose]
        found = pattern.match(key)
        if found is None:
            return key
        parts = found.groupdict()
        for name in users:
            member_id = members.get((space_id, parts[name]))
            if member_id is None:
                return key  # a member who has gone: nothing will be planned for them again
            parts[name] = str(member_id)
        if purpose == 'intro':
            return f"intro:{parts['u1']}:{parts['rest']}"
        if purpose == 'intro-reminder':
            return f"intro-reminder:{parts['u1']}"
        if purpose == 'hello':
            return f"hello:{parts['u1']}:{parts['u2']}:{parts['rest']}"
        if purpose == 'welcome':
            return f"welcome:{parts['u1']}"
        if purpose == 'manager-hint':
            return f"hint:intros-channel:{parts['u1']}:{parts['rest']}"
        if purpose == 'network-unmatched':
            return f"network:{parts['n']}:unmatched:{parts['u1']}"
        return f"network:{parts['n']}:check:{parts['p']}:{parts['u1']}"

    rows = connection.execute(
        sa.text('SELECT id, space_id, purpose, dedupe_key, replaces FROM outbox')
    ).all()
    for row in rows:
        key = new_key(row.space_id, row.purpose, row.dedupe_key)
        replaces = new_key(row.space_id, row.purpose, row.replaces)
        if key != row.dedupe_key or replaces != row.replaces:
            connection.execute(
                sa.text('UPDATE outbox SET dedupe_key = :key, replaces = :replaces WHERE id = :id'),
                {'key': key, 'replaces': replaces, 'id': row.id},
            )


def backfill_card_channels() -> None:
    """A posted card's channel is the channel of its latest planned post."""
    connection = op.get_bind()
    cards = connection.execute(
        sa.text('SELECT member_id, space_id, version FROM intro_cards WHERE version > 0')
    ).all()
    for card in cards:
        channel = connection.execute(
            sa.text(
                "SELECT target_id FROM outbox WHERE space_id = :space AND purpose = 'intro' "
                "AND dedupe_key LIKE :prefix ORDER BY id DESC LIMIT 1"
            ),
            {'space': card.space_id, 'prefix': f'intro:{card.member_id}:%'},
        ).scalar()
        if channel:
            connection.execute(
                sa.text('UPDATE intro_cards SET channel_id = :channel WHERE member_id = :member'),
                {'channel': channel, 'member': card.member_id},
            )


def downgrade() -> None:
    with op.batch_alter_table('network_members', schema=None) as batch_op:
        batch_op.drop_column('told_alone_after')
    with op.batch_alter_table('network_rounds', schema=None) as batch_op:
        batch_op.drop_column('planned_at')
    with op.batch_alter_table('intro_cards', schema=None) as batch_op:
        batch_op.drop_column('channel_id')
    with op.batch_alter_table('network_pair_members', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('fk_network_pair_members_space_id_spaces'), type_='foreignkey')
        batch_op.drop_index(batch_op.f('ix_network_pair_members_space_id'))
        batch_op.drop_column('space_id')
