"""Real servers for tests: a WSGI app on 127.0.0.1 in a thread, and system binaries."""

from __future__ import annotations

import os
import shutil
import threading

import pytest
from werkzeug.serving import make_server


class LiveServer:
    """Serve a WSGI app on a free 127.0.0.1 port until stopped."""

    def __init__(self, app):
        self.server = make_server("127.0.0.1", 0, app, threaded=True)
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.server.server_port}"

    def __enter__(self) -> LiveServer:
        self.thread.start()
        return self

    def __exit__(self, *exc) -> None:
        self.server.shutdown()
        self.thread.join(timeout=5)


def require_binary(name: str, *candidates: str) -> str:
    """Path of a system binary; skip locally when absent, but fail in CI (it must be there)."""
    for candidate in (name, *candidates):
        found = shutil.which(candidate) or (candidate if os.path.isfile(candidate) else None)
        if found:
            return found
    message = f"{name} is not installed (.ci/run installs it with apt-get)"
    if os.environ.get("CI"):
        pytest.fail(message)
    pytest.skip(message)
