"""A deterministic support org, advanced one simulated minute at a time.

The clock starts `history_hours` before the server starts, with the first `backlog_hours`
already played, and runs `speed` times faster than real time until it has caught up with the
wall clock, then at real time: simulated time never runs ahead of the wall clock, as a real
helpdesk's never does.
"""

from __future__ import annotations

import random
import threading
import time
from dataclasses import dataclass, field

from sandbox import texts

AGENT_NAMES = ["Ana Lopez", "Ben Carter", "Chen Wei", "Dara Okafor", "Eli Novak", "Fatima Noor",
               "Greta Lind", "Hugo Martin", "Ines Costa", "Jan Becker", "Kira Sato", "Luca Rossi"]
HOSTILE_MAGNETS = (0, 1, 7)  # agents who get hostile bursts
THANKED = (4, 10)  # agents whose customers often say thank you


@dataclass
class Comment:
    id: int
    author_id: int
    public: bool
    body: str
    html: bool
    created: float
    from_customer: bool


@dataclass
class Ticket:
    id: int
    created: float
    updated: float
    requester_id: int
    group_id: int
    assignee_id: int | None
    subject: str
    lang: str
    mood: str
    status: str = "new"
    comments: list[Comment] = field(default_factory=list)
    planned_assignee: int | None = None  # who picks up a ticket that arrived unassigned


@dataclass
class Audit:
    id: int
    ticket_id: int
    at: float
    author_id: int
    comment: Comment | None
    changes: dict
    created: dict = field(default_factory=dict)  # fields set when the ticket was created


@dataclass
class Org:
    """Agents, groups and id ranges of one vendor's account."""

    groups: dict[int, str]
    agents: dict[int, tuple[str, int]]  # id -> (name, group id)
    first_customer: int
    first_ticket: int


class Simulation:
    """The whole account: tickets, their comments, and the audit trail, up to `now`."""

    def __init__(self, org: Org, seed: int, speed: float, history_hours: float,
                 backlog_hours: float = 1.0, started: float | None = None):
        self.org = org
        self.seed = seed
        self.speed = speed
        self.wall_start = started if started is not None else time.time()
        self.start = (self.wall_start - history_hours * 3600) // 60 * 60
        self.backlog = min(backlog_hours, history_hours) * 3600
        self.minute = 0
        self.tickets: dict[int, Ticket] = {}
        self.audits: list[Audit] = []
        self.next_ticket = org.first_ticket
        self.next_id = org.first_ticket * 1000
        self.lock = threading.Lock()
        self.agent_ids = sorted(org.agents)

    def now(self) -> float:
        """Simulated time: fast while catching up, never ahead of the wall clock."""
        wall = time.time()
        return min(wall, self.start + self.backlog + (wall - self.wall_start) * self.speed)

    def advance(self) -> float:
        """Generate every simulated minute up to now; return now."""
        now = self.now()
        with self.lock:
            while self.start + (self.minute + 1) * 60 <= now:
                self._step(self.start + self.minute * 60)
                self.minute += 1
        return now

    def _new_id(self) -> int:
        self.next_id += 1
        return self.next_id

    def _step(self, t: float) -> None:
        rng = random.Random(self.seed * 1_000_003 + self.minute)
        burst_agent = self._burst_agent(t)
        for _ in range(2 if rng.random() < 0.35 else 1):
            if rng.random() < 0.55:
                self._open_ticket(rng, t + rng.randrange(60), burst_agent)
        open_tickets = [tk for tk in self.tickets.values() if tk.status in ("new", "open",
                                                                              "pending")]
        for ticket in open_tickets:
            if ticket.assignee_id is None:
                if rng.random() < 0.35:
                    self._assign(ticket, max(t + rng.randrange(60), ticket.updated))
                continue
            roll = rng.random()
            at = max(t + rng.randrange(60), ticket.updated)  # never before its last event
            if roll < 0.06:
                self._agent_reply(rng, ticket, at)
            elif roll < 0.09 and ticket.status == "pending":
                self._customer_reply(rng, ticket, at)
            elif roll < 0.10:
                self._note(rng, ticket, at)
            elif roll < 0.13 and ticket.status == "pending":
                self._solve(rng, ticket, at)

    def _burst_agent(self, t: float) -> int | None:
        """Every 90 simulated minutes, one of the hostile magnets gets a 20-minute burst."""
        slot = int((t - self.start) // 5400)
        if (t - self.start) % 5400 < 1200:
            return self.agent_ids[HOSTILE_MAGNETS[slot % len(HOSTILE_MAGNETS)]]
        return None

    def _open_ticket(self, rng: random.Random, at: float, burst_agent: int | None) -> None:
        if burst_agent is not None and rng.random() < 0.7:
            assignee = burst_agent
        else:
            assignee = rng.choice(self.agent_ids)
        index = self.agent_ids.index(assignee)
        mood = rng.choices(["neutral", "hostile", "thankful"],
                           weights=self._mood_weights(index, assignee == burst_agent))[0]
        lang = "de" if rng.random() < 0.35 else "en"
        ticket = Ticket(self.next_ticket, at, at, self.org.first_customer + rng.randrange(400),
                        self.org.agents[assignee][1], assignee, texts.subject(rng, lang), lang,
                        mood, status="open")
        if burst_agent is None and rng.random() < 0.3:  # arrives unassigned, picked up later
            ticket.assignee_id, ticket.planned_assignee, ticket.status = None, assignee, "new"
        self.next_ticket += 1
        self.tickets[ticket.id] = ticket
        self._customer_reply(rng, ticket, at, first=True)

    @staticmethod
    def _mood_weights(index: int, bursting: bool) -> list[float]:
        if bursting:
            return [0.15, 0.85, 0.0]
        if index in THANKED:
            return [0.55, 0.05, 0.4]
        return [0.8, 0.08, 0.12]

    def _comment(self, ticket: Ticket, author: int, public: bool, body: str, html: bool,
                 at: float, from_customer: bool, changes: dict | None = None) -> None:
        comment = Comment(self._new_id(), author, public, body, html, at, from_customer)
        created = {} if ticket.comments else {
            "status": ticket.status, "subject": ticket.subject,
            "requester_id": ticket.requester_id, "assignee_id": ticket.assignee_id,
            "group_id": ticket.group_id}
        ticket.comments.append(comment)
        ticket.updated = max(ticket.updated, at)
        self.audits.append(Audit(self._new_id(), ticket.id, at, author, comment, changes or {},
                                 created))

    def _customer_reply(self, rng: random.Random, ticket: Ticket, at: float,
                        first: bool = False) -> None:
        previous = next((c.body for c in reversed(ticket.comments)
                         if not c.from_customer and c.public), None)
        when = time.strftime("%a, %b %d, %Y at %H:%M", time.gmtime(at - 3600))
        if ticket.lang == "de":
            when = time.strftime("%d.%m.%Y um %H:%M", time.gmtime(at - 3600))
        mood = ticket.mood
        if not first and mood == "neutral" and rng.random() < 0.3:
            mood = "thankful"
        elif not first and mood == "neutral" and rng.random() < 0.12:
            mood = ticket.mood = "hostile"  # a customer losing patience stays angry
        body, html = texts.customer_message(rng, ticket.lang, mood,
                                            rng.choice(texts.NAMES), previous, when)
        changes = {"status": "open"} if ticket.status not in ("open", "new") else {}
        ticket.status = "open" if ticket.status != "new" else "new"
        self._comment(ticket, ticket.requester_id, True, body, html, at, True, changes)

    def _agent_reply(self, rng: random.Random, ticket: Ticket, at: float) -> None:
        name = self.org.agents[ticket.assignee_id][0].split()[0]
        ticket.status = "pending"
        self._comment(ticket, ticket.assignee_id, True, texts.agent_reply(rng, ticket.lang, name),
                      False, at, False, {"status": "pending"})

    def _note(self, rng: random.Random, ticket: Ticket, at: float) -> None:
        self._comment(ticket, ticket.assignee_id, False, texts.internal_note(rng), False, at,
                      False)

    def _assign(self, ticket: Ticket, at: float) -> None:
        ticket.assignee_id, ticket.status = ticket.planned_assignee, "open"
        ticket.updated = max(ticket.updated, at)
        self.audits.append(Audit(self._new_id(), ticket.id, at, ticket.assignee_id, None,
                                 {"assignee_id": ticket.assignee_id, "status": "open"}))

    def _solve(self, rng: random.Random, ticket: Ticket, at: float) -> None:
        ticket.status = "solved"
        ticket.updated = max(ticket.updated, at)
        self.audits.append(Audit(self._new_id(), ticket.id, at, ticket.assignee_id, None,
                                 {"status": "solved"}))

    def visible_tickets(self, until: float) -> list[Ticket]:
        """Tickets sorted by (updated, id), as of `until`."""
        return sorted((t for t in self.tickets.values() if t.updated <= until),
                      key=lambda t: (t.updated, t.id))

    def visible_audits(self, since: float, until: float) -> list[Audit]:
        audits = [a for a in self.audits if since <= a.at <= until]
        return sorted(audits, key=lambda a: (a.at, a.id))


def zendesk_org() -> Org:
    groups = {360001: "Billing", 360002: "Technical"}
    agents = {9001 + i: (AGENT_NAMES[i], 360001 if i < 6 else 360002) for i in range(12)}
    return Org(groups, agents, first_customer=50001, first_ticket=1001)


def freshdesk_org() -> Org:
    groups = {7001: "Onboarding", 7002: "Returns"}
    names = ["Mona Berg", "Nils Ek", "Olga Petrova", "Paul Weber", "Qiu Lan", "Rosa Diaz",
             "Sam Patel", "Tara Byrne", "Uwe Krause", "Vera Holm", "Will Grant", "Xenia Roth"]
    agents = {80001 + i: (names[i], 7001 if i < 6 else 7002) for i in range(12)}
    return Org(groups, agents, first_customer=60001, first_ticket=2001)
