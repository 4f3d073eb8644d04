"""Freshdesk: tickets by updated_since (ordered by updated_at, following the Link header,
rolling over the 300-page cap), the conversations of each changed ticket, agents and groups.
"""

from __future__ import annotations

import base64
import logging
import re
from collections.abc import Iterator
from email.utils import parsedate_to_datetime

from connectors import records
from connectors.errors import ConnectorError, MalformedResponse, NotFoundError
from connectors.http import Client
from connectors.records import Page
from connectors.streams import Stream, by_name, read_agents

log = logging.getLogger("breather.connectors.freshdesk")
SOURCE = "freshdesk"
PAGE_CAP = 300
PER_PAGE = 100
SETTLE_SECONDS = 60  # how long after a second Freshdesk's answers are taken to show it all
EPOCH = "1970-01-01T00:00:00Z"
STATUSES = {2: "open", 3: "pending", 4: "solved", 5: "closed"}
_NEXT = re.compile(r'<([^>]+)>\s*;\s*rel="?next"?')


def _read_tickets(client: FreshdeskClient, bookmark, meta: dict, now) -> Iterator[Page]:
    return client.tickets(bookmark, meta.get("groups") or {})


# agents (and groups) first: tickets name teams
STREAMS = (
    Stream("agents", "/api/v2/agents", None, read_agents, provides_meta=True),
    Stream("tickets", "/api/v2/tickets", "updated_since", _read_tickets),
)


class FreshdeskClient:
    """One Freshdesk account. `base_url` is https://<domain>.freshdesk.com or compatible.

    Usage: `FreshdeskClient(url, api_key).pages("tickets", bookmark, meta)`.
    """

    source = SOURCE
    streams = STREAMS

    def __init__(self, base_url: str, api_key: str, page_cap: int = PAGE_CAP,
                 per_page: int = PER_PAGE, **client_options):
        header = "Basic " + base64.b64encode(f"{api_key}:X".encode()).decode()
        self.http = Client(base_url, header, **client_options)
        self.page_cap = page_cap
        self.per_page = per_page
        self._team_of_agent: dict[str, str] = {}

    def _pages(self, path: str, params: dict
               ) -> Iterator[tuple[list[dict], str | None, int, float | None]]:
        """Items of each page, the next URL from the Link header, the page number, and when
        Freshdesk answered (its Date header, unix seconds; None without one)."""
        url: str = path
        query: dict | None = {**params, "per_page": self.per_page, "page": 1}
        page = 1
        while True:
            data, response = self.http.get_json(url, query, _expect_array)
            match = _NEXT.search(response.headers.get("Link", ""))
            next_url = match.group(1) if match else None
            answered = _server_time(response.headers.get("Date"))
            yield [i for i in data if isinstance(i, dict)], next_url, page, answered
            if not next_url:
                return
            url, query, page = next_url, None, page + 1

    # -- metadata ---------------------------------------------------------------------------
    def groups(self) -> dict[str, str]:
        """Group id -> name; also remembers each agent's first group (Freshdesk has agent_ids)."""
        data, _ = self.http.get_json("/api/v2/groups", {"per_page": 100}, _expect_array)
        found: dict[str, str] = {}
        for group in data:
            if not isinstance(group, dict) or not records.valid_id(group.get("id")):
                continue
            name = str(group.get("name") or group["id"])
            found[str(group["id"])] = name
            agent_ids = group.get("agent_ids")
            for agent_id in agent_ids if isinstance(agent_ids, list) else []:
                self._team_of_agent.setdefault(str(agent_id), name)
        return found

    def agents(self, groups: dict[str, str]) -> list[dict]:
        """Agent records; an agent's team is the first group listing them."""
        if not self._team_of_agent:
            self.groups()
        found = []
        for items, _, _, _ in self._pages("/api/v2/agents", {}):
            for item in items:
                if not records.valid_id(item.get("id")):
                    continue
                contact = item.get("contact") if isinstance(item.get("contact"), dict) else {}
                found.append(records.agent(SOURCE, item["id"], contact.get("name"),
                                           contact.get("email"),
                                           self._team_of_agent.get(str(item["id"])),
                                           contact.get("active", True)))
        return found

    def check(self) -> str:
        """One cheap authenticated request; returns who we are."""
        data, _ = self.http.get_json("/api/v2/agents/me", expect=_expect_dict)
        contact = data.get("contact") if isinstance(data.get("contact"), dict) else {}
        return f"{contact.get('name', '?')} ({contact.get('email', '?')})"

    def ticket_records(self, ticket_id: int, groups: dict[str, str]) -> list[dict]:
        """One ticket (description included) and its conversations: what a webhook announces."""
        item, _ = self.http.get_json(f"/api/v2/tickets/{int(ticket_id)}", expect=_expect_dict)
        return self.ticket_with_messages(item, groups)

    def pages(self, stream: str, bookmark: dict | None, meta: dict,
              now: float | None = None) -> Iterator[Page]:
        """Pages of one declared stream from a bookmark; meta holds groups."""
        return by_name(self.streams, stream, SOURCE).read(self, bookmark, meta, now)

    # -- streams ----------------------------------------------------------------------------
    def tickets(self, bookmark: dict | None, groups: dict[str, str]) -> Iterator[Page]:
        """Changed tickets and their conversations, a page of tickets at a time.

        Past the page cap, restart with updated_since = the last ticket's updated_at; the
        overlap brings duplicates, which the process job de-duplicates by message id and ticket
        snapshot time. The bookmark never moves backwards.
        """
        since = records.iso((bookmark or {}).get("updated_since")) or EPOCH
        settled = _settled_at(bookmark or {}, since)
        while True:
            params = {"updated_since": since, "order_by": "updated_at", "order_type": "asc"}
            rolled_from = since
            for items, next_url, page, answered in self._pages("/api/v2/tickets", params):
                page_records = [r for i in items for r in self.ticket_with_messages(
                    i, groups, conversations=_ticket_key(i, since) not in settled)]
                start = since
                since = max([since] + [records.iso(i.get("updated_at")) or since for i in items])
                settled = _settled(items, since, answered, settled if since == start else set())
                hit_cap = page >= self.page_cap and len(items) >= self.per_page
                mark = {"updated_since": since, "position": records.epoch(since),
                        "settled": sorted(settled)}
                yield Page(page_records, mark, next_url is None and not hit_cap)
                if hit_cap:
                    break
            else:
                return
            if since == rolled_from:
                raise ConnectorError(f"freshdesk: {self.page_cap} full pages of tickets all "
                                     f"updated at {since}; cannot move past them")
            log.info("freshdesk: %d-page cap reached, continuing from %s", self.page_cap, since)

    def ticket_with_messages(self, item: dict, groups: dict[str, str],
                             conversations: bool = True) -> list[dict]:
        """The ticket record, its description as the first customer message, its conversations
        (unless told they are known: see `_settled`)."""
        ticket = ticket_record(item, groups)
        if ticket is None:
            log.warning("freshdesk: skipped a ticket without id/updated_at: %s",
                        records.describe(item))
            return []
        found = [ticket]
        if item.get("description_text") and records.iso(item.get("created_at")):
            found.append(records.message(SOURCE, f"d-{item['id']}", item["id"],
                                         item.get("requester_id"), "customer", True,
                                         item.get("created_at"), item["description_text"]))
        if not conversations:
            return found
        try:
            for page, _, _, _ in self._pages(f"/api/v2/tickets/{item['id']}/conversations", {}):
                found.extend(conversation_record(c, item["id"]) for c in page
                             if records.valid_id(c.get("id")) and records.iso(c.get("created_at")))
        except ConnectorError as exc:
            if not _skippable(exc):
                raise
            log.warning("freshdesk: conversations of ticket %s skipped: %s", item["id"], exc)
        return found


def _ticket_key(item: dict, second: str) -> str | None:
    """The ticket's id when it was last updated in `second` (the bookmark's), else None."""
    if records.iso(item.get("updated_at")) != second or not records.valid_id(item.get("id")):
        return None
    return str(item["id"])


def _settled(items: list[dict], second: str, answered: float | None,
             known: set[str]) -> set[str]:
    """Ids of the tickets last updated in `second` whose conversations are read for good.

    Freshdesk's `updated_since` is inclusive, so every poll lists the tickets of the bookmark's
    second again. A ticket's conversations need reading again only if it changed since they
    were read, and a change within that same second would not move its `updated_at`. Once the
    list was answered SETTLE_SECONDS after that second (by Freshdesk's own clock, its Date
    header), every change of that second happened well before the conversations were read
    (after the list), and any later change has a later `updated_at`: the ticket is then read
    again in full. Without a Date header nothing is settled.
    """
    if answered is None or answered < records.epoch(second) + 1 + SETTLE_SECONDS:
        return known
    return known | {key for key in (_ticket_key(i, second) for i in items) if key}


def _settled_at(bookmark: dict, since: str) -> set[str]:
    """The settled ticket ids a bookmark keeps for its own second."""
    if records.iso(bookmark.get("updated_since")) != since:
        return set()
    value = bookmark.get("settled")
    return {str(i) for i in value if isinstance(i, int | str)} if isinstance(value, list) \
        else set()


def _server_time(value: str | None) -> float | None:
    """An HTTP Date header as unix seconds; None when missing or unreadable."""
    if not value:
        return None
    try:
        return parsedate_to_datetime(value).timestamp()
    except (TypeError, ValueError, IndexError):
        return None


def ticket_record(item: dict, groups: dict[str, str]) -> dict | None:
    """A ticket snapshot as a normalised record; None when id or updated_at is missing."""
    if not records.valid_id(item.get("id")) or not records.iso(item.get("updated_at")):
        return None
    status = STATUSES.get(item.get("status"), "open")
    if item.get("deleted"):
        status = "deleted"
    team = groups.get(str(item.get("group_id"))) if item.get("group_id") else None
    return records.ticket(SOURCE, item["id"], item.get("responder_id"), team, status,
                          item.get("updated_at"))


def conversation_record(item: dict, ticket_id) -> dict:
    """incoming = customer, private = note, anything else = an agent's public reply."""
    if item.get("private"):
        sender = "note"
    elif item.get("incoming"):
        sender = "customer"
    else:
        sender = "agent"
    text = item.get("body_text") or item.get("body") or ""
    return records.message(SOURCE, f"c-{item['id']}", ticket_id, item.get("user_id"), sender,
                           not item.get("private"), item.get("created_at"), str(text))


def _skippable(exc: ConnectorError) -> bool:
    """A ticket deleted between list and fetch (404) is skipped; auth or outages stop the page."""
    return isinstance(exc, NotFoundError)


def _expect_array(data, where: str) -> None:
    if not isinstance(data, list):
        raise MalformedResponse(f"{where}: expected a JSON array")


def _expect_dict(data, where: str) -> None:
    if not isinstance(data, dict):
        raise MalformedResponse(f"{where}: expected a JSON object")
