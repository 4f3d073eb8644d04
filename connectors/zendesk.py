"""Zendesk Support: ticket load from the cursor-based incremental export, customer messages in
bulk from incremental ticket events with comment events, agents and groups.

Never one request per ticket in steady state: 1,000 tickets or 1,000 events per request.
"""

from __future__ import annotations

import base64
import logging
import time
from collections.abc import Iterator

from connectors import records
from connectors.errors import MalformedResponse
from connectors.http import Client
from connectors.records import Page

log = logging.getLogger("breather.connectors.zendesk")
SOURCE = "zendesk"
START_TIME_LAG = 120  # Zendesk leaves out the last minute and rejects a too recent start_time
STREAMS = ("tickets", "messages")


def auth_header(email: str | None, token: str | None, oauth_token: str | None) -> str:
    if oauth_token:
        return f"Bearer {oauth_token}"
    raw = f"{email}/token:{token}".encode()
    return "Basic " + base64.b64encode(raw).decode()


class ZendeskClient:
    """One Zendesk account. `base_url` is https://<sub>.zendesk.com or any compatible URL."""

    source = SOURCE

    def __init__(self, base_url: str, email: str | None = None, token: str | None = None,
                 oauth_token: str | None = None, **client_options):
        self.http = Client(base_url, auth_header(email, token, oauth_token), **client_options)

    # -- metadata ---------------------------------------------------------------------------
    def groups(self) -> dict[str, str]:
        """Group id -> name (a group is a team)."""
        data, _ = self.http.get_json("/api/v2/groups.json")
        groups = _list(data, "groups", "/api/v2/groups.json")
        found = {str(g["id"]): g.get("name") or str(g["id"]) for g in groups if "id" in g}
        while data.get("next_page"):
            data, _ = self.http.get_json(data["next_page"])
            found.update({str(g["id"]): g.get("name") or str(g["id"])
                          for g in _list(data, "groups", "groups next_page") if "id" in g})
        return found

    def agents(self, groups: dict[str, str]) -> list[dict]:
        """Agent records (roles agent and admin), following cursor pagination on has_more."""
        params = {"role[]": ["agent", "admin"], "page[size]": 100}
        url = "/api/v2/users.json"
        found = []
        while True:
            data, _ = self.http.get_json(url, params)
            for user in _list(data, "users", url):
                if user.get("role") not in ("agent", "admin") or "id" not in user:
                    continue
                team = groups.get(str(user.get("default_group_id")))
                found.append(records.agent(SOURCE, user["id"], user.get("name"),
                                           user.get("email"), team,
                                           user.get("active", True) and not user.get("suspended")))
            meta = data.get("meta") or {}
            if not meta.get("has_more") or not meta.get("after_cursor"):
                return found
            params = {"role[]": ["agent", "admin"], "page[size]": 100,
                      "page[after]": meta["after_cursor"]}

    def check(self) -> str:
        """One cheap authenticated request; returns who we are."""
        data, _ = self.http.get_json("/api/v2/users/me.json")
        user = data.get("user") or {}
        return f"{user.get('name', '?')} ({user.get('role', '?')})"

    # -- streams ----------------------------------------------------------------------------
    def tickets(self, bookmark: dict | None, groups: dict[str, str],
                now: float | None = None) -> Iterator[Page]:
        """Ticket snapshots, following after_cursor until end_of_stream."""
        bookmark = bookmark or {}
        if bookmark.get("cursor"):
            params = {"cursor": bookmark["cursor"]}
        else:
            params = {"start_time": clamp_start(bookmark.get("start_time", 0), now)}
        while True:
            path = "/api/v2/incremental/tickets/cursor.json"
            data, _ = self.http.get_json(path, params)
            tickets = _list(data, "tickets", path)
            page_records, skipped = [], []
            for item in tickets:
                record = _ticket_record(item, groups)
                (page_records.append(record) if record else skipped.append(str(item)[:80]))
            cursor = data.get("after_cursor") or params.get("cursor")
            latest = max((_epoch(t.get("updated_at")) for t in tickets), default=0.0)
            mark = {"cursor": cursor, "position": max(latest, bookmark.get("position", 0.0))}
            done = bool(data.get("end_of_stream")) or not data.get("after_cursor")
            yield Page(page_records, mark, done, skipped)
            if done:
                return
            params = {"cursor": data["after_cursor"]}
            bookmark = mark

    def messages(self, bookmark: dict | None, agent_ids: set[str],
                 now: float | None = None) -> Iterator[Page]:
        """Comments from ticket events (include=comment_events), 1,000 events a request."""
        start = clamp_start((bookmark or {}).get("start_time", 0), now)
        while True:
            path = "/api/v2/incremental/ticket_events.json"
            data, _ = self.http.get_json(path, {"start_time": start,
                                                "include": "comment_events"})
            events = _list(data, "ticket_events", path)
            page_records = [r for event in events for r in _comment_records(event, agent_ids)]
            end_time = data.get("end_time")
            if not isinstance(end_time, int | float):
                raise MalformedResponse(f"GET {path}: end_time missing or not a number")
            end_time = int(end_time)
            done = bool(data.get("end_of_stream")) or end_time <= start
            yield Page(page_records, {"start_time": end_time, "position": float(end_time)}, done)
            if done:
                return
            start = end_time


def clamp_start(start, now: float | None = None) -> int:
    """A start_time Zendesk accepts: not in the last minutes."""
    latest = int((now if now is not None else time.time()) - START_TIME_LAG)
    try:
        start = int(float(start))
    except (TypeError, ValueError):
        start = 0
    return max(0, min(start, latest))


def _list(data, key: str, where: str) -> list[dict]:
    if not isinstance(data, dict) or not isinstance(data.get(key), list):
        raise MalformedResponse(f"GET {where}: expected a JSON object with a '{key}' list")
    return [item for item in data[key] if isinstance(item, dict)]


def _epoch(value) -> float:
    from datetime import datetime

    iso = records.iso(value)
    return datetime.fromisoformat(iso.replace("Z", "+00:00")).timestamp() if iso else 0.0


def _ticket_record(item: dict, groups: dict[str, str]) -> dict | None:
    if "id" not in item or not records.iso(item.get("updated_at")):
        return None
    status = str(item.get("status") or "open").lower()
    team = groups.get(str(item.get("group_id"))) if item.get("group_id") else None
    return records.ticket(SOURCE, item["id"], item.get("assignee_id"), team, status,
                          item.get("updated_at"))


def _comment_records(event: dict, agent_ids: set[str]) -> list[dict]:
    ticket_id = event.get("ticket_id")
    at = event.get("created_at") or event.get("timestamp")
    found = []
    for child in event.get("child_events") or []:
        if not isinstance(child, dict) or child.get("event_type") != "Comment":
            continue
        if ticket_id is None or "id" not in child:
            continue
        author = child.get("author_id")
        public = child.get("public", True) is not False
        if not public:
            sender = "note"
        elif str(author) in agent_ids:
            sender = "agent"
        else:
            sender = "customer"
        text = child.get("body") or child.get("plain_body") or child.get("html_body") or ""
        found.append(records.message(SOURCE, child["id"], ticket_id, author, sender, public,
                                     child.get("created_at") or at, text))
    return found
