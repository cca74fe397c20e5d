"""Open311 GeoReport v2, read only: services and requests for city systems, by API key, with no personal data."""
from __future__ import annotations

import functools
import hashlib
import hmac
from datetime import datetime, timedelta, timezone

from flask import Blueprint, current_app, jsonify, request
from sqlalchemy import select, update

from bot.clock import utcnow
from bot.dashboard.queries import DONE
from bot.privacy import mask_personal
from bot.models import ApiKey, Ticket

bp = Blueprint("open311", __name__, url_prefix="/open311/v2")
DEFAULT_WINDOW, MAX_WINDOW, MAX_RESULTS = timedelta(days=90), timedelta(days=90), 1000


def key_hash(key: str) -> str:
    """Keys are long random strings, so a plain SHA-256 is enough to store and find them."""
    return hashlib.sha256(key.encode("utf-8")).hexdigest()


def _error(code: int, description: str):
    return jsonify([{"code": code, "description": description}]), code


def api_key_required(view):
    """Refuse any request without a known key (header X-Api-Key, or api_key in the query string)."""

    @functools.wraps(view)
    def wrapped(*args, **kwargs):
        key = request.headers.get("X-Api-Key") or request.args.get("api_key") or ""
        if not key:
            return _error(401, "api_key required")
        rt = current_app.extensions["minhu"]
        digest = key_hash(key)
        with rt.sessions() as db:
            row = db.scalar(select(ApiKey).where(ApiKey.key_hash == digest))
            if row is None or not hmac.compare_digest(row.key_hash, digest):
                return _error(403, "invalid api_key")
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


def service_request(t: Ticket, rt) -> dict:
    """One ticket as a GeoReport v2 service request."""
    config, directory, zone = rt.settings.config, rt.directory, rt.settings.zone
    grid = directory.grids.get(t.grid_id) if t.grid_id else None
    community = directory.community_of.get(t.estate_id) if t.estate_id else None
    estate = directory.estates.get(t.estate_id) if t.estate_id else None
    address = "".join(part for part in (community.name if community else "", estate.name if estate else "",
                                        f"{t.building}号楼" if t.building else "") if part)
    return {
        "service_request_id": t.number, "status": "closed" if t.status in DONE else "open",
        "status_notes": mask_personal(t.resolution_note) if t.resolution_note else None,
        "service_name": config.category_name(t.category), "service_code": t.category,
        "description": mask_personal(t.text),  # no name, contact, unit or room: the address stops at the building
        "agency_responsible": (grid.name if grid else (community.name if community else None)),
        "service_notice": None, "requested_datetime": _iso(t.created_at, zone),
        "updated_datetime": _iso(t.updated_at, zone), "expected_datetime": _iso(t.resolve_due_at, zone),
        "address": address or None, "address_id": None, "zipcode": None, "lat": None, "long": None,
        "media_url": None,
    }


@bp.get("/services.json")
@api_key_required
def services():
    """The categories, as GeoReport services."""
    config = current_app.extensions["minhu"].settings.config
    return jsonify([{"service_code": code, "service_name": c.name, "description": f"居民反映的{c.name}问题",
                     "metadata": False, "type": "realtime", "keywords": "", "group": "社区"}
                    for code, c in config.categories.items()])


@bp.get("/requests.json")
@api_key_required
def requests_():
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
    return jsonify([service_request(t, rt) for t in rows])


@bp.get("/requests/<number>.json")
@api_key_required
def one_request(number: str):
    """One service request, as a list of one, per the spec."""
    rt = current_app.extensions["minhu"]
    with rt.sessions() as db:
        t = db.scalar(select(Ticket).where(Ticket.number == number))
    if t is None:
        return _error(404, f"no service request {number}")
    return jsonify([service_request(t, rt)])
