"""Freshdesk: tickets by updated_since (ordered by updated_at, following the Link header,
rolling over the 300-page cap), the conversations of each changed ticket, agents and groups.
"""

from __future__ import annotations

import base64
import logging
import re
from collections.abc import Iterator
from datetime import UTC, datetime

from connectors import records
from connectors.errors import ConnectorError, MalformedResponse
from connectors.http import Client
from connectors.records import Page

log = logging.getLogger("breather.connectors.freshdesk")
SOURCE = "freshdesk"
STREAMS = ("tickets",)
PAGE_CAP = 300
PER_PAGE = 100
STATUSES = {2: "open", 3: "pending", 4: "solved", 5: "closed"}
_NEXT = re.compile(r'<([^>]+)>\s*;\s*rel="?next"?')


class FreshdeskClient:
    """One Freshdesk account. `base_url` is https://<domain>.freshdesk.com or compatible."""

    source = SOURCE

    def __init__(self, base_url: str, api_key: str, page_cap: int = PAGE_CAP,
                 per_page: int = PER_PAGE, **client_options):
        header = "Basic " + base64.b64encode(f"{api_key}:X".encode()).decode()
        self.http = Client(base_url, header, **client_options)
        self.page_cap = page_cap
        self.per_page = per_page

    def _pages(self, path: str, params: dict) -> Iterator[tuple[list, str | None, int]]:
        """Items of each page, the next URL from the Link header, and the page number."""
        url, page = path, 1
        params = {**params, "per_page": self.per_page, "page": 1}
        while True:
            data, response = self.http.get_json(url, params)
            if not isinstance(data, list):
                raise MalformedResponse(f"GET {response.url}: expected a JSON list")
            match = _NEXT.search(response.headers.get("Link", ""))
            next_url = match.group(1) if match else None
            yield [i for i in data if isinstance(i, dict)], next_url, page
            if not next_url:
                return
            url, params, page = next_url, None, page + 1

    def groups(self) -> dict[str, str]:
        data, _ = self.http.get_json("/api/v2/groups")
        if not isinstance(data, list):
            raise MalformedResponse("GET /api/v2/groups: expected a JSON list")
        return {str(g["id"]): g.get("name") or str(g["id"]) for g in data if "id" in g}

    def agents(self, groups: dict[str, str]) -> list[dict]:
        team_of: dict[str, str] = {}
        data, _ = self.http.get_json("/api/v2/groups")
        for group in data if isinstance(data, list) else []:
            for agent_id in group.get("agent_ids") or []:
                team_of.setdefault(str(agent_id), group.get("name"))
        found = []
        for items, _, _ in self._pages("/api/v2/agents", {}):
            for item in items:
                contact = item.get("contact") or {}
                if "id" not in item:
                    continue
                found.append(records.agent(SOURCE, item["id"], contact.get("name"),
                                           contact.get("email"), team_of.get(str(item["id"])),
                                           contact.get("active", True)))
        return found

    def check(self) -> str:
        data, _ = self.http.get_json("/api/v2/agents/me")
        contact = (data or {}).get("contact") or {}
        return f"{contact.get('name', '?')} ({contact.get('email', '?')})"

    def tickets(self, bookmark: dict | None, groups: dict[str, str],
                now: float | None = None) -> Iterator[Page]:
        """Changed tickets and their conversations, a page of tickets at a time.

        Past the page cap, restart with updated_since = the last ticket's updated_at; the
        overlap brings duplicates, which the process job de-duplicates by message id.
        """
        since = (bookmark or {}).get("updated_since") or "1970-01-01T00:00:00Z"
        while True:
            rolled = False
            params = {"updated_since": since, "order_by": "updated_at", "order_type": "asc"}
            for items, next_url, page in self._pages("/api/v2/tickets", params):
                page_records = []
                for item in items:
                    page_records.extend(self._ticket_with_messages(item, groups))
                latest = max((records.iso(i.get("updated_at")) or since for i in items),
                             default=since)
                mark = {"updated_since": max(latest, since), "position": _epoch(latest)}
                hit_cap = page >= self.page_cap and (next_url is not None
                                                     or len(items) >= self.per_page)
                yield Page(page_records, mark, next_url is None and not hit_cap)
                since = mark["updated_since"]
                if hit_cap:
                    rolled = True
                    break
            if not rolled:
                return
            log.info("freshdesk: %d-page cap reached, continuing from %s", self.page_cap, since)

    def _ticket_with_messages(self, item: dict, groups: dict[str, str]) -> list[dict]:
        if "id" not in item or not records.iso(item.get("updated_at")):
            return []
        status = STATUSES.get(item.get("status"), "open")
        team = groups.get(str(item.get("group_id"))) if item.get("group_id") else None
        found = [records.ticket(SOURCE, item["id"], item.get("responder_id"), team, status,
                                item.get("updated_at"))]
        if item.get("description_text"):
            found.append(records.message(SOURCE, f"t{item['id']}", item["id"],
                                         item.get("requester_id"), "customer", True,
                                         item.get("created_at"), item["description_text"]))
        try:
            for conversations, _, _ in self._pages(f"/api/v2/tickets/{item['id']}/conversations",
                                                   {}):
                found.extend(_conversation_record(c, item["id"]) for c in conversations
                             if "id" in c)
        except ConnectorError as exc:
            log.warning("freshdesk: conversations of ticket %s skipped: %s", item["id"], exc)
        return found


def _conversation_record(item: dict, ticket_id) -> dict:
    if item.get("private"):
        sender = "note"
    elif item.get("incoming"):
        sender = "customer"
    else:
        sender = "agent"
    text = item.get("body_text") or item.get("body") or ""
    return records.message(SOURCE, item["id"], ticket_id, item.get("user_id"), sender,
                           not item.get("private"), item.get("created_at"), text)


def _epoch(iso_value: str) -> float:
    try:
        return datetime.fromisoformat(iso_value.replace("Z", "+00:00")).timestamp()
    except ValueError:
        return datetime(1970, 1, 1, tzinfo=UTC).timestamp()
