"""The desk: kept evidence (media fetched and stored), the caller's contact, disposal with a reason, merging

Revision ID: 0013
Revises: 0014
"""
import sqlalchemy as sa
from alembic import op

revision = '0013'
down_revision = '0014'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('tickets') as batch:
        batch.add_column(sa.Column('contact', sa.String(64)))
        batch.add_column(sa.Column('disposal', sa.String(16)))
        batch.add_column(sa.Column('merged_into', sa.Integer()))
    with op.batch_alter_table('attachments') as batch:
        batch.add_column(sa.Column('stored', sa.String(255)))
        batch.add_column(sa.Column('thumbnail', sa.String(255)))
        batch.add_column(sa.Column('content_type', sa.String(64)))
        batch.add_column(sa.Column('fetch_status', sa.String(16)))
        batch.add_column(sa.Column('fetch_attempts', sa.Integer(), server_default='0', nullable=False))
        batch.add_column(sa.Column('fetch_error', sa.Text()))


def downgrade() -> None:
    with op.batch_alter_table('attachments') as batch:
        for column in ('fetch_error', 'fetch_attempts', 'fetch_status', 'content_type', 'thumbnail', 'stored'):
            batch.drop_column(column)
    with op.batch_alter_table('tickets') as batch:
        for column in ('merged_into', 'disposal', 'contact'):
            batch.drop_column(column)
