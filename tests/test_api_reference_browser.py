"""The API reference page renders /openapi.json in Chromium under the CSP, from Breather alone."""

from __future__ import annotations

import pytest
from servers import LiveServer, require_binary

from service import create_app
from workers.settings import Settings


def test_reference_page_renders_every_operation(redis):
    chromium = require_binary("chromium", "/usr/bin/chromium")
    sync_api = pytest.importorskip("playwright.sync_api")
    app = create_app(Settings(secret="reference"), redis)
    spec = app.test_client().get("/openapi.json").get_json()
    operations = sum(method in ("get", "put", "post", "delete", "patch")
                     for item in spec["paths"].values() for method in item)
    with LiveServer(app) as server, sync_api.sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=chromium,
                                             args=["--headless=new", "--no-sandbox"])
        page = browser.new_page()
        foreign, refused = [], []
        page.on("request", lambda r: foreign.append(r.url)
                if not r.url.startswith(server.url) else None)
        page.on("console", lambda m: refused.append(m.text)
                if "Content Security Policy" in m.text else None)
        page.goto(f"{server.url}/api/docs/")
        page.wait_for_selector(".opblock")
        assert page.locator(".opblock").count() == operations
        assert "Breather API" in page.text_content("h2.title")
        browser.close()
    assert foreign == [] and refused == []
