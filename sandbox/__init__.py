"""A sandbox helpdesk: speaks the Zendesk and Freshdesk APIs over a simulated support org.

It imports nothing from Breather, as a real vendor would not.
"""

from sandbox.server import create_app, serve

__all__ = ["create_app", "serve"]
