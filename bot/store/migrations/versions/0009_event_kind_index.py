"""a ticket's events of one kind (its chases, its verdicts), and one person's events (on a ticket, or all of them
when they unsubscribe), are found by index, however long the ticket's history

Revision ID: 0009
Revises: 0008
"""
from alembic import op

revision = '0009'
down_revision = '0008'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_index('ix_ticket_events_ticket_kind', 'ticket_events', ['ticket_id', 'kind'], unique=False)
    op.create_index('ix_ticket_events_actor_ticket_kind', 'ticket_events', ['actor', 'ticket_id', 'kind'], unique=False)


def downgrade() -> None:
    op.drop_index('ix_ticket_events_actor_ticket_kind', table_name='ticket_events')
    op.drop_index('ix_ticket_events_ticket_kind', table_name='ticket_events')
