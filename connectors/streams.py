"""What a helpdesk stream is, declared once per vendor (connectors/zendesk.py, freshdesk.py).

The poller (workers/poll.py) loops over a client's declared streams and needs no branch per
stream: a stream says where it reads, which bookmark field moves it forward, whether it needs the
account's metadata (groups, agent ids) and how to turn its pages into records.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass

from connectors.records import Page

# read(client, bookmark or None, meta {"groups", "agent_ids"}, now) -> pages
Reader = Callable[[object, dict | None, dict, float | None], Iterator[Page]]


@dataclass(frozen=True)
class Stream:
    """One stream. Usage: `Stream("tickets", "/api/v2/tickets", "updated_since", read)`.

    Args:
        name: the stream's name in bookmarks, metrics and logs.
        path: the endpoint it reads (documentation, logs).
        cursor_field: the bookmark field that moves it forward (None: re-read in full each time).
        read: turns a bookmark into pages of normalised records.
        provides_meta: its pages carry the account metadata the other streams need (Page.meta);
            such streams run first and do not need metadata themselves.
    """

    name: str
    path: str
    cursor_field: str | None
    read: Reader
    provides_meta: bool = False


def by_name(streams: tuple[Stream, ...], name: str, source: str) -> Stream:
    """The declared stream called `name`, or ValueError listing the declared ones."""
    for stream in streams:
        if stream.name == name:
            return stream
    names = ", ".join(s.name for s in streams)
    raise ValueError(f"{source} has no stream {name!r} (streams: {names})")


def read_agents(client, bookmark: dict | None, meta: dict, now: float | None) -> Iterator[Page]:
    """Groups and agents as one page, also carrying them as the account's metadata.

    Every vendor client has `groups()` and `agents(groups)`; a team is a group.
    """
    groups = client.groups()
    agents = client.agents(groups)
    agent_ids = [a["id"].split(":", 1)[1] for a in agents]
    return iter([Page(agents, {"position": now or time.time()}, True,
                      meta={"groups": groups, "agent_ids": agent_ids})])
