"""Grid workers and secretaries: 接单, 完成, 转派 (handlers/transfer.py), a ticket by number, 我的任务, and 绑定 with a
one-time code."""
from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime
from zoneinfo import ZoneInfo

from sqlalchemy import case, func, or_, select

from bot.domain import digest as daily, replies, steps, texts
from bot.domain.clock import utcnow
from bot.domain.staff import Member
from bot.store.models import Ticket
from bot.domain.actions import add_note
from handlers import states, worklist
from handlers.base import Context, Filter, Message, is_staff, is_text, is_voice
from handlers.followup import NUMBER, own_ticket
from handlers.intake import analysis_of
from handlers.tickets import category_name, place_of
from handlers.transfer import already, transfer
from handlers.media import media_of
from nlp.phrases import asks_after

# A command word starts the message (or follows its number: "100017 接单"); the number and the rest are read
# after it, so a staff member who leaves the number out hears how the command goes instead of being answered
# as a resident. 接, 办完 and 处理完 count only before a number: alone they are ordinary words.
_VERB = r"(?:已)?(?P<verb>接单|完成|办结|转派|转交|(?:接|办完|处理完)(?=了?\s*[:：]?\s*\d))了?"
COMMAND = re.compile(rf"^\s*{_VERB}\s*[:：]?\s*(?P<number>\d*)\s*[,，。:：]?\s*(?P<rest>.*)$", re.S)
NUMBER_FIRST = re.compile(rf"^\s*(?P<number>\d{{6}})\s*[,，:：]?\s*{_VERB}\s*[,，。:：]?\s*(?P<rest>.*)$", re.S)
VERBS = {"接": "接单", "办完": "完成", "处理完": "完成"}
# "100017 已修好，换了防水层": a number, then words that say it is fixed, is a 完成 whose note is those words. Not when
# they go on to deny or ask ("100017 修好了吗", "100017 解决不了", "处理好了没").
_FIXED = r"(?:已经?)?(?:修好|修复|修完|处理好|处理完毕|已处理|解决|搞定|弄好|办好|清理干净|清理完|换好)了?"
DONE_FIRST = re.compile(rf"^\s*(?P<number>\d{{6}})\s*[,，:：]?\s*(?P<rest>{_FIXED}(?!了?[不没吗呢么])(?!.*[吗?？]\s*$).*)$", re.S)
LOOKUP = re.compile(r"^\s*(?:查看?|查一下|看看)?\s*(?:工单)?\s*(?P<number>\d{6})\s*(?:的)?\s*(?:进度|情况|状态)?\s*"
                    r"(?:怎么样了?|到哪了|呢)?\s*[?？。]?\s*$")
TASKS = re.compile(r"^\s*(我的任务|任务|待办|我的待办|查看任务|查看待办|任务列表|待办任务|查任务)\s*$")
BIND = re.compile(r"^\s*绑定\s*[:：]?\s*(\d{5,12})?\s*$")  # a code, mistyped too; 绑定 3 is not one
# How grid workers answer a task push in a chat: "收到", "好的 马上去". Not a command: they hear which one to send.
ACK = re.compile(r"^(?:收到了?|好的?|好嘞|明白了?|知道了|马上(?:去|到|过去|处理)|这就去|行|ok|嗯+|👌|[\s,，.。!！~～])+$",
                 re.I)
_WIDE_DIGITS = str.maketrans("０１２３４５６７８９：，", "0123456789:,")
# A secretary asking how the day stands: today's digest so far, or yesterday's (日报, 今天的情况, 昨天的简报, 超期的工单).
DIGEST = re.compile(r"^\s*(?:(今天|今日|昨天|昨日)的?)?(日报|简报|情况|概况|统计|汇总|数据|怎么样|三率|(?:超期|超时|逾期)的?(?:工单|任务)?)"
                    r"[\s?？!！。.]*$")
TASKS_SHOWN = 20  # lines in one reply to 我的任务; the rest are counted and left to the desk
HINTED = 3  # tickets named in the answer to "收到"
ASKS_HELP = re.compile(r"^\s*(?:帮助|怎么用|使用说明|命令|指令|help)[\s?？!！。]*$", re.I)


@dataclass(frozen=True)
class Command:
    """A staff command read: who sends it, the verb (接单, 完成, 查看, 备注 …), the ticket number and the rest."""

    member: Member
    verb: str
    number: str
    rest: str


def _member(message: Message, ctx: Context) -> Member | None:
    """The sender as staff (the staff directory keeps its table in memory), or None."""
    return ctx.staff.member(message.sender) if ctx.role != "resident" else None


def plain(text: str) -> str:
    """Full-width digits and colons (１０００17, as some keyboards type them) made plain."""
    return text.translate(_WIDE_DIGITS)


def command(message: Message, ctx: Context) -> Command | None:
    """A command on a ticket, or a ticket number alone (that ticket, when it is the member's to see)."""
    member = _member(message, ctx) if message.type == "text" else None
    if member is None:
        return None
    text = plain(message.text)
    if match := COMMAND.match(text) or NUMBER_FIRST.match(text):
        verb = match.group("verb")
        return Command(member, VERBS.get(verb, verb), match.group("number"), _rest(message, match))
    if match := DONE_FIRST.match(text):
        return Command(member, "完成", match.group("number"), _rest(message, match))
    match = LOOKUP.match(text)
    number, verb, rest = (match.group("number"), "查看", "") if match else _about(message, ctx, text)
    if number and not _residents_own(ctx, member, message.sender, number):
        return Command(member, verb, number, rest)
    return None


def _about(message: Message, ctx: Context, text: str) -> tuple[str | None, str, str]:
    """A staff member's other words around one ticket's number: a question after it ("100017 修好了吗") or an
    acknowledgement shows it; anything else ("100017 解决不了，要找物业") is a note on it (备注), kept, not lost.
    A note needs the ticket to exist: "快递柜编号100234坏了" is a report, whatever its digits."""
    numbers = list(NUMBER.finditer(text)) if ctx.role != "resident" else []
    if len(numbers) != 1:
        return None, "", ""
    found = numbers[0]
    words = (message.text[:found.start()] + message.text[found.end():]).strip(" ,，。.:：、")
    if (not words or ACK.match(words) or asks_after(text)
            or analysis_of(message, ctx).intent == "status_query"):
        return found.group(), "查看", ""
    if ctx.tickets.by_number(found.group()) is None:
        return None, "", ""
    return found.group(), "备注", words


def _rest(message: Message, match: re.Match) -> str:
    """The words after the command as the staff member typed them (`plain` changed digits and commas, one for one)."""
    return message.text[match.start("rest"):match.end("rest")].strip()


def _residents_own(ctx: Context, member: Member, openid: str, number: str) -> bool:
    """A ticket outside the member's grids that they reported or follow as a resident: the resident's answer fits."""
    ticket = own_ticket(ctx, openid, number)
    return ticket is not None and not member.may_act_on(ticket)


def usage_of(verb: str, rest: str) -> str:
    """How the command goes, with what the staff member already wrote as its note."""
    if verb == "接单":
        return "接单 工单号"
    if verb in ("完成", "办结"):
        return f"{verb} 工单号 {rest or '处理说明'}"
    return f"{verb} 工单号 网格或部门"


def act(message: Message, ctx: Context, command: Command) -> str:
    """One command on one ticket, only within the member's grids."""
    member, number, verb, rest = command.member, command.number, command.verb, command.rest
    if not number:
        return texts.STAFF_NEED_NUMBER.format(usage=usage_of(verb, rest))
    ticket = ctx.tickets.by_number(number)
    if ticket is None:
        return texts.STAFF_NO_TICKET.format(number=number)
    if not member.may_act_on(ticket):
        return texts.STAFF_NOT_YOURS.format(number=number)
    # A photo sent next goes with this ticket (the 完成 photo), if it comes soon; a report of their own, half told
    # as a resident, keeps its place.
    if not _asked_as_resident(message, ctx):
        states.enter(ctx, message.sender, states.STAFF, ticket=ticket.id, number=number, at=utcnow().isoformat())
    if verb == "查看":
        return detail(ctx, ticket)
    if verb == "备注":
        add_note(ctx.tickets, ticket.id, member.openid, rest)
        waiting = ticket.status in ("new", "dispatched")  # "100017 到了，在看": on site, and no 接单 yet
        return (texts.STAFF_NOTED_ACCEPT if waiting else texts.STAFF_NOTED).format(number=number)
    if verb == "接单":
        ticket, event = steps.accept(ctx.tickets, ticket.id, member.openid, member.name)
        if event is None:
            return taken(ticket, member)
        return texts.STAFF_ACCEPTED.format(number=number, category=category_name(ctx, ticket.category),
                                           place=place_of(ctx, ticket), text=texts.clip(ticket.text, 200))
    if verb in ("完成", "办结"):
        if not rest:
            return texts.STAFF_NEED_NOTE.format(number=number)
        choices = ctx.settings.config.replies.resolve
        try:
            rest = replies.fill(choices, rest)
        except replies.NoSuchReply as exc:
            return texts.STAFF_NO_SUCH_REPLY.format(n=exc.args[0], number=number, choices=replies.listing(choices)
                                                    or texts.STAFF_NO_REPLIES)
        ticket, event = steps.resolve(ctx.tickets, ticket.id, member.openid, member.name, rest)
        if event is None:
            return already(ticket)
        return texts.STAFF_RESOLVED.format(number=number)
    return transfer(ctx, member, ticket, rest)


def detail(ctx: Context, ticket: Ticket) -> str:
    """One ticket as a member of staff sees it: where, who has it, what was said, and the command that comes next."""
    number = ticket.number
    then = {"new": texts.STAFF_NEXT_ACCEPT, "dispatched": texts.STAFF_NEXT_ACCEPT,
            "accepted": texts.STAFF_NEXT_RESOLVE}.get(ticket.status, "")
    return texts.STAFF_TICKET.format(number=number, category=category_name(ctx, ticket.category),
                                     place=place_of(ctx, ticket), status=texts.STATUS.get(ticket.status, ticket.status),
                                     who=f"（{ticket.assignee_name}）" if ticket.assignee_name else "",
                                     text=texts.clip(ticket.text, 200), next=then.format(number=number))


def taken(ticket: Ticket, member) -> str:
    """Why 接单 changed nothing: the member has it already, someone else does, or it is over."""
    if ticket.status != "accepted":
        return already(ticket)
    if ticket.assignee_openid == member.openid:
        return texts.STAFF_ALREADY_YOURS.format(number=ticket.number)
    return texts.STAFF_TAKEN.format(number=ticket.number, name=ticket.assignee_name)


def asks_tasks(message: Message, ctx: Context) -> Member | None:
    return _member(message, ctx) if message.type == "text" and TASKS.match(message.text) else None


def tasks(message: Message, ctx: Context, member: Member) -> str:
    """The member's open tickets, their own first, then urgent, then oldest; the count says what is not shown."""
    mine = Ticket.assignee_openid == member.openid
    where = [Ticket.status.in_(steps.OPEN)]
    if member.grids is not None:
        where.append(or_(Ticket.grid_id.in_(member.grids), mine))
    now = utcnow()
    with ctx.tickets.sessions() as session:
        count, own = session.execute(select(func.count(), func.sum(case((mine, 1), else_=0))).where(*where)).one()
        # Every pressing ticket is read (however many), so the one about to miss its deadline is never cut off.
        soon = now + worklist.NEARLY_LATE
        pressing = or_(Ticket.urgent.is_(True), Ticket.accept_due_at <= soon, Ticket.resolve_due_at <= soon)
        read = {t.id: t for t in session.scalars(select(Ticket).where(*where, pressing))}
        read |= {t.id: t for t in session.scalars(select(Ticket).where(*where).order_by(
            case((mine, 0), else_=1), Ticket.urgent.desc(), Ticket.id).limit(TASKS_SHOWN))}
    if not read:
        return texts.STAFF_NO_TASKS
    ordered = worklist.order(list(read.values()), now)
    # Pressing tickets lead in urgency order; then the member's own, then the rest.
    shown = sorted(ordered, key=lambda t: (0,) if worklist.pressing(t, now) else (1, t.assignee_openid != member.openid))
    shown = shown[:TASKS_SHOWN]
    lines = [f"{'【急】' if t.urgent else ''}{t.number} {category_name(ctx, t.category)} {place_of(ctx, t)} "
             f"{texts.STATUS.get(t.status, t.status)}{worklist.time_left(t, now)}" for t in shown]
    if count > len(shown):
        lines.append(texts.STAFF_TASKS_MORE.format(more=count - len(shown)))
    # A secretary's own queue (tickets no grid could take) would drown among every grid's: say it leads.
    own_first = texts.STAFF_TASKS_OWN.format(own=own) if member.grids is None and own else ""
    return texts.STAFF_TASKS.format(count=count, own=own_first, lines="\n".join(lines))


def asks_digest(message: Message, ctx: Context) -> re.Match | None:
    """A secretary (config.yaml's, or bound by invite) asking for the day's digest: the words (DIGEST) read."""
    return DIGEST.match(message.text) if message.type == "text" and ctx.role == "secretary" else None


def digest(message: Message, ctx: Context, asked: re.Match) -> str:
    """The digest the secretary gets each morning, for today so far (or yesterday), on asking."""
    recipient = next((r for r in daily.recipients(ctx.directory, ctx.staff) if r.person.openid == message.sender), None)
    if recipient is None:
        return texts.STAFF_USAGE
    zone = ZoneInfo(ctx.settings.config.timezone)
    day = daily.yesterday(zone) if asked.group(1) in ("昨天", "昨日") else daily.today(zone)
    with ctx.tickets.sessions() as session:
        if asked.group(2).startswith(("超期", "超时", "逾期")):
            return worklist.overdue(session, ctx.directory, recipient, utcnow())
        return daily.compose(session, ctx.directory, recipient, day)


def usage(message: Message, ctx: Context, found: object = None) -> str:
    """The staff usage; to "收到" or "好的 马上去" (an answer to a task push), which 接单 to send; to words about the
    ticket just worked on ("你们看看这个" after its photos), what can be done with it."""
    if not ACK.match(message.text.strip()):
        if analysis_of(message, ctx).intent == "help" or ASKS_HELP.search(message.text):
            return texts.STAFF_USAGE  # asked for help: the commands, whatever they just did
        recent = _recent_ticket(message, ctx)
        return texts.STAFF_ABOUT_TICKET.format(number=recent) if recent else texts.STAFF_USAGE
    waiting = _waiting(ctx, _member(message, ctx))
    if not waiting:
        return texts.STAFF_ACK
    if len(waiting) == 1:
        return texts.STAFF_ACK_ONE.format(number=waiting[0].number) + _told_left(waiting)
    numbers = "、".join(t.number + worklist.time_left(t, utcnow()) for t in waiting)
    return texts.STAFF_ACK_SOME.format(numbers=numbers, number=waiting[0].number)


def _told_left(waiting: list[Ticket]) -> str:
    left = worklist.time_left(waiting[0], utcnow())
    return texts.STAFF_ACK_LEFT.format(number=waiting[0].number, left=left) if left else ""


def _recent_ticket(message: Message, ctx: Context) -> str | None:
    """The number of the ticket the member acted on (or looked up) a moment ago, if any."""
    pending = states.waiting(ctx, message.sender)
    if states.step_of(pending) != states.STAFF or not pending.get("at"):
        return None
    fresh = utcnow() - datetime.fromisoformat(pending["at"]) <= ctx.settings.config.conversation.addendum_window
    return pending["number"] if fresh else None


def _staff_words(message: Message, ctx: Context) -> bool:
    """Words for the staff answer: hello, help, and, unless a question about their own report waits, an
    acknowledgement or small talk (staff are residents too: "好的" may answer that question)."""
    if LOOKUP.match(plain(message.text)):
        return False  # their own ticket as a resident (is_command took those of their grids)
    if not _asked_as_resident(message, ctx) and ACK.match(message.text.strip()):
        return True
    intent = analysis_of(message, ctx).intent
    return intent in ("greeting", "help") or (intent == "chitchat" and not _asked_as_resident(message, ctx))


def _asked_as_resident(message: Message, ctx: Context) -> bool:
    pending = states.waiting(ctx, message.sender)
    return pending is not None and states.step_of(pending) != states.STAFF


def _waiting(ctx: Context, member) -> list[Ticket]:
    """The tickets waiting for this member's 接单 (theirs, or their grids'): urgent and nearly late first, then
    the newest."""
    mine = Ticket.assignee_openid == member.openid
    where = [Ticket.status.in_(("new", "dispatched")), or_(mine, Ticket.grid_id.in_(member.grids)) if member.grids
             else mine]
    now = utcnow()
    soon = now + worklist.NEARLY_LATE
    with ctx.tickets.sessions() as session:
        pressing = list(session.scalars(select(Ticket).where(
            *where, or_(Ticket.urgent.is_(True), Ticket.accept_due_at <= soon))))
        newest = list(session.scalars(select(Ticket).where(*where).order_by(Ticket.id.desc()).limit(HINTED)))
    first = worklist.order(pressing, now)
    return (first + [t for t in newest if t.id not in {p.id for p in first}])[:HINTED]


def photo(message: Message, ctx: Context, pending: dict) -> str:
    """A photo soon after a command goes with that ticket (the 完成 photo); a late one is asked about."""
    at = datetime.fromisoformat(pending["at"]) if pending.get("at") else datetime.min
    if utcnow() - at > ctx.settings.config.conversation.addendum_window:
        states.end(ctx, message.sender)
        return texts.STAFF_PHOTO_WHICH.format(number=pending["number"])
    steps.attach(ctx.tickets, pending["ticket"], message.sender, **media_of(message))
    states.stay(ctx, message.sender, pending | {"at": utcnow().isoformat()})  # several photos, one after another
    return texts.STAFF_PHOTO.format(number=pending["number"])


def asks_bind(message: Message, ctx: Context) -> bool:
    """绑定 with digits (a code, right or mistyped); 绑定 alone only from staff (a resident may mean the address)."""
    match = BIND.match(plain(message.text)) if message.type == "text" else None
    return bool(match) and (match.group(1) is not None or ctx.role != "resident")


def bind(message: Message, ctx: Context, found: object = None) -> str:
    """Bind with a one-time code; someone already bound hears so, whatever code they send.

    A bound member's code is never looked up: it would tell them, uncounted, which codes are waiting, and
    taking one would move them to another grid or role. Staff change grids by `minhu staff remove` and a
    new invite."""
    code, member = BIND.match(plain(message.text)).group(1) or "", _member(message, ctx)
    if member is not None:
        return _bound_as(ctx, member, texts.STAFF_ALREADY_BOUND, texts.STAFF_ALREADY_BOUND_SECRETARY)
    if len(code) != 8:
        return texts.STAFF_CODE_FORMAT
    member = ctx.staff.redeem(code, message.sender)
    if member is None:
        return texts.STAFF_BAD_CODE
    return _bound_as(ctx, member, texts.STAFF_BOUND, texts.STAFF_BOUND_SECRETARY)


def _bound_as(ctx: Context, member, grid_worker: str, secretary: str) -> str:
    if member.grids is None:  # a secretary: every grid's tickets, but not a push for each
        return secretary.format(name=member.name)
    scope = "、".join(ctx.directory.grids[g].name for g in sorted(member.grids) if g in ctx.directory.grids)
    return grid_worker.format(name=member.name, scope=scope)


is_command = Filter(command, "staff_command")
# Staff saying hello, asking for help, acknowledging ("收到") or making small talk get a staff answer, not the
# resident's; the role is checked first, so residents skip the reader.
greets = is_staff & (is_text | is_voice) & Filter(_staff_words, "staff_words")
asks_for_tasks = Filter(asks_tasks, "staff_tasks")
asks_for_digest = Filter(asks_digest, "staff_digest")
binds = Filter(asks_bind, "bind_code")
