"""Core HTTP API: health, an agent's own strain, team aggregates, marking a score wrong."""

from __future__ import annotations

from flask import Blueprint, jsonify
from marshmallow import ValidationError

from service.access import ANY, OWN, OWN_OR_ADMIN, OWN_OR_SHARED, authorize
from service.extension import get_breather
from service.schemas import correction_schema, load_json
from service.switches import switch
from workers import agents
from workers.clock import current_time
from workers.corrections import CorrectionError, record_correction

bp = Blueprint("api", __name__)


@bp.get("/healthz")
def healthz():
    """Liveness and Redis reachability, for load balancers and `breather doctor`."""
    breather = get_breather()
    try:
        breather.redis.ping()
    except Exception as exc:  # noqa: BLE001 - any Redis failure means unhealthy
        return jsonify(status="error", redis=str(exc)), 503
    return jsonify(status="ok", redis="ok")


@bp.get("/api/v1/agents/<agent>/strain")
@switch("strain")
@authorize(OWN_OR_SHARED)
def agent_strain(agent: str):
    """The agent's own strain, level and the plain-word factors behind it."""
    breather = get_breather()
    if not agents.is_known(breather.redis, agent):
        return jsonify(error=f"unknown agent {agent!r}"), 404
    now = current_time(breather.redis, breather.settings.clock)
    return jsonify(agents.agent_view(breather.redis, agent, now))


@bp.get("/api/v1/teams")
@authorize(ANY)
def teams():
    """Team aggregates only; teams below the minimum group size are pooled."""
    breather = get_breather()
    now = current_time(breather.redis, breather.settings.clock)
    views = agents.all_views(breather.redis, now)
    return jsonify(teams=agents.team_summaries(views, breather.settings.min_group_size))


@bp.post("/api/v1/agents/<agent>/corrections")
@authorize(OWN)
def mark_score_wrong(agent: str):
    """The agent says a message's hostility score is wrong; it stops counting (no text kept)."""
    breather = get_breather()
    try:
        data = load_json(correction_schema)
    except ValidationError as err:
        return jsonify(errors=err.messages), 422
    try:
        result = record_correction(breather.redis, agent, data["message"], data["hostile"])
    except CorrectionError as exc:
        return jsonify(error=str(exc)), 404
    return jsonify(result), 201


@bp.get("/api/v1/agents/<agent>/export")
@authorize(OWN)
def export_own_data(agent: str):
    """An agent downloads everything Breather keeps about them (GDPR Art. 15 and 20)."""
    from workers.export import export_agent

    breather = get_breather()
    now = current_time(breather.redis, breather.settings.clock)
    return jsonify(export_agent(breather.redis, agent, now))


@bp.delete("/api/v1/agents/<agent>")
@authorize(OWN_OR_ADMIN)
def erase_own_data(agent: str):
    """An agent erases their own data (their token is required, as for every agent route)."""
    from workers.erase import erase_agent

    return jsonify(erase_agent(get_breather().redis, agent))
