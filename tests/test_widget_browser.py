"""The sidebar widget in a real Chromium: an agent sees their own strain and can correct a score."""

from __future__ import annotations

import json
import os

import pytest
from seed import team_records
from servers import LiveServer

from service import create_app
from service.auth import issue_token
from workers.corrections import CORRECTIONS
from workers.process import apply_records
from workers.settings import Settings

SECRET = "browser-test-secret"


@pytest.fixture
def live(redis):
    apply_records(redis, team_records(team="Billing", agents=6, hostile_for=2))
    app = create_app(Settings(secret=SECRET, clock="data"), redis)
    with LiveServer(app) as server:
        yield server


def open_widget(browser, live, agent: str, token: str | None):
    page = browser.new_page()
    query = f"?agent={agent}" + (f"&token={token}" if token else "")
    page.goto(f"{live.url}/widget{query}")
    return page


def test_agent_sees_own_strain_and_factors(browser, live, tmp_path):
    page = open_widget(browser, live, "zendesk:101", issue_token(SECRET, "zendesk:101"))
    page.wait_for_function("() => document.getElementById('strain').textContent !== '–'")
    strain = int(page.text_content("#strain"))
    assert 0 <= strain <= 100
    assert page.text_content("#level") in ("calm", "elevated", "high")
    assert page.locator("#factors li").count() >= 1
    page.screenshot(path=str(tmp_path / "widget.png"), full_page=True)
    if os.environ.get("BREATHER_SCREENSHOT_DIR"):
        page.screenshot(path=os.path.join(os.environ["BREATHER_SCREENSHOT_DIR"], "widget.png"),
                        full_page=True)


def test_agent_marks_a_hostile_score_wrong(browser, live, redis):
    page = open_widget(browser, live, "zendesk:101", issue_token(SECRET, "zendesk:101"))
    button = page.locator("#recent button", has_text="Not hostile?").first
    button.wait_for()
    before = page.locator("#recent button", has_text="Not hostile?").count()
    button.click()
    page.wait_for_function(
        f"() => document.querySelectorAll('#recent button:not([disabled])').length < {before}")
    assert redis.hlen(CORRECTIONS) == 1


def test_widget_without_token_explains_itself(browser, live):
    page = open_widget(browser, live, "zendesk:101", None)
    page.locator("#error").wait_for()
    assert "token" in page.text_content("#error")


def test_someone_elses_token_shows_an_error_not_data(browser, live):
    page = open_widget(browser, live, "zendesk:101", issue_token(SECRET, "zendesk:102"))
    page.locator("#error").wait_for()
    assert "own data" in page.text_content("#error")
    assert page.text_content("#strain") == "–"


def test_agent_snoozes_a_suggestion_in_the_widget(browser, live, redis):
    page = open_widget(browser, live, "zendesk:101", issue_token(SECRET, "zendesk:101"))
    page.locator("#suggestion").wait_for(state="visible")
    assert page.text_content("#suggestion-title")
    page.click("#snooze15")
    page.locator("#suggestion").wait_for(state="hidden")
    prefs = json.loads(redis.get("breather:prompts:zendesk:101"))
    assert prefs["responses"]["cool_down"] == {"snooze": 1}
    assert page.locator("#rotation").is_visible()
    assert "Fair turn" in page.text_content("#rotation")


def test_break_button_toggles(browser, live):
    page = open_widget(browser, live, "zendesk:103", issue_token(SECRET, "zendesk:103"))
    page.wait_for_function("() => document.getElementById('strain').textContent !== '–'")
    page.click("#break-toggle")
    page.wait_for_function(
        "() => document.getElementById('break-toggle').textContent.includes('End')")
    page.click("#break-toggle")
    page.wait_for_function(
        "() => document.getElementById('break-toggle').textContent.includes('Start')")
