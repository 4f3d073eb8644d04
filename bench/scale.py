"""Scale: 100, 1,000 and 10,000 agents. CPU time per event through the process job, and Redis
memory per agent (strain state, profile, suggestion state, recent hostile messages, the index of
the agent's tickets, ticket snapshots) and per de-duplicated message id (the ticket mark hashes,
at the ids per ticket the run produced).

Run: .venv/bin/python -m bench.scale   (about three minutes; --agents 100,1000 to change)

The same number of message events (pages of 1,000, as the poller enqueues them) is applied at
every size, in one process on a real redis-server, so a rising cost per event shows per-agent
work creeping into the hot path. Memory is measured with MEMORY USAGE on every key of sampled
agents after each agent's suggestion was asked for once (the widget does it on opening).
"""

from __future__ import annotations

import argparse
import random
import statistics
import tempfile
import time

import psutil
import redis as redis_lib

from bench.harness import machine_load
from workers import keys
from workers.embedded import start_embedded_redis
from workers.process import apply_records
from workers.suggestion_store import current_suggestion, prefs_key

T0 = 1_795_000_000
PAGE = 1000
TICKETS_PER_AGENT = 3
TEXTS = ["Where is my refund? I have asked three times now.",
         "This is a disgrace, you useless bunch of clowns. Fix it NOW.",
         "Thanks a lot, that solved it!",
         "Hallo, meine Rechnung stimmt nicht, bitte prüfen Sie das.",
         "I am still waiting for an answer about my order."]


def set_up_records(agents: int) -> list[dict]:
    """Agents and their open tickets (applied before the clock starts)."""
    found = [{"kind": "agent", "source": "zendesk", "id": f"zendesk:{a}", "name": f"A{a}",
              "team": f"Team {a % 20}", "active": True} for a in range(agents)]
    found += [{"kind": "ticket", "source": "zendesk", "id": f"zendesk:{t}",
               "agent": f"zendesk:{t % agents}", "team": f"Team {t % agents % 20}",
               "status": "open", "open": True, "updated_at": iso(T0)}
              for t in range(agents * TICKETS_PER_AGENT)]
    return found


def message_pages(agents: int, events: int) -> list[list[dict]]:
    rng = random.Random(agents)
    tickets = agents * TICKETS_PER_AGENT
    messages = [{"kind": "message", "source": "zendesk", "id": f"zendesk:c-{i}",
                 "ticket": f"zendesk:{rng.randrange(tickets)}", "author": "zendesk:99",
                 "from": "customer", "public": True, "at": iso(T0 + 60 + i),
                 "text": rng.choice(TEXTS)} for i in range(events)]
    return [messages[i: i + PAGE] for i in range(0, events, PAGE)]


def iso(ts: float) -> str:
    return time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(ts))


def memory(r: redis_lib.Redis, names: list[str]) -> int:
    pipe = r.pipeline(transaction=False)
    for name in names:
        pipe.memory_usage(name, samples=0)
    return sum(size or 0 for size in pipe.execute())


def per_agent_bytes(r: redis_lib.Redis, agents: int, sample: int = 200) -> dict:
    chosen = random.Random(1).sample(range(agents), min(agents, sample))
    parts = {"state": [], "profile": [], "suggestions": [], "recent hostile": [],
             "ticket index": [], "tickets": []}
    for a in chosen:
        agent = f"zendesk:{a}"
        parts["state"].append(memory(r, [keys.strain(agent)]))
        parts["profile"].append(memory(r, [keys.agent(agent)]))
        parts["suggestions"].append(memory(r, [prefs_key(agent)]))
        parts["recent hostile"].append(memory(r, [keys.recent_hostile(agent)]))
        parts["ticket index"].append(memory(r, [keys.agent_tickets(agent)]))
        tickets = [keys.ticket(f"zendesk:{t}") for t in range(a, agents * TICKETS_PER_AGENT,
                                                                agents)]
        parts["tickets"].append(memory(r, tickets))
    return {name: statistics.mean(values) for name, values in parts.items()}


def per_message_bytes(r: redis_lib.Redis, sample: int = 2000) -> tuple[float, float]:
    """Bytes of the ticket mark hashes per message id, and message ids per ticket hash."""
    names = []
    for name in r.scan_iter(match=keys.messages("*"), count=1000):
        names.append(name)
        if len(names) >= sample:
            break
    pipe = r.pipeline(transaction=False)
    for name in names:
        pipe.hlen(name)
    ids = sum(pipe.execute())
    return memory(r, names) / ids, ids / len(names)


def run(agents: int, events: int) -> dict:
    with tempfile.TemporaryDirectory() as folder:
        server = start_embedded_redis(folder)
        try:
            r = redis_lib.Redis.from_url(server.url)
            apply_records(r, set_up_records(agents))
            pages = message_pages(agents, events)
            apply_records(r, pages[0][:10])  # the scorer's model loads outside the clock
            redis_process = psutil.Process(server.process.pid)
            redis_before = sum(redis_process.cpu_times()[:2])
            start = time.thread_time()
            for page in pages:
                apply_records(r, page)
            client = time.thread_time() - start
            redis_cpu = sum(redis_process.cpu_times()[:2]) - redis_before
            for a in range(agents):
                current_suggestion(r, f"zendesk:{a}", T0 + 60 + events)
            used = r.info("memory")["used_memory"]
            bytes_per_id, ids_per_ticket = per_message_bytes(r)
            result = {"agents": agents, "events": events,
                      "client_us": client / events * 1e6, "redis_us": redis_cpu / events * 1e6,
                      "per_agent": per_agent_bytes(r, agents),
                      "per_message": bytes_per_id, "ids_per_ticket": ids_per_ticket,
                      "used_memory": used}
        finally:
            server.stop()
    return result


def main(argv: list[str] | None = None) -> list[dict]:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--agents", default="100,1000,10000")
    parser.add_argument("--events", type=int, default=30_000)
    args = parser.parse_args(argv)
    print(f"{args.events:,} customer messages in pages of {PAGE:,}, {TICKETS_PER_AGENT} open "
          f"tickets per agent; {machine_load()}")
    results = []
    for agents in (int(a) for a in args.agents.split(",")):
        result = run(agents, args.events)
        results.append(result)
        per_agent = result["per_agent"]
        print(f"{agents:>6,} agents: {result['client_us']:.1f} us CPU per event in the job + "
              f"{result['redis_us']:.1f} us in Redis; per agent "
              + ", ".join(f"{name} {size:.0f} B" for name, size in per_agent.items())
              + f" = {sum(per_agent.values()):,.0f} B; per message id (mark and tone record) "
              f"{result['per_message']:.0f} B at {result['ids_per_ticket']:.1f} ids a "
              f"ticket; used_memory {result['used_memory'] / 2**20:.1f}"
              " MiB")
    base = results[0]["client_us"] + results[0]["redis_us"]
    for result in results[1:]:
        ratio = (result["client_us"] + result["redis_us"]) / base
        print(f"cost per event at {result['agents']:,} agents: {ratio:.2f}x the "
              f"{results[0]['agents']:,}-agent cost")
    return results


if __name__ == "__main__":
    main()
