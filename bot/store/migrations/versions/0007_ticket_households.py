"""tickets count their households; followers lose an index the unique (ticket, openid) already gives

Revision ID: 0007
Revises: 0006
"""
from alembic import op
import sqlalchemy as sa

revision = '0007'
down_revision = '0006'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('tickets', schema=None) as batch_op:
        batch_op.add_column(sa.Column('households', sa.Integer(), server_default='1', nullable=False))
    op.execute("UPDATE tickets SET households = (SELECT count(*) FROM ticket_followers"
               " WHERE ticket_followers.ticket_id = tickets.id)"
               " + CASE WHEN resident_openid IS NULL THEN 0 ELSE 1 END")
    with op.batch_alter_table('ticket_followers', schema=None) as batch_op:
        batch_op.drop_index('ix_ticket_followers_ticket_id')


def downgrade() -> None:
    with op.batch_alter_table('ticket_followers', schema=None) as batch_op:
        batch_op.create_index('ix_ticket_followers_ticket_id', ['ticket_id'], unique=False)
    with op.batch_alter_table('tickets', schema=None) as batch_op:
        batch_op.drop_column('households')
