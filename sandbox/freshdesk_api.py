"""The Freshdesk API v2, as far as Breather uses it, over the simulation."""

from __future__ import annotations

import base64
import html
from datetime import datetime

from flask import Blueprint, current_app, jsonify, request

from sandbox.ratelimit import check_rate
from sandbox.sim import Simulation
from sandbox.zendesk_api import _html_to_plain, iso

bp = Blueprint("freshdesk", __name__, url_prefix="/freshdesk/api/v2")
STATUS = {"new": 2, "open": 2, "pending": 3, "solved": 4, "closed": 5}


def sim() -> Simulation:
    return current_app.extensions["sandbox"]["freshdesk"]


@bp.before_request
def _authenticate():
    header = request.headers.get("Authorization", "")
    ok = False
    if header.startswith("Basic "):
        try:
            key, _, _ = base64.b64decode(header[6:]).decode().partition(":")
            ok = bool(key)
        except (ValueError, UnicodeDecodeError):
            ok = False
    if not ok:
        return jsonify(code="invalid_credentials",
                       message="You have to be logged in to perform this action."), 401
    return check_rate("freshdesk", current_app.extensions["sandbox"]["rate_limit"],
                      lambda limit, left: {"X-RateLimit-Total": str(limit),
                                           "X-RateLimit-Remaining": str(left),
                                           "X-RateLimit-Used-CurrentRequest": "1"})


def _page_args() -> tuple[int, int] | tuple[None, object]:
    per_page = request.args.get("per_page", 30, type=int)
    page = request.args.get("page", 1, type=int)
    cap = current_app.extensions["sandbox"]["page_cap"]
    if not 1 <= per_page <= 100 or not 1 <= page <= cap:
        field = "per_page" if not 1 <= per_page <= 100 else "page"
        return None, (jsonify(description="Validation failed", errors=[
            {"field": field, "message": f"It should be a Positive Integer less than or equal "
                                        f"to {100 if field == 'per_page' else cap}",
             "code": "invalid_value"}]), 400)
    return per_page, page


def _paged(items: list, per_page: int, page: int, key=None):
    chunk = items[(page - 1) * per_page: page * per_page]
    response = jsonify(chunk)
    cap = current_app.extensions["sandbox"]["page_cap"]
    if page * per_page < len(items) and page < cap:
        args = request.args.to_dict()
        args["page"] = str(page + 1)
        query = "&".join(f"{k}={v}" for k, v in args.items())
        response.headers["Link"] = f'<{request.base_url}?{query}>; rel="next"'
    return response


def ticket_json(ticket) -> dict:
    first = ticket.comments[0] if ticket.comments else None
    description = "" if first is None else _html_to_plain(first.body) if first.html else first.body
    return {
        "id": ticket.id, "subject": ticket.subject, "status": STATUS[ticket.status],
        "priority": 1, "source": 1, "type": "Question", "responder_id": ticket.assignee_id,
        "group_id": ticket.group_id, "requester_id": ticket.requester_id, "company_id": None,
        "is_escalated": False, "spam": False, "tags": [ticket.lang], "custom_fields": {},
        "fr_escalated": False, "due_by": iso(ticket.created + 86400),
        "fr_due_by": iso(ticket.created + 14400), "description_text": description,
        "created_at": iso(ticket.created), "updated_at": iso(ticket.updated),
    }


@bp.get("/tickets")
def tickets():
    now = sim().advance()
    per_page, page = _page_args()
    if per_page is None:
        return page
    since = request.args.get("updated_since")
    if since:
        try:
            since_ts = datetime.fromisoformat(since.replace("Z", "+00:00")).timestamp()
        except ValueError:
            return jsonify(description="Validation failed", errors=[
                {"field": "updated_since", "message": "invalid date", "code": "invalid_value"}
            ]), 400
    else:
        since_ts = now - 30 * 86400
    items = [t for t in sim().visible_tickets(now) if t.updated >= since_ts]
    if request.args.get("order_type", "desc") == "desc":
        items.reverse()
    return _paged([ticket_json(t) for t in items], per_page, page)


def conversation_json(c, ticket_id: int) -> dict:
    """Source 0 is an email reply, 2 a note; incoming marks the customer's messages."""
    plain = _html_to_plain(c.body) if c.html else c.body
    body = c.body if c.html else html.escape(plain, quote=False).replace("\n", "<br>")
    sender = f"customer{c.author_id}@mail.example" if c.from_customer else None
    return {"id": c.id, "body": f"<div>{body}</div>", "body_text": plain,
            "incoming": c.from_customer, "private": not c.public, "user_id": c.author_id,
            "support_email": None if c.from_customer else "support@sandbox.example",
            "source": 0 if c.public else 2, "ticket_id": ticket_id, "to_emails": [],
            "from_email": sender, "cc_emails": None, "bcc_emails": None,
            "created_at": iso(c.created), "updated_at": iso(c.created), "attachments": []}


@bp.get("/tickets/<int:ticket_id>/conversations")
def conversations(ticket_id: int):
    now = sim().advance()
    ticket = sim().tickets.get(ticket_id)
    if ticket is None:
        return jsonify(code="access_denied", message="not found"), 404
    per_page, page = _page_args()
    if per_page is None:
        return page
    items = [conversation_json(c, ticket.id)  # the first message is the ticket's description
             for c in ticket.comments[1:] if c.created <= now]
    return _paged(items, per_page, page)


def agent_json(agent_id: int, name: str) -> dict:
    return {"id": agent_id, "available": True, "occasional": False, "type": "support_agent",
            "ticket_scope": 1, "last_active_at": iso(sim().now()),
            "created_at": iso(sim().start), "updated_at": iso(sim().start),
            "contact": {"name": name, "email": f"{name.lower().replace(' ', '.')}@sandbox.example",
                        "active": True, "time_zone": "Berlin", "language": "en"}}


@bp.get("/agents")
def agents():
    per_page, page = _page_args()
    if per_page is None:
        return page
    items = [agent_json(i, name) for i, (name, _) in sorted(sim().org.agents.items())]
    return _paged(items, per_page, page)


@bp.get("/agents/me")
def me():
    first = min(sim().org.agents)
    return jsonify(agent_json(first, sim().org.agents[first][0]))


@bp.get("/groups")
def groups():
    items = [{"id": gid, "name": name, "description": None, "agent_ids": sorted(
        a for a, (_, g) in sim().org.agents.items() if g == gid),
        "created_at": iso(sim().start), "updated_at": iso(sim().start)}
        for gid, name in sorted(sim().org.groups.items())]
    return jsonify(items)
