"""`breather doctor` as a subprocess: says exactly what is wrong and exits non-zero."""

from __future__ import annotations

import os
import subprocess
import sys

import pytest
from servers import LiveServer
from vendors import FakeFreshdesk, FakeZendesk


def run_doctor(env: dict) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "service.cli", "doctor", "--timeout", "3"],
                          env=env, capture_output=True, text=True, timeout=60)


@pytest.fixture
def env(redis_url, tmp_path):
    clean = {k: v for k, v in os.environ.items()
             if not k.startswith(("ZENDESK_", "FRESHDESK_", "BREATHER_", "REDIS_"))}
    clean.update({"REDIS_URL": redis_url, "BREATHER_DATA_DIR": str(tmp_path)})
    return clean


@pytest.fixture
def vendors():
    zendesk = FakeZendesk(rate_headers={"X-Rate-Limit": "700", "X-Rate-Limit-Remaining": "699"})
    freshdesk = FakeFreshdesk()
    with LiveServer(zendesk) as z, LiveServer(freshdesk) as f:
        yield z.url, f.url


def test_all_good(env, vendors):
    env.update({"ZENDESK_URL": vendors[0], "ZENDESK_EMAIL": "ops@example.com",
                "ZENDESK_TOKEN": "secret", "FRESHDESK_URL": vendors[1],
                "FRESHDESK_API_KEY": "fdkey"})
    result = run_doctor(env)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "ok    redis" in result.stdout
    assert "ok    zendesk: reachable" in result.stdout and "authenticated as Ops" in result.stdout
    assert "699 of 700" in result.stdout
    assert "ok    freshdesk: reachable" in result.stdout


def test_wrong_token_names_the_variables_to_check(env, vendors):
    env.update({"ZENDESK_URL": vendors[0], "ZENDESK_EMAIL": "ops@example.com",
                "ZENDESK_TOKEN": "wrong"})
    result = run_doctor(env)
    assert result.returncode == 1
    assert "FAIL  zendesk" in result.stdout and "HTTP 401" in result.stdout
    assert "ZENDESK_TOKEN" in result.stdout and "Traceback" not in result.stderr


def test_unreachable_helpdesk_says_so(env):
    env.update({"FRESHDESK_URL": "http://127.0.0.1:9", "FRESHDESK_API_KEY": "k"})
    result = run_doctor(env)
    assert result.returncode == 1
    assert "FAIL  freshdesk: cannot use http://127.0.0.1:9" in result.stdout
    assert "FRESHDESK_URL" in result.stdout


def test_wrong_base_url_is_a_404_hint(env):
    """A host that is not a helpdesk answers 404 (an HTML page): the hint names the URL setting."""
    from werkzeug.wrappers import Response

    not_a_helpdesk = Response("<html>Not Found</html>", status=404, content_type="text/html")
    with LiveServer(not_a_helpdesk) as server:
        env.update({"FRESHDESK_URL": server.url, "FRESHDESK_API_KEY": "fdkey"})
        result = run_doctor(env)
    assert result.returncode == 1
    assert "HTTP 404" in result.stdout and "FRESHDESK_URL" in result.stdout


def test_no_source_configured(env):
    result = run_doctor(env)
    assert result.returncode == 1
    assert "none configured" in result.stdout and "ZENDESK_URL" in result.stdout


def test_unreachable_redis(env):
    env["REDIS_URL"] = "redis://127.0.0.1:9/0"
    result = run_doctor(env)
    assert result.returncode == 1
    assert "FAIL  redis" in result.stdout and "not reachable" in result.stdout
