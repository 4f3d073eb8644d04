"""What Redis's memory is made of, by key family: for the soak's "what grows" question.

A key family is the key's first two parts (`breather:seen`, `rq:job`, `rq:results`...).
Two parts grow by design and are reported apart from the rest:
- de-duplication marks, one entry per message for the retention window (they grow until the
  window, 30 days by default, is full, then stay flat);
- RQ's jobs and results: a finished job (its hash and its result stream, about 13 KB) is kept
  for JOB_RESULT_TTL (60 s), so they grow for the first minute, then stay flat.
"""

from __future__ import annotations

from collections import defaultdict

import redis as redis_lib

# one entry per message, kept for BREATHER_RETENTION_DAYS: `seen:`/`tone:` string keys, or
# the per-ticket hashes that replace them (`msgs:`)
DEDUP_FAMILIES = frozenset({"breather:seen", "breather:tone", "breather:msgs"})
RQ_JOB_FAMILIES = frozenset({"rq:job", "rq:results"})
PARTS = ("de-duplication marks", "RQ jobs and results", "everything else")
BATCH = 2000


def family(key: bytes) -> str:
    return ":".join(key.decode(errors="replace").split(":")[:2])


def breakdown(r: redis_lib.Redis) -> dict:
    """INFO memory's totals and, per key family, how many keys and how many bytes
    (MEMORY USAGE, every element counted)."""
    counts: dict[str, int] = defaultdict(int)
    sizes: dict[str, int] = defaultdict(int)
    batch: list[bytes] = []
    for key in r.scan_iter(count=1000):
        batch.append(key)
        if len(batch) >= BATCH:
            _measure(r, batch, counts, sizes)
            batch = []
    _measure(r, batch, counts, sizes)
    info = r.info("memory")
    return {"used_memory": info["used_memory"], "rss": info["used_memory_rss"],
            "fragmentation": info.get("mem_fragmentation_ratio", 0.0),
            "dedup": sum(size for name, size in sizes.items() if name in DEDUP_FAMILIES),
            "rq_jobs": sum(size for name, size in sizes.items() if name in RQ_JOB_FAMILIES),
            "families": {name: (counts[name], sizes[name]) for name in sorted(sizes)}}


def _measure(r: redis_lib.Redis, batch: list[bytes], counts: dict, sizes: dict) -> None:
    if not batch:
        return
    pipe = r.pipeline(transaction=False)
    for key in batch:
        pipe.memory_usage(key, samples=0)
    for key, size in zip(batch, pipe.execute(), strict=True):
        if size is None:  # expired between SCAN and MEMORY USAGE
            continue
        counts[family(key)] += 1
        sizes[family(key)] += size


def parts(snapshot: dict) -> dict[str, int]:
    """used_memory in three parts: the marks, RQ's jobs, and everything else (other keys and
    Redis's own overhead)."""
    dedup, jobs = snapshot["dedup"], snapshot["rq_jobs"]
    return dict(zip(PARTS, (dedup, jobs, snapshot["used_memory"] - dedup - jobs), strict=True))


def growth_lines(first: dict, last: dict, top: int = 6) -> list[str]:
    """Readable lines: the totals, each part, and the key families that changed most."""
    lines = [f"used_memory {_change(first['used_memory'], last['used_memory'])}; RSS "
             f"{_change(first['rss'], last['rss'])}; fragmentation "
             f"{first['fragmentation']:.2f} -> {last['fragmentation']:.2f}"]
    before, after = parts(first), parts(last)
    lines += [f"  {name:22s} {_change(before[name], after[name])}" for name in PARTS]
    names = set(first["families"]) | set(last["families"])
    sized = {name: (first["families"].get(name, (0, 0)), last["families"].get(name, (0, 0)))
             for name in names}
    for name in sorted(names, key=lambda n: -abs(sized[n][1][1] - sized[n][0][1]))[:top]:
        (k0, b0), (k1, b1) = sized[name]
        lines.append(f"    {name:20s} {k0:>7,} -> {k1:>7,} keys  {_change(b0, b1)}")
    return lines


def _change(a: float, b: float) -> str:
    pct = f"{(b - a) / a * 100:+.1f} %" if a else "new"
    return f"{a / 2**20:6.2f} -> {b / 2**20:6.2f} MB ({pct})"
