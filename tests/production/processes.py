"""Helpers for tests that start real servers (redis-server, gunicorn, moto): bounded waits."""

from __future__ import annotations

import os
import select
import socket
import subprocess
import time


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def wait_for_line(process: subprocess.Popen, marker: str, timeout: float = 60) -> None:
    """Read the process's output until ``marker`` appears (no polling); fail after ``timeout``.

    Reads the pipe's file descriptor directly: a buffered reader could hold the line while
    select() says there is nothing more to read.
    """
    deadline = time.monotonic() + timeout
    fd = process.stdout.fileno()
    seen = b""
    while (left := deadline - time.monotonic()) > 0:
        ready, _w, _x = select.select([fd], [], [], left)
        if not ready:
            break
        chunk = os.read(fd, 65536)
        if not chunk:
            break
        seen += chunk
        if marker.encode() in seen:
            return
    raise AssertionError(
        f"no {marker!r} within {timeout} s:\n{seen[-3000:].decode(errors='replace')}"
    )


def stop(process: subprocess.Popen) -> None:
    if process.poll() is None:
        process.terminate()
        try:
            process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait(timeout=10)
