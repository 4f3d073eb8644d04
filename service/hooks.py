"""Webhooks (push, for low latency): POST /hooks/zendesk and POST /hooks/freshdesk.

Zendesk requests carry an HMAC-SHA256 signature over timestamp + raw body; Freshdesk requests
carry a shared secret in a custom header. A missing, wrong or stale signature gets 401 and
nothing is enqueued. Accepted bodies become normalised records (with the same ids polling
builds, so a message pushed and polled counts once) and are enqueued for the process job.
Set-up of both helpdesks: docs/connectors.md.
"""

from __future__ import annotations

import json
import logging

from flask import Blueprint, jsonify, request
from rq import Queue

from connectors import webhooks
from service.errors import error_response
from service.extension import get_breather
from workers import bookmarks
from workers.poll import JOB_RESULT_TTL, enqueue_records, refresh_ticket

bp = Blueprint("webhooks", __name__, url_prefix="/hooks")
log = logging.getLogger("breather.hooks")
MAX_BODY = 1_000_000


@bp.post("/zendesk")
def zendesk():
    """A Zendesk webhook: verify the signature and timestamp, then enqueue its records."""
    breather = get_breather()
    config = breather.settings.zendesk
    if config is None or not config.webhook_secret:
        return error_response(404, "Zendesk webhooks are not configured (ZENDESK_WEBHOOK_SECRET)")
    body = request.get_data(cache=False)
    refused = webhooks.verify_zendesk(
        config.webhook_secret, request.headers.get("X-Zendesk-Webhook-Signature"),
        request.headers.get("X-Zendesk-Webhook-Signature-Timestamp"), body)
    if refused:
        return _refuse("zendesk", refused)
    meta = bookmarks.get_meta(breather.redis, "zendesk", max_age=None) or {}
    try:
        found = webhooks.zendesk_records(_json(body), set(meta.get("agent_ids") or ()),
                                         meta.get("groups") or {})
    except webhooks.BadWebhook as exc:
        return _bad("zendesk", exc)
    if found:
        enqueue_records(_queue(), found)
    return jsonify(accepted=len(found)), 202


@bp.post("/freshdesk")
def freshdesk():
    """A Freshdesk automation webhook: check the shared secret, then re-read that ticket."""
    breather = get_breather()
    config = breather.settings.freshdesk
    if config is None or not config.webhook_secret:
        return error_response(404, "Freshdesk webhooks are not configured "
                                   "(FRESHDESK_WEBHOOK_SECRET)")
    refused = webhooks.verify_shared_secret(
        config.webhook_secret, request.headers.get(webhooks.FRESHDESK_SECRET_HEADER))
    if refused:
        return _refuse("freshdesk", refused)
    try:
        ticket_id = webhooks.freshdesk_ticket_id(_json(request.get_data(cache=False)))
    except webhooks.BadWebhook as exc:
        return _bad("freshdesk", exc)
    _queue().enqueue(refresh_ticket, "freshdesk", ticket_id, result_ttl=JOB_RESULT_TTL)
    return jsonify(accepted=1, ticket=ticket_id), 202


def _json(body: bytes):
    if len(body) > MAX_BODY:
        raise webhooks.BadWebhook(f"body over {MAX_BODY} bytes")
    try:
        return json.loads(body)
    except (ValueError, UnicodeDecodeError):
        raise webhooks.BadWebhook("body is not JSON") from None


def _queue() -> Queue:
    breather = get_breather()
    return Queue(breather.settings.queue_name, connection=breather.redis)


def _refuse(source: str, reason: str):
    log.warning("webhook %s refused: %s (from %s)", source, reason, request.remote_addr)
    bookmarks.count_error(get_breather().redis, source, "webhook", "refused")
    return error_response(401, f"webhook refused: {reason}")


def _bad(source: str, exc: Exception):
    log.warning("webhook %s: unreadable body: %s", source, exc)
    bookmarks.count_error(get_breather().redis, source, "webhook", "malformed")
    return error_response(400, f"unreadable webhook body: {exc}")
