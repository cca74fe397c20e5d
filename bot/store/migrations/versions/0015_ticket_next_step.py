"""tickets gain next_step_at: when the follow-up sweep next looks at a ticket (reminders, escalation, pages)

Revision ID: 0015
Revises: 0012
"""
import sqlalchemy as sa
from alembic import op

revision = '0015'
down_revision = '0012'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column('tickets', sa.Column('next_step_at', sa.DateTime(), nullable=True))
    op.create_index('ix_tickets_next_step_at', 'tickets', ['next_step_at'])
    # Open tickets planned in Redis until now: the first sweep plans each of them again from the database.
    op.execute("UPDATE tickets SET next_step_at = created_at WHERE status IN ('new', 'dispatched', 'accepted')")


def downgrade() -> None:
    op.drop_index('ix_tickets_next_step_at', table_name='tickets')
    op.drop_column('tickets', 'next_step_at')
