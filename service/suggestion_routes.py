"""Suggestions, check-ins, breaks and hand-off offers: the agent's own controls in the widget."""

from __future__ import annotations

from flask_smorest import Blueprint, abort

from service import schemas
from service.access import OWN, authorize
from service.extension import get_breather
from service.switches import is_on, switch
from workers import strain
from workers.clock import current_time
from workers.suggestion_rules import KINDS
from workers.suggestion_store import (
    answer,
    apply_events,
    close_offer,
    offers_now,
    suggestion_now,
)

bp = Blueprint("suggestions", __name__, url_prefix="/api/v1/agents",
               description="The agent's own suggestion, check-ins, breaks and hand-off offers.")


def _now() -> float:
    breather = get_breather()
    return current_time(breather.redis, breather.settings.clock)


@bp.route("/<agent>/suggestion", methods=["GET"])
@switch("suggestions")
@authorize(OWN)
@bp.response(200, schemas.OpenSuggestionSchema)
def get_suggestion(agent: str):
    """The agent's one open suggestion, or null."""
    breather = get_breather()
    kinds = tuple(k for k in KINDS if k != "checkin" or is_on(breather.settings, "checkin"))
    return {"suggestion": suggestion_now(breather.redis, agent, breather.settings.clock, kinds)}


@bp.route("/<agent>/suggestion/<suggestion_id>", methods=["POST"])
@switch("suggestions")
@authorize(OWN)
@bp.arguments(schemas.AnswerSchema)
@bp.response(200, schemas.AnswerResultSchema)
def respond_to_suggestion(data: dict, agent: str, suggestion_id: str):
    """Accept, snooze (5, 15 or 30 min) or decline; only the agent ever sees their answers."""
    try:
        return answer(get_breather().redis, agent, suggestion_id, data["response"], _now(),
                      data.get("minutes"))
    except KeyError:
        abort(404, message=f"no open suggestion {suggestion_id!r}")


@bp.route("/<agent>/checkin", methods=["POST"])
@switch("checkin")
@authorize(OWN)
@bp.arguments(schemas.CheckinSchema)
@bp.response(201, schemas.CheckinResultSchema)
def checkin(data: dict, agent: str):
    """How are you (1-5)? A self-report that only this agent sees in detail."""
    event = strain.Event("checkin", _now(), agent, value=float(data["value"]))
    apply_events(get_breather().redis, agent, [event])
    return {"value": data["value"]}


@bp.route("/<agent>/breaks", methods=["POST"])
@authorize(OWN)
@bp.arguments(schemas.BreakSchema)
@bp.response(201, schemas.BreakResultSchema)
def breaks(data: dict, agent: str):
    """Start or end a break (the agent's own choice, never enforced)."""
    kind = "break_start" if data["action"] == "start" else "break_end"
    state = apply_events(get_breather().redis, agent, [strain.Event(kind, _now(), agent)])
    return {"on_break": state.on_break}


@bp.route("/<agent>/offers", methods=["GET"])
@authorize(OWN)
@bp.response(200, schemas.OffersSchema)
def offers(agent: str):
    """Heated tickets teammates chose to offer; taking one is done in the helpdesk."""
    breather = get_breather()
    return {"offers": offers_now(breather.redis, agent, breather.settings.clock)}


@bp.route("/<agent>/offers/<ticket>", methods=["POST"])
@authorize(OWN)
@bp.arguments(schemas.OfferAnswerSchema)
@bp.response(200, schemas.OfferResultSchema)
def answer_offer(data: dict, agent: str, ticket: str):
    """Take (then assign it to yourself in the helpdesk) or dismiss an offered ticket."""
    if not close_offer(get_breather().redis, agent, ticket, data["action"]):
        abort(404, message=f"no open offer for ticket {ticket!r}")
    return {"ticket": ticket, "action": data["action"]}
