"""An agent's own data over /api/v1: strain, corrections, sharing, export, erasure; and /me.

Plus /healthz (outside the versioned API) for load balancers and `breather doctor`.
"""

from __future__ import annotations

from flask import Blueprint as FlaskBlueprint
from flask import g, jsonify
from flask_smorest import Blueprint, abort

from service import schemas
from service.access import ANY, OWN, OWN_OR_ADMIN, OWN_OR_SHARED, authorize
from service.extension import get_breather
from service.switches import switch
from workers import agents, health, sharing
from workers.clock import current_time
from workers.corrections import CorrectionError, record_correction
from workers.erase import erase_agent
from workers.export import export_agent
from workers.poll import STREAMS

bp = Blueprint("agents", __name__, url_prefix="/api/v1",
               description="An agent's own data: only that agent's token reaches it.")
health_bp = FlaskBlueprint("health", __name__)


@health_bp.get("/healthz")
def healthz():
    """Redis reachability (503 without it) and whether every stream's poller is running
    (status "degraded" and the stopped streams when not), for probes, monitoring and doctor."""
    breather = get_breather()
    try:
        breather.redis.ping()
        streams = health.pollers(breather.redis, breather.settings, STREAMS)
    except Exception as exc:  # noqa: BLE001 - any Redis failure means unhealthy
        return jsonify(status="error", redis=str(exc)), 503
    stopped = [f"{p['source']}/{p['stream']}" for p in streams if not p["up"]]
    if stopped:  # still 200: the service itself serves, and a probe restarting it would not help
        return jsonify(status="degraded", redis="ok", pollers_stopped=stopped,
                       error=f"no poll has run for over {health.stale_after(breather.settings):.0f}"
                             "s: check that `breather scheduler` and `breather worker` run")
    return jsonify(status="ok", redis="ok")


def _now() -> float:
    breather = get_breather()
    return current_time(breather.redis, breather.settings.clock)


@bp.route("/me", methods=["GET"])
@authorize(ANY)
@bp.response(200, schemas.MeSchema)
def me():
    """Who the token names: agent id, role and (for a lead) team."""
    principal = g.get("principal")
    if principal is None:
        abort(404, message="tokens are switched off here (BREATHER_AUTH=false)")
    return principal


@bp.route("/agents/<agent>/strain", methods=["GET"])
@switch("strain")
@authorize(OWN_OR_SHARED)
@bp.response(200, schemas.StrainSchema)
def agent_strain(agent: str):
    """The agent's strain 0-100, its level, the factors in words and what it rests on.

    Readable by the agent, and by their lead when the agent shares with their lead.
    """
    breather = get_breather()
    view = agents.own_view(breather.redis, agent, breather.settings.clock)
    if view is None:
        abort(404, message=f"unknown agent {agent!r}")
    return view


@bp.route("/agents/<agent>/corrections", methods=["POST"])
@authorize(OWN)
@bp.arguments(schemas.CorrectionSchema)
@bp.response(201, schemas.CorrectionResultSchema)
def mark_score_wrong(data: dict, agent: str):
    """Mark a message's hostility score wrong; it stops counting (no text is kept)."""
    try:
        return record_correction(get_breather().redis, agent, data["message"], data["hostile"])
    except CorrectionError as exc:
        abort(404, message=str(exc))


@bp.route("/agents/<agent>/sharing", methods=["GET"])
@authorize(OWN)
@bp.response(200, schemas.SharingResultSchema)
def get_sharing(agent: str):
    """Whether the agent lets their team lead see their own view (off by default)."""
    return {"agent": agent, "share_with_lead": sharing.shares(get_breather().redis, agent)}


@bp.route("/agents/<agent>/sharing", methods=["PUT"])
@authorize(OWN)
@bp.arguments(schemas.SharingSchema)
@bp.response(200, schemas.SharingResultSchema)
def put_sharing(data: dict, agent: str):
    """Turn sharing with the team lead on or off; only the agent decides."""
    share = sharing.set_sharing(get_breather().redis, agent, data["share_with_lead"])
    return {"agent": agent, "share_with_lead": share}


@bp.route("/agents/<agent>/export", methods=["GET"])
@authorize(OWN)
@bp.response(200, schemas.ExportSchema)
def export_own_data(agent: str):
    """Everything Breather keeps about the agent, as JSON (GDPR Art. 15 and 20)."""
    return export_agent(get_breather().redis, agent, _now())


@bp.route("/agents/<agent>", methods=["DELETE"])
@authorize(OWN_OR_ADMIN)
@bp.response(200, schemas.ErasureSchema)
def erase_data(agent: str):
    """Erase everything Breather keeps about the agent: their own token, or an admin's."""
    return erase_agent(get_breather().redis, agent)
