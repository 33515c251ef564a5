"""The real service (`chamdiem serve --workers 2`) started on a test's database, for tests
that need several processes and real sockets; stopped with Ctrl+C as an operator would."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

import httpx
import pytest

ROOT = Path(__file__).resolve().parents[2]


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


@dataclass
class Served:
    base: str
    out: str = ""  # what the service printed, once it has stopped
    err: str = ""
    extra: dict[str, str] = field(default_factory=dict)


@contextmanager
def serve(database_url: str, data_dir: Path, secret: str, **settings: str) -> Iterator[Served]:
    """The service in two processes, answering; `settings` are more CHAMDIEM_… variables.
    After the block, `out` and `err` hold what it printed (a stop that fails fails the test)."""
    port = free_port()
    env = {
        **os.environ,
        "CHAMDIEM_DATABASE_URL": database_url,
        "CHAMDIEM_DATA_DIR": str(data_dir),
        "CHAMDIEM_SECRET_KEY": secret,
        **settings,
    }
    server = subprocess.Popen(
        [sys.executable, "-m", "chamdiem", "serve", "--port", str(port), "--workers", "2"],
        cwd=ROOT,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    served = Served(f"http://127.0.0.1:{port}")
    try:
        deadline = time.monotonic() + 60
        while True:
            assert server.poll() is None, server.communicate()
            try:
                if httpx.get(served.base + "/dang-nhap", timeout=2).status_code == 200:
                    break
            except httpx.HTTPError:
                pass
            assert time.monotonic() < deadline, "the service did not start"
            time.sleep(0.2)
        yield served
    finally:
        server.send_signal(signal.SIGINT)
        try:
            served.out, served.err = server.communicate(timeout=30)
        except subprocess.TimeoutExpired:
            server.kill()
            served.out, served.err = server.communicate()
            pytest.fail(f"the service did not stop on Ctrl+C: {served.err}")
