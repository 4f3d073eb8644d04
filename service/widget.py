"""The agent's sidebar widget: a plain page that the Zendesk and Freshdesk apps embed.

The page only talks to the agent's own endpoints, with the agent's own token.
"""

from __future__ import annotations

from flask import Blueprint, send_from_directory

bp = Blueprint("widget", __name__, static_folder="static", static_url_path="/widget/static")


@bp.get("/widget")
def widget():
    """The widget page; ?agent=<id>&token=<token> tell it whose view to show."""
    response = send_from_directory(bp.static_folder, "widget.html")
    response.headers["Cache-Control"] = "no-store"
    response.headers["Referrer-Policy"] = "no-referrer"
    return response
