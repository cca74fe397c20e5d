"""tickets name what exactly is broken (subject), and the lookup of a neighbour's open ticket indexes it

Revision ID: 0008
Revises: 0007
"""
from alembic import op
import sqlalchemy as sa

revision = '0008'
down_revision = '0007'
branch_labels = None
depends_on = None


def upgrade() -> None:
    # Tickets opened before keep no subject: a neighbour's report of any subject may still join them.
    with op.batch_alter_table('tickets', schema=None) as batch_op:
        batch_op.add_column(sa.Column('subject', sa.String(length=32), nullable=True))
        batch_op.drop_index('ix_tickets_estate_building_category')
        batch_op.create_index('ix_tickets_estate_building_category_subject',
                              ['estate_id', 'building', 'category', 'subject'], unique=False)


def downgrade() -> None:
    with op.batch_alter_table('tickets', schema=None) as batch_op:
        batch_op.drop_index('ix_tickets_estate_building_category_subject')
        batch_op.create_index('ix_tickets_estate_building_category', ['estate_id', 'building', 'category'],
                              unique=False)
        batch_op.drop_column('subject')
