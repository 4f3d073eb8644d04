"""Sidebar entry points of the Zendesk and Freshdesk apps (switchable as "apps").

Zendesk: POST /apps/zendesk/sidebar (the signed first load) -> the widget page with a launch
value; the page trades launch + the agent's binding for a session token at /apps/zendesk/session;
without a binding it opens /apps/zendesk/oauth/start in a pop-up once.
Freshdesk: the app asks /apps/freshdesk/session through Freshworks' proxy (secure installation
secret in a header), then posts the session token into /apps/freshdesk/sidebar.
The page only ever holds a short-lived API token; see docs/threat-model.md.
"""

from __future__ import annotations

import hmac

from flask import Blueprint, abort, jsonify, redirect, render_template, request

from service import app_identity as ident
from service.auth import issue_token, verify_token
from service.errors import error_response
from service.extension import get_breather
from service.widget import no_store_page, render_widget

bp = Blueprint("apps", __name__, url_prefix="/apps")


def _apps():
    return get_breather().settings.apps


def _secret() -> str:
    return get_breather().settings.secret


@bp.errorhandler(ident.IdentityError)
def _refused(exc: ident.IdentityError):
    """Any failed proof: 401 with the reason, and never the widget page."""
    return error_response(401, str(exc))


def _session(agent: str, locale: str | None = None) -> dict:
    minutes = _apps().session_minutes
    token = issue_token(_secret(), agent, ttl=minutes * 60)
    return {"token": token, "agent": agent, "expires_in": minutes * 60, "locale": locale}


def _public_url() -> str:
    return _apps().public_url or request.host_url.rstrip("/")


# -- Zendesk ---------------------------------------------------------------------------------
def _zendesk_configured() -> None:
    if not _apps().zendesk_public_key:
        abort(404, "the Zendesk app is not configured here (ZENDESK_APP_PUBLIC_KEY)")


@bp.post("/zendesk/sidebar")
def zendesk_sidebar():
    """Zendesk's signed first load of the ticket sidebar."""
    _zendesk_configured()
    claims = ident.verify_zendesk_jwt(request.form.get("token", ""), _apps())
    launch = ident.sign(_secret(), "launch", {"iss": claims["iss"], "aud": claims["aud"]})
    return render_widget("zendesk", launch=launch)


@bp.post("/zendesk/session")
def zendesk_session():
    """Launch (this page came from a signed Zendesk load) + binding (this agent) -> session."""
    _zendesk_configured()
    body = request.get_json(silent=True) or {}
    launch = ident.unsign(_secret(), "launch", body.get("launch"), ident.LAUNCH_SECONDS)
    try:
        binding = ident.unsign(_secret(), "binding", body.get("binding"), ident.BINDING_SECONDS)
    except ident.IdentityError as exc:
        return error_response(401, str(exc), signin=True)
    if binding.get("iss") != launch["iss"]:
        return error_response(401, "this sign-in belongs to another Zendesk account", signin=True)
    return jsonify(_session(binding["agent"], binding.get("locale")))


@bp.get("/zendesk/oauth/start")
def zendesk_oauth_start():
    """Pop-up: from a valid launch, off to Zendesk's sign-in and consent page."""
    _zendesk_configured()
    launch = ident.unsign(_secret(), "launch", request.args.get("launch"), ident.LAUNCH_SECONDS)
    state = ident.sign(_secret(), "state", {"iss": launch["iss"]})
    return redirect(ident.zendesk_authorize_url(_apps(), _callback_url(), state))


def _callback_url() -> str:
    return f"{_public_url()}/apps/zendesk/oauth/callback"


@bp.get("/zendesk/oauth/callback")
def zendesk_oauth_callback():
    """Zendesk sends the agent back with a code: who they are becomes a signed binding, handed
    to the sidebar that opened this pop-up (and to no other window)."""
    _zendesk_configured()
    if request.args.get("error"):
        raise ident.IdentityError(f"Zendesk sign-in was not completed: {request.args['error']}")
    state = ident.unsign(_secret(), "state", request.args.get("state"), ident.STATE_SECONDS)
    user = ident.zendesk_user_for_code(_apps(), request.args.get("code", ""), _callback_url())
    binding = ident.sign(_secret(), "binding", {"agent": f"zendesk:{user['id']}",
                                               "iss": state["iss"],
                                               "locale": user.get("locale")})
    response = no_store_page(render_template("signed_in.html", binding=binding,
                                                     locale=user.get("locale") or "en"))
    response.headers["Cross-Origin-Opener-Policy"] = "unsafe-none"  # the sidebar must hear back
    return response


# -- Freshdesk -------------------------------------------------------------------------------
@bp.post("/freshdesk/session")
def freshdesk_session():
    """Called through Freshworks' request proxy, which adds the secure installation secret."""
    apps = _apps()
    if not apps.freshdesk_secret:
        abort(404, "the Freshdesk app is not configured here (FRESHDESK_APP_SECRET)")
    given = request.headers.get("X-Breather-App-Secret", "")
    if not hmac.compare_digest(given.encode(), apps.freshdesk_secret.encode()):
        raise ident.IdentityError("wrong or missing installation secret (X-Breather-App-Secret)")
    body = _json_body()
    claimed = f"freshdesk:{body['agent_id']}" if body.get("agent_id") else None
    if apps.freshdesk_mode == "strict":
        try:
            pairing = ident.unsign(_secret(), "pairing", body.get("pairing"),
                                   ident.PAIRING_SECONDS)
        except ident.IdentityError as exc:
            return error_response(401, f"{exc}: paste your personal pairing code once", pair=True)
        if claimed and claimed != pairing["agent"]:
            return error_response(403, "this pairing code belongs to another agent", pair=True)
        claimed = pairing["agent"]
    if not claimed:
        return error_response(422, "agent_id is required (the Freshdesk agent's id)")
    session = _session(claimed, body.get("locale"))
    return jsonify({**session, "sidebar": f"{_public_url()}/apps/freshdesk/sidebar"})


def _json_body() -> dict:
    body = request.get_json(silent=True)
    return body if isinstance(body, dict) else {}


@bp.post("/freshdesk/sidebar")
def freshdesk_sidebar():
    """The Freshdesk app posts the session token here, into its iframe (never in a URL)."""
    token = request.form.get("session", "")
    principal = verify_token(_secret(), token) if token else None
    if principal is None:
        raise ident.IdentityError("missing or expired session; reopen the Breather app")
    agent = getattr(principal, "agent", principal)
    return render_widget("freshdesk", token=token, agent=agent,
                         locale=request.form.get("locale"))


def pairing_code(secret: str, agent: str) -> str:
    """A personal code for strict mode (`breather apps pair AGENT`)."""
    return ident.sign(secret, "pairing", {"agent": agent})

