"""Local HTTP servers that behave like Zendesk and Freshdesk, with fault injection.

They keep the vendors' awkward habits on purpose: Zendesk's `end_of_stream` true while
`after_url`/`next_page` are still set, `has_more` false while `links.next` is set; Freshdesk's
page cap and `Link` header. Faults (a status, a body, headers) are queued per path and consumed
one request at a time, so a test can say "the next tickets request gets a text/plain 429".
"""

from __future__ import annotations

import base64
import json
import threading
import time
from dataclasses import dataclass, field
from datetime import UTC, datetime
from urllib.parse import urlencode

from werkzeug.wrappers import Request, Response

T0 = 1_790_000_000  # 2026-09-21, a fixed epoch for generated data


def iso(ts: float) -> str:
    return datetime.fromtimestamp(ts, UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


@dataclass
class Fault:
    """One injected answer: used for the next `times` requests whose path contains `path`."""

    path: str
    status: int = 500
    body: str = "oops"
    content_type: str = "text/plain"
    headers: dict = field(default_factory=dict)
    times: int = 1
    delay: float = 0.0


class FakeVendor:
    """Common machinery: auth, faults, rate headers, a request log."""

    def __init__(self, auth: str, rate_headers: dict | None = None):
        self.auth = auth
        self.rate_headers = dict(rate_headers or {})
        self.faults: list[Fault] = []
        self.requests: list[str] = []
        self.lock = threading.Lock()

    def fail(self, path: str, status: int = 500, body: str = "oops",
             content_type: str = "text/plain", times: int = 1, delay: float = 0.0,
             **headers) -> None:
        """Answer the next `times` requests to `path` like this (after `delay` seconds)."""
        self.faults.append(Fault(path, status, body, content_type,
                                 {k.replace("_", "-"): v for k, v in headers.items()}, times,
                                 delay))

    def stall(self, path: str, seconds: float, times: int = 1) -> None:
        """Answer the next `times` requests to `path` normally, but only after `seconds`."""
        self.faults.append(Fault(path, status=0, times=times, delay=seconds))

    def count(self, fragment: str = "") -> int:
        return sum(1 for path in self.requests if fragment in path)

    def __call__(self, environ, start_response):
        request = Request(environ)
        with self.lock:
            self.requests.append(request.full_path)
            fault = self._fault(request.path)
        if fault is not None:
            time.sleep(fault.delay)  # outside the lock: other requests go on meanwhile
        if fault is not None and fault.status:
            response = Response(fault.body, status=fault.status, content_type=fault.content_type,
                                headers=fault.headers)
        elif request.headers.get("Authorization") != self.auth:
            response = self.json({"error": "Couldn't authenticate you"}, 401)
        else:
            response = self.route(request)
        response.headers.update(self.rate_headers)
        return response(environ, start_response)

    def _fault(self, path: str) -> Fault | None:
        for fault in self.faults:
            if fault.path in path and fault.times > 0:
                fault.times -= 1
                return fault
        return None

    @staticmethod
    def json(data, status: int = 200, headers: dict | None = None) -> Response:
        return Response(json.dumps(data), status=status, content_type="application/json",
                        headers=headers or {})

    def route(self, request: Request) -> Response:  # pragma: no cover - overridden
        raise NotImplementedError


class FakeZendesk(FakeVendor):
    """Zendesk Support API v2, as far as Breather uses it (plus per-ticket comments, the naive
    way, for the benchmark's baseline)."""

    def __init__(self, email="ops@example.com", token="secret", page_size=1000, users_page=100,
                 **options):
        auth = "Basic " + base64.b64encode(f"{email}/token:{token}".encode()).decode()
        super().__init__(auth, **options)
        self.tickets: list[dict] = []
        self.events: list[dict] = []
        self.users: list[dict] = []
        self.groups: list[dict] = [{"id": 1, "name": "Billing"}, {"id": 2, "name": "Technical"}]
        self.page_size = page_size
        self.users_page = users_page

    def route(self, request: Request) -> Response:
        path = request.path.split("/api/v2", 1)[-1]
        handlers = {"/incremental/tickets/cursor.json": self._tickets,
                    "/incremental/ticket_events.json": self._events,
                    "/users.json": self._users, "/groups.json": self._groups,
                    "/users/me.json": self._me}
        if path in handlers:
            return handlers[path](request)
        if path.startswith("/tickets/") and path.endswith("/comments.json"):
            return self._comments(int(path.split("/")[2]))
        return self.json({"error": "RecordNotFound"}, 404)

    def _tickets(self, request: Request) -> Response:
        ordered = sorted(self.tickets,
                         key=lambda t: (t["generated_timestamp"], str(t.get("id"))))
        if request.args.get("cursor"):
            offset = int(base64.b64decode(request.args["cursor"]).decode())
        else:
            start = int(request.args["start_time"])
            offset = next((i for i, t in enumerate(ordered) if t["generated_timestamp"] >= start),
                          len(ordered))
        page = ordered[offset: offset + self.page_size]
        after = base64.b64encode(str(offset + len(page)).encode()).decode()
        base = request.host_url.rstrip("/") + request.path
        return self.json({"tickets": page, "after_cursor": after, "after_url": f"{base}?cursor="
                          f"{after}", "before_cursor": None, "before_url": None,
                          "end_of_stream": offset + len(page) >= len(ordered)})

    def _events(self, request: Request) -> Response:
        start = int(request.args["start_time"])
        chosen = [e for e in sorted(self.events, key=lambda e: (e["timestamp"], str(e["id"])))
                  if e["timestamp"] >= start][: self.page_size]
        end_time = chosen[-1]["timestamp"] if chosen else start
        if "comment_events" not in request.args.get("include", ""):
            chosen = [{**e, "child_events": [c for c in e["child_events"]
                                             if c["event_type"] != "Comment"]} for e in chosen]
        base = request.host_url.rstrip("/") + request.path
        return self.json({"ticket_events": chosen, "count": len(chosen), "end_time": end_time,
                          "next_page": f"{base}?start_time={end_time}",
                          "end_of_stream": len(chosen) < self.page_size})

    def _users(self, request: Request) -> Response:
        roles = request.args.getlist("role[]") or ["end-user", "agent", "admin"]
        chosen = [u for u in self.users if u["role"] in roles]
        offset = int(request.args.get("page[after]") or 0)
        size = min(int(request.args.get("page[size]", 100)), self.users_page)
        page = chosen[offset: offset + size]
        after = str(offset + size)
        base = request.host_url.rstrip("/") + request.path
        return self.json({"users": page, "meta": {"has_more": offset + size < len(chosen),
                                                  "after_cursor": after, "before_cursor": None},
                          "links": {"prev": None,  # next is set even when has_more is false
                                    "next": f"{base}?page[after]={after}"}})

    def _groups(self, request: Request) -> Response:
        return self.json({"groups": self.groups, "next_page": None, "count": len(self.groups)})

    def _me(self, request: Request) -> Response:
        return self.json({"user": {"id": 1, "name": "Ops", "email": "ops@example.com",
                                   "role": "admin"}})

    def _comments(self, ticket_id: int) -> Response:
        comments = [c for e in self.events if e["ticket_id"] == ticket_id
                    for c in e["child_events"] if c["event_type"] == "Comment"]
        return self.json({"comments": comments, "meta": {"has_more": False}})

    # -- data -------------------------------------------------------------------------------
    def add_agent(self, user_id: int, name: str, group_id: int | None = 1, role="agent") -> None:
        self.users.append({"id": user_id, "name": name, "email": f"{user_id}@example.com",
                           "role": role, "active": True, "suspended": False,
                           "default_group_id": group_id})

    def add_ticket(self, ticket_id: int, at: int, assignee: int | None = 7, group_id: int = 1,
                   status: str = "open") -> dict:
        ticket = {"id": ticket_id, "updated_at": iso(at), "created_at": iso(at),
                  "generated_timestamp": at, "status": status, "assignee_id": assignee,
                  "group_id": group_id, "subject": f"ticket {ticket_id}", "requester_id": 5000}
        self.tickets = [t for t in self.tickets if t["id"] != ticket_id] + [ticket]
        return ticket

    def add_comment(self, comment_id: int, ticket_id: int, at: int, author: int = 5000,
                    public: bool = True, body: str = "Hello, my order is late.") -> None:
        child = {"id": comment_id, "event_type": "Comment", "author_id": author, "body": body,
                 "html_body": f"<p>{body}</p>", "public": public, "attachments": []}
        self.events.append({"id": comment_id + 10**9, "ticket_id": ticket_id, "timestamp": at,
                            "created_at": iso(at), "updater_id": author, "event_type": "Audit",
                            "child_events": [child, {"id": comment_id + 2 * 10**9,
                                                     "event_type": "Change",
                                                     "field_name": "status", "value": "open"}]})


class FakeFreshdesk(FakeVendor):
    """Freshdesk API v2: tickets by updated_since with a page cap and Link headers."""

    def __init__(self, api_key="fdkey", page_cap=300, **options):
        auth = "Basic " + base64.b64encode(f"{api_key}:X".encode()).decode()
        super().__init__(auth, **options)
        self.page_cap = page_cap
        self.tickets: list[dict] = []
        self.conversations: dict[int, list[dict]] = {}
        self.agents: list[dict] = []
        self.groups: list[dict] = [{"id": 1, "name": "Billing", "agent_ids": []}]

    def route(self, request: Request) -> Response:
        path = request.path.split("/api/v2", 1)[-1]
        if path == "/tickets":
            return self._tickets(request)
        if path.startswith("/tickets/") and path.endswith("/conversations"):
            items = self.conversations.get(int(path.split("/")[2]))
            if items is None:
                return self.json({"code": "access_denied"}, 404)
            return self._paged(request, items)
        if path.startswith("/tickets/") and path.count("/") == 2:
            found = [t for t in self.tickets if str(t["id"]) == path.split("/")[2]]
            return self.json(found[0]) if found else self.json({"code": "not_found"}, 404)
        if path == "/agents":
            return self._paged(request, self.agents)
        if path == "/agents/me":
            return self.json({"id": 7, "contact": {"name": "Ops", "email": "ops@example.com"}})
        if path == "/groups":
            return self.json(self.groups)
        return self.json({"code": "not_found"}, 404)

    def _tickets(self, request: Request) -> Response:
        since = request.args["updated_since"]
        chosen = sorted((t for t in self.tickets if t["updated_at"] >= since),
                        key=lambda t: (t["updated_at"], t["id"]))
        return self._paged(request, chosen)

    def _paged(self, request: Request, items: list) -> Response:
        per_page = int(request.args.get("per_page", 30))
        page = int(request.args.get("page", 1))
        if page > self.page_cap or not 1 <= per_page <= 100:
            return self.json({"description": "Validation failed",
                              "errors": [{"field": "page", "code": "invalid_value"}]}, 400)
        chunk = items[(page - 1) * per_page: page * per_page]
        headers = {}
        if page * per_page < len(items) and page < self.page_cap:
            query = urlencode({**request.args.to_dict(), "page": page + 1})
            headers["Link"] = f'<{request.base_url}?{query}>; rel="next"'
        return self.json(chunk, headers=headers)

    # -- data -------------------------------------------------------------------------------
    def add_agent(self, agent_id: int, name: str, group_id: int = 1) -> None:
        self.agents.append({"id": agent_id, "contact": {"name": name, "active": True,
                                                        "email": f"{agent_id}@example.com"}})
        for group in self.groups:
            if group["id"] == group_id:
                group["agent_ids"].append(agent_id)

    def add_ticket(self, ticket_id: int, at: int, responder: int | None = 7, status: int = 2,
                   description: str = "My invoice is wrong.") -> dict:
        ticket = {"id": ticket_id, "updated_at": iso(at), "created_at": iso(at),
                  "status": status, "responder_id": responder, "group_id": 1,
                  "requester_id": 5000, "description_text": description}
        self.tickets = [t for t in self.tickets if t["id"] != ticket_id] + [ticket]
        self.conversations.setdefault(ticket_id, [])
        return ticket

    def add_conversation(self, conv_id: int, ticket_id: int, at: int, incoming=True,
                         private=False, body="Still waiting for an answer.") -> None:
        self.conversations.setdefault(ticket_id, []).append(
            {"id": conv_id, "ticket_id": ticket_id, "body_text": body, "body": f"<p>{body}</p>",
             "incoming": incoming, "private": private, "user_id": 5000 if incoming else 7,
             "created_at": iso(at), "updated_at": iso(at)})
