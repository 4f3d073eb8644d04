"""Suggestions, check-ins and breaks: the agent's own controls in the widget."""

from __future__ import annotations

from flask import Blueprint, jsonify
from marshmallow import RAISE, Schema, ValidationError, fields, validate, validates_schema

from service.access import OWN, TEAM_MEMBER, authorize
from service.extension import get_breather
from service.schemas import load_json
from service.switches import switch
from workers import strain
from workers.clock import current_time
from workers.suggestion_rules import KINDS, SNOOZE_MINUTES
from workers.suggestion_store import (
    answer,
    apply_events,
    close_offer,
    current_suggestion,
    open_offers,
    rotation,
)

bp = Blueprint("suggestions", __name__)


class ResponseSchema(Schema):
    class Meta:
        unknown = RAISE

    response = fields.String(required=True,
                             validate=validate.OneOf(["accept", "snooze", "decline"]))
    minutes = fields.Integer(validate=validate.OneOf(SNOOZE_MINUTES))

    @validates_schema
    def _minutes_only_for_snooze(self, data, **kwargs):
        if data.get("minutes") and data["response"] != "snooze":
            raise ValidationError("only a snooze takes minutes", "minutes")


class CheckinSchema(Schema):
    class Meta:
        unknown = RAISE

    value = fields.Integer(required=True, validate=validate.Range(1, 5))


class BreakSchema(Schema):
    class Meta:
        unknown = RAISE

    action = fields.String(required=True, validate=validate.OneOf(["start", "end"]))


response_schema, checkin_schema, break_schema = ResponseSchema(), CheckinSchema(), BreakSchema()


def _now() -> float:
    breather = get_breather()
    return current_time(breather.redis, breather.settings.clock)


@bp.get("/api/v1/agents/<agent>/suggestion")
@switch("suggestions")
@authorize(OWN)
def get_suggestion(agent: str):
    """The agent's one open suggestion, or null."""
    breather = get_breather()
    kinds = tuple(k for k in KINDS if k != "checkin" or breather.settings.enabled("checkin"))
    return jsonify(suggestion=current_suggestion(breather.redis, agent, _now(), kinds))


@bp.post("/api/v1/agents/<agent>/suggestion/<suggestion_id>")
@switch("suggestions")
@authorize(OWN)
def respond_to_suggestion(agent: str, suggestion_id: str):
    """Accept, snooze (5, 15 or 30 min) or decline; only the agent ever sees their answers."""
    try:
        data = load_json(response_schema)
    except ValidationError as err:
        return jsonify(errors=err.messages), 422
    try:
        result = answer(get_breather().redis, agent, suggestion_id, data["response"], _now(),
                        data.get("minutes"))
    except KeyError:
        return jsonify(error=f"no open suggestion {suggestion_id!r}"), 404
    return jsonify(result)


@bp.post("/api/v1/agents/<agent>/checkin")
@switch("checkin")
@authorize(OWN)
def checkin(agent: str):
    """How are you (1-5)? A self-report that only this agent sees in detail."""
    breather = get_breather()
    try:
        data = load_json(checkin_schema)
    except ValidationError as err:
        return jsonify(errors=err.messages), 422
    apply_events(breather.redis, agent,
                 [strain.Event("checkin", _now(), agent, value=float(data["value"]))])
    return jsonify(value=data["value"]), 201


@bp.post("/api/v1/agents/<agent>/breaks")
@authorize(OWN)
def breaks(agent: str):
    """Start or end a break (the agent's own choice, never enforced)."""
    try:
        data = load_json(break_schema)
    except ValidationError as err:
        return jsonify(errors=err.messages), 422
    kind = "break_start" if data["action"] == "start" else "break_end"
    state = apply_events(get_breather().redis, agent, [strain.Event(kind, _now(), agent)])
    return jsonify(on_break=state.on_break), 201


class OfferSchema(Schema):
    class Meta:
        unknown = RAISE

    action = fields.String(required=True, validate=validate.OneOf(["take", "dismiss"]))


offer_schema = OfferSchema()


@bp.get("/api/v1/agents/<agent>/offers")
@authorize(OWN)
def offers(agent: str):
    """Heated tickets teammates chose to offer; taking one is done in the helpdesk."""
    return jsonify(offers=open_offers(get_breather().redis, agent, _now()))


@bp.post("/api/v1/agents/<agent>/offers/<ticket>")
@authorize(OWN)
def answer_offer(agent: str, ticket: str):
    """Take (then assign it to yourself in the helpdesk) or dismiss an offered ticket."""
    try:
        data = load_json(offer_schema)
    except ValidationError as err:
        return jsonify(errors=err.messages), 422
    if not close_offer(get_breather().redis, agent, ticket, data["action"]):
        return jsonify(error=f"no open offer for ticket {ticket!r}"), 404
    return jsonify(ticket=ticket, action=data["action"])


@bp.get("/api/v1/teams/<team>/rotation")
@switch("rotation")
@authorize(TEAM_MEMBER)
def team_rotation(team: str):
    """Fair hot-queue rotation: who has carried the least hostile exposure this week first."""
    breather = get_breather()
    order = rotation(breather.redis, team, _now())
    if not order:
        return jsonify(error=f"no agents in team {team!r}"), 404
    return jsonify(team=team, order=order,
                   note="least hostile exposure this week first; anyone may act on it")
