"""Settings come from the environment; a bad value names the variable."""

from __future__ import annotations

import subprocess
import sys

import pytest

from workers.settings import ConfigError, Settings

ZENDESK = {"ZENDESK_SUBDOMAIN": "acme", "ZENDESK_EMAIL": "ops@acme.test", "ZENDESK_TOKEN": "t"}


def test_defaults_without_environment():
    """No variables: no sources, embedded Redis, everything switched on."""
    settings = Settings.from_env({})
    assert settings.sources == []
    assert settings.redis_url is None
    assert settings.poll_seconds == 60
    assert all(settings.enabled(f) for f in ("tone", "suggestions", "metrics"))


def test_zendesk_subdomain_builds_vendor_url():
    """ZENDESK_SUBDOMAIN becomes https://<sub>.zendesk.com; ZENDESK_URL overrides it."""
    assert Settings.from_env(ZENDESK).zendesk.base_url == "https://acme.zendesk.com"
    custom = Settings.from_env({**ZENDESK, "ZENDESK_URL": "http://127.0.0.1:9/zendesk/"})
    assert custom.zendesk.base_url == "http://127.0.0.1:9/zendesk"


def test_freshdesk_domain_and_key():
    settings = Settings.from_env({"FRESHDESK_DOMAIN": "acme", "FRESHDESK_API_KEY": "k"})
    assert settings.freshdesk.base_url == "https://acme.freshdesk.com"
    assert settings.sources == ["freshdesk"]


@pytest.mark.parametrize(
    "env, variable",
    [
        ({"BREATHER_POLL_SECONDS": "often"}, "BREATHER_POLL_SECONDS"),
        ({"BREATHER_POLL_SECONDS": "0"}, "BREATHER_POLL_SECONDS"),
        ({"REDIS_URL": "localhost:6379"}, "REDIS_URL"),
        ({"ZENDESK_URL": "ftp://x"}, "ZENDESK_URL"),
        ({"ZENDESK_SUBDOMAIN": "acme"}, "ZENDESK_EMAIL"),
        ({"ZENDESK_SUBDOMAIN": "ac me", "ZENDESK_EMAIL": "a", "ZENDESK_TOKEN": "b"},
         "ZENDESK_SUBDOMAIN"),
        ({"FRESHDESK_DOMAIN": "acme"}, "FRESHDESK_API_KEY"),
        ({"BREATHER_DISABLE": "tone,telepathy"}, "BREATHER_DISABLE"),
        ({"BREATHER_PER_AGENT_METRICS": "maybe"}, "BREATHER_PER_AGENT_METRICS"),
        ({"BREATHER_CLOCK": "sundial"}, "BREATHER_CLOCK"),
        ({"BREATHER_RATE_BUDGET_SHARE": "2"}, "BREATHER_RATE_BUDGET_SHARE"),
    ],
)
def test_bad_values_name_the_variable(env, variable):
    """Every malformed value raises ConfigError whose message names the variable."""
    with pytest.raises(ConfigError, match=variable):
        Settings.from_env(env)


def test_functions_can_be_switched_off():
    settings = Settings.from_env({"BREATHER_DISABLE": "suggestions, metrics"})
    assert not settings.enabled("suggestions")
    assert not settings.enabled("metrics")
    assert settings.enabled("tone")


def test_cli_reports_bad_config_in_one_line(tmp_path):
    """The CLI stops with one clear line naming the variable, and no traceback."""
    env = {"PATH": "/usr/bin:/bin", "BREATHER_POLL_SECONDS": "soon", "HOME": str(tmp_path)}
    result = subprocess.run([sys.executable, "-m", "service.cli", "report", "--json"],
                            capture_output=True, text=True, env=env, timeout=60)
    assert result.returncode != 0
    assert "BREATHER_POLL_SECONDS" in result.stderr
    assert "Traceback" not in result.stderr
    assert len(result.stderr.strip().splitlines()) == 1


@pytest.mark.parametrize(("raw", "mode"), [
    ("", "off"), ("off", "off"), ("pseudonymous", "pseudonymous"), ("Named", "named"),
    ("false", "off"), ("true", "named"),  # the old boolean keeps what it meant
])
def test_per_agent_metrics_modes(raw, mode):
    settings = Settings.from_env({"BREATHER_PER_AGENT_METRICS": raw})
    assert settings.per_agent_metrics == mode
