"""The sidebar entry: a signed Zendesk load, a one-time OAuth binding, Freshdesk's installation
secret and strict pairing. A bad proof gets 401 and never the widget page."""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import re
import time

import pytest
from oauth_server import CLIENT_ID, CLIENT_SECRET, FakeZendeskAccount, key_pair
from servers import LiveServer

from service import create_app
from service.apps import pairing_code
from service.auth import issue_token, verify_token
from workers.settings import AppsConfig, Settings

SECRET = "apps-test-secret"
FD_SECRET = "f" * 40


@pytest.fixture(scope="module")
def account():
    fake = FakeZendeskAccount(user_id=101, locale="de")
    with LiveServer(fake) as server:
        fake.base = server.url
        yield fake


def make_app(redis, account, **changes):
    apps = AppsConfig(zendesk_public_key=account.public_pem, zendesk_audience=account.audience,
                      zendesk_issuer=account.issuer, zendesk_oauth_client_id=CLIENT_ID,
                      zendesk_oauth_secret=CLIENT_SECRET, freshdesk_secret=FD_SECRET,
                      public_url="http://breather.test")
    for key, value in changes.items():
        apps = AppsConfig(**{**apps.__dict__, key: value})
    return create_app(Settings(secret=SECRET, apps=apps), redis)


@pytest.fixture
def client(redis, account):
    return make_app(redis, account).test_client()


def launch_of(page: bytes) -> str:
    return re.search(rb'name="breather-launch" content="([^"]+)"', page).group(1).decode()


def hs256_with_public_key(account) -> str:
    """The classic confusion attack: HS256 'signed' with the public PEM as the HMAC secret."""
    def b64(data: bytes) -> str:
        return base64.urlsafe_b64encode(data).rstrip(b"=").decode()
    now = int(time.time())
    head = b64(json.dumps({"alg": "HS256", "typ": "JWT"}).encode())
    body = b64(json.dumps({"iss": account.issuer, "aud": account.audience, "iat": now,
                           "exp": now + 300, "context": {"product": "support",
                                                         "location": "ticket_sidebar"}}).encode())
    mac = hmac.new(account.public_pem.encode(), f"{head}.{body}".encode(), hashlib.sha256)
    return f"{head}.{body}.{b64(mac.digest())}"


def test_signed_load_gets_the_page_with_a_launch_and_no_inline_script(client, account):
    """A valid RS256 token for this installation and the ticket sidebar opens the widget."""
    page = client.post("/apps/zendesk/sidebar", data={"token": account.sidebar_jwt()})
    assert page.status_code == 200
    assert b'name="breather-mode" content="zendesk"' in page.data
    assert launch_of(page.data)
    assert not re.search(rb"<script(?![^>]*\bsrc=)[^>]*>", page.data)
    assert page.headers["Cache-Control"] == "no-store"


@pytest.mark.parametrize("case", ["missing", "expired", "foreign key", "hs256", "wrong aud",
                                  "wrong iss", "other location", "no exp", "alg none"])
def test_bad_signed_load_gets_401_and_no_page(client, account, case):
    """Expired, foreign, HS256, misaddressed or misplaced tokens are refused with a reason."""
    foreign_private, _ = key_pair()
    tokens = {
        "missing": "",
        "expired": account.sidebar_jwt(exp=int(time.time()) - 120),
        "foreign key": account.sidebar_jwt(key=foreign_private),
        "hs256": hs256_with_public_key(account),
        "wrong aud": account.sidebar_jwt(aud=f"{account.base}/api/v2/apps/installations/9.json"),
        "wrong iss": account.sidebar_jwt(iss="evil.zendesk.com"),
        "other location": account.sidebar_jwt(context={"product": "support",
                                                       "location": "nav_bar"}),
        "no exp": account.sidebar_jwt(exp=None),
        "alg none": account.sidebar_jwt(key="", algorithm="none"),
    }
    response = client.post("/apps/zendesk/sidebar", data={"token": tokens[case]})
    assert response.status_code == 401
    assert response.is_json and response.get_json()["error"]
    assert b"breather-launch" not in response.data


def test_without_a_binding_the_page_is_asked_to_sign_in(client, account):
    """A launch alone names no agent: the session endpoint asks for the one-time sign-in."""
    launch = launch_of(client.post("/apps/zendesk/sidebar",
                                   data={"token": account.sidebar_jwt()}).data)
    answer = client.post("/apps/zendesk/session", json={"launch": launch})
    assert answer.status_code == 401 and answer.get_json()["signin"] is True


def sign_in(client, account, launch: str) -> str:
    """Follow the OAuth round trip as the pop-up would; return the binding it hands over."""
    start = client.get(f"/apps/zendesk/oauth/start?launch={launch}")
    assert start.status_code == 302 and start.location.startswith(account.base)
    import requests

    back = requests.get(start.location, allow_redirects=False, timeout=5)
    callback = back.headers["Location"].replace("http://breather.test", "")
    page = client.get(callback)
    assert page.status_code == 200, page.data
    return re.search(rb'name="breather-binding" content="([^"]+)"', page.data).group(1).decode()


def test_one_oauth_sign_in_binds_the_agent_and_sessions_follow(client, account):
    """users/me names the agent; launch + binding then give a short-lived API token for them."""
    launch = launch_of(client.post("/apps/zendesk/sidebar",
                                   data={"token": account.sidebar_jwt()}).data)
    binding = sign_in(client, account, launch)
    session = client.post("/apps/zendesk/session", json={"launch": launch, "binding": binding})
    assert session.status_code == 200
    data = session.get_json()
    assert data["agent"] == "zendesk:101" and data["locale"] == "de"
    assert data["expires_in"] == 3600
    principal = verify_token(SECRET, data["token"])
    assert getattr(principal, "agent", principal) == "zendesk:101"
    assert account.tokens, "the access token was used once, then dropped by Breather"


def test_binding_is_not_an_api_token_and_launch_is_not_a_binding(client, account):
    """Each signed value works for its own purpose only."""
    launch = launch_of(client.post("/apps/zendesk/sidebar",
                                   data={"token": account.sidebar_jwt()}).data)
    binding = sign_in(client, account, launch)
    assert verify_token(SECRET, binding) is None
    api = client.get("/api/v1/agents/zendesk:101/strain",
                     headers={"Authorization": f"Bearer {binding}"})
    assert api.status_code == 401
    swapped = client.post("/apps/zendesk/session", json={"launch": binding, "binding": launch})
    assert swapped.status_code == 401


def test_binding_from_another_zendesk_account_is_refused(redis, account):
    """A binding made for acme cannot open a session in another account's sidebar."""
    from service import app_identity

    client = make_app(redis, account).test_client()
    launch = launch_of(client.post("/apps/zendesk/sidebar",
                                   data={"token": account.sidebar_jwt()}).data)
    other = app_identity.sign(SECRET, "binding", {"agent": "zendesk:101", "iss": "evil.test"})
    answer = client.post("/apps/zendesk/session", json={"launch": launch, "binding": other})
    assert answer.status_code == 401


def test_end_users_cannot_bind(redis):
    """Only Zendesk agents and admins may use the sidebar."""
    fake = FakeZendeskAccount(role="end-user")
    with LiveServer(fake) as server:
        fake.base = server.url
        client = make_app(redis, fake).test_client()
        launch = launch_of(client.post("/apps/zendesk/sidebar",
                                       data={"token": fake.sidebar_jwt()}).data)
        start = client.get(f"/apps/zendesk/oauth/start?launch={launch}")
        import requests

        back = requests.get(start.location, allow_redirects=False, timeout=5)
        page = client.get(back.headers["Location"].replace("http://breather.test", ""))
    assert page.status_code == 401 and "agents" in page.get_json()["error"]


def test_forged_oauth_state_is_refused(client):
    """The callback only accepts a state Breather signed."""
    answer = client.get("/apps/zendesk/oauth/callback?code=x&state=forged")
    assert answer.status_code == 401


def fd_session(client, body, secret=FD_SECRET):
    return client.post("/apps/freshdesk/session", json=body,
                       headers={"X-Breather-App-Secret": secret} if secret else {})


@pytest.mark.parametrize("secret", [None, "", "wrong" * 8])
def test_freshdesk_needs_the_installation_secret(client, secret):
    """Without the secure installation parameter (added by Freshworks' proxy) there is no
    session."""
    assert fd_session(client, {"agent_id": "7"}, secret).status_code == 401


def test_freshdesk_installation_mode_names_the_agent(client):
    """Installation mode trusts the agent id the app reports (the documented residual risk)."""
    data = fd_session(client, {"agent_id": "7", "locale": "de"}).get_json()
    assert data["agent"] == "freshdesk:7" and data["locale"] == "de"
    page = client.post("/apps/freshdesk/sidebar", data={"session": data["token"]})
    assert page.status_code == 200 and b'content="freshdesk:7"' in page.data
    assert client.post("/apps/freshdesk/sidebar", data={"session": "forged"}).status_code == 401


def test_freshdesk_strict_mode_needs_a_personal_pairing_code(redis, account):
    """Strict mode: the agent is whoever the pairing code names, and nobody else."""
    client = make_app(redis, account, freshdesk_mode="strict").test_client()
    missing = fd_session(client, {"agent_id": "7"})
    assert missing.status_code == 401 and missing.get_json()["pair"] is True
    code = pairing_code(SECRET, "freshdesk:7")
    assert fd_session(client, {"agent_id": "8", "pairing": code}).status_code == 403
    assert fd_session(client, {"agent_id": "7", "pairing": code}).get_json()["agent"] == \
        "freshdesk:7"
    api_token = issue_token(SECRET, "freshdesk:7", ttl=600)
    assert fd_session(client, {"agent_id": "7", "pairing": api_token}).status_code == 401
    assert verify_token(SECRET, code) is None


def test_apps_switch_off(redis, account):
    """BREATHER_DISABLE=apps removes every sidebar entry point."""
    settings = Settings(secret=SECRET, disabled=frozenset({"apps"}),
                        apps=AppsConfig(freshdesk_secret=FD_SECRET))
    client = create_app(settings, redis).test_client()
    assert client.post("/apps/zendesk/sidebar", data={"token": "x"}).status_code == 404
    assert fd_session(client, {"agent_id": "7"}).status_code == 404


def test_unconfigured_zendesk_app_is_404(redis):
    """Without ZENDESK_APP_PUBLIC_KEY the Zendesk entry says so instead of guessing."""
    client = create_app(Settings(secret=SECRET), redis).test_client()
    answer = client.post("/apps/zendesk/sidebar", data={"token": "x"})
    assert answer.status_code == 404 and "ZENDESK_APP_PUBLIC_KEY" in answer.get_json()["error"]
