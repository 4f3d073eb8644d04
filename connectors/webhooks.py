"""Webhook payloads (push) as normalised records, and their signature checks. Pure: no HTTP.

Pushed and polled copies of one message build the same record id ("zendesk:c-<comment id>"),
so the process job counts each once, whichever arrives first.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import time

from connectors import records
from connectors.zendesk import SOURCE as ZENDESK
from connectors.zendesk import comment_record

MAX_SKEW = 300  # seconds: an older (or future) signature timestamp is a replay, rejected
FRESHDESK_SECRET_HEADER = "X-Breather-Webhook-Secret"
TRUE = ("true", "1", "yes")


class BadWebhook(ValueError):
    """The payload cannot be read; the message says which field is wrong."""


def zendesk_signature(secret: str, timestamp: str, body: bytes) -> str:
    """base64(HMAC-SHA256(secret, timestamp + body)), as Zendesk signs webhook requests."""
    digest = hmac.new(secret.encode(), timestamp.encode() + body, hashlib.sha256).digest()
    return base64.b64encode(digest).decode()


def verify_zendesk(secret: str, signature: str | None, timestamp: str | None, body: bytes,
                   now: float | None = None) -> str | None:
    """None when genuine and fresh, else the reason it is refused."""
    if not signature or not timestamp:
        return "missing X-Zendesk-Webhook-Signature or -Timestamp header"
    sent = records.epoch(timestamp) if not timestamp.isdigit() else float(timestamp)
    if not sent or abs((now if now is not None else time.time()) - sent) > MAX_SKEW:
        return f"stale or unreadable signature timestamp {timestamp!r}"
    if not hmac.compare_digest(zendesk_signature(secret, timestamp, body), signature):
        return "signature does not match"
    return None


def verify_shared_secret(secret: str, sent: str | None) -> str | None:
    """None when the shared secret matches (compared in constant time), else the reason."""
    if not sent:
        return f"missing {FRESHDESK_SECRET_HEADER} header"
    if not hmac.compare_digest(secret.encode(), sent.encode()):
        return "shared secret does not match"
    return None


def zendesk_records(payload, agent_ids: set[str], groups: dict[str, str]) -> list[dict]:
    """Records from a Zendesk webhook: the event-subscription shape
    ({"type": "zen:event-type:ticket.comment_added", "detail": ticket, "event": {"comment"}})
    or Breather's trigger template ({"ticket": {...}, "comment": {...}}, docs/connectors.md).
    """
    if not isinstance(payload, dict):
        raise BadWebhook("body is not a JSON object")
    ticket = payload.get("detail") or payload.get("ticket")
    if not isinstance(ticket, dict) or not str(ticket.get("id") or "").strip():
        raise BadWebhook("no ticket id (expected 'detail.id' or 'ticket.id')")
    found = []
    team = ticket.get("group_name") or groups.get(str(ticket.get("group_id") or ""))
    updated = ticket.get("updated_at") or payload.get("time")
    if records.iso(updated):
        status = str(ticket.get("status") or "open").lower()
        found.append(records.ticket(ZENDESK, _int(ticket["id"]), _blank(ticket.get("assignee_id")),
                                    team or None, status, updated))
    event = payload.get("event") if isinstance(payload.get("event"), dict) else {}
    comment = event.get("comment") or payload.get("comment")
    if isinstance(comment, dict) and str(comment.get("id") or "").strip():
        found.append(_zendesk_comment(comment, ticket, agent_ids, payload.get("time")))
    return found


def _zendesk_comment(comment: dict, ticket: dict, agent_ids: set[str], at) -> dict:
    author = comment.get("author") if isinstance(comment.get("author"), dict) else {}
    author_id = _blank(comment.get("author_id") or author.get("id"))
    staff = author.get("is_staff") or str(comment.get("author_role", "")).lower() in (
        "agent", "admin")
    known = set(agent_ids) | ({str(author_id)} if staff else set())
    public = comment.get("is_public", comment.get("public", True))
    normalised = {"id": _int(comment["id"]), "author_id": author_id,
                  "public": str(public).lower() in TRUE if isinstance(public, str) else public,
                  "body": comment.get("body") or comment.get("value") or ""}
    when = comment.get("created_at") or at or ticket.get("updated_at")
    return comment_record(normalised, _int(ticket["id"]), known, when)


def freshdesk_ticket_id(payload) -> int:
    """The ticket id of a Freshdesk automation webhook (Breather's template: {"ticket_id": ..}
    or Freshdesk's {"freshdesk_webhook": {"ticket_id": ..}})."""
    if not isinstance(payload, dict):
        raise BadWebhook("body is not a JSON object")
    inner = payload.get("freshdesk_webhook")
    value = (inner or {}).get("ticket_id") if isinstance(inner, dict) else None
    value = value or payload.get("ticket_id")
    try:
        return int(str(value).lstrip("#"))
    except (TypeError, ValueError):
        raise BadWebhook(f"ticket_id {value!r} is not a ticket number") from None


def _int(value):
    """Placeholders render numbers as strings: "81" -> 81 (keeps ids identical to polled ones)."""
    text = str(value).strip()
    return int(text) if text.isdigit() else text


def _blank(value):
    return None if value in (None, "", "null", "None") else _int(value)
