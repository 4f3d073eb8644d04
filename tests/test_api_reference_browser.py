"""The API reference page renders /openapi.json in Chromium under the CSP, from Breather alone."""

from __future__ import annotations

from servers import LiveServer

from service import create_app
from workers.settings import Settings


def test_reference_page_renders_every_operation(redis, browser):
    app = create_app(Settings(secret="reference"), redis)
    spec = app.test_client().get("/openapi.json").get_json()
    operations = sum(method in ("get", "put", "post", "delete", "patch")
                     for item in spec["paths"].values() for method in item)
    with LiveServer(app) as server:
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
        page.close()
    assert foreign == [] and refused == []
