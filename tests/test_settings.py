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
        ({"BREATHER_POLLER_STALE_SECONDS": "-1"}, "BREATHER_POLLER_STALE_SECONDS"),
        ({"BREATHER_AUTH_PAUSE_SECONDS": "soon"}, "BREATHER_AUTH_PAUSE_SECONDS"),
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


def _public_pem() -> str:
    from oauth_server import key_pair

    return key_pair()[1]


APP_ENV = {"ZENDESK_APP_AUDIENCE": "https://acme.zendesk.com/api/v2/apps/installations/7.json",
           "ZENDESK_APP_OAUTH_CLIENT_ID": "breather", "ZENDESK_APP_OAUTH_SECRET": "s"}


def test_zendesk_app_key_as_text_or_file(tmp_path):
    """ZENDESK_APP_PUBLIC_KEY takes PEM text or a path; the issuer is the audience's host."""
    pem = _public_pem()
    inline = Settings.from_env({**APP_ENV, "ZENDESK_APP_PUBLIC_KEY": pem}).apps
    path = tmp_path / "app.pem"
    path.write_text(pem)
    from_file = Settings.from_env({**APP_ENV, "ZENDESK_APP_PUBLIC_KEY": str(path)}).apps
    assert inline.zendesk_public_key.strip() == from_file.zendesk_public_key.strip() == pem.strip()
    assert inline.zendesk_issuer == "acme.zendesk.com"
    assert inline.zendesk_account_url == "https://acme.zendesk.com"


@pytest.mark.parametrize("changes, message", [
    ({"ZENDESK_APP_PUBLIC_KEY": "/nowhere/app.pem"}, "cannot read"),
    ({"ZENDESK_APP_PUBLIC_KEY": "-----BEGIN PUBLIC KEY-----\nnope\n-----END PUBLIC KEY-----"},
     "not a PEM public key"),
    ({"ZENDESK_APP_AUDIENCE": ""}, "set together"),
    ({"ZENDESK_APP_AUDIENCE": "https://acme.zendesk.com/"}, "installation URL"),
    ({"ZENDESK_APP_OAUTH_SECRET": ""}, "OAUTH"),
    ({"FRESHDESK_APP_SECRET": "short"}, "FRESHDESK_APP_SECRET"),
    ({"FRESHDESK_APP_MODE": "lenient"}, "FRESHDESK_APP_MODE"),
])
def test_app_settings_errors_name_the_variable(changes, message):
    from workers.settings import ConfigError

    env = {**APP_ENV, "ZENDESK_APP_PUBLIC_KEY": _public_pem(), **changes}
    with pytest.raises(ConfigError, match=message):
        Settings.from_env(env)
