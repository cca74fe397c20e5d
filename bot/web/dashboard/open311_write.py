"""Open311 GeoReport v2, the city's way in: discovery, service definitions, POST requests and token lookups."""
from __future__ import annotations

from flask import current_app, g, request, url_for
from sqlalchemy import select

from bot.domain import handdown
from bot.web.dashboard.open311 import api_key_required, bp
from bot.web.dashboard.open311_format import MIMETYPES, Unreadable, answer, errors, posted
from bot.store.models import Ticket

SPECIFICATION = "http://wiki.open311.org/GeoReport_v2"
CHANGESET = "2026-12-07T00:00:00+08:00"  # when the endpoints below last changed


def _runtime():
    return current_app.extensions["minhu"]


@bp.get("/discovery.<any(json, xml):fmt>")
def discovery(fmt: str):
    """Where the endpoints are and which formats they speak (public: it says nothing about anyone)."""
    base = url_for("open311.services", fmt="json", _external=True).rsplit("/", 1)[0] + "/"
    contacts = [c for community in _runtime().settings.config.communities for c in community.contacts]
    contact = f"{contacts[0].name} {contacts[0].phone}" if contacts else None
    return answer(fmt, "discovery", {
        "changeset": CHANGESET, "contact": contact, "key_service": "API key 由社区管理员发放（minhu 服务器上生成）",
        "endpoints": [{"specification": SPECIFICATION, "url": base, "changeset": CHANGESET, "type": "production",
                       "formats": list(MIMETYPES.values())}]})


@bp.get("/services/<code>.<any(json, xml):fmt>")
@api_key_required
def service_definition(code: str, fmt: str):
    """The extra questions a category asks (config.yaml's open311.questions), as GeoReport attributes."""
    config = _runtime().settings.config
    if code not in config.categories:
        return errors(fmt, 404, f"no service {code}")
    attributes = [{"variable": True, "code": q.code, "datatype": q.datatype, "required": q.required,
                   "datatype_description": None, "order": order, "description": q.description,
                   "values": [{"key": key, "name": name} for key, name in q.values.items()]}
                  for order, q in enumerate(config.open311.questions.get(code, []), start=1)]
    return answer(fmt, "service_definition", {"service_code": code, "attributes": attributes})


@bp.post("/requests.<any(json, xml):fmt>")
@api_key_required
def post_request(fmt: str):
    """A case handed down: a ticket routed as any report of that place; the same external_id again is that ticket."""
    rt = _runtime()
    try:
        form = posted(request)
    except Unreadable as exc:
        return errors(fmt, 400, str(exc))
    case, problems = handdown.read(form, rt.settings.config)
    if problems:
        return errors(fmt, 400, *problems)
    key_id, key_name = g.api_key
    token = handdown.token_for(case, key_id)
    ticket, new = handdown.open_case(rt, case, token, by=f"open311:{key_name}"[:64])
    return answer(fmt, "service_requests", [{
        "service_request_id": ticket.number, "token": token, "service_notice": f"已受理，工单号{ticket.number}",
        "account_id": None}], 201 if new else 200)


@bp.get("/tokens/<token>.<any(json, xml):fmt>")
@api_key_required
def token(token: str, fmt: str):
    """The service request a token stands for."""
    with _runtime().sessions() as db:
        number = db.scalar(select(Ticket.number).where(Ticket.source_key == f"open311:{token}"))
    if number is None:
        return errors(fmt, 404, f"no request with token {token}")
    return answer(fmt, "service_requests", [{"service_request_id": number, "token": token}])
