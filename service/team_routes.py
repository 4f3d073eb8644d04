"""Team views: aggregates for everyone signed in, the overview for a team's lead, rotation.

Teams below BREATHER_MIN_GROUP_SIZE are pooled ("small teams") in every aggregate; per-agent
detail appears only for agents who chose to share it with their lead.
"""

from __future__ import annotations

from flask import g
from flask_smorest import Blueprint, abort

from service import schemas
from service.access import ANY, TEAM_LEAD, TEAM_MEMBER, authorize
from service.extension import get_breather
from service.switches import switch
from workers import agents, sharing
from workers.clock import current_time
from workers.pooling import TeamPool
from workers.suggestion_store import rotation

bp = Blueprint("teams", __name__, url_prefix="/api/v1/teams",
               description="Team aggregates (small teams pooled) and the lead's overview.")


def _now() -> float:
    breather = get_breather()
    return current_time(breather.redis, breather.settings.clock)


def _views() -> list[dict]:
    """Every agent's view without recent hostile messages (aggregates never show them), in
    two round trips whatever the number of agents."""
    return agents.all_views(get_breather().redis, _now(), with_recent=False)


@bp.route("", methods=["GET"])
@authorize(ANY)
@bp.response(200, schemas.TeamsSchema)
def teams():
    """Every team's aggregates; teams below the minimum group size are pooled."""
    min_size = get_breather().settings.min_group_size
    return {"teams": agents.team_summaries(_views(), min_size)}


@bp.route("/<team>", methods=["GET"])
@authorize(TEAM_LEAD)
@bp.response(200, schemas.TeamOverviewSchema)
def team_overview(team: str):
    """The lead's overview: the team's aggregate (pooled if small) and the views of members
    who share theirs with their lead (an admin sees the aggregate only)."""
    breather = get_breather()
    views = _views()
    members = [view for view in views if view["team"] == team]
    if not members:
        abort(404, message=f"no agents in team {team!r}")
    group = TeamPool.from_teams((v["team"] for v in views), breather.settings.min_group_size) \
        .label(team)
    summary = agents.team_summaries(views, breather.settings.min_group_size)[group]
    principal = g.get("principal")  # None only with BREATHER_AUTH=false
    lead = principal is None or principal.leads(team)  # agents share with their lead, not admins
    sharers = sharing.sharers(breather.redis) if lead else set()
    now = _now()
    shared = [agents.agent_view(breather.redis, view["agent"], now) for view in members
              if view["agent"] in sharers]
    return {"team": team, "group": group, "summary": summary, "shared": shared}


@bp.route("/<team>/rotation", methods=["GET"])
@switch("rotation")
@authorize(TEAM_MEMBER)
@bp.response(200, schemas.RotationSchema)
def team_rotation(team: str):
    """Fair hot-queue rotation: who has carried the least hostile exposure this week first."""
    breather = get_breather()
    order = rotation(breather.redis, team, current_time(breather.redis, breather.settings.clock))
    if not order:
        abort(404, message=f"no agents in team {team!r}")
    return {"team": team, "order": order,
            "note": "least hostile exposure this week first; anyone may act on it"}
