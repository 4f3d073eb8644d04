"""gunicorn settings for `breather serve` in production.

Metrics are computed at scrape time from Redis by a custom collector, so several gunicorn
workers need no PROMETHEUS_MULTIPROC_DIR: every worker answers /metrics with the same numbers.
"""

import os

bind = os.environ.get("BREATHER_BIND", "0.0.0.0:8000")
workers = int(os.environ.get("BREATHER_WEB_WORKERS", "2"))
threads = int(os.environ.get("BREATHER_WEB_THREADS", "4"))
timeout = 30
accesslog = "-"
errorlog = "-"
