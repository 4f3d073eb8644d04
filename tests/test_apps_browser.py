"""The sidebar apps end to end in Debian's Chromium: a local page hosts the sidebar the way each
helpdesk does, the widget shows a seeded agent's suggestion, Accept changes what the API says,
German renders German, axe-core finds no serious or critical violation, the page stays under
50 KB and asks nothing of any host but Breather. Screenshots go to test-artifacts/ (git-ignored;
BREATHER_ARTIFACTS moves it)."""

from __future__ import annotations

import json
import os
import re
import time
from pathlib import Path
from urllib.parse import urlparse

import pytest
import requests as http
from oauth_server import CLIENT_ID, CLIENT_SECRET, FakeZendeskAccount
from seed import team_records
from servers import LiveServer
from werkzeug.wrappers import Request, Response

from service import create_app
from service.app_package import DEPLOY
from service.auth import issue_token
from workers.process import apply_records
from workers.settings import AppsConfig, Settings

SECRET = "browser-apps-secret"
FD_SECRET = "s" * 40
AGENT = "zendesk:101"
ARTIFACTS = Path(os.environ.get("BREATHER_ARTIFACTS",
                                Path(__file__).resolve().parent.parent / "test-artifacts"))
PAGE_BUDGET = 50 * 1024


@pytest.fixture
def account():
    fake = FakeZendeskAccount(user_id=101)
    with LiveServer(fake) as server:
        fake.base = server.url
        yield fake


@pytest.fixture
def freshdesk_mode():
    return "installation"


@pytest.fixture
def breather(redis, account, freshdesk_mode):
    apply_records(redis, team_records(team="Billing", agents=6, hostile_for=2))
    apply_records(redis, team_records(team="Support", agents=6, hostile_for=2,
                                      source="freshdesk"))
    apps = AppsConfig(zendesk_public_key=account.public_pem, zendesk_audience=account.audience,
                      zendesk_issuer=account.issuer, zendesk_oauth_client_id=CLIENT_ID,
                      zendesk_oauth_secret=CLIENT_SECRET, freshdesk_secret=FD_SECRET,
                      freshdesk_mode=freshdesk_mode)
    # the fake Freshworks host runs on a port chosen later: any local port may frame Breather
    app = create_app(Settings(secret=SECRET, clock="data", apps=apps,
                              helpdesk_origins=("http://127.0.0.1:*",)), redis)
    with LiveServer(app) as server:
        yield server


CALM, ELEVATED = "rgb(31, 122, 77)", "rgb(178, 94, 9)"  # --calm, --elevated (light theme)


def gauge_is(frame, colour: str) -> bool:
    """The gauge's fill settles on `colour` (after its 0.4 s transition)."""
    frame.wait_for_function("c => getComputedStyle(document.getElementById('gauge-fill'))"
                            ".backgroundColor === c", arg=colour, timeout=5000)
    return True


def save(page, name: str) -> Path:
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    path = ARTIFACTS / name
    page.screenshot(path=str(path), full_page=True)
    print(f"screenshot: {path}")
    return path


def axe_violations(frame) -> list[dict]:
    """Serious and critical axe-core violations of the frame's document."""
    axe = pytest.importorskip("axe_playwright_python")
    frame.evaluate((Path(axe.__file__).parent / "axe.min.js").read_text())
    result = frame.evaluate("axe.run(document, {resultTypes: ['violations']})")
    return [{"id": v["id"], "impact": v["impact"], "nodes": [n["target"] for n in v["nodes"]]}
            for v in result["violations"] if v["impact"] in ("serious", "critical")]


def foreign_requests(log: list, breather_url: str) -> list[str]:
    """URLs the sidebar frame asked of any host but Breather."""
    origin = urlparse(breather_url).netloc
    return [url for url, frame_url in log if urlparse(url).netloc != origin
            and urlparse(frame_url).netloc == origin]


def api_suggestion(breather_url: str, agent: str = AGENT) -> dict | None:
    """The agent's open suggestion as the API reports it."""
    token = issue_token(SECRET, agent, ttl=600)
    answer = http.get(f"{breather_url}/api/v1/agents/{agent}/suggestion", timeout=5,
                      headers={"Authorization": f"Bearer {token}"})
    return answer.json()["suggestion"]


def sidebar_frame(page, name: str, seconds: float = 20):
    """The helpdesk's iframe once Breather's page has loaded in it (it is cross-origin)."""
    for _ in range(int(seconds * 10)):
        frame = page.frame(name=name)
        if frame is not None and "/apps/" in frame.url:
            frame.wait_for_load_state()
            return frame
        page.wait_for_timeout(100)
    raise AssertionError(f"the {name} iframe never loaded Breather's page")


def open_zendesk_sidebar(browser, account, breather, **context):
    """The helpdesk page POSTs a JWT signed with the test key into the sidebar iframe; the
    agent signs in once in a pop-up; the sidebar then shows their own view."""
    ctx = browser.new_context(viewport={"width": 800, "height": 1000}, **context)
    page = ctx.new_page()
    log: list = []
    page.on("request", lambda r: log.append((r.url, r.frame.url)))
    page.goto(f"{account.base}/helpdesk?breather={breather.url}")
    frame = sidebar_frame(page, "sidebar")
    frame.locator("#signin-button").wait_for()
    with page.expect_popup() as popup:
        frame.click("#signin-button")
    popup.value.wait_for_event("close")
    frame.locator("#suggestion").wait_for(state="visible")
    frame.wait_for_function("() => document.getElementById('strain').textContent !== '–'")
    return ctx, page, frame, log


def test_zendesk_sidebar_end_to_end(browser, account, breather):
    """Signed load, one sign-in, the agent's suggestion; Accept closes it in the API too."""
    ctx, page, frame, log = open_zendesk_sidebar(browser, account, breather)
    before = api_suggestion(breather.url)
    assert before and frame.text_content("#suggestion-title") == before["title"]
    assert frame.text_content("#level") == "elevated" and gauge_is(frame, ELEVATED)
    assert frame.locator("#factors li").count() >= 1
    save(page, "zendesk-sidebar-en.png")
    frame.click("#accept")
    frame.wait_for_function("() => document.getElementById('status').textContent !== ''")
    after = api_suggestion(breather.url)
    assert after is None or after["id"] != before["id"]
    assert axe_violations(frame) == []
    assert foreign_requests(log, breather.url) == []
    ctx.close()


def test_zendesk_sidebar_in_german_and_dark(browser, account, breather):
    """A German Zendesk user gets German; the dark theme passes axe too."""
    account.user["locale"] = "de"
    ctx, page, frame, log = open_zendesk_sidebar(browser, account, breather,
                                                 color_scheme="dark")
    assert frame.evaluate("document.documentElement.lang") == "de"
    assert frame.text_content("#break-toggle") == "Pause beginnen"
    assert "Nachricht" in frame.text_content("#suggestion-title")
    assert "feindselig" in frame.text_content("#factors")
    save(page, "zendesk-sidebar-de-dark.png")
    assert axe_violations(frame) == []
    assert foreign_requests(log, breather.url) == []
    ctx.close()


def test_a_reload_reuses_the_binding(browser, account, breather):
    """The agent signs in once: the next signed load opens a session without the pop-up."""
    ctx, page, frame, _ = open_zendesk_sidebar(browser, account, breather)
    page.reload()
    frame = sidebar_frame(page, "sidebar")
    frame.wait_for_function("() => document.getElementById('strain').textContent !== '–'")
    assert frame.locator("#signin").is_hidden()
    ctx.close()


class FakeFreshworks:
    """Hosts deploy/freshdesk-app as Freshworks would: the page with a stand-in app client, and
    a request proxy that fills config/requests.json with the installation parameters."""

    def __init__(self, breather_url: str, agent_id: int = 101, language: str = "en"):
        self.iparams = {"breather_host": urlparse(breather_url).netloc,
                        "breather_secret": FD_SECRET}
        self.user = {"id": agent_id, "contact": {"name": "Agent 1", "language": language}}

    def __call__(self, environ, start_response):
        request = Request(environ)
        if request.path == "/appclient.js":
            response = Response(APP_CLIENT.replace("USER", json.dumps(self.user)),
                                content_type="text/javascript")
        elif request.path.startswith("/proxy/"):
            response = self.proxy(request.path.rsplit("/", 1)[1], request.get_data())
        else:
            response = self.app_file(request.path.lstrip("/") or "index.html")
        return response(environ, start_response)

    def app_file(self, name: str) -> Response:
        path = DEPLOY / "freshdesk-app" / "app" / name
        if not path.is_file():
            return Response("not found", 404)
        body = path.read_bytes().replace(b"{{{appclient}}}", b"/appclient.js")
        kind = {"html": "text/html", "js": "text/javascript", "css": "text/css",
                "svg": "image/svg+xml"}[name.rsplit(".", 1)[1]]
        return Response(body, content_type=kind)

    def proxy(self, name: str, body: bytes) -> Response:
        """Freshworks' side of invokeTemplate: the template, iparams filled in, sent on (http
        here, https in the template: the test server has no certificate)."""
        templates = json.loads((DEPLOY / "freshdesk-app/config/requests.json").read_text())
        schema = json.loads(re.sub(r"<%=\s*iparam\.(\w+)\s*%>",
                                   lambda m: self.iparams[m.group(1)],
                                   json.dumps(templates[name]["schema"])))
        answer = http.request(schema["method"], f"http://{schema['host']}{schema['path']}",
                              headers=schema["headers"], data=body, timeout=10)
        return Response(json.dumps({"status": answer.status_code, "response": answer.text}),
                        content_type="application/json")


APP_CLIENT = """
window.app = { initialized: function () { return Promise.resolve({
  events: { on: function (name, fn) { if (name === "app.activated") { setTimeout(fn, 0); } } },
  data: { get: function () { return Promise.resolve({ loggedInUser: USER }); } },
  request: { invokeTemplate: function (name, options) {
    return fetch("/proxy/" + name, { method: "POST", body: options.body })
      .then(function (res) { return res.json(); })
      .then(function (r) { return r.status < 400 ? r : Promise.reject(r); });
  } }
}); } };
"""


@pytest.mark.parametrize("language", ["en", "de"])
def test_freshdesk_sidebar_end_to_end(browser, breather, language):
    """The app asks for a session through the request template, posts it into Breather's page;
    the agent accepts their suggestion; German follows the agent's Freshdesk language."""
    host = FakeFreshworks(breather.url, language=language)
    with LiveServer(host) as freshworks:
        ctx = browser.new_context(viewport={"width": 420, "height": 1000})
        page = ctx.new_page()
        log: list = []
        page.on("request", lambda r: log.append((r.url, r.frame.url)))
        page.goto(f"{freshworks.url}/index.html")
        frame = sidebar_frame(page, "breather")
        frame.locator("#suggestion").wait_for(state="visible")
        assert frame.evaluate("document.documentElement.lang") == language
        if language == "de":
            assert frame.text_content("#break-toggle") == "Pause beginnen"
        save(page, f"freshdesk-sidebar-{language}.png")
        assert axe_violations(frame) == []
        before = api_suggestion(breather.url, "freshdesk:101")
        frame.click("#accept")
        frame.wait_for_function("() => document.getElementById('status').textContent !== ''")
        after = api_suggestion(breather.url, "freshdesk:101")
        assert after is None or after["id"] != before["id"]
        assert foreign_requests(log, breather.url) == []
        ctx.close()


def test_standalone_page_follows_the_browser_language_and_fits_50_kb(browser, breather):
    """The plain page: German browser, German page; all it loads is Breather's and <= 50 KB."""
    ctx = browser.new_context(locale="de-DE")
    page = ctx.new_page()
    sizes: dict[str, int] = {}
    page.on("response", lambda r: sizes.__setitem__(r.url, len(r.body())) if r.ok and
            "/api/" not in r.url else None)
    token = issue_token(SECRET, AGENT, ttl=600)
    page.goto(f"{breather.url}/widget?agent={AGENT}&token={token}")
    page.wait_for_function("() => document.getElementById('strain').textContent !== '–'")
    assert page.evaluate("document.documentElement.lang") == "de"
    total = sum(sizes.values())
    print(f"widget page with scripts and styles: {total} bytes ({len(sizes)} files)")
    assert 0 < total <= PAGE_BUDGET, sizes
    assert all(urlparse(url).netloc == urlparse(breather.url).netloc for url in sizes)
    save(page, "standalone-de.png")
    page.click("#break-toggle")
    page.locator("#break-timer").wait_for(state="visible")
    assert page.text_content("#break-toggle") == "Pause beenden"
    assert re.match(r"In der Pause seit \d+:\d\d", page.text_content("#break-timer"))
    page.click("#checkin-box summary")
    page.click(".checkin button[data-value='4']")
    page.wait_for_function("() => document.getElementById('status').textContent === "
                           "'Gespeichert.' || !document.getElementById('checkin-box').open")
    ctx.close()


def test_axe_check_can_fail(browser, breather):
    """The accessibility check is real: a nameless button on the page is reported."""
    page = browser.new_page()
    page.goto(f"{breather.url}/widget?agent={AGENT}&token={issue_token(SECRET, AGENT)}")
    page.evaluate("document.querySelector('main').appendChild(document.createElement('button'))")
    assert any(v["id"] == "button-name" for v in axe_violations(page.main_frame))
    page.close()


@pytest.mark.parametrize("freshdesk_mode", ["strict"])
def test_freshdesk_strict_mode_pairs_once(browser, breather, freshdesk_mode):
    """Strict mode: the app asks for the personal code once; with it, the agent's own view."""
    from service.apps import pairing_code

    host = FakeFreshworks(breather.url)
    with LiveServer(host) as freshworks:
        page = browser.new_page()
        page.goto(f"{freshworks.url}/index.html")
        page.locator("#pairing").wait_for(state="visible")
        assert axe_violations(page.main_frame) == []
        page.fill("#pairing-code", pairing_code(SECRET, "freshdesk:101"))
        page.click("#pairing-button")
        frame = sidebar_frame(page, "breather")
        frame.wait_for_function("() => document.getElementById('strain').textContent !== '–'")
        assert frame.evaluate("document.querySelector('meta[name=breather-agent]').content") \
            == "freshdesk:101"
        page.close()


def test_offers_from_teammates_can_be_taken(browser, breather, redis):
    """A heated ticket a teammate offered shows up; taking it closes the offer in the API."""
    from workers.suggestion_store import offer_ticket, open_offers

    offer_ticket(redis, "zendesk:102", "zendesk:1002", time.time())
    page = browser.new_page()
    token = issue_token(SECRET, "zendesk:103", ttl=600)
    page.goto(f"{breather.url}/widget?agent=zendesk:103&token={token}")
    page.locator("#offers li").first.wait_for()
    assert "zendesk:1002" in page.text_content("#offers")
    page.click("#offers button:has-text(\"I'll take it\")")
    page.locator("#offers-box").wait_for(state="hidden")
    assert open_offers(redis, "zendesk:103", time.time()) == []
    page.close()


def test_widget_updates_without_reloading(browser, breather, redis):
    """New hostile messages reach an open page by itself (it polls every 15 s)."""
    page = browser.new_page()
    token = issue_token(SECRET, "zendesk:104", ttl=600)
    page.goto(f"{breather.url}/widget?agent=zendesk:104&token={token}")
    page.wait_for_function("() => document.getElementById('strain').textContent !== '–'")
    assert page.locator("#recent-box").is_hidden()
    assert page.text_content("#level") == "calm" and gauge_is(page, CALM)
    hostile = [r for r in team_records(team="Billing", agents=6, hostile_for=6)
               if r.get("ticket") == "zendesk:1004" and r["kind"] == "message"]
    apply_records(redis, [{**r, "id": r["id"] + "-late"} for r in hostile])
    page.locator("#recent li").first.wait_for(timeout=25000)
    assert page.locator("#recent li").count() >= 1
    page.close()
