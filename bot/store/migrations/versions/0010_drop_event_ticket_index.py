"""ticket_events loses its index on ticket_id alone: ix_ticket_events_ticket_kind (ticket_id, kind) serves every
lookup by ticket, and each event written kept one more index up to date

Revision ID: 0010
Revises: 0009
"""
from alembic import op

revision = '0010'
down_revision = '0009'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.drop_index('ix_ticket_events_ticket_id', table_name='ticket_events')


def downgrade() -> None:
    op.create_index('ix_ticket_events_ticket_id', 'ticket_events', ['ticket_id'], unique=False)
