"""The agent's sidebar widget: one page that the Zendesk and Freshdesk apps embed, and that also
works on its own (`breather token` prints a link with ?agent=…&token=…).

The page only talks to the agent's own endpoints, with the agent's own short-lived token.
"""

from __future__ import annotations

from flask import Blueprint, make_response, render_template

bp = Blueprint("widget", __name__, static_folder="static", static_url_path="/widget/static")


@bp.get("/widget")
def widget():
    """The standalone page; the browser's language picks English or German."""
    return render_widget("standalone")


def render_widget(mode: str, **meta: str | None):
    """The widget page; what its script needs arrives in meta tags (no inline script)."""
    return no_store_page(render_template("widget.html", mode=mode, meta=meta))


def no_store_page(body: str):
    """A page that may hold a token: never cached, never named in a Referer."""
    response = make_response(body)
    response.headers["Cache-Control"] = "no-store"
    response.headers["Referrer-Policy"] = "no-referrer"
    return response
