"""Initial schema: messages, recipients, employees, actions, events, audit, policies, state.

Dates are stored as naive UTC (store/models.py UtcDateTime converts). Written by hand after autogenerate,
so it never imports the models (a later model change must not rewrite history).

Revision ID: 0001
Revises: (none)
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = '0001'
down_revision = None
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('audit',
    sa.Column('id', sa.Integer(), autoincrement=True, nullable=False),
    sa.Column('at', sa.DateTime(), nullable=False),
    sa.Column('actor', sa.String(length=64), nullable=False),
    sa.Column('actor_kind', sa.String(length=16), nullable=False),
    sa.Column('action', sa.String(length=32), nullable=False),
    sa.Column('identity', sa.String(length=80), nullable=False),
    sa.Column('outcome', sa.String(length=32), nullable=False),
    sa.Column('detail', sa.JSON(), nullable=False),
    sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table('audit', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_audit_at'), ['at'], unique=False)

    op.create_table('employees',
    sa.Column('object_id', sa.String(length=36), nullable=False),
    sa.Column('display_name', sa.String(length=256), nullable=False),
    sa.Column('primary_address', sa.String(length=320), nullable=False),
    sa.Column('addresses', sa.JSON(), nullable=False),
    sa.Column('resolved_at', sa.DateTime(), nullable=False),
    sa.PrimaryKeyConstraint('object_id')
    )
    op.create_table('events',
    sa.Column('id', sa.Integer(), autoincrement=True, nullable=False),
    sa.Column('address', sa.String(length=320), nullable=False),
    sa.Column('kind', sa.String(length=32), nullable=False),
    sa.Column('identity', sa.String(length=80), nullable=False),
    sa.Column('data', sa.JSON(), nullable=False),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table('events', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_events_address'), ['address'], unique=False)
        batch_op.create_index(batch_op.f('ix_events_created_at'), ['created_at'], unique=False)

    op.create_table('messages',
    sa.Column('identity', sa.String(length=80), nullable=False),
    sa.Column('received_time', sa.DateTime(), nullable=True),
    sa.Column('expires', sa.DateTime(), nullable=True),
    sa.Column('sender_address', sa.String(length=320), nullable=False),
    sa.Column('subject', sa.Text(), nullable=False),
    sa.Column('size', sa.BigInteger(), nullable=False),
    sa.Column('message_id', sa.String(length=998), nullable=False),
    sa.Column('quarantine_type', sa.String(length=64), nullable=False),
    sa.Column('policy_type', sa.String(length=64), nullable=False),
    sa.Column('policy_name', sa.String(length=256), nullable=False),
    sa.Column('tag_name', sa.String(length=256), nullable=False),
    sa.Column('direction', sa.String(length=16), nullable=False),
    sa.Column('release_status', sa.String(length=32), nullable=False),
    sa.Column('released', sa.Boolean(), nullable=False),
    sa.Column('system_released', sa.Boolean(), nullable=False),
    sa.Column('released_users', sa.JSON(), nullable=False),
    sa.Column('released_count', sa.Integer(), nullable=False),
    sa.Column('recipient_count', sa.Integer(), nullable=False),
    sa.Column('deleted_for', sa.JSON(), nullable=False),
    sa.Column('first_seen', sa.DateTime(), nullable=False),
    sa.Column('last_seen', sa.DateTime(), nullable=False),
    sa.Column('gone_at', sa.DateTime(), nullable=True),
    sa.Column('change_seq', sa.BigInteger(), nullable=False),
    sa.PrimaryKeyConstraint('identity')
    )
    with op.batch_alter_table('messages', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_messages_change_seq'), ['change_seq'], unique=False)
        batch_op.create_index(batch_op.f('ix_messages_received_time'), ['received_time'], unique=False)

    op.create_table('policies',
    sa.Column('name', sa.String(length=256), nullable=False),
    sa.Column('permissions', sa.Integer(), nullable=False),
    sa.Column('notifications', sa.Boolean(), nullable=False),
    sa.Column('fetched_at', sa.DateTime(), nullable=False),
    sa.PrimaryKeyConstraint('name')
    )
    op.create_table('state',
    sa.Column('key', sa.String(length=64), nullable=False),
    sa.Column('value', sa.Text(), nullable=False),
    sa.PrimaryKeyConstraint('key')
    )
    op.create_table('actions',
    sa.Column('id', sa.Integer(), autoincrement=True, nullable=False),
    sa.Column('identity', sa.String(length=80), nullable=False),
    sa.Column('object_id', sa.String(length=36), nullable=False),
    sa.Column('address', sa.String(length=320), nullable=False),
    sa.Column('kind', sa.String(length=16), nullable=False),
    sa.Column('state', sa.String(length=16), nullable=False),
    sa.Column('note', sa.Text(), nullable=False),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.Column('answered_at', sa.DateTime(), nullable=True),
    sa.Column('answered_by', sa.String(length=36), nullable=False),
    sa.Column('change_seq', sa.BigInteger(), nullable=False),
    sa.ForeignKeyConstraint(['identity'], ['messages.identity'], ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('identity', 'object_id', 'kind', name='uq_actions_once')
    )
    with op.batch_alter_table('actions', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_actions_change_seq'), ['change_seq'], unique=False)
        batch_op.create_index(batch_op.f('ix_actions_identity'), ['identity'], unique=False)
        batch_op.create_index(batch_op.f('ix_actions_object_id'), ['object_id'], unique=False)

    op.create_table('recipients',
    sa.Column('identity', sa.String(length=80), nullable=False),
    sa.Column('address', sa.String(length=320), nullable=False),
    sa.ForeignKeyConstraint(['identity'], ['messages.identity'], ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('identity', 'address')
    )
    with op.batch_alter_table('recipients', schema=None) as batch_op:
        batch_op.create_index('ix_recipients_address', ['address'], unique=False)

    # The audit record is append-only: no row is ever changed (only the retention purge deletes).
    if op.get_bind().dialect.name == "sqlite":
        op.execute("CREATE TRIGGER audit_append_only BEFORE UPDATE ON audit "
                   "BEGIN SELECT RAISE(ABORT, 'the audit record is append-only'); END")



def downgrade() -> None:
    if op.get_bind().dialect.name == "sqlite":
        op.execute("DROP TRIGGER IF EXISTS audit_append_only")
    with op.batch_alter_table('recipients', schema=None) as batch_op:
        batch_op.drop_index('ix_recipients_address')

    op.drop_table('recipients')
    with op.batch_alter_table('actions', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_actions_object_id'))
        batch_op.drop_index(batch_op.f('ix_actions_identity'))
        batch_op.drop_index(batch_op.f('ix_actions_change_seq'))

    op.drop_table('actions')
    op.drop_table('state')
    op.drop_table('policies')
    with op.batch_alter_table('messages', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_messages_received_time'))
        batch_op.drop_index(batch_op.f('ix_messages_change_seq'))

    op.drop_table('messages')
    with op.batch_alter_table('events', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_events_created_at'))
        batch_op.drop_index(batch_op.f('ix_events_address'))

    op.drop_table('events')
    op.drop_table('employees')
    with op.batch_alter_table('audit', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_audit_at'))

    op.drop_table('audit')
