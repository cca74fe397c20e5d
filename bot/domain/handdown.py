"""Cases the city hands down (Open311 POST requests, 12345): checked, then opened as tickets like any report."""
from __future__ import annotations

import re
import secrets
from dataclasses import dataclass, field
from datetime import datetime

from bot.domain import steps
from bot.store.models import Ticket
from bot.settings import Config, ServiceQuestion
from bot.store.tickets import Report, Step
from nlp import parse_location

SOURCES = ("open311", "12345")  # tickets.source of a handed-down case
_TOKEN = re.compile(r"[^A-Za-z0-9_-]")
MAX_DESCRIPTION = 4000


@dataclass
class Case:
    """A handed-down case, read and checked: what becomes the ticket, and the city's own details kept beside it."""

    service_code: str
    description: str
    address: str = ""
    lat: float | None = None
    long: float | None = None
    answers: dict[str, str] = field(default_factory=dict)  # question code -> the answer as people read it
    contact: dict[str, str] = field(default_factory=dict)  # first_name, last_name, phone, email: never shown on reads
    source: str = "open311"
    external_id: str = ""  # the city's own case number: the same number posted again is the same ticket
    media_url: str = ""


def _parses(parse, value: str) -> bool:
    try:
        parse(value)
    except ValueError:
        return False
    return True


def _answer(question: ServiceQuestion, given: list[str]) -> tuple[str | None, str | None]:
    """(the answer as people read it, None) or (None, what is wrong with it)."""
    name = f"attribute[{question.code}]"
    if question.datatype == "multivaluelist":
        keys = [key for value in given for key in value.split(",") if key]
        wrong = [key for key in keys if key not in question.values]
        if wrong:
            return None, f"{name}: {', '.join(wrong)} not among {', '.join(question.values)}"
        return "、".join(question.values[key] for key in keys), None
    value = given[-1].strip()
    if question.datatype == "singlevaluelist":
        if value not in question.values:
            return None, f"{name}: {value!r} is not one of {', '.join(question.values)}"
        return question.values[value], None
    if question.datatype == "number" and not _parses(float, value):
        return None, f"{name}: a number expected, got {value!r}"
    if question.datatype == "datetime" and not _parses(datetime.fromisoformat, value.replace("Z", "+00:00")):
        return None, f"{name}: a W3C date-time expected, got {value!r}"
    return value[:500], None


def read(form, config: Config) -> tuple[Case | None, list[str]]:
    """A posted case from the spec's fields (attribute[code] for the questions), or the list of what is wrong."""
    problems: list[str] = []
    code = (form.get("service_code") or "").strip()
    if not code:
        problems.append("service_code is required")
    elif code not in config.categories:
        problems.append(f"service_code {code!r} is not a service (GET services)")
    description = (form.get("description") or "").strip()
    if not description:
        problems.append("description is required: what the resident reported")
    elif len(description) > MAX_DESCRIPTION:
        problems.append(f"description: at most {MAX_DESCRIPTION} characters")
    address = (form.get("address_string") or "").strip()[:300]
    lat, long = form.get("lat"), form.get("long")
    point = None
    if lat or long:
        try:
            point = float(lat), float(long)
        except (TypeError, ValueError):
            problems.append("lat and long must both be decimal degrees")
        else:
            if not (-90 <= point[0] <= 90 and -180 <= point[1] <= 180):
                problems.append("lat and long are out of range")
    if not address and point is None and not form.get("address_id"):
        problems.append("a location is required: address_string, lat and long, or address_id")
    source = (form.get("source") or "open311").strip()
    if source not in SOURCES:
        problems.append(f"source must be one of {', '.join(SOURCES)}")
    external_id = (form.get("external_id") or "").strip()
    if len(external_id) > 64 or _TOKEN.search(external_id):
        problems.append("external_id: at most 64 letters, digits, - or _")
    answers = {}
    for question in config.open311.questions.get(code, []):
        given = [v for v in form.getlist(f"attribute[{question.code}]") if v.strip()]
        if not given:
            if question.required:
                problems.append(f"attribute[{question.code}] is required: {question.description}")
            continue
        answer, wrong = _answer(question, given)
        if wrong:
            problems.append(wrong)
        else:
            answers[question.description] = answer
    if problems:
        return None, problems
    contact = {key: form.get(key, "").strip()[:100] for key in ("first_name", "last_name", "phone", "email")
               if form.get(key, "").strip()}
    return Case(service_code=code, description=description, address=address,
                lat=point[0] if point else None, long=point[1] if point else None, answers=answers,
                contact=contact, source=source, external_id=external_id,
                media_url=(form.get("media_url") or "").strip()[:1000]), []


def token_for(case: Case, key_id: int) -> str:
    """The token the client reads the case back by; with the city's case number it is the same for a repeat."""
    if case.external_id:
        return f"{case.source}-{key_id}-{case.external_id}"
    return secrets.token_hex(12)


def text_of(case: Case) -> str:
    """The ticket's text: what was reported, the answers to the category's questions, and the address as given."""
    lines = [case.description] + [f"{question}：{answer}" for question, answer in case.answers.items()]
    if case.address:
        lines.append(f"地址：{case.address}")
    return "\n".join(lines)


def open_case(rt, case: Case, token: str, by: str) -> tuple[Ticket, bool]:
    """Open the case as a ticket through the store, routed as a resident's report of that place would be."""
    where = " ".join(part for part in (case.address, case.description) if part)
    estate = rt.directory.estate_of(where)
    location = parse_location(case.address) if case.address else None
    if location is None or not location.building:
        location = parse_location(case.description)
    analysis = rt.analyzer.analyze(case.description)
    report = Report(resident=None, text=text_of(case), category=case.service_code,
                    urgent=bool(analysis.urgent), estate_id=estate.id if estate else None,
                    building=location.building, unit=location.unit, room=location.room,
                    source_key=f"open311:{token}", intent="complaint", source=case.source,
                    subject=analysis.subject if analysis.category == case.service_code else None)
    ticket, new = rt.tickets.open(report)
    if new:
        detail = {"source": case.source, "token": token, "by": by, "external_id": case.external_id,
                  "answers": case.answers, "contact": case.contact, "lat": case.lat, "long": case.long,
                  "media_url": case.media_url}
        rt.tickets.apply(ticket.id, by, lambda session, row: Step("handed_down", detail, []))
        if ticket.urgent:
            steps.alert(rt.tickets, ticket.id)
    return ticket, new
