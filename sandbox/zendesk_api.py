"""The Zendesk Support API v2, as far as Breather uses it, over the simulation."""

from __future__ import annotations

import base64
import html as html_lib
import json
import re
import time
from datetime import UTC, datetime
from urllib.parse import urlencode

from flask import Blueprint, current_app, jsonify, request, url_for

from sandbox.ratelimit import check_rate
from sandbox.sim import Simulation

bp = Blueprint("zendesk", __name__, url_prefix="/zendesk/api/v2")
EXPORT_LAG = 60  # items changed in the last minute are left out, as in Zendesk


def iso(ts: float) -> str:
    return datetime.fromtimestamp(ts, UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def sim() -> Simulation:
    return current_app.extensions["sandbox"]["zendesk"]


@bp.before_request
def _authenticate():
    header = request.headers.get("Authorization", "")
    ok = header.startswith("Bearer ") and len(header) > 10
    if header.startswith("Basic "):
        try:
            user = base64.b64decode(header[6:]).decode()
            ok = "/token:" in user and user.split("/token:", 1)[1] != ""
        except (ValueError, UnicodeDecodeError):
            ok = False
    if not ok:
        return jsonify(error="Couldn't authenticate you"), 401
    return check_rate("zendesk", current_app.extensions["sandbox"]["rate_limit"], _rate_headers)


def _rate_headers(limit: int, remaining: int) -> dict:
    return {"X-Rate-Limit": str(limit), "X-Rate-Limit-Remaining": str(remaining),
            "ratelimit-limit": str(limit), "ratelimit-remaining": str(remaining),
            "ratelimit-reset": str(60 - int(time.time()) % 60)}


def _encode(position: tuple) -> str:
    return base64.urlsafe_b64encode(json.dumps(position).encode()).decode().rstrip("=")


def _decode(cursor: str) -> tuple:
    return tuple(json.loads(base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4))))


def ticket_json(ticket, base: str) -> dict:
    description = ticket.comments[0].body if ticket.comments else ""
    return {
        "url": f"{base}/tickets/{ticket.id}.json", "id": ticket.id, "external_id": None,
        "via": {"channel": "email", "source": {"from": {}, "to": {}, "rel": None}},
        "created_at": iso(ticket.created), "updated_at": iso(ticket.updated),
        "generated_timestamp": int(ticket.updated), "type": "question", "subject": ticket.subject,
        "raw_subject": ticket.subject, "description": description, "priority": "normal",
        "status": ticket.status, "recipient": "support@sandbox.example",
        "requester_id": ticket.requester_id, "submitter_id": ticket.requester_id,
        "assignee_id": ticket.assignee_id, "organization_id": None, "group_id": ticket.group_id,
        "collaborator_ids": [], "follower_ids": [], "tags": [ticket.lang], "custom_fields": [],
        "satisfaction_rating": None, "brand_id": 1, "is_public": True,
    }


def _too_recent():
    return jsonify(error="StartTimeTooRecent",
                   description="Too recent start_time. Use a start_time older than 1 minute"), 400


@bp.get("/incremental/tickets/cursor.json")
def tickets_cursor():
    now = sim().advance()
    per_page = max(1, min(request.args.get("per_page", 1000, type=int), 1000))
    cursor = request.args.get("cursor")
    if cursor:
        try:
            position = _decode(cursor)
        except ValueError:
            return jsonify(error="InvalidCursor", description="Cursor is invalid"), 400
    else:
        start = request.args.get("start_time", type=int)
        if start is None:
            return jsonify(error="InvalidValue", description="start_time is required"), 400
        if start > now - EXPORT_LAG:
            return _too_recent()
        position = (start - 0.001, 0)
    remaining = [t for t in sim().visible_tickets(now - EXPORT_LAG)
                 if (t.updated, t.id) > tuple(position)]
    page = remaining[:per_page]
    base = request.host_url.rstrip("/") + "/zendesk/api/v2"
    after = _encode((page[-1].updated, page[-1].id)) if page else _encode(tuple(position))
    return jsonify(
        tickets=[ticket_json(t, base) for t in page],
        after_url=f"{base}/incremental/tickets/cursor.json?cursor={after}",
        after_cursor=after, before_url=None, before_cursor=None,
        end_of_stream=len(remaining) <= per_page)


def _child_events(audit) -> list[dict]:
    """An audit's children in the recorded shape: one Comment, then one Change per field."""
    children = []
    via = {"channel": "email" if audit.comment and audit.comment.from_customer else "web",
           "source": {"from": {}, "to": {}, "rel": None}}
    if audit.comment is not None:
        children.append({**comment_json(audit.comment), "via": via, "via_reference_id": None,
                         "audit_id": audit.id, "event_type": "Comment"})
    for name, value in audit.created.items():
        children.append({"id": audit.id * 10 + len(children), "via": via,
                         "via_reference_id": None, "field_name": name, "value": value,
                         "event_type": "Create"})
    for name, value in audit.changes.items():
        children.append({"id": audit.id * 10 + len(children), "via": via,
                         "via_reference_id": None, "field_name": name, "value": value,
                         "previous_value": None, "event_type": "Change"})
    return children


def comment_json(c) -> dict:
    """A comment as Zendesk renders it: body (text), html_body, plain_body."""
    plain = _html_to_plain(c.body) if c.html else c.body
    html = c.body if c.html else html_lib.escape(plain, quote=False).replace("\n", "<br/>")
    return {"id": c.id, "type": "Comment", "author_id": c.author_id, "body": plain,
            "html_body": f'<div class="zd-comment" dir="auto">{html}</div>',
            "plain_body": plain, "public": c.public, "attachments": [],
            "created_at": iso(c.created), "metadata": {"system": {}, "custom": {}}}


def _html_to_plain(body: str) -> str:
    text = re.sub(r"<br\s*/?>", "\n", body)
    text = re.sub(r"</p>\s*<p>", "\n\n", text)
    return html_lib.unescape(re.sub(r"<[^>]+>", "", text)).strip()


@bp.get("/incremental/ticket_events.json")
def ticket_events():
    now = sim().advance()
    start = request.args.get("start_time", type=int)
    if start is None:
        return jsonify(error="InvalidValue", description="start_time is required"), 400
    if start > now - EXPORT_LAG:
        return _too_recent()
    per_page = max(1, min(request.args.get("per_page", 1000, type=int), 1000))
    include_comments = "comment_events" in request.args.get("include", "")
    audits = sim().visible_audits(start, now - EXPORT_LAG)[:per_page]
    events, agents = [], sim().org.agents
    for audit in audits:
        children = _child_events(audit)
        if not include_comments:
            children = [c for c in children if c["event_type"] != "Comment"]
        events.append({"id": audit.id, "ticket_id": audit.ticket_id, "timestamp": int(audit.at),
                       "created_at": iso(audit.at), "updater_id": audit.author_id,
                       "via": "Mail" if audit.author_id not in agents else "Web form",
                       "system": {}, "metadata": {}, "event_type": "Audit",
                       "merged_ticket_ids": [], "child_events": children})
    end_time = int(audits[-1].at) if audits else start
    base = request.host_url.rstrip("/") + "/zendesk/api/v2"
    include = "&include=comment_events" if include_comments else ""
    return jsonify(ticket_events=events, count=len(events), end_time=end_time,
                   next_page=f"{base}/incremental/ticket_events.json?start_time={end_time}{include}",
                   end_of_stream=len(audits) < per_page)


def user_json(user_id: int, name: str, group_id: int | None, role: str) -> dict:
    slug = name.lower().replace(" ", ".")
    return {"id": user_id, "url": f"/api/v2/users/{user_id}.json", "name": name,
            "email": f"{slug}@sandbox.example", "role": role, "active": True,
            "suspended": False, "default_group_id": group_id, "time_zone": "Berlin",
            "iana_time_zone": "Europe/Berlin", "created_at": iso(sim().start),
            "updated_at": iso(sim().start)}


def _all_users(roles: list[str]) -> list[dict]:
    users = []
    if "admin" in roles:
        users.append(user_json(9000, "Sandbox Admin", None, "admin"))
    if "agent" in roles:
        users += [user_json(i, n, g, "agent") for i, (n, g) in sorted(sim().org.agents.items())]
    if "end-user" in roles:
        first = sim().org.first_customer
        users += [user_json(first + i, f"Customer {i}", None, "end-user") for i in range(400)]
    return users


@bp.get("/users.json")
def users():
    roles = request.args.getlist("role[]") or request.args.getlist("role") or [
        "admin", "agent", "end-user"]
    size = max(1, min(request.args.get("page[size]", 100, type=int), 100))
    try:
        after = int(_decode(request.args["page[after]"])[0]) if request.args.get(
            "page[after]") else 0
    except (ValueError, IndexError, TypeError):
        return jsonify(error="InvalidPaginationParameter",
                       description="page[after] is not a valid cursor"), 400
    everyone = _all_users(roles)
    page = everyone[after: after + size]
    has_more = after + size < len(everyone)
    cursor = _encode((after + size,))
    args = [(k, v) for k, v in request.args.items(multi=True) if k != "page[after]"]
    next_url = url_for(".users", _external=True) + "?" + urlencode(
        [*args, ("page[after]", cursor)])
    return jsonify(users=page, meta={"has_more": has_more, "after_cursor": cursor,
                                     "before_cursor": None},
                   links={"prev": None, "next": next_url})


@bp.get("/users/me.json")
def me():
    return jsonify(user=user_json(9000, "Sandbox Admin", None, "admin"))


@bp.get("/users/<int:user_id>.json")
def user(user_id: int):
    match = [u for u in _all_users(["admin", "agent", "end-user"]) if u["id"] == user_id]
    if not match:
        return jsonify(error="RecordNotFound", description="Not found"), 404
    return jsonify(user=match[0])


@bp.get("/groups.json")
def groups():
    items = [{"id": gid, "name": name, "default": gid == min(sim().org.groups),
              "deleted": False, "created_at": iso(sim().start), "updated_at": iso(sim().start)}
             for gid, name in sorted(sim().org.groups.items())]
    return jsonify(groups=items, next_page=None, previous_page=None, count=len(items))


@bp.get("/tickets/<int:ticket_id>/comments.json")
def comments(ticket_id: int):
    now = sim().advance()
    ticket = sim().tickets.get(ticket_id)
    if ticket is None:
        return jsonify(error="RecordNotFound", description="Not found"), 404
    items = [{**comment_json(c), "via": {"channel": "email" if c.from_customer else "web"}}
             for c in ticket.comments if c.created <= now]
    return jsonify(comments=items, meta={"has_more": False, "after_cursor": None,
                                         "before_cursor": None},
                   links={"prev": None, "next": None})
