"""The ordered list of handlers: the first whose filter matches answers the message."""
from __future__ import annotations

from handlers import (account, chase, emergency, entered, followup, intake, media, notices, offscript, pending,
                      quota, resident, staff_commands as staff)
from handlers.base import Context, Filter, Handler, Message, dispatch, event, is_image, is_location, is_voice
from handlers.states import BIND, DRAFT_STEPS, LOCATE, RATING_NOTE, REPORT_OR_NOT, STAFF, UNPLACED, awaiting

__all__ = ["Context", "Handler", "Message", "build_handlers", "dispatch"]


def intent(*names: str) -> Filter:
    return Filter(lambda m, c: intake.analysis_of(m, c).intent in names, f"intent:{'|'.join(names)}")


words = Filter(lambda m, c: m.type in ("text", "voice") and bool(m.text.strip()), "words")
blank = Filter(lambda m, c: m.type == "text" and not m.text.strip(), "blank")
is_media = is_image | is_location | Filter(lambda m, c: m.type in ("video", "shortvideo"), "video")
is_link = Filter(lambda m, c: m.type == "link", "link")
# Answered whatever question is waiting, which is then asked again: a verdict, a ticket number, 取消 with one.
still_asking = pending.still_asking


def build_handlers() -> list[Handler]:
    """Staff commands first (staff are residents too), then a resident's conversation, in order."""
    return [
        Handler(event("subscribe"), account.welcome),
        Handler(event("unsubscribe"), account.goodbye),
        Handler(event("click"), account.click),
        Handler(staff.binds, staff.bind),
        Handler(entered.enters, entered.enter_ticket),
        Handler(staff.is_command, staff.act),
        Handler(staff.asks_for_tasks, staff.tasks),
        Handler(staff.asks_for_digest, staff.digest),
        Handler(staff.greets, staff.usage),
        Handler(is_image & awaiting(STAFF), staff.photo),
        # Past a resident's messages of a minute nothing below runs; staff commands, above, always do.
        Handler(quota.too_fast, quota.slow_down),
        Handler(words & awaiting(REPORT_OR_NOT) & Filter(pending.answers_report_or_not, "answers_report_or_not"),
                pending.report_or_not),
        Handler(notices.about_notices, still_asking(notices.choose)),
        # English: a short English answer (the question waiting, if any, still stands).
        Handler(words & Filter(offscript.is_english, "english"), still_asking(resident.english)),
        Handler(words & followup.rates, still_asking(followup.rate)),
        Handler(words & followup.asks_one_ticket, still_asking(followup.one_ticket)),
        Handler(words & followup.asks_to_cancel_one, still_asking(followup.cancel)),
        # Is anyone coming, whom to call, while one's emergency is open: the facts and the number, never a promise.
        Handler(words & emergency.asked_about & ~awaiting(*DRAFT_STEPS), still_asking(emergency.answer)),
        Handler(words & awaiting(LOCATE), pending.urgent_followup),
        Handler(words & awaiting(BIND) & ~intent("complaint", "status_query", "greeting", "help", "thanks"),
                account.bind_address),
        Handler(words & awaiting(RATING_NOTE), followup.rating_note),
        Handler(words & followup.names_own_ticket, still_asking(followup.about_own)),
        # The same danger told again while its emergency is open: one ticket, its holder told at once.
        Handler(words & emergency.follow_up & ~awaiting(LOCATE), still_asking(emergency.join)),
        Handler(words & awaiting(*DRAFT_STEPS), pending.continue_report),
        # A building said after its report was filed without one (nobody answered in time) places it.
        Handler(words & awaiting(UNPLACED) & Filter(pending.answers_late, "answers_late"), pending.place_late),
        # "我说的是楼下的健身器材" right after a report: more about it, never a second ticket or a chase.
        Handler(words & Filter(intake.corrects_recent, "corrects_recent"), intake.add_correction),
        Handler(words & followup.asks_to_cancel, followup.cancel),
        Handler(words & chase.nobody_acts, emergency.chase),
        # More of the same kind about the ticket just opened adds to it, however unsure the reader is that the words
        # report anything (还是臭，根本没弄干净): never a grumble, a chase or a question whether it is a report.
        Handler(words & intent("complaint") & Filter(intake.adds_to_recent, "adds_to_recent"), intake.start_report),
        # A grumble or an insult with nothing broken in it is answered, never filed.
        Handler(words & Filter(offscript.no_problem_told, "no_problem_told"), resident.grumble),
        Handler(words & intent("complaint") & chase.chases_own, emergency.chase),
        Handler(words & emergency.neighbours, emergency.join_neighbours),
        Handler(words & Filter(intake.unsure_report, "unsure_report"), intake.ask_report_or_not),
        Handler(words & intent("complaint"), intake.start_report),
        Handler(words & intent("greeting", "help"), resident.help_text),
        Handler(words & intent("thanks"), resident.thanks),
        Handler(words & intent("status_query"), chase.status),
        Handler(words & intent("cancel"), followup.cancel),
        Handler(words, resident.chitchat),
        Handler(is_voice | is_media, media.attach),
        Handler(is_link, still_asking(media.link)),
        Handler(blank, still_asking(resident.blank)),
    ]
