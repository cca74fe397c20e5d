"""tickets gain source: where a ticket came from (wechat, phone, walk_in, patrol, 12345, open311)

Revision ID: 0012
Revises: 0011
"""
import sqlalchemy as sa
from alembic import op

revision = '0012'
down_revision = '0011'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column('tickets', sa.Column('source', sa.String(16), server_default='wechat', nullable=False))


def downgrade() -> None:
    op.drop_column('tickets', 'source')
