"""A small domain helper: send signed messages as WeChat would, run the jobs, read the tickets."""
from __future__ import annotations

import itertools
import signal
import time

from rq import SimpleWorker
from rq.serializers import JSONSerializer
from sqlalchemy import func, select

from bot.store.models import Ticket
from bot.wechat.say import reply_text, signed_params, text_xml

_ids = itertools.count(int(time.time()) * 1000)


class WeChatDriver:
    """What WeChat's servers do to the webhook, plus what a test needs to see the outcome."""

    def __init__(self, client, runtime, fake, token):
        self.client, self.runtime, self.fake, self.token = client, runtime, fake, token

    def post(self, body: bytes | str, params: dict | None = None):
        params = params if params is not None else signed_params(self.token)
        data = body.encode("utf-8") if isinstance(body, str) else body
        return self.client.post("/wechat", query_string=params, data=data, content_type="text/xml")

    def say(self, text: str, sender: str = "o_resident_1", msg_id: str | None = None) -> str | None:
        """Send a text message; return the bot's passive reply text (None for `success`)."""
        msg_id = msg_id or str(next(_ids))
        response = self.post(text_xml(sender, text, msg_id))
        assert response.status_code == 200, response.data
        return reply_text(response.data.decode("utf-8"))

    def event(self, event: str, sender: str = "o_resident_1", create_time: int | None = None, key: str = ""):
        create_time = create_time or int(time.time())
        body = (f"<xml><ToUserName><![CDATA[gh_test]]></ToUserName><FromUserName><![CDATA[{sender}]]></FromUserName>"
                f"<CreateTime>{create_time}</CreateTime><MsgType><![CDATA[event]]></MsgType>"
                f"<Event><![CDATA[{event}]]></Event><EventKey><![CDATA[{key}]]></EventKey></xml>")
        response = self.post(body)
        assert response.status_code == 200
        return reply_text(response.data.decode("utf-8"))

    def message(self, sender: str, msg_type: str, fields: str, msg_id: str | None = None) -> str | None:
        """Send a non-text message (the XML fields given as a string); return the passive reply."""
        msg_id = msg_id or str(next(_ids))
        body = (f"<xml><ToUserName><![CDATA[gh_test]]></ToUserName><FromUserName><![CDATA[{sender}]]></FromUserName>"
                f"<CreateTime>{int(time.time())}</CreateTime><MsgType><![CDATA[{msg_type}]]></MsgType>"
                f"{fields}<MsgId>{msg_id}</MsgId></xml>")
        response = self.post(body)
        assert response.status_code == 200, response.data
        return reply_text(response.data.decode("utf-8"))

    def image(self, sender: str = "o_resident_1", media_id: str = "MEDIA_IMG", msg_id: str | None = None):
        return self.message(sender, "image", f"<PicUrl><![CDATA[http://mmbiz.example/{media_id}.jpg]]></PicUrl>"
                                             f"<MediaId><![CDATA[{media_id}]]></MediaId>", msg_id)

    def voice(self, recognition: str = "", sender: str = "o_resident_1", media_id: str = "MEDIA_VOICE"):
        return self.message(sender, "voice", f"<MediaId><![CDATA[{media_id}]]></MediaId><Format><![CDATA[amr]]></Format>"
                                             f"<Recognition><![CDATA[{recognition}]]></Recognition>")

    def location(self, lat: float, lon: float, label: str, sender: str = "o_resident_1"):
        return self.message(sender, "location", f"<Location_X>{lat}</Location_X><Location_Y>{lon}</Location_Y>"
                                                f"<Scale>15</Scale><Label><![CDATA[{label}]]></Label>")

    def click(self, key: str, sender: str = "o_resident_1"):
        """A custom-menu button press (each press a second apart, as events are keyed by time)."""
        self._clock = max(getattr(self, "_clock", 0) + 1, int(time.time()))
        return self.event("CLICK", sender=sender, create_time=self._clock, key=key)

    def run_due_jobs(self) -> None:
        """Run the scheduled jobs now, as if their time had come (the RQ scheduler's move, and every open ticket's
        reminder and escalation steps), then the queue."""
        from rq.registry import ScheduledJobRegistry

        from workers.timers import plan, run_step

        with self.runtime.sessions() as session:
            waiting = list(session.scalars(select(Ticket).where(Ticket.next_step_at.is_not(None))))
        for ticket in waiting:
            for step in plan(self.runtime.settings.config, ticket):
                run_step(ticket.id, step.name)  # does nothing once the ticket has moved on
        registry = ScheduledJobRegistry(queue=self.runtime.queue)
        for job_id in registry.get_job_ids():
            registry.remove(job_id)
            self.runtime.queue.enqueue_job(self.runtime.queue.fetch_job(job_id))
        self.run_jobs()

    def run_jobs(self) -> None:
        """Run every queued job in this process, as a worker would."""
        work_off(self.runtime)

    def tickets(self) -> list[Ticket]:
        with self.runtime.sessions() as session:
            return list(session.scalars(select(Ticket).order_by(Ticket.id)))

    def ticket_count(self) -> int:
        with self.runtime.sessions() as session:
            return session.scalar(select(func.count(Ticket.id)))


class InlineWorker(SimpleWorker):
    """RQ's SimpleWorker (jobs run in this process) without the channel on which RQ sends commands to a running job:
    nothing in a test sends one, and stopping that channel's thread could wait out its 60 s poll."""

    def subscribe(self) -> None:
        pass


def work_off(runtime, rounds: int = 20) -> bool:
    """Run the queued jobs in this process as a worker would, and the jobs they enqueue in turn; False if
    there were none."""
    ran = False
    # RQ's worker takes SIGINT and SIGTERM for itself and leaves them so: give them back, or a stray signal later
    # raises StopRequested inside whatever the test runs next.
    handlers = {sig: signal.getsignal(sig) for sig in (signal.SIGINT, signal.SIGTERM)}
    try:
        for _ in range(rounds):
            if not runtime.queue.count:
                return ran
            InlineWorker([runtime.queue], connection=runtime.redis, serializer=JSONSerializer).work(
                burst=True, with_scheduler=False)
            ran = True
        return ran
    finally:
        for sig, handler in handlers.items():
            signal.signal(sig, handler)
