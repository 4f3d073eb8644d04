"""Redis key names in one place (see the table in docs/architecture.md)."""

PREFIX = "breather:"
AGENTS = PREFIX + "agents"
MESSAGE_COUNTS = PREFIX + "stats:messages"
CLOCK = PREFIX + "clock"


def agent(agent_id: str) -> str:
    return f"{PREFIX}agent:{agent_id}"


def ticket(ticket_id: str) -> str:
    return f"{PREFIX}ticket:{ticket_id}"


def strain(agent_id: str) -> str:
    return f"{PREFIX}strain:{agent_id}"


def seen(message_id: str) -> str:
    return f"{PREFIX}seen:{message_id}"


def tone(message_id: str) -> str:
    return f"{PREFIX}tone:{message_id}"


def pending(ticket_id: str) -> str:
    return f"{PREFIX}pending:{ticket_id}"


def recent_hostile(agent_id: str) -> str:
    return f"{PREFIX}recent:{agent_id}"
