"""Marshmallow schemas for the HTTP edge only; one module-level instance per shape."""

from __future__ import annotations

from flask import request
from marshmallow import RAISE, Schema, fields


class CorrectionSchema(Schema):
    """An agent marks a message's score wrong: `hostile` is what it should have been."""

    class Meta:
        unknown = RAISE

    message = fields.String(required=True)
    hostile = fields.Boolean(required=True)


correction_schema = CorrectionSchema()


def load_json(schema: Schema) -> dict:
    """Validate the request's JSON body; raises ValidationError naming what is wrong."""
    from marshmallow import ValidationError

    body = request.get_json(silent=True)
    if body is None:
        raise ValidationError({"_body": ["the request body must be JSON (Content-Type: "
                                         "application/json)"]})
    return schema.load(body)
