"""Which open ticket a neighbour's report joins: only the same problem (place, category and the thing broken)."""
from bot.store.models import Follower
from tests.conversation import GRID1, SECRETARY, config_changes, number_in, rows, settings, ticket  # noqa: F401


def test_a_missing_manhole_cover_is_not_merged_into_the_door_access_ticket(wechat, runtime, fake_wechat):
    door = number_in(wechat.say("1号楼单元门门禁坏了，刷卡刷不开", sender="o_door"))
    wechat.run_jobs()
    reply = wechat.say("1号楼门口井盖没了，晚上黑看不见，很危险", sender="o_cover")
    assert reply.startswith("⚠️ 已按紧急情况优先处理！") and "已有邻居反映" not in reply
    cover = ticket(runtime, number_in(reply))
    assert cover.number != door and cover.urgent and cover.category == "facilities"
    assert ticket(runtime, door).households == 1
    # Its own urgent task for the grid worker, and the secretary is paged at once.
    wechat.run_jobs()
    assert any(t.startswith("【紧急】") and cover.number in t for t in fake_wechat.texts_to(GRID1))
    assert any(t.startswith("【紧急】") and cover.number in t for t in fake_wechat.texts_to(SECRETARY))


def test_an_urgent_report_never_joins_a_non_urgent_ticket_of_the_same_thing(wechat, runtime, fake_wechat):
    loose = number_in(wechat.say("1号楼门口井盖一踩就响", sender="o_loose"))
    assert not ticket(runtime, loose).urgent
    reply = wechat.say("1号楼门口的井盖没了！", sender="o_gone")
    assert "已有邻居反映" not in reply
    gone = ticket(runtime, number_in(reply))
    assert gone.number != loose and gone.urgent
    wechat.run_jobs()
    assert any(t.startswith("【紧急】") and gone.number in t for t in fake_wechat.texts_to(SECRETARY))
    # The next neighbour in danger joins the urgent ticket, not the old one.
    again = wechat.say("1号楼井盖没了，有人差点掉下去", sender="o_again")
    assert "已有邻居反映" in again and gone.number in again and again.startswith("⚠️")
    assert ticket(runtime, gone.number).households == 2 and ticket(runtime, loose).households == 1


def test_a_broken_bin_is_not_the_uncollected_garbage(wechat, runtime):
    garbage = number_in(wechat.say("4号楼垃圾堆了好几天没人收", sender="o_heap"))
    reply = wechat.say("4号楼1单元门口的垃圾桶坏了", sender="o_bin")
    assert "已有邻居反映" not in reply and number_in(reply) != garbage
    assert "已有邻居反映" in wechat.say("4号楼楼下的垃圾好几天没人收了", sender="o_heap2")
    assert ticket(runtime, garbage).households == 2


def test_an_ageing_gas_pipe_is_not_the_gas_smell_happening_now(wechat, runtime):
    smell = number_in(wechat.say("4号楼煤气味很大", sender="o_smell"))
    assert ticket(runtime, smell).urgent
    reply = wechat.say("天然气管道老化了，担心出事 4号楼", sender="o_pipe")
    assert "已有邻居反映" not in reply and "⚠️" not in reply
    pipe = ticket(runtime, number_in(reply))
    assert pipe.number != smell and not pipe.urgent and pipe.category == "gas"


def test_a_street_light_is_not_a_corridor_light(wechat, runtime):
    corridor = number_in(wechat.say("9号楼2单元楼道灯坏了", sender="o_corridor"))
    reply = wechat.say("9号楼门口的路灯不亮了", sender="o_street")
    assert "已有邻居反映" not in reply and number_in(reply) != corridor
    assert wechat.ticket_count() == 2


def test_two_units_corridor_lights_are_two_tickets(wechat, runtime):
    unit2 = number_in(wechat.say("3号楼2单元楼道灯坏了", sender="o_u2"))
    unit3 = number_in(wechat.say("3号楼3单元楼道灯坏了", sender="o_u3"))
    assert unit2 != unit3
    joined = wechat.say("3号楼3单元的声控灯也不亮", sender="o_u3b")
    assert "已有邻居反映" in joined and unit3 in joined
    assert (ticket(runtime, unit2).households, ticket(runtime, unit3).households) == (1, 2)


def test_a_vague_report_still_joins_and_is_told_what_it_joined(wechat, runtime):
    corridor = number_in(wechat.say("3号楼2单元楼道灯坏了", sender="o_first"))
    joined = wechat.say("3号楼灯坏了", sender="o_vague")
    assert "已有邻居反映" in joined and corridor in joined
    assert "楼道灯" in joined  # what the neighbour reported, so the resident can tell it is theirs
    # Without a unit, a corridor light is the one already reported too.
    assert corridor in wechat.say("3号楼楼道灯不亮", sender="o_no_unit")
    assert ticket(runtime, corridor).households == 3 and len(rows(runtime, Follower)) == 2


def test_a_roof_leak_is_one_case_whichever_unit_reports_it(wechat, runtime):
    roof = number_in(wechat.say("3号楼2单元楼顶漏水了", sender="o_roof1"))
    joined = wechat.say("3号楼1单元顶楼漏雨了", sender="o_roof2")
    assert "已有邻居反映" in joined and roof in joined
    assert wechat.ticket_count() == 1


def test_the_store_matches_subject_unit_and_urgency_on_both_paths(runtime):
    """The lookup `join` runs and the one `open` runs again under its write lock are the same."""
    from bot.store.tickets import Report

    store = runtime.tickets
    place = {"estate_id": "xingfuyuan", "building": "3", "category": "lighting"}
    vague, _ = store.open(Report(resident="o_v", text="3号楼3单元灯坏了", unit="3", **place))
    corridor, new = store.open(Report(resident="o_c", text="3号楼2单元楼道灯坏了", unit="2", subject="corridor_light",
                                      **place), unless_open_same=True)
    assert new  # the vague ticket is of another unit, and corridor lights are per unit
    same = Report(resident="o_c2", text="2单元楼道灯不亮", unit="2", subject="corridor_light", **place)
    assert store.open(same, unless_open_same=True) == (None, False)
    # A report naming the subject prefers the ticket that names it to one that names none.
    assert store.join("o_c3", "3号楼楼道灯不亮", subject="corridor_light", **place)[0].number == corridor.number
    assert store.join("o_s", "3号楼路灯不亮", subject="street_light", **place)[0].number == vague.number
    # An emergency finds no urgent ticket here: it opens its own.
    urgent, new = store.open(Report(resident="o_u", text="3号楼2单元楼道灯冒火花", unit="2", urgent=True,
                                    subject="corridor_light", **place), unless_open_same=True)
    assert new and urgent.urgent
    assert store.join("o_u2", "楼道灯冒火花了", unit="2", urgent=True, subject="corridor_light",
                      **place)[0].number == urgent.number


def test_a_residents_next_message_about_another_thing_is_its_own_ticket(wechat, runtime):
    # Right after a ticket opens, the resident's next words of the same kind are added to it, unless they
    # name another thing: the door access, then the broken exercise equipment, are two problems.
    door = number_in(wechat.say("1号楼单元门门禁坏了", sender="o_twice"))
    assert "已补充到工单" in wechat.say("1号楼门禁刷卡没反应", sender="o_twice")
    reply = wechat.say("1号楼门口的健身器材也坏了", sender="o_twice")
    assert "已补充到工单" not in reply and number_in(reply) != door
    assert wechat.ticket_count() == 2


def _together(calls):
    """Run the calls at once from threads; return their results (or the exception each raised)."""
    import threading

    results, start = [None] * len(calls), threading.Barrier(len(calls))

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
        thread.join(20)
    return results


def test_neighbours_joining_at_once_are_each_written_once_and_a_retry_or_the_reporter_writes_nothing(runtime):
    from datetime import timedelta

    from sqlalchemy import select

    from bot.store.models import Ticket, TicketEvent
    from bot.store.tickets import Report

    jobs = []
    store = runtime.tickets
    store.after_commit = jobs.extend
    ticket, _ = store.open(Report(resident="o_reporter", text="3号楼楼顶漏水", category="leak",
                                  estate_id="xingfuyuan", building="3"))
    openids = [f"o_n{i}" for i in range(12)] + ["o_n3", "o_reporter"]  # a retried neighbour, and the reporter
    results = _together([lambda o=o: store.join(o, f"{o}家也漏", estate_id="xingfuyuan", building="3",
                                                category="leak") for o in openids])
    assert all(view.number == ticket.number for view, _ in results), results
    written = [event for _, event in results if event is not None]
    assert len(written) == 12 and results[-1][1] is None  # o_n3 once; the reporter follows nothing
    assert sorted(f.openid for f in rows(runtime, Follower)) == sorted(f"o_n{i}" for i in range(12))
    with runtime.sessions() as session:
        assert session.get(Ticket, ticket.id).households == 13
        counts = sorted(e.detail["households"] for e in session.scalars(
            select(TicketEvent).where(TicketEvent.kind == "joined")))
    assert counts == list(range(2, 14))  # each household counted once, in some order
    assert [job.name for job in jobs].count("workers.notify.notify_event") == 4  # at 2, 3, 5 and 10 households
    # All of them telling it again at once: each chase recorded, and whoever holds it told once.
    jobs.clear()
    results = _together([lambda o=o: store.join_or_chase(o, "还是漏", estate_id="xingfuyuan", building="3",
                                                         category="leak", chase=timedelta(minutes=10))
                         for o in openids[:12]])
    assert all(result.chased for result in results), results
    with runtime.sessions() as session:
        chases = [e.detail["count"] for e in session.scalars(select(TicketEvent).where(TicketEvent.kind == "chased"))]
    assert sorted(chases) == list(range(1, 13))
    assert [job.name for job in jobs] == ["workers.chases.tell_chase"]


def test_a_neighbour_joining_a_ticket_closed_a_moment_before_opens_a_new_one(wechat, runtime):
    from sqlalchemy import update

    from bot.store.models import Ticket

    first = number_in(wechat.say("7号楼楼道灯坏了", sender="o_closed_1"))
    with runtime.sessions() as session:
        session.execute(update(Ticket).where(Ticket.number == first).values(status="closed"))
        session.commit()
    reply = wechat.say("7号楼楼道灯不亮", sender="o_closed_2")
    assert "已有邻居反映" not in reply and number_in(reply) != first


def test_a_ticket_opened_between_a_neighbours_two_statements_is_joined_not_chased(wechat, runtime, database_url):
    """PostgreSQL reads each statement's own snapshot: a neighbour's ticket committed just after the neighbour's
    follow found nothing is still joined (once, counted), never taken for a chase of a ticket they never joined."""
    import threading

    import pytest
    from sqlalchemy import event

    if not database_url.startswith("postgresql"):
        pytest.skip("SQLite's write lock lets no ticket in between the statements")
    opened = []

    def open_meanwhile(conn, cursor, statement, parameters, context, executemany):
        if "INSERT INTO ticket_followers" in statement and not opened:
            opened.append(True)
            other = threading.Thread(target=lambda: opened.append(wechat.say("9号楼电梯停了，困在半路", sender="o_first")))
            other.start()
            other.join(20)

    event.listen(runtime.engine, "after_cursor_execute", open_meanwhile)
    try:
        reply = wechat.say("9号楼电梯停了，困在半路", sender="o_second")
    finally:
        event.remove(runtime.engine, "after_cursor_execute", open_meanwhile)
    first = number_in(opened[1])
    assert "催办" not in reply and number_in(reply) == first and wechat.ticket_count() == 1
    assert ticket(runtime, first).households == 2 and len(rows(runtime, Follower)) == 1
