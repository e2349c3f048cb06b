"""A bounded Python load generator (used when wrk is not installed), run as its own process:

    python -m bench.load_bench.pyload URL CONNECTIONS SECONDS   → prints one JSON line

``{random}`` in the URL is replaced by a new random string on every request (cache-busting).
"""

from __future__ import annotations

import http.client
import json
import secrets
import statistics
import subprocess
import sys
import threading
import time
from urllib.parse import urlsplit


def run_python_load(url: str, connections: int, duration: int):
    out = subprocess.run(
        [sys.executable, "-m", "bench.load_bench.pyload", url, str(connections), str(duration)],
        capture_output=True,
        text=True,
        check=True,
        timeout=duration + 60,
    ).stdout
    data = json.loads(out)
    return data["rps"], data["p50_ms"], data["p99_ms"], data["requests"], data["errors"]


def _worker(url, deadline, latencies, errors, lock):
    parts = urlsplit(url)
    target = parts.path + (f"?{parts.query}" if parts.query else "")
    conn = http.client.HTTPConnection(parts.hostname, parts.port, timeout=5)
    mine, failed = [], 0
    while time.monotonic() < deadline:
        started = time.perf_counter()
        try:
            conn.request("GET", target.replace("{random}", secrets.token_hex(8)))
            response = conn.getresponse()
            response.read()
            if response.status >= 400:
                failed += 1
        except (OSError, http.client.HTTPException):
            failed += 1
            conn.close()
            conn = http.client.HTTPConnection(parts.hostname, parts.port, timeout=5)
            continue
        mine.append((time.perf_counter() - started) * 1000)
    conn.close()
    with lock:
        latencies.extend(mine)
        errors.append(failed)


def main() -> None:
    url, connections, duration = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
    latencies: list[float] = []
    errors: list[int] = []
    lock = threading.Lock()
    started = time.monotonic()
    deadline = started + duration
    threads = [
        threading.Thread(target=_worker, args=(url, deadline, latencies, errors, lock))
        for _ in range(connections)
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=duration + 10)
    elapsed = time.monotonic() - started
    latencies.sort()
    quantiles = statistics.quantiles(latencies, n=100) if len(latencies) > 1 else [0.0] * 99
    print(
        json.dumps(
            {
                "rps": len(latencies) / elapsed,
                "requests": len(latencies),
                "errors": sum(errors),
                "p50_ms": quantiles[49],
                "p99_ms": quantiles[98],
            }
        )
    )


if __name__ == "__main__":
    main()
