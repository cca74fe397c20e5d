"""Open311 GeoReport v2 reads: services and requests for city systems, by API key, JSON or XML, no personal data.

Writes (POST requests, tokens, service definitions, discovery) are in bot/web/dashboard/open311_write.py."""
from __future__ import annotations

import functools
import hashlib
import hmac
from datetime import datetime, timedelta, timezone

from flask import Blueprint, current_app, g, request
from sqlalchemy import select, update

from bot.domain.clock import utcnow
from bot.web.dashboard.queries import DONE
from bot.domain.privacy import mask_personal
from bot.web.dashboard.open311_format import answer, errors
from bot.store.models import ApiKey, Ticket, TicketEvent
from bot.domain.status_notes import status_notes

bp = Blueprint("open311", __name__, url_prefix="/open311/v2")
DEFAULT_WINDOW, MAX_WINDOW, MAX_RESULTS = timedelta(days=90), timedelta(days=90), 1000


def key_hash(key: str) -> str:
    """Keys are long random strings, so a plain SHA-256 is enough to store and find them."""
    return hashlib.sha256(key.encode("utf-8")).hexdigest()


def _error(code: int, description: str):
    return errors(request.view_args.get("fmt", "json") if request.view_args else "json", code, description)


def api_key_required(view):
    """Refuse any request without a known key (header X-Api-Key, or api_key in the query string)."""

    @functools.wraps(view)
    def wrapped(*args, **kwargs):
        key = (request.headers.get("X-Api-Key") or request.args.get("api_key")
               or (request.form.get("api_key") if request.method == "POST" else "") or "")
        if not key:
            return _error(401, "api_key required")
        rt = current_app.extensions["minhu"]
        digest = key_hash(key)
        with rt.sessions() as db:
            row = db.scalar(select(ApiKey).where(ApiKey.key_hash == digest))
            if row is None or not hmac.compare_digest(row.key_hash, digest):
                return _error(403, "invalid api_key")
            g.api_key = (row.id, row.name)
            now = utcnow()
            if row.last_used_at is None or row.last_used_at < now - timedelta(minutes=5):
                db.execute(update(ApiKey).where(ApiKey.id == row.id).values(last_used_at=now))
                db.commit()
        return view(*args, **kwargs)

    return wrapped


def _iso(dt: datetime | None, zone) -> str | None:
    return dt.replace(tzinfo=timezone.utc).astimezone(zone).isoformat(timespec="seconds") if dt else None


def _parse_date(value: str) -> datetime:
    """A W3C date-time (or date) as naive UTC."""
    parsed = datetime.fromisoformat(value.strip().replace("Z", "+00:00"))
    if parsed.tzinfo is None:
        return parsed
    return parsed.astimezone(timezone.utc).replace(tzinfo=None)


def service_request(t: Ticket, rt, events: list[TicketEvent] | None = None) -> dict:
    """One ticket as a GeoReport v2 service request (its events, oldest first, give status_notes)."""
    config, directory, zone = rt.settings.config, rt.directory, rt.settings.zone
    grid = directory.grids.get(t.grid_id) if t.grid_id else None
    community = directory.community_of.get(t.estate_id) if t.estate_id else None
    estate = directory.estates.get(t.estate_id) if t.estate_id else None
    address = "".join(part for part in (community.name if community else "", estate.name if estate else "",
                                        f"{t.building}号楼" if t.building else "") if part)
    return {
        "service_request_id": t.number, "status": "closed" if t.status in DONE else "open",
        "status_notes": status_notes(t, events or []),
        "service_name": config.category_name(t.category), "service_code": t.category,
        "description": mask_personal(t.text),  # no name, contact, unit or room: the address stops at the building
        "agency_responsible": (grid.name if grid else (community.name if community else None)),
        "service_notice": None, "requested_datetime": _iso(t.created_at, zone),
        "updated_datetime": _iso(t.updated_at, zone), "expected_datetime": _iso(t.resolve_due_at, zone),
        "address": address or None, "address_id": None, "zipcode": None, "lat": None, "long": None,
        "media_url": None,
    }


@bp.get("/services.<any(json, xml):fmt>")
@api_key_required
def services(fmt: str):
    """The categories, as GeoReport services; metadata is true where the category has extra questions."""
    config = current_app.extensions["minhu"].settings.config
    return answer(fmt, "services", [
        {"service_code": code, "service_name": c.name, "description": f"居民反映的{c.name}问题",
         "metadata": bool(config.open311.questions.get(code)), "type": "realtime", "keywords": "", "group": "社区"}
        for code, c in config.categories.items()])


def events_of(db, ticket_ids: list[int]) -> dict[int, list[TicketEvent]]:
    """The tickets' events, oldest first, for their status_notes."""
    found: dict[int, list[TicketEvent]] = {i: [] for i in ticket_ids}
    for event in db.scalars(select(TicketEvent).where(TicketEvent.ticket_id.in_(ticket_ids)).order_by(TicketEvent.id)):
        found[event.ticket_id].append(event)
    return found


@bp.get("/requests.<any(json, xml):fmt>")
@api_key_required
def requests_(fmt: str):
    """Service requests, newest first: by id, service code, status and date window (90 days by default)."""
    rt = current_app.extensions["minhu"]
    query = select(Ticket)
    ids = [i.strip() for i in request.args.get("service_request_id", "").split(",") if i.strip()]
    if ids:
        query = query.where(Ticket.number.in_(ids[:MAX_RESULTS]))
    else:
        try:
            end = _parse_date(request.args["end_date"]) if request.args.get("end_date") else utcnow()
            start = _parse_date(request.args["start_date"]) if request.args.get("start_date") else end - DEFAULT_WINDOW
        except (ValueError, OverflowError):  # not a date, or past the calendar's ends in UTC (years 1 and 9999)
            return _error(400, "start_date and end_date must be W3C date-times, e.g. 2024-05-01T00:00:00+08:00")
        if end - start > MAX_WINDOW or start > end:
            return _error(400, "the date window must be at most 90 days, start before end")
        query = query.where(Ticket.created_at >= start, Ticket.created_at <= end)
    codes = [c.strip() for c in request.args.get("service_code", "").split(",") if c.strip()]
    if codes:
        query = query.where(Ticket.category.in_(codes))
    statuses = {s.strip() for s in request.args.get("status", "").split(",") if s.strip()}
    if statuses - {"open", "closed"}:
        return _error(400, "status must be open or closed")
    if statuses == {"open"}:
        query = query.where(Ticket.status.not_in(DONE))
    elif statuses == {"closed"}:
        query = query.where(Ticket.status.in_(DONE))
    with rt.sessions() as db:
        rows = list(db.scalars(query.where(Ticket.number.is_not(None)).order_by(Ticket.id.desc()).limit(MAX_RESULTS)))
        events = events_of(db, [t.id for t in rows])
    return answer(fmt, "service_requests", [service_request(t, rt, events[t.id]) for t in rows])


@bp.get("/requests/<number>.<any(json, xml):fmt>")
@api_key_required
def one_request(number: str, fmt: str):
    """One service request, as a list of one, per the spec."""
    rt = current_app.extensions["minhu"]
    with rt.sessions() as db:
        t = db.scalar(select(Ticket).where(Ticket.number == number))
        events = events_of(db, [t.id]) if t is not None else {}
    if t is None:
        return _error(404, f"no service request {number}")
    return answer(fmt, "service_requests", [service_request(t, rt, events[t.id])])
