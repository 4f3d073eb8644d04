"""Marshmallow schemas for the HTTP edge only; one module-level instance per shape."""

from __future__ import annotations

from marshmallow import RAISE, Schema, fields


class CorrectionSchema(Schema):
    """An agent marks a message's score wrong: `hostile` is what it should have been."""

    class Meta:
        unknown = RAISE

    message = fields.String(required=True)
    hostile = fields.Boolean(required=True)


correction_schema = CorrectionSchema()
