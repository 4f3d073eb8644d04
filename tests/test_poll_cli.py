"""`breather sync --once --since` in a terminal shows backfill progress (records, pages, budget)."""

from __future__ import annotations

import os
import pty
import subprocess
import sys

from servers import LiveServer
from vendors import T0, FakeZendesk


def test_backfill_shows_progress_on_a_terminal(redis, redis_url, tmp_path):
    vendor = FakeZendesk(page_size=2, rate_headers={"X-Rate-Limit": "700",
                                                    "X-Rate-Limit-Remaining": "650"})
    vendor.add_agent(7, "Ana")
    for i in range(5):
        vendor.add_ticket(i + 1, T0 + i)
        vendor.add_comment(10 + i, i + 1, T0 + i)
    env = {k: v for k, v in os.environ.items()
           if not k.startswith(("ZENDESK_", "FRESHDESK_", "BREATHER_", "REDIS_"))}
    with LiveServer(vendor) as server:
        env.update({"REDIS_URL": redis_url, "BREATHER_DATA_DIR": str(tmp_path),
                    "ZENDESK_URL": server.url, "ZENDESK_EMAIL": "ops@example.com",
                    "ZENDESK_TOKEN": "secret", "BREATHER_DISABLE": "tone",
                    "BREATHER_RATE_BUDGET_SHARE": "1.0"})
        main, child = pty.openpty()
        process = subprocess.Popen([sys.executable, "-m", "service.cli", "sync", "--once",
                                    "--since", "2026-09-20"], env=env, stdout=subprocess.PIPE,
                                   stderr=child, text=True)
        out, _ = process.communicate(timeout=120)
        os.close(child)
        shown = _read_all(main)
    assert process.returncode == 0, shown
    assert "synced:" in out and "records 11" in out  # 1 agent, 5 tickets, 5 messages
    assert "rate budget left 650" in shown and "pages" in shown and "records" in shown


def _read_all(fd: int) -> str:
    chunks = []
    while True:
        try:
            data = os.read(fd, 65536)
        except OSError:
            break
        if not data:
            break
        chunks.append(data)
    os.close(fd)
    return b"".join(chunks).decode(errors="replace")
