"""The migrations build exactly the schema the models describe, and carry existing data forward."""
from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.config import Config as AlembicConfig
from alembic.migration import MigrationContext
from sqlalchemy import text

from bot.store import db
from bot.store.models import Base


def _migrate(engine, revision: str) -> None:
    cfg = AlembicConfig()
    cfg.set_main_option("script_location", "bot.store:migrations")
    with engine.begin() as connection:
        cfg.attributes["connection"] = connection
        command.upgrade(cfg, revision)


def test_the_migrated_schema_is_the_models_schema(empty_database_url):
    engine = db.make_engine(empty_database_url)
    db.upgrade(engine)
    with engine.connect() as conn:
        differences = compare_metadata(MigrationContext.configure(conn), Base.metadata)
    engine.dispose()
    # Server defaults and type spellings differ harmlessly between backends; tables, columns and indexes may not.
    assert [d for d in differences if d[0] in ("add_table", "remove_table", "add_column", "remove_column",
                                               "add_index", "remove_index")] == []


def test_households_are_counted_for_tickets_opened_before_the_column(empty_database_url):
    engine = db.make_engine(empty_database_url)
    _migrate(engine, "0006")
    with engine.begin() as conn:
        for number, resident in (("100001", "o_a"), ("100002", None)):
            conn.execute(text(
                "INSERT INTO tickets (number, resident_openid, text, intent, category, urgent, status, created_at,"
                " updated_at, escalation_level, reopened_count) VALUES (:number, :resident, '漏水', 'complaint',"
                " 'leak', false, 'new', '2026-11-01 08:00:00', '2026-11-01 08:00:00', 0, 0)"),
                {"number": number, "resident": resident})
        ids = dict(conn.execute(text("SELECT number, id FROM tickets")).all())
        for openid in ("o_b", "o_c"):
            conn.execute(text("INSERT INTO ticket_followers (ticket_id, openid, joined_at)"
                              " VALUES (:ticket, :openid, '2026-11-01 09:00:00')"),
                         {"ticket": ids["100001"], "openid": openid})
        conn.execute(text("INSERT INTO ticket_followers (ticket_id, openid, joined_at)"
                          " VALUES (:ticket, 'o_d', '2026-11-01 09:00:00')"), {"ticket": ids["100002"]})
    db.upgrade(engine)
    with engine.connect() as conn:
        counted = dict(conn.execute(text("SELECT number, households FROM tickets")).all())
    engine.dispose()
    assert counted == {"100001": 3, "100002": 1}  # the reporter and two neighbours; a ticket staff opened, one


def test_tickets_opened_before_subjects_still_take_their_neighbours(empty_database_url):
    from bot.domain.routing import Directory
    from bot.settings import load_config
    from bot.store.tickets import TicketStore
    from tests.conftest import REPO

    engine = db.make_engine(empty_database_url)
    _migrate(engine, "0007")
    with engine.begin() as conn:
        conn.execute(text(
            "INSERT INTO tickets (number, resident_openid, text, intent, category, urgent, estate_id, building, status,"
            " created_at, updated_at, escalation_level, reopened_count, households) VALUES ('100001', 'o_a',"
            " '3号楼楼顶漏水', 'complaint', 'leak', false, 'xingfuyuan', '3', 'dispatched', '2026-11-01 08:00:00',"
            " '2026-11-01 08:00:00', 0, 0, 1)"))
    db.upgrade(engine)
    store = TicketStore(db.make_sessions(engine), Directory(load_config(REPO / "config.yaml")))
    joined, event = store.join("o_b", "3号楼顶上漏雨", estate_id="xingfuyuan", building="3", category="leak",
                               subject="roof")
    engine.dispose()
    assert joined.number == "100001" and joined.subject is None and event is not None


def test_chases_recorded_before_the_rename_are_chases_after_it(empty_database_url):
    """A chase (催办) stored as `urged`, its job waiting in the outbox and its push in the ledger: one name after."""
    engine = db.make_engine(empty_database_url)
    _migrate(engine, "0013")
    with engine.begin() as conn:
        conn.execute(text(
            "INSERT INTO tickets (id, number, resident_openid, text, intent, category, urgent, status, created_at,"
            " updated_at, escalation_level, reopened_count) VALUES (1, '100001', 'o_a', '漏水', 'complaint',"
            " 'leak', false, 'new', '2026-11-01 08:00:00', '2026-11-01 08:00:00', 0, 0)"))
        conn.execute(text("INSERT INTO ticket_events (id, ticket_id, at, actor, kind, detail) VALUES"
                          " (7, 1, '2026-11-02 08:00:00', 'o_a', 'urged', '{\"count\": 1}')"))
        conn.execute(text("INSERT INTO outbox (ticket_id, job, args, created_at, attempts) VALUES"
                          " (1, 'workers.urged.tell_urged', '[7]', '2026-11-02 08:00:00', 0)"))
        conn.execute(text("INSERT INTO deliveries (ticket_id, event, recipient, status, claimed_at) VALUES"
                          " (1, 'urged:7', 'o_grid', 'sent', '2026-11-02 08:00:00')"))
    db.upgrade(engine)
    with engine.connect() as conn:
        stored = (conn.scalar(text("SELECT kind FROM ticket_events")), conn.scalar(text("SELECT job FROM outbox")),
                  conn.scalar(text("SELECT event FROM deliveries")))
    engine.dispose()
    assert stored == ("chased", "workers.chases.tell_chase", "chased:7")
