"""Scale: 100, 1,000 and 10,000 agents. CPU time per event through the process job, and Redis
memory per agent (strain state, profile, suggestion state, recent hostile messages, the index of
the agent's tickets, ticket snapshots) and per de-duplicated message id (the ticket mark hashes,
at the ids per ticket the run produced).

Run: .venv/bin/python -m bench.scale   (about five minutes; --agents 100,1000 to change)

The same number of message events (pages of 1,000, as the poller enqueues them) is applied at
every size, in one process on a real redis-server, so a rising cost per event shows per-agent
work creeping into the hot path. Memory is measured with MEMORY USAGE on every key of sampled
agents after each agent's suggestion was asked for once (the widget does it on opening).

A second, labelled pass (--spread 100; 0 skips it) sends each page's messages to 100 agents
only, at every size: the per-agent work is then paid once per ten events everywhere, so what
is left of the growth is the data set's size, not the page's spread over more agents.
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


def clustered_pages(agents: int, events: int, spread: int) -> list[list[dict]]:
    """The same messages, but each page's go to `spread` agents (chosen afresh per page), so
    every size pays its per-agent work once per events/spread events, as 100 agents do."""
    rng = random.Random(agents)
    pages = []
    for start in range(0, events, PAGE):
        chosen = rng.sample(range(agents), min(spread, agents))
        pages.append([{"kind": "message", "source": "zendesk", "id": f"zendesk:c-{i}",
                       "ticket": f"zendesk:{rng.choice(chosen) + agents * rng.randrange(3)}",
                       "author": "zendesk:99", "from": "customer", "public": True,
                       "at": iso(T0 + 60 + i), "text": rng.choice(TEXTS)}
                      for i in range(start, min(start + PAGE, events))])
    return pages


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


def run(agents: int, events: int, spread: int | None = None) -> dict:
    """One size: the pages as the poller would enqueue them or, with `spread`, clustered."""
    with tempfile.TemporaryDirectory() as folder:
        server = start_embedded_redis(folder)
        try:
            r = redis_lib.Redis.from_url(server.url)
            apply_records(r, set_up_records(agents))
            pages = (clustered_pages(agents, events, spread) if spread
                     else message_pages(agents, events))
            tickets = [{int(m["ticket"].split(":")[1]) for m in page} for page in pages]
            touched = {"tickets_per_page": statistics.mean(len(t) for t in tickets),
                       "agents_per_page": statistics.mean(len({t % agents for t in page})
                                                          for page in tickets)}
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
            result = {"agents": agents, "events": events, **touched,
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
    parser.add_argument("--spread", type=int, default=100,
                        help="also run pages whose messages go to this many agents each "
                             "(0: skip)")
    args = parser.parse_args(argv)
    print(f"{args.events:,} customer messages in pages of {PAGE:,}, {TICKETS_PER_AGENT} open "
          f"tickets per agent; {machine_load()}")
    sizes = [int(a) for a in args.agents.split(",")]
    results = [report(run(agents, args.events)) for agents in sizes]
    ratios(results, "")
    if args.spread:
        print(f"Each page's messages to {args.spread} agents only ({PAGE // args.spread} "
              "events per agent per page at every size):")
        clustered = [report(run(agents, args.events, args.spread)) for agents in sizes]
        ratios(clustered, f" ({args.spread} agents a page)")
        for result, other in zip(results, clustered, strict=True):
            result["clustered"] = other
    return results


def report(result: dict) -> dict:
    per_agent = result["per_agent"]
    print(f"{result['agents']:>6,} agents: {result['client_us']:.1f} us CPU per event in the job"
          f" + {result['redis_us']:.1f} us in Redis (a page touches "
          f"{result['agents_per_page']:.0f} agents, {result['tickets_per_page']:.0f} tickets); "
          "per agent "
          + ", ".join(f"{name} {size:.0f} B" for name, size in per_agent.items())
          + f" = {sum(per_agent.values()):,.0f} B; per message id (mark and tone record) "
          f"{result['per_message']:.0f} B at {result['ids_per_ticket']:.1f} ids a "
          f"ticket; used_memory {result['used_memory'] / 2**20:.1f} MiB")
    return result


def ratios(results: list[dict], label: str) -> None:
    base = results[0]["client_us"] + results[0]["redis_us"]
    for result in results[1:]:
        ratio = (result["client_us"] + result["redis_us"]) / base
        print(f"cost per event at {result['agents']:,} agents{label}: {ratio:.2f}x the "
              f"{results[0]['agents']:,}-agent cost")


if __name__ == "__main__":
    main()
