"""Normalised records for a small team, as the connectors would produce them."""

from __future__ import annotations

HOSTILE = [
    "This is the THIRD time I'm asking. WHERE IS MY REFUND?!?! Absolutely useless service.",
    "You people are incompetent. I will contact my lawyer if this isn't fixed today!!!",
    "Das ist eine Frechheit! Ich werde meinen Anwalt einschalten und den Vertrag kündigen!!",
]
NEUTRAL = [
    "Hi, could you tell me how to change the billing address on my account? Thanks, Maria",
    "Hallo, ich möchte meine Rechnungsadresse ändern. Wie geht das? Viele Grüße",
]
PRAISE = ["Thank you so much, you were incredibly helpful! Great support as always."]


def iso(minute: int, hour: int = 9) -> str:
    return f"2026-11-02T{hour + minute // 60:02d}:{minute % 60:02d}:00Z"


def team_records(team: str = "Billing", agents: int = 6, hostile_for: int = 2,
                 source: str = "zendesk") -> list[dict]:
    """Agents, one open ticket each, neutral traffic, and hostile bursts on the first few."""
    records: list[dict] = []
    for n in range(1, agents + 1):
        agent = f"{source}:{100 + n}"
        records.append({"kind": "agent", "source": source, "id": agent, "name": f"Agent {n}",
                        "email": f"a{n}@example.com", "team": team, "active": True})
        ticket = f"{source}:{1000 + n}"
        records.append({"kind": "ticket", "source": source, "id": ticket, "agent": agent,
                        "team": team, "status": "open", "open": True, "updated_at": iso(0)})
        texts = NEUTRAL + (HOSTILE if n <= hostile_for else PRAISE)
        for m, text in enumerate(texts):
            records.append({"kind": "message", "source": source, "id": f"{source}:c{n}-{m}",
                            "ticket": ticket, "author": f"{source}:9{n}", "from": "customer",
                            "public": True, "at": iso(5 + 3 * m), "text": text})
    return records
