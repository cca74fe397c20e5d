"""one name for a resident's chase (催办): its events, its job in the outbox and its pushes in the ledger say `chased`

Revision ID: 0016
Revises: 0013
"""
from alembic import op

revision = '0016'
down_revision = '0013'
branch_labels = None
depends_on = None


def _rename(kind: str, job: str, new_kind: str, new_job: str) -> None:
    op.execute(f"UPDATE ticket_events SET kind = '{new_kind}' WHERE kind = '{kind}'")
    op.execute(f"UPDATE outbox SET job = '{new_job}' WHERE job = '{job}'")
    # The ledger's key for a chase's push is "<kind>:<event id>": a job retried after the upgrade sends nothing twice.
    op.execute(f"UPDATE deliveries SET event = '{new_kind}' || substr(event, {len(kind) + 1}) "
               f"WHERE event LIKE '{kind}:%'")


def upgrade() -> None:
    _rename('urged', 'workers.urged.tell_urged', 'chased', 'workers.chases.tell_chase')


def downgrade() -> None:
    _rename('chased', 'workers.chases.tell_chase', 'urged', 'workers.urged.tell_urged')
