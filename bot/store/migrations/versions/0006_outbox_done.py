"""outbox rows remember when their job was seen finished, so the relay can find jobs Redis lost

Revision ID: 0006
Revises: 0004
"""
from alembic import op
import sqlalchemy as sa

revision = '0006'
down_revision = '0004'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('outbox', schema=None) as batch_op:
        batch_op.add_column(sa.Column('done_at', sa.DateTime(), nullable=True))
        batch_op.create_index('ix_outbox_unfinished', ['done_at', 'enqueued_at'], unique=False)


def downgrade() -> None:
    with op.batch_alter_table('outbox', schema=None) as batch_op:
        batch_op.drop_index('ix_outbox_unfinished')
        batch_op.drop_column('done_at')
