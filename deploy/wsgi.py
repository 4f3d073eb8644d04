"""WSGI entry point for gunicorn: `gunicorn -c deploy/gunicorn.conf.py deploy.wsgi:app`.

Settings come from the environment here, at the entry point, and nowhere else.
"""

from service import create_app

app = create_app()
