"""notices to residents (with their delivery ledger and opt-outs) and the outbound webhooks' ledger

Revision ID: 0014
Revises: 0015
"""
import sqlalchemy as sa
from alembic import op

revision = '0014'
down_revision = '0015'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        'notices',
        sa.Column('id', sa.Integer(), primary_key=True),
        sa.Column('community_id', sa.String(64)),
        sa.Column('estate_id', sa.String(64)),
        sa.Column('buildings', sa.JSON(), nullable=False),
        sa.Column('title', sa.String(64), nullable=False),
        sa.Column('body', sa.Text(), nullable=False),
        sa.Column('author', sa.String(64), nullable=False),
        sa.Column('status', sa.String(16), nullable=False),
        sa.Column('created_at', sa.DateTime(), nullable=False),
        sa.Column('finished_at', sa.DateTime()),
    )
    op.create_table(
        'notice_deliveries',
        sa.Column('id', sa.Integer(), primary_key=True),
        sa.Column('notice_id', sa.Integer(), sa.ForeignKey('notices.id', ondelete='CASCADE'), nullable=False),
        sa.Column('recipient', sa.String(64), nullable=False),
        sa.Column('status', sa.String(16), nullable=False),
        sa.Column('channel', sa.String(16)),
        sa.Column('claimed_at', sa.DateTime(), nullable=False),
        sa.Column('sent_at', sa.DateTime()),
        sa.Column('error', sa.Text()),
        sa.UniqueConstraint('notice_id', 'recipient', name='uq_notice_delivery'),
    )
    op.create_index('ix_notice_deliveries_recipient', 'notice_deliveries', ['recipient'])
    op.create_table(
        'notice_optouts',
        sa.Column('openid', sa.String(64), primary_key=True),
        sa.Column('at', sa.DateTime(), nullable=False),
    )
    op.create_table(
        'webhook_deliveries',
        sa.Column('id', sa.Integer(), primary_key=True),
        sa.Column('event_id', sa.Integer(), nullable=False, unique=True),
        sa.Column('ticket_id', sa.Integer(), sa.ForeignKey('tickets.id', ondelete='CASCADE'), nullable=False),
        sa.Column('status', sa.String(16), nullable=False),
        sa.Column('state', sa.String(16), nullable=False),
        sa.Column('attempts', sa.Integer(), nullable=False),
        sa.Column('created_at', sa.DateTime(), nullable=False),
        sa.Column('sent_at', sa.DateTime()),
        sa.Column('error', sa.Text()),
    )
    op.create_index('ix_webhook_deliveries_ticket_id', 'webhook_deliveries', ['ticket_id'])


def downgrade() -> None:
    op.drop_table('webhook_deliveries')
    op.drop_table('notice_optouts')
    op.drop_table('notice_deliveries')
    op.drop_table('notices')
