"""follow-through: follow-up steps, the digest's claim time, indexes for the digest and report

Revision ID: 0004
Revises: 0002
"""
from alembic import op
import sqlalchemy as sa


revision = '0004'
down_revision = '0002'
branch_labels = None
depends_on = None

INDEXES = {
    "ix_tickets_accept_due_at": "accept_due_at",
    "ix_tickets_resolve_due_at": "resolve_due_at",
    "ix_tickets_accepted_at": "accepted_at",
    "ix_tickets_resolved_at": "resolved_at",
    "ix_tickets_rated_at": "rated_at",
}


def upgrade() -> None:
    op.create_table('followup_steps',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('ticket_id', sa.Integer(), nullable=False),
    sa.Column('step', sa.String(length=32), nullable=False),
    sa.Column('at', sa.DateTime(), nullable=False),
    sa.ForeignKeyConstraint(['ticket_id'], ['tickets.id'], ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('ticket_id', 'step', name='uq_followup_step')
    )
    with op.batch_alter_table('digests', schema=None) as batch_op:
        batch_op.add_column(sa.Column('claimed_at', sa.DateTime(), nullable=True))
    with op.batch_alter_table('tickets', schema=None) as batch_op:
        for name, column in INDEXES.items():
            batch_op.create_index(name, [column], unique=False)


def downgrade() -> None:
    with op.batch_alter_table('tickets', schema=None) as batch_op:
        for name in INDEXES:
            batch_op.drop_index(name)
    with op.batch_alter_table('digests', schema=None) as batch_op:
        batch_op.drop_column('claimed_at')
    op.drop_table('followup_steps')
