"""Marshmallow schemas for the HTTP edge only; flask-smorest validates requests with them,
serialises responses through them and builds /openapi.json from them."""

from __future__ import annotations

from marshmallow import RAISE, Schema, ValidationError, fields, validate, validates_schema

from workers.suggestion_rules import SNOOZE_MINUTES

LEVELS = ("calm", "elevated", "high")


class RequestSchema(Schema):
    """Every request body: unknown fields are an error, never silently dropped."""

    class Meta:
        unknown = RAISE


class StrictBoolean(fields.Boolean):
    """JSON true or false only: "yes", 1, 0.0 or "true" are refused, not guessed."""

    def _deserialize(self, value, attr, data, **kwargs):
        if not isinstance(value, bool):
            raise self.make_error("invalid")
        return value


def _strict_bool(**kwargs) -> fields.Boolean:
    return StrictBoolean(**kwargs)


# ---- requests -------------------------------------------------------------------------------

class CorrectionSchema(RequestSchema):
    """An agent marks a message's score wrong: `hostile` is what it should have been."""

    message = fields.String(required=True, validate=validate.Length(1, 200),
                            metadata={"description": "the message id from recent_hostile"})
    hostile = _strict_bool(required=True)


class AnswerSchema(RequestSchema):
    """Accept, snooze (5, 15 or 30 minutes) or decline the open suggestion."""

    response = fields.String(required=True,
                             validate=validate.OneOf(["accept", "snooze", "decline"]))
    minutes = fields.Integer(strict=True, validate=validate.OneOf(SNOOZE_MINUTES),
                             metadata={"description": "snooze only"})

    @validates_schema
    def _minutes_only_for_snooze(self, data, **kwargs):
        if data.get("minutes") is not None and data["response"] != "snooze":
            raise ValidationError("only a snooze takes minutes", "minutes")


class CheckinSchema(RequestSchema):
    """How are you, from 1 (rough) to 5 (fine)?"""

    value = fields.Integer(required=True, strict=True, validate=validate.Range(1, 5))


class BreakSchema(RequestSchema):
    action = fields.String(required=True, validate=validate.OneOf(["start", "end"]))


class OfferAnswerSchema(RequestSchema):
    action = fields.String(required=True, validate=validate.OneOf(["take", "dismiss"]))


class SharingSchema(RequestSchema):
    """Whether the agent lets their team lead see their own view (off by default)."""

    share_with_lead = _strict_bool(required=True)


# ---- responses ------------------------------------------------------------------------------

class BasisSchema(Schema):
    events = fields.Integer(required=True)
    days_observed = fields.Float(required=True)
    confidence = fields.String(required=True, validate=validate.OneOf(["low", "medium", "high"]))


class RecentHostileSchema(Schema):
    """A message scored hostile: its id, time and cues, never its text."""

    id = fields.String(required=True)
    at = fields.Float(allow_none=True)
    cues = fields.List(fields.String(), required=True)
    corrected = fields.Boolean(required=True)


class StrainSchema(Schema):
    """An agent's own view: strain 0-100, its level, the factors in words and their basis."""

    agent = fields.String(required=True)
    name = fields.String(required=True)
    team = fields.String(allow_none=True, required=True)
    strain = fields.Float(required=True, metadata={"description": "0-100 load and exposure"})
    level = fields.String(required=True, validate=validate.OneOf(LEVELS))
    factors = fields.List(fields.String(), required=True,
                          metadata={"description": "the reasons, in plain words"})
    basis = fields.Nested(BasisSchema, required=True)
    parts = fields.Dict(keys=fields.String(), values=fields.Float(), required=True)
    at = fields.Float(required=True, metadata={"description": "when it was assessed (epoch s)"})
    open_tickets = fields.Integer(required=True)
    customer_messages = fields.Integer(required=True, metadata={"description": "last 24 h"})
    hostile_messages = fields.Integer(required=True, metadata={"description": "last 24 h"})
    hostile_2h = fields.Integer(required=True)
    on_break = fields.Boolean(required=True)
    minutes_since_break = fields.Integer(required=True)
    praise_today = fields.Integer(required=True)
    exposure_week = fields.Float(required=True)
    last_severe_at = fields.Float(required=True)
    last_hostile_ticket = fields.String(allow_none=True, required=True)
    shift_minutes = fields.Integer(required=True)
    shift_start = fields.Float(required=True)
    checkin_at = fields.Float(required=True)
    recent_hostile = fields.List(fields.Nested(RecentHostileSchema), required=True)


class SuggestionSchema(Schema):
    id = fields.String(required=True)
    kind = fields.String(required=True)
    at = fields.Float(required=True)
    title = fields.String(required=True)
    reason = fields.String(required=True)
    gentle = fields.Boolean(required=True)
    options = fields.List(fields.String(), required=True)
    ticket = fields.String(allow_none=True)


class OpenSuggestionSchema(Schema):
    suggestion = fields.Nested(SuggestionSchema, allow_none=True, required=True)


class AnswerResultSchema(Schema):
    id = fields.String(required=True)
    kind = fields.String(allow_none=True, required=True)
    response = fields.String(required=True)


class CheckinResultSchema(Schema):
    value = fields.Integer(required=True)


class BreakResultSchema(Schema):
    on_break = fields.Boolean(required=True)


class OfferSchema(Schema):
    ticket = fields.String(required=True)
    at = fields.Float(required=True)
    by = fields.String(required=True)
    by_name = fields.String(required=True)


class OffersSchema(Schema):
    offers = fields.List(fields.Nested(OfferSchema), required=True)


class OfferResultSchema(Schema):
    ticket = fields.String(required=True)
    action = fields.String(required=True)


class CorrectionResultSchema(Schema):
    message = fields.String(required=True)
    hostile = fields.Boolean(required=True)
    changed = fields.Boolean(required=True)


class SharingResultSchema(Schema):
    agent = fields.String(required=True)
    share_with_lead = fields.Boolean(required=True)


class MeSchema(Schema):
    """Who the token names."""

    agent = fields.String(required=True)
    role = fields.String(required=True, validate=validate.OneOf(["agent", "lead", "admin"]))
    team = fields.String(allow_none=True, required=True)


class ErasureSchema(Schema):
    """What an erasure removed, by kind."""

    agent = fields.String(required=True)
    records = fields.Integer(required=True)
    message_scores = fields.Integer(required=True)
    offers = fields.Integer(required=True)
    break_followups = fields.Integer(required=True)


class ExportSchema(Schema):
    """Everything Breather keeps about one agent (GDPR Art. 15 and 20), machine-readable.

    An agent Breather knows nothing about (or no longer: after an erasure) gets empty parts.
    """

    agent = fields.String(required=True)
    profile = fields.Dict(required=True)
    current_strain = fields.Dict(required=True, metadata={"description": "as /strain shows it"})
    prompt_record = fields.Dict(allow_none=True, required=True,
                                metadata={"description": "suggestions shown and answers"})
    message_scores = fields.Dict(keys=fields.String(), values=fields.Dict(), required=True,
                                 metadata={"description": "message id -> score (never text)"})
    corrections = fields.Dict(keys=fields.String(), values=fields.Dict(), required=True)
    shares_with_lead = fields.Boolean(required=True)
    open_offers = fields.List(fields.Dict(), required=True)
    break_followups = fields.List(fields.Dict(), required=True)


class TeamSummarySchema(Schema):
    agents = fields.Integer(required=True)
    levels = fields.Dict(keys=fields.String(), values=fields.Integer(), required=True)
    mean_strain = fields.Float(required=True)
    hostile_messages = fields.Integer(required=True)
    customer_messages = fields.Integer(required=True)
    open_tickets = fields.Integer(required=True)
    praise_today = fields.Integer(required=True)
    suppressed = fields.Boolean(required=True,
                                metadata={"description": "pooled: below the minimum group size"})


class TeamsSchema(Schema):
    teams = fields.Dict(keys=fields.String(), values=fields.Nested(TeamSummarySchema),
                        required=True)


class TeamOverviewSchema(Schema):
    """A lead's view: the team's aggregate, and the own views of members who share them."""

    team = fields.String(required=True)
    group = fields.String(required=True, metadata={
        "description": "the team, or 'small teams' when it is pooled below the minimum size"})
    summary = fields.Nested(TeamSummarySchema, required=True)
    shared = fields.List(fields.Nested(StrainSchema), required=True)


class RotationEntrySchema(Schema):
    rank = fields.Integer(required=True)
    agent = fields.String(required=True)
    name = fields.String(required=True)


class RotationSchema(Schema):
    team = fields.String(required=True)
    order = fields.List(fields.Nested(RotationEntrySchema), required=True)
    note = fields.String(required=True)
