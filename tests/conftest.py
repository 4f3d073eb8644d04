"""Shared fixtures: a real Redis (REDIS_URL or an embedded redis-server), flushed per test."""

from __future__ import annotations

import os

import pytest
import redis as redis_lib

from workers.embedded import start_embedded_redis


@pytest.fixture(scope="session")
def redis_url(tmp_path_factory):
    """URL of a real Redis: $REDIS_URL if set, else a private redis-server for this session."""
    url = os.environ.get("REDIS_URL")
    if url:
        yield url
        return
    server = start_embedded_redis(tmp_path_factory.mktemp("redis"))
    yield server.url
    server.stop()


@pytest.fixture
def redis(redis_url):
    """A client on a flushed database (bytes responses, as RQ needs)."""
    client = redis_lib.Redis.from_url(redis_url)
    client.flushdb()
    yield client
    client.flushdb()
    client.close()


CHROMIUM_ARGS = ["--headless=new", "--no-sandbox", "--disable-gpu", "--disable-quic",
                 "--no-first-run", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync"]


@pytest.fixture(scope="module")
def browser():
    """Debian's chromium driven by Playwright, one per test module."""
    from servers import require_binary

    chromium = require_binary("chromium", "/usr/bin/chromium")
    sync_api = pytest.importorskip("playwright.sync_api")
    with sync_api.sync_playwright() as playwright:
        launched = playwright.chromium.launch(executable_path=chromium, args=CHROMIUM_ARGS)
        yield launched
        launched.close()
