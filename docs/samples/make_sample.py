"""Write docs/samples/replay-week.jsonl: a working week of a six-person team, for `breather replay`.

`python docs/samples/make_sample.py` (seeded, so the file is reproducible).
"""

from __future__ import annotations

import json
import random
from datetime import UTC, datetime, timedelta
from pathlib import Path

AGENTS = [f"zendesk:{n}" for n in range(101, 107)]
CALM = ["Hi, could you send me the invoice for October again? Thanks",
        "Hallo, wie kann ich meine Lieferadresse ändern?",
        "The app asks me to log in every day, is that expected?",
        "Können Sie mir sagen, wann meine Bestellung versendet wird?"]
HOSTILE = ["This is the third time I'm writing. WHERE IS MY REFUND?!",
           "Your service is a joke. I will cancel and tell everyone!!!",
           "Das ist eine Frechheit, ich warte seit Wochen! Ich kündige!!",
           "You people are useless. Fix this today or I call my lawyer."]
THANKS = ["Thank you so much, that solved it! Great support.",
          "Vielen Dank für die schnelle Hilfe, super Service!"]


def main() -> None:
    rng = random.Random(5)
    start = datetime(2026, 11, 2, 8, 0, tzinfo=UTC)
    lines, n = [], 0
    for day in range(5):
        for agent in AGENTS:
            t = start + timedelta(days=day, minutes=rng.randrange(30))
            rough = agent in ("zendesk:101", "zendesk:102") and day in (1, 3)
            for _ in range(rng.randrange(25, 40)):
                n += 1
                t += timedelta(minutes=rng.randrange(4, 20))
                ticket = str(8000 + n // 3)
                if n % 3 == 0:
                    lines.append({"type": "assigned", "at": t, "agent": agent, "team": "billing",
                                  "ticket": ticket})
                kind = rng.random()
                text = (rng.choice(HOSTILE) if rough and kind < 0.4 else
                        rng.choice(THANKS) if kind > 0.9 else rng.choice(CALM))
                lines.append({"type": "message", "at": t, "agent": agent, "team": "billing",
                              "ticket": ticket, "id": f"c-{n}", "from": "customer",
                              "text": text})
                if n % 3 == 2:
                    lines.append({"type": "solved", "at": t + timedelta(minutes=3),
                                  "agent": agent, "team": "billing", "ticket": ticket})
                if rng.random() < 0.04:
                    lines.append({"type": "break_start", "at": t, "agent": agent})
                    lines.append({"type": "break_end", "at": t + timedelta(minutes=15),
                                  "agent": agent})
                    t += timedelta(minutes=15)
            lines.append({"type": "checkin", "at": t, "agent": agent, "value": rng.randint(2, 5)})
    lines += outage_morning(start + timedelta(days=2, hours=2), "zendesk:101")
    out = Path(__file__).with_name("replay-week.jsonl")
    with out.open("w", encoding="utf-8") as handle:
        for line in sorted(lines, key=lambda item: item["at"]):
            line["at"] = line["at"].strftime("%Y-%m-%dT%H:%M:%SZ")
            handle.write(json.dumps(line, ensure_ascii=False) + "\n")
    print(f"{out}: {len(lines)} events")


def outage_morning(at: datetime, agent: str) -> list[dict]:
    """Wednesday's outage: one customer writes again and again, angrier each time."""
    lines = [{"type": "assigned", "at": at, "agent": agent, "team": "billing", "ticket": "8999"}]
    for i in range(8):
        lines.append({"type": "message", "at": at + timedelta(minutes=1 + 5 * i), "agent": agent,
                      "team": "billing", "ticket": "8999", "id": f"c-outage-{i}",
                      "from": "customer", "text": HOSTILE[i % len(HOSTILE)]})
    return lines


if __name__ == "__main__":
    main()
