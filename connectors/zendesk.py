"""Zendesk Support: ticket load from the cursor-based incremental export, customer messages in
bulk from incremental ticket events with comment events, agents and groups.

Never one request per ticket in steady state: up to 1,000 tickets or 1,000 events per request.
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
from connectors.streams import Stream, by_name, read_agents

log = logging.getLogger("breather.connectors.zendesk")
SOURCE = "zendesk"
START_TIME_LAG = 120  # Zendesk leaves out the last minute and rejects a too recent start_time
TICKETS_PATH = "/api/v2/incremental/tickets/cursor.json"
EVENTS_PATH = "/api/v2/incremental/ticket_events.json"
AGENT_ROLES = ("agent", "admin")
EXPORT_LIMIT = 10  # incremental exports: 10 requests a minute, whatever the plan


def auth_header(email: str | None, token: str | None, oauth_token: str | None) -> str:
    """Bearer for OAuth, else Basic `{email}/token:{token}` (API token auth)."""
    if oauth_token:
        return f"Bearer {oauth_token}"
    raw = f"{email}/token:{token}".encode()
    return "Basic " + base64.b64encode(raw).decode()


def _read_tickets(client: ZendeskClient, bookmark, meta: dict, now) -> Iterator[Page]:
    return client.tickets(bookmark, meta.get("groups") or {}, now)


def _read_messages(client: ZendeskClient, bookmark, meta: dict, now) -> Iterator[Page]:
    return client.messages(bookmark, set(meta.get("agent_ids") or ()), now)


# agents (and groups) first: tickets name teams, messages tell agents' replies from customers'
STREAMS = (
    Stream("agents", "/api/v2/users.json", None, read_agents, provides_meta=True),
    Stream("tickets", TICKETS_PATH, "cursor", _read_tickets),
    Stream("messages", EVENTS_PATH, "start_time", _read_messages),
)


class ZendeskClient:
    """One Zendesk account. `base_url` is https://<sub>.zendesk.com or any compatible URL.

    Usage: `ZendeskClient(url, email="a@x", token="t").pages("tickets", bookmark, meta)`.
    """

    source = SOURCE
    streams = STREAMS

    def __init__(self, base_url: str, email: str | None = None, token: str | None = None,
                 oauth_token: str | None = None, **client_options):
        client_options.setdefault("endpoint_limits", {"/api/v2/incremental/": EXPORT_LIMIT})
        self.http = Client(base_url, auth_header(email, token, oauth_token), **client_options)

    # -- metadata ---------------------------------------------------------------------------
    def groups(self) -> dict[str, str]:
        """Group id -> name (a group is a team), following next_page."""
        url: str | None = "/api/v2/groups.json"
        found: dict[str, str] = {}
        while url:
            data, _ = self.http.get_json(url, expect=_expect_list("groups"))
            found.update({str(g["id"]): str(g.get("name") or g["id"])
                          for g in _items(data, "groups") if "id" in g})
            url = data.get("next_page") if isinstance(data.get("next_page"), str) else None
        return found

    def agents(self, groups: dict[str, str]) -> list[dict]:
        """Agent records (roles agent and admin), following cursor pagination on has_more."""
        params: dict = {"role[]": list(AGENT_ROLES), "page[size]": 100}
        found = []
        while True:
            data, _ = self.http.get_json("/api/v2/users.json", params, _expect_list("users"))
            for user in _items(data, "users"):
                if user.get("role") in AGENT_ROLES and records.valid_id(user.get("id")):
                    found.append(_agent_record(user, groups))
            meta = data.get("meta") if isinstance(data.get("meta"), dict) else {}
            if not meta.get("has_more") or not meta.get("after_cursor"):
                return found  # stop on has_more, even if links.next is still set
            params = {**params, "page[after]": meta["after_cursor"]}

    def check(self) -> str:
        """One cheap authenticated request; returns who we are."""
        data, _ = self.http.get_json("/api/v2/users/me.json", expect=_expect_object("user"))
        user = data["user"]
        return f"{user.get('name', '?')} ({user.get('email', '?')}, role {user.get('role', '?')})"

    def pages(self, stream: str, bookmark: dict | None, meta: dict,
              now: float | None = None) -> Iterator[Page]:
        """Pages of one declared stream from a bookmark; meta holds groups and agent ids."""
        return by_name(self.streams, stream, SOURCE).read(self, bookmark, meta, now)

    # -- streams ----------------------------------------------------------------------------
    def tickets(self, bookmark: dict | None, groups: dict[str, str],
                now: float | None = None) -> Iterator[Page]:
        """Ticket snapshots, following after_cursor until end_of_stream (not a null URL)."""
        bookmark = bookmark or {}
        position = float(bookmark.get("position") or 0.0)
        if bookmark.get("cursor"):
            params = {"cursor": bookmark["cursor"]}
        else:
            params = {"start_time": clamp_start(bookmark.get("start_time", 0), now)}
        while True:
            data, _ = self.http.get_json(TICKETS_PATH, params, _expect_list("tickets"))
            tickets = _items(data, "tickets")
            page_records, skipped = [], []
            for item in tickets:
                record = ticket_record(item, groups)
                if record:
                    page_records.append(record)
                else:
                    skipped.append(f"ticket without id/updated_at: {records.describe(item)}")
            position = max([position] + [records.epoch(t.get("updated_at")) for t in tickets])
            cursor = data.get("after_cursor") or params.get("cursor")
            done = bool(data.get("end_of_stream")) or not data.get("after_cursor")
            mark = {"cursor": cursor, "position": position}
            if not cursor:
                mark = {"start_time": params.get("start_time", 0), "position": position}
            yield Page(page_records, mark, done, skipped)
            if done:
                return
            params = {"cursor": data["after_cursor"]}

    def messages(self, bookmark: dict | None, agent_ids: set[str],
                 now: float | None = None) -> Iterator[Page]:
        """Comments from ticket events (include=comment_events), up to 1,000 events a request."""
        bookmark = bookmark or {}
        start = clamp_start(bookmark.get("start_time", 0), now)
        # events of the second a request starts from, already passed on: Zendesk sends that
        # second again. Kept in the bookmark too, so that the next poll does not enqueue the
        # last event of this one again.
        boundary = set(_ids(bookmark.get("seen_at_start"))) if _same_second(bookmark, start) \
            else set()
        while True:
            params = {"start_time": start, "include": "comment_events"}
            data, _ = self.http.get_json(EVENTS_PATH, params, _expect_events)
            events = [e for e in _items(data, "ticket_events") if e.get("id") not in boundary]
            page_records = [r for event in events for r in comment_records(event, agent_ids)]
            end_time = max(int(data["end_time"]), start)
            boundary = {e.get("id") for e in events if _second(e) == end_time} | (
                boundary if end_time == start else set())
            done = bool(data.get("end_of_stream")) or end_time <= start
            if end_time <= start and not data.get("end_of_stream"):
                log.warning("zendesk: a full page of events within second %d; moving on", start)
                end_time = start + 1
            yield Page(page_records, {"start_time": end_time, "position": float(end_time),
                                      "seen_at_start": sorted(boundary, key=str)}, done)
            if done:
                return
            start = end_time


def _same_second(bookmark: dict, start: int) -> bool:
    try:
        return int(float(bookmark.get("start_time"))) == start
    except (TypeError, ValueError):
        return False


def _ids(value) -> list:
    """Event ids saved in a bookmark (anything else there is ignored: the ids only save work)."""
    return [i for i in value if isinstance(i, int | str)] if isinstance(value, list) else []


def clamp_start(start, now: float | None = None) -> int:
    """A start_time Zendesk accepts: not in the last two minutes, not negative."""
    latest = int((now if now is not None else time.time()) - START_TIME_LAG)
    try:
        start = int(float(start))
    except (TypeError, ValueError):
        start = 0
    return max(0, min(start, latest))


def ticket_record(item: dict, groups: dict[str, str]) -> dict | None:
    """A ticket snapshot as a normalised record; None when id or updated_at is missing."""
    if not records.valid_id(item.get("id")) or not records.iso(item.get("updated_at")):
        return None
    status = str(item.get("status") or "open").lower()
    team = groups.get(str(item.get("group_id"))) if item.get("group_id") else None
    return records.ticket(SOURCE, item["id"], item.get("assignee_id"), team, status,
                          item.get("updated_at"))


def comment_records(event: dict, agent_ids: set[str]) -> list[dict]:
    """Message records from one ticket event's Comment child events."""
    ticket_id = event.get("ticket_id")
    at = event.get("created_at") or event.get("timestamp")
    children = event.get("child_events")
    if not records.valid_id(ticket_id) or not isinstance(children, list):
        return []
    found = []
    for child in children:
        if not isinstance(child, dict) or child.get("event_type") != "Comment":
            continue
        when = child.get("created_at") or at
        if records.valid_id(child.get("id")) and records.iso(when):
            found.append(comment_record(child, ticket_id, agent_ids, when))
    return found


def comment_record(comment: dict, ticket_id, agent_ids: set[str], at) -> dict:
    """customer (an end user, public), agent (an agent's public reply) or note (internal)."""
    author = comment.get("author_id")
    public = comment.get("public", True) not in (False, "false", "False", 0)
    if not public:
        sender = "note"
    elif str(author) in agent_ids:
        sender = "agent"
    else:
        sender = "customer"
    text = comment.get("body") or comment.get("plain_body") or comment.get("html_body") or ""
    return records.message(SOURCE, f"c-{comment['id']}", ticket_id, author, sender, public, at,
                           str(text))


def _second(event: dict) -> int | None:
    stamp = event.get("timestamp")
    if isinstance(stamp, int | float) and not isinstance(stamp, bool):
        return int(stamp)
    return int(records.epoch(event.get("created_at"))) or None


def _agent_record(user: dict, groups: dict[str, str]) -> dict:
    team = groups.get(str(user.get("default_group_id")))
    active = bool(user.get("active", True)) and not user.get("suspended")
    return records.agent(SOURCE, user["id"], user.get("name"), user.get("email"), team, active)


def _items(data: dict, key: str) -> list[dict]:
    return [item for item in data[key] if isinstance(item, dict)]


def _expect_list(key: str):
    def expect(data, where: str) -> None:
        if not isinstance(data, dict) or not isinstance(data.get(key), list):
            raise MalformedResponse(f"{where}: expected a JSON object with a '{key}' list")
    return expect


def _expect_object(key: str):
    def expect(data, where: str) -> None:
        if not isinstance(data, dict) or not isinstance(data.get(key), dict):
            raise MalformedResponse(f"{where}: expected a JSON object with a '{key}' object")
    return expect


def _expect_events(data, where: str) -> None:
    _expect_list("ticket_events")(data, where)
    end_time = data.get("end_time")
    if isinstance(end_time, bool) or not isinstance(end_time, int | float):
        raise MalformedResponse(f"{where}: end_time missing or not a number")
