"""ticket_events' two lookup indexes end in id, so a ticket's last chase is one index entry: PostgreSQL walked the whole
primary key backwards to find that a ticket was never chased

Revision ID: 0017
Revises: 0016
"""
from alembic import op

revision = '0017'
down_revision = '0016'
branch_labels = None
depends_on = None

INDEXES = {'ix_ticket_events_ticket_kind': ['ticket_id', 'kind'],
           'ix_ticket_events_actor_ticket_kind': ['actor', 'ticket_id', 'kind']}


def upgrade() -> None:
    for name, columns in INDEXES.items():
        op.drop_index(name, table_name='ticket_events')
        op.create_index(name, 'ticket_events', [*columns, 'id'], unique=False)


def downgrade() -> None:
    for name, columns in INDEXES.items():
        op.drop_index(name, table_name='ticket_events')
        op.create_index(name, 'ticket_events', columns, unique=False)
