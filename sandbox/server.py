"""The sandbox's Flask app: Zendesk under /zendesk, Freshdesk under /freshdesk."""

from __future__ import annotations

from flask import Flask, jsonify

from sandbox import freshdesk_api, zendesk_api
from sandbox.ratelimit import add_rate_headers
from sandbox.sim import Simulation, freshdesk_org, zendesk_org
from sandbox.zendesk_api import iso


def create_app(speed: float = 60.0, seed: int = 7, history_hours: float = 8.0,
               backlog_hours: float = 1.0, rate_limit: int = 700, page_cap: int = 300) -> Flask:
    """A helpdesk that behaves like Zendesk and Freshdesk over a simulated support org."""
    app = Flask(__name__)
    app.json.sort_keys = False
    app.extensions["sandbox"] = {
        "zendesk": Simulation(zendesk_org(), seed, speed, history_hours, backlog_hours),
        "freshdesk": Simulation(freshdesk_org(), seed + 1, speed, history_hours, backlog_hours),
        "rate_limit": rate_limit, "page_cap": page_cap,
    }
    app.register_blueprint(zendesk_api.bp)
    app.register_blueprint(freshdesk_api.bp)
    app.after_request(add_rate_headers)

    @app.get("/")
    def status():
        sims = {name: app.extensions["sandbox"][name] for name in ("zendesk", "freshdesk")}
        body = {}
        for name, sim in sims.items():
            now = sim.advance()
            body[name] = {"now": iso(now), "tickets": len(sim.tickets),
                          "messages": sum(len(t.comments) for t in sim.tickets.values())}
        return jsonify(body)

    return app


def serve(host: str = "127.0.0.1", port: int = 8765, **kwargs) -> None:
    """Serve until interrupted (blocking)."""
    from werkzeug.serving import make_server

    make_server(host, port, create_app(**kwargs), threaded=True).serve_forever()
