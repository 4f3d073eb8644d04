"""Every Redis key name Breather uses, in one place (see the table in docs/architecture.md).

Other modules never spell a key themselves: a reader (or `breather erase`, or an operator with
redis-cli) finds here everything Breather keeps and under which name.
"""

PREFIX = "breather:"

# -- agents, tickets, messages (workers/process.py, workers/agents.py) -------------------------
AGENTS = PREFIX + "agents"
CLOCK = PREFIX + "clock"


def agent(agent_id: str) -> str:
    return f"{PREFIX}agent:{agent_id}"


def team_members(team: str) -> str:
    """Set: the agents whose profile names this team (workers/teams.py): a team-wide read
    costs the team's size, not every agent's."""
    return f"{PREFIX}members:{team}"


TEAM_INDEX_BUILT = PREFIX + "index:members"  # set once every stored profile is in its team's set


def ticket(ticket_id: str) -> str:
    return f"{PREFIX}ticket:{ticket_id}"


def strain(agent_id: str) -> str:
    return f"{PREFIX}strain:{agent_id}"


def messages(ticket_id: str) -> str:
    """One hash per ticket: message id -> its mark (seen/parked, then its tone record; no text).

    The de-duplication set and the tone records behind "Not hostile?" (workers/marks.py).
    """
    return f"{PREFIX}msgs:{ticket_id}"


def agent_tickets(agent_id: str) -> str:
    """Sorted set: the tickets the agent had messages on -> latest such message's time
    (retention window); how the agent's marks are found (workers/marks.py)."""
    return f"{PREFIX}tickets:{agent_id}"


def pending(ticket_id: str) -> str:
    return f"{PREFIX}pending:{ticket_id}"


def recent_hostile(agent_id: str) -> str:
    """The agent's latest hostile messages, newest first: JSON [ticket, message id, cues]."""
    return f"{PREFIX}recent:{agent_id}"


# -- aggregate counters read by service/metrics.py ---------------------------------------------
MESSAGE_COUNTS = PREFIX + "stats:messages"
ERROR_COUNTS = PREFIX + "stats:errors"
CORRECTION_COUNTS = PREFIX + "stats:corrections"
RESPONSE_COUNTS = PREFIX + "stats:responses"
SUGGESTION_COUNTS = PREFIX + "stats:suggestions"  # team|kind|outcome
TEAM_EVENT_COUNTS = PREFIX + "stats:team_events"  # team|break_start or team|checkin
REQUEST_COUNTS = PREFIX + "stats:requests"  # source|status (an HTTP status or "error")
RATE_LIMITED_COUNTS = PREFIX + "stats:rate_limited"  # source
EVIDENCE_COUNTS = PREFIX + "stats:evidence"  # team|kind|outcome|after|level|bucket
EVIDENCE_SKIPPED = PREFIX + "stats:evidence_skipped"
POLL_LAST_RUN = PREFIX + "poll:last_run"  # "source|stream" -> unix time its poll last ran



def latency(name: str) -> str:
    """Histogram buckets of a job's latency (workers/stats.py)."""
    return f"{PREFIX}stats:latency:{name}"


# -- tone corrections, suggestions (workers/corrections.py, workers/suggestion_store.py) --------
CORRECTIONS = PREFIX + "corrections"
SHARING = PREFIX + "share_with_lead"  # agents who share their details with their lead
FOLLOWUPS = PREFIX + "followups"  # sorted set: suggestion id -> next due time (evidence)


def followup(suggestion_id: str) -> str:
    return f"{PREFIX}followup:{suggestion_id}"


def prefs(agent_id: str) -> str:
    return f"{PREFIX}prompts:{agent_id}"


def offers(team: str) -> str:
    return f"{PREFIX}offers:{team}"


# -- connector state (workers/bookmarks.py, workers/poll.py) ------------------------------------
REPOLL = PREFIX + "repoll"  # "source|stream" -> unix time to re-read from (a failed process job)


def bookmark(source: str, stream: str) -> str:
    return f"{PREFIX}bookmark:{source}:{stream}"


def poll_lock(source: str, stream: str) -> str:
    return f"{PREFIX}lock:poll:{source}:{stream}"


def stopped(source: str, stream: str) -> str:
    return f"{PREFIX}stopped:{source}:{stream}"


def meta(source: str) -> str:
    return f"{PREFIX}meta:{source}"
