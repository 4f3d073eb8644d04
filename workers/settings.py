"""One frozen Settings object, built from the environment at the entry points only.

Everything below the entry points takes plain arguments, so tests build Settings(...) directly.
"""

from __future__ import annotations

import os
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlparse

FUNCTIONS = ("tone", "strain", "suggestions", "rotation", "checkin", "metrics", "webhooks", "apps")


class ConfigError(ValueError):
    """A configuration value is missing or malformed; the message names the variable."""


@dataclass(frozen=True)
class ZendeskConfig:
    base_url: str
    email: str | None
    token: str | None
    oauth_token: str | None = None
    webhook_secret: str | None = None


@dataclass(frozen=True)
class FreshdeskConfig:
    base_url: str
    api_key: str
    webhook_secret: str | None = None


@dataclass(frozen=True)
class AppsConfig:
    """How the helpdesk sidebar apps prove who is looking (docs/install-apps.md)."""

    zendesk_public_key: str | None = None  # PEM text of the Zendesk app's RS256 public key
    zendesk_audience: str | None = None  # the installation URL, the JWT's `aud`
    zendesk_issuer: str | None = None  # the JWT's `iss`: the audience's host unless overridden
    zendesk_oauth_client_id: str | None = None
    zendesk_oauth_secret: str | None = None
    freshdesk_secret: str | None = None  # the app's secure installation parameter
    freshdesk_mode: str = "installation"  # or "strict": agents pair once with a personal code
    public_url: str | None = None  # Breather's own URL as agents' browsers reach it
    session_minutes: int = 60

    @property
    def zendesk_account_url(self) -> str | None:
        """https://acme.zendesk.com, from the installation URL."""
        if not self.zendesk_audience:
            return None
        parsed = urlparse(self.zendesk_audience)
        return f"{parsed.scheme}://{parsed.netloc}"


@dataclass(frozen=True)
class Settings:
    """Breather's whole configuration (see the table in README.md)."""

    redis_url: str | None = None
    data_dir: str = ".breather"
    poll_seconds: int = 60
    poller_stale_seconds: int = 0  # 0: max(5 polls, 2 minutes); see workers/health.py
    auth_pause_seconds: int = 900  # a stream whose credentials were refused rests this long
    queue_name: str = "breather"
    secret: str = "dev-secret-change-me"
    zendesk: ZendeskConfig | None = None
    freshdesk: FreshdeskConfig | None = None
    disabled: frozenset[str] = field(default_factory=frozenset)
    budget_share: float = 0.5
    retention_days: int = 30
    per_agent_metrics: str = "off"  # off | pseudonymous | named (see docs/privacy.md)
    min_group_size: int = 5
    auth: bool = True
    clock: str = "wall"
    apps: AppsConfig = field(default_factory=AppsConfig)
    helpdesk_origins: tuple[str, ...] = ()  # BREATHER_HELPDESK_ORIGINS; empty: derived

    @property
    def embedding_origins(self) -> tuple[str, ...]:
        """Helpdesk origins that may frame the widget and call the API from a browser.

        BREATHER_HELPDESK_ORIGINS when set; otherwise the origins of the configured Zendesk and
        Freshdesk accounts (connector URLs and the Zendesk app's installation URL).
        """
        if self.helpdesk_origins:
            return self.helpdesk_origins
        urls = [self.zendesk and self.zendesk.base_url, self.freshdesk and self.freshdesk.base_url,
                self.apps.zendesk_account_url]
        return tuple(sorted({_origin_of(url) for url in urls if url}))

    def enabled(self, function: str) -> bool:
        """Whether a switchable function (see FUNCTIONS) is on."""
        return function not in self.disabled

    @property
    def sources(self) -> list[str]:
        return [name for name in ("zendesk", "freshdesk") if getattr(self, name)]

    @classmethod
    def from_env(cls, environ: Mapping[str, str] | None = None) -> Settings:
        """Build Settings from environment variables; raise ConfigError naming a bad one."""
        env = os.environ if environ is None else environ
        return cls(
            redis_url=_url(env, "REDIS_URL", schemes=("redis", "rediss", "unix")),
            data_dir=env.get("BREATHER_DATA_DIR", ".breather"),
            poll_seconds=_int(env, "BREATHER_POLL_SECONDS", 60, minimum=1),
            poller_stale_seconds=_int(env, "BREATHER_POLLER_STALE_SECONDS", 0, minimum=0),
            auth_pause_seconds=_int(env, "BREATHER_AUTH_PAUSE_SECONDS", 900, minimum=1),
            queue_name=env.get("BREATHER_QUEUE", "breather") or "breather",
            secret=env.get("BREATHER_SECRET", "dev-secret-change-me"),
            zendesk=_zendesk(env),
            freshdesk=_freshdesk(env),
            disabled=_functions(env, "BREATHER_DISABLE"),
            budget_share=_float(env, "BREATHER_RATE_BUDGET_SHARE", 0.5, 0.05, 1.0),
            retention_days=_int(env, "BREATHER_RETENTION_DAYS", 30, minimum=1),
            per_agent_metrics=_per_agent(env, "BREATHER_PER_AGENT_METRICS"),
            min_group_size=_int(env, "BREATHER_MIN_GROUP_SIZE", 5, minimum=1),
            auth=_bool(env, "BREATHER_AUTH", True),
            clock=_choice(env, "BREATHER_CLOCK", "wall", ("wall", "data")),
            apps=_apps(env),
            helpdesk_origins=_origins(env, "BREATHER_HELPDESK_ORIGINS"),
        )


def _zendesk(env: Mapping[str, str]) -> ZendeskConfig | None:
    subdomain = env.get("ZENDESK_SUBDOMAIN", "").strip()
    url = _url(env, "ZENDESK_URL")
    if not (subdomain or url):
        return None
    if subdomain and not subdomain.replace("-", "").isalnum():
        raise ConfigError(f"ZENDESK_SUBDOMAIN: {subdomain!r} is not a subdomain (like 'acme')")
    email = env.get("ZENDESK_EMAIL") or None
    token = env.get("ZENDESK_TOKEN") or None
    oauth = env.get("ZENDESK_OAUTH_TOKEN") or None
    if not oauth and not (email and token):
        raise ConfigError("ZENDESK_EMAIL and ZENDESK_TOKEN (or ZENDESK_OAUTH_TOKEN) must be set")
    return ZendeskConfig(
        base_url=(url or f"https://{subdomain}.zendesk.com").rstrip("/"),
        email=email,
        token=token,
        oauth_token=oauth,
        webhook_secret=env.get("ZENDESK_WEBHOOK_SECRET") or None,
    )


def _freshdesk(env: Mapping[str, str]) -> FreshdeskConfig | None:
    domain = env.get("FRESHDESK_DOMAIN", "").strip()
    url = _url(env, "FRESHDESK_URL")
    if not (domain or url):
        return None
    key = env.get("FRESHDESK_API_KEY") or ""
    if not key:
        raise ConfigError("FRESHDESK_API_KEY must be set when FRESHDESK_DOMAIN or FRESHDESK_URL is")
    if domain and "." not in domain:
        domain = f"{domain}.freshdesk.com"
    return FreshdeskConfig(
        base_url=(url or f"https://{domain}").rstrip("/"),
        api_key=key,
        webhook_secret=env.get("FRESHDESK_WEBHOOK_SECRET") or None,
    )


def _apps(env: Mapping[str, str]) -> AppsConfig:
    key = _public_key(env, "ZENDESK_APP_PUBLIC_KEY")
    audience = _url(env, "ZENDESK_APP_AUDIENCE")
    client_id = env.get("ZENDESK_APP_OAUTH_CLIENT_ID", "").strip() or None
    client_secret = env.get("ZENDESK_APP_OAUTH_SECRET", "").strip() or None
    if bool(key) != bool(audience):
        raise ConfigError("ZENDESK_APP_PUBLIC_KEY and ZENDESK_APP_AUDIENCE are set together "
                          "(the app's public key and its installation URL)")
    if audience and "/api/v2/apps/installations/" not in audience:
        raise ConfigError(f"ZENDESK_APP_AUDIENCE: {audience!r} is not an installation URL like "
                          "https://acme.zendesk.com/api/v2/apps/installations/123.json")
    if key and not (client_id and client_secret):
        raise ConfigError("ZENDESK_APP_OAUTH_CLIENT_ID and ZENDESK_APP_OAUTH_SECRET must be set "
                          "with ZENDESK_APP_PUBLIC_KEY: each agent signs in once to bind the app")
    secret = env.get("FRESHDESK_APP_SECRET", "").strip() or None
    if secret and len(secret) < 32:
        raise ConfigError("FRESHDESK_APP_SECRET: use at least 32 random characters "
                          "(python -c 'import secrets; print(secrets.token_urlsafe(32))')")
    return AppsConfig(
        zendesk_public_key=key,
        zendesk_audience=audience,
        zendesk_issuer=(env.get("ZENDESK_APP_ISSUER", "").strip()
                        or (urlparse(audience).netloc if audience else None)),
        zendesk_oauth_client_id=client_id,
        zendesk_oauth_secret=client_secret,
        freshdesk_secret=secret,
        freshdesk_mode=_choice(env, "FRESHDESK_APP_MODE", "installation",
                               ("installation", "strict")),
        public_url=(_url(env, "BREATHER_PUBLIC_URL") or "").rstrip("/") or None,
        session_minutes=_int(env, "BREATHER_SESSION_MINUTES", 60, minimum=5),
    )


def _public_key(env: Mapping[str, str], name: str) -> str | None:
    """PEM text, given inline or as a file path; checked to be an RSA public key."""
    raw = env.get(name, "").strip()
    if not raw:
        return None
    if "-----BEGIN" in raw:
        pem = raw.replace("\\n", "\n")
    else:
        try:
            pem = Path(raw).read_text()
        except OSError as exc:
            raise ConfigError(f"{name}: cannot read {raw!r} ({exc.strerror})") from None
    from cryptography.hazmat.primitives.asymmetric.rsa import RSAPublicKey
    from cryptography.hazmat.primitives.serialization import load_pem_public_key

    try:
        key = load_pem_public_key(pem.encode())
    except ValueError:
        raise ConfigError(f"{name}: not a PEM public key (-----BEGIN PUBLIC KEY-----)") from None
    if not isinstance(key, RSAPublicKey):
        raise ConfigError(f"{name}: Zendesk signs with RS256, so the key must be an RSA key")
    return pem


def _url(env: Mapping[str, str], name: str, schemes=("http", "https")) -> str | None:
    raw = env.get(name, "").strip()
    if not raw:
        return None
    parsed = urlparse(raw)
    if parsed.scheme not in schemes or not (parsed.netloc or parsed.path):
        raise ConfigError(f"{name}: {raw!r} is not a {'/'.join(schemes)} URL")
    return raw


def _int(env: Mapping[str, str], name: str, default: int, minimum: int) -> int:
    raw = env.get(name, "").strip()
    if not raw:
        return default
    try:
        value = int(raw)
    except ValueError:
        raise ConfigError(f"{name}: {raw!r} is not a whole number") from None
    if value < minimum:
        raise ConfigError(f"{name}: {value} is below the minimum of {minimum}")
    return value


def _float(env: Mapping[str, str], name: str, default: float, low: float, high: float) -> float:
    raw = env.get(name, "").strip()
    if not raw:
        return default
    try:
        value = float(raw)
    except ValueError:
        raise ConfigError(f"{name}: {raw!r} is not a number") from None
    if not low <= value <= high:
        raise ConfigError(f"{name}: {value} is outside {low}..{high}")
    return value


def _bool(env: Mapping[str, str], name: str, default: bool) -> bool:
    raw = env.get(name, "").strip().lower()
    if not raw:
        return default
    if raw in ("1", "true", "yes", "on"):
        return True
    if raw in ("0", "false", "no", "off"):
        return False
    raise ConfigError(f"{name}: {raw!r} is not a boolean (use true or false)")


PER_AGENT_MODES = ("off", "pseudonymous", "named")
LEGACY_PER_AGENT = {"false": "off", "0": "off", "no": "off", "true": "named", "1": "named",
                    "yes": "named"}


def _per_agent(env: Mapping[str, str], name: str) -> str:
    """off, pseudonymous or named; the old true/false still mean named/off (what they did)."""
    raw = env.get(name, "").strip().lower()
    if raw in LEGACY_PER_AGENT:
        return LEGACY_PER_AGENT[raw]
    if raw and raw not in PER_AGENT_MODES:
        raise ConfigError(f"{name}: {raw!r} is not one of off, pseudonymous, named "
                          "(true and false are still read as named and off)")
    return raw or "off"


def _choice(env: Mapping[str, str], name: str, default: str, choices: tuple[str, ...]) -> str:
    raw = env.get(name, "").strip().lower()
    if not raw:
        return default
    if raw not in choices:
        raise ConfigError(f"{name}: {raw!r} is not one of {', '.join(choices)}")
    return raw


def _functions(env: Mapping[str, str], name: str) -> frozenset[str]:
    names = {part.strip() for part in env.get(name, "").split(",") if part.strip()}
    unknown = names - set(FUNCTIONS)
    if unknown:
        raise ConfigError(f"{name}: unknown function(s) {sorted(unknown)}; known: {FUNCTIONS}")
    return frozenset(names)


_ORIGIN = re.compile(r"^(?P<scheme>https?)://(?P<host>(\*\.)?[a-z0-9-]+(\.[a-z0-9-]+)*|\[::1\])"
                     r"(:(?P<port>[0-9]{1,5}|\*))?$")
_LOCAL_HOSTS = ("localhost", "127.0.0.1", "[::1]")


def _origins(env: Mapping[str, str], name: str) -> tuple[str, ...]:
    """Comma-separated origins like https://acme.zendesk.com or https://*.freshdesk.com."""
    parts = [part.strip().lower().rstrip("/") for part in env.get(name, "").split(",")]
    return tuple(_check_origin(name, part) for part in parts if part)


def _check_origin(name: str, origin: str) -> str:
    match = _ORIGIN.match(origin)
    example = "like https://acme.zendesk.com or https://*.freshdesk.com (no path)"
    if not match:
        raise ConfigError(f"{name}: {origin!r} is not an origin {example}")
    local = match["host"] in _LOCAL_HOSTS
    if match["scheme"] == "http" and not local:
        raise ConfigError(f"{name}: {origin!r} must use https (http only for localhost)")
    if match["port"] == "*" and not local:
        raise ConfigError(f"{name}: {origin!r}: any port (:*) is only for localhost")
    return origin


def _origin_of(url: str) -> str:
    parsed = urlparse(url)
    return f"{parsed.scheme}://{parsed.netloc}".lower()
