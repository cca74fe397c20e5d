"""On SQLite the web process writes neighbours' joins many per transaction (bot/hotsql.py, Batches)."""
import threading

import pytest
from sqlalchemy import select, text
from sqlalchemy.exc import OperationalError
from sqlalchemy.exc import TimeoutError as SQLAlchemyTimeout

from bot import db
from bot.hotsql import Batches, HotSQL
from bot.models import Follower, Ticket, TicketEvent
from bot.routing import Directory
from bot.tickets import Report, TicketStore


@pytest.fixture
def engine(tmp_path):
    engine = db.make_engine(f"sqlite:///{tmp_path / 'minhu.db'}", wait=2)
    db.upgrade(engine)
    yield engine
    engine.dispose()


def _together(calls):
    """Run the calls at once from threads; return their results (or the exception each raised)."""
    results = [None] * len(calls)
    start = threading.Barrier(len(calls))

    def run(i, call):
        start.wait()
        try:
            results[i] = call()
        except Exception as exc:  # noqa: BLE001 - the test looks at it
            results[i] = exc

    threads = [threading.Thread(target=run, args=(i, call)) for i, call in enumerate(calls)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(10)
    return results


def test_concurrent_neighbours_are_all_written_once_and_a_retry_or_the_reporter_writes_nothing(engine, settings):
    jobs = []
    store = TicketStore(db.make_sessions(engine), Directory(settings.config), after_commit=jobs.extend,
                        batch_joins=True)
    assert store._batches is not None  # SQLite: the batched path is the one under test
    ticket, _ = store.open(Report(resident="o_reporter", text="3号楼楼顶漏水", category="leak",
                                  estate_id="xingfuyuan", building="3"))
    openids = [f"o_n{i}" for i in range(12)] + ["o_n3", "o_reporter"]  # a retried neighbour, and the reporter
    results = _together([lambda o=o: store.join(o, f"{o}家也漏", estate_id="xingfuyuan", building="3",
                                                category="leak") for o in openids])
    assert all(view.number == ticket.number for view, _ in results)
    written = [event for _, event in results if event is not None]
    assert len(written) == 12 and results[-1][1] is None  # o_n3 once; the reporter follows nothing
    with store.sessions() as session:
        assert sorted(session.scalars(select(Follower.openid))) == sorted(f"o_n{i}" for i in range(12))
        assert session.get(Ticket, ticket.id).households == 13
        counts = sorted(e.detail["households"] for e in session.scalars(
            select(TicketEvent).where(TicketEvent.kind == "joined")))
    assert counts == list(range(2, 14))  # each household counted once, in some order
    assert [job.name for job in jobs].count("workers.notify.notify_event") == 4  # at 2, 3, 5 and 10 households


def test_a_failing_batch_fails_each_of_its_items_and_the_writer_goes_on(engine):
    gate, entered = threading.Event(), threading.Event()

    def write(conn, item):
        if item == "gate":
            entered.set()
            gate.wait(5)
        if item == "bad":
            raise OperationalError("INSERT", {}, Exception("disk I/O error"))
        conn.execute("INSERT INTO kv VALUES (?)", (item,))  # the driver's own connection
        return item.upper(), []

    with engine.begin() as conn:
        conn.execute(text("CREATE TABLE kv (v TEXT)"))
    batches = Batches(HotSQL(engine), write, after_commit=lambda jobs: None, wait=5)
    first = threading.Thread(target=batches.submit, args=("gate",))
    first.start()
    assert entered.wait(5)
    waiting = []
    threads = [threading.Thread(target=lambda i=i: waiting.append(_submit(batches, i))) for i in ("ok1", "bad", "ok2")]
    for thread in threads:
        thread.start()
    while batches._queue.qsize() < 3:  # all three queued behind the gate: they make the next batch
        threading.Event().wait(0.01)
    gate.set()
    first.join(5)
    for thread in threads:
        thread.join(5)
    assert sorted(map(type, waiting), key=str) == [OperationalError] * 3
    assert batches.submit("after") == "AFTER"
    with engine.connect() as conn:
        assert sorted(conn.execute(text("SELECT v FROM kv")).scalars()) == ["after", "gate"]


def test_a_batch_that_takes_too_long_is_given_up_by_the_request_not_waited_for(engine):
    release = threading.Event()

    def write(conn, item):
        release.wait(5)
        return item, []

    batches = Batches(HotSQL(engine), write, after_commit=lambda jobs: None, wait=0.2)
    with pytest.raises(SQLAlchemyTimeout):
        batches.submit("slow")
    release.set()
    assert batches.submit("next") == "next"


def _submit(batches, item):
    try:
        return batches.submit(item)
    except Exception as exc:  # noqa: BLE001
        return exc
