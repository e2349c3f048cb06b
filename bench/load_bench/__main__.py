"""Start the portal under gunicorn (production settings), drive it from a separate process on
loopback, print req/s, p50, p99, errors and server CPU per request for each page, cached and
uncached, each as a ratio to a bare ``startproject`` "Hello, world." view (bench/bare, started by
the benchmark under the same gunicorn settings in the same run); then the cache-busting figure
(/news/?utm=<random> beside /news/) and the Redis-frozen figure (pages while a Redis of the
bench's own is stopped with SIGSTOP).

Server CPU is what the gunicorn master and workers used (utime + stime from /proc) during the
measured seconds, divided by the requests answered: the load generator's CPU is not in it."""

from __future__ import annotations

import argparse
import os
import re
import secrets
import shutil
import signal
import subprocess
import sys
import tempfile
import time
import urllib.request
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlsplit

from bench.load_bench.pyload import run_python_load

ROOT = Path(__file__).resolve().parents[2]
PYTHON = sys.executable
GOAL_RATIO, GOAL_P99_MS = 0.7, 100.0  # cached pages: ≥ 0.7× the bare trivial view
GOAL_UNCACHED_CPU_MS = 6.0
GOAL_BUSTING_RATIO = 0.8


@dataclass
class Result:
    label: str
    path: str
    rps: float
    p50_ms: float
    p99_ms: float
    requests: int
    errors: int
    cpu_ms: float = 0.0


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="bench.load_bench", description=__doc__)
    parser.add_argument(
        "--database-url",
        default=os.environ.get(
            "BENCH_DATABASE_URL", "postgres://postgres@127.0.0.1:5432/teda_prod_bench"
        ),
    )
    parser.add_argument(
        "--redis-url",
        default=os.environ.get("BENCH_REDIS_URL", "redis://127.0.0.1:6379/5"),
        help="'' for no Redis (local memory)",
    )
    parser.add_argument("--port", type=int, default=8105)
    parser.add_argument("--workers", type=int, default=2, help="gunicorn workers")
    parser.add_argument("--threads", type=int, default=1, help="threads per worker")
    parser.add_argument("--connections", type=int, default=32)
    parser.add_argument("--duration", type=int, default=10, help="seconds per page")
    parser.add_argument("--warmup", type=int, default=2, help="seconds per page before measuring")
    parser.add_argument(
        "--page-cache-seconds",
        type=int,
        default=None,
        help="PUBLIC_CACHE_TIMEOUT for the run; 0 turns the public page cache off",
    )
    parser.add_argument("--soak", type=int, default=0, help="seconds of mixed load to watch memory")
    parser.add_argument("--reseed", action="store_true", help="drop and rebuild the bench database")
    parser.add_argument("--generator", choices=["auto", "wrk", "python"], default="auto")
    parser.add_argument(
        "--no-uncached", action="store_true", help="skip the pass with the page cache off"
    )
    args = parser.parse_args()
    if not 1 <= args.duration <= 120 or not 0 <= args.soak <= 3600:
        parser.error("--duration must be 1–120 s and --soak 0–3600 s")
    return args


def server_env(args, tmp: Path) -> dict:
    env = {k: v for k, v in os.environ.items() if k not in {"DJANGO_ALLOW_ASYNC_UNSAFE"}}
    env.update(
        DEBUG="false",
        SECRET_KEY=secrets.token_urlsafe(50),
        ALLOWED_HOSTS="127.0.0.1,localhost",
        SECURE_SSL_REDIRECT="false",  # plain HTTP on loopback; TLS is nginx's job
        DATABASE_URL=args.database_url,
        REDIS_URL=args.redis_url,
        BENCH_TRIVIAL_VIEW="true",
        STATIC_ROOT=str(tmp / "static"),
        MEDIA_ROOT=str(tmp / "media"),
        GUNICORN_BIND=f"127.0.0.1:{args.port}",
        WEB_CONCURRENCY=str(args.workers),
        GUNICORN_THREADS=str(args.threads),
        GUNICORN_ACCESSLOG="",
        GUNICORN_LOGLEVEL="warning",
        # No worker recycling: the soak must see a leak, not hide it.
        GUNICORN_MAX_REQUESTS="0",
        LOG_LEVEL="WARNING",
        # All the load comes from one address: the per-address limits would measure themselves.
        SEARCH_RATE="",
        PUBLIC_CACHE_MISS_RATE="",
        LOGIN_RATE_PER_ADDRESS="",
    )
    if args.page_cache_seconds is not None:
        env["PUBLIC_CACHE_TIMEOUT"] = str(args.page_cache_seconds)
        env["PUBLIC_CACHE_ENABLED"] = "true" if args.page_cache_seconds else "false"
    return env


def manage(env: dict, *argv: str, capture: bool = False) -> subprocess.CompletedProcess:
    return subprocess.run(
        [PYTHON, "manage.py", *argv],
        cwd=ROOT,
        env=env,
        check=True,
        text=True,
        capture_output=capture,
        timeout=1800,
    )


def prepare_database(args, env: dict) -> None:
    url = urlsplit(args.database_url)
    if url.scheme.startswith("postgres"):
        import psycopg

        name = url.path.lstrip("/")
        admin = {
            "host": url.hostname,
            "port": url.port or 5432,
            "user": url.username or None,
            "password": url.password or None,
            "dbname": "postgres",
            "autocommit": True,
        }
        with psycopg.connect(**admin) as pg:
            exists = pg.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name]).fetchone()
            if exists and args.reseed:
                pg.execute(f'DROP DATABASE "{name}" WITH (FORCE)')
                exists = None
            if not exists:
                pg.execute(f'CREATE DATABASE "{name}"')
    print("· migrate", flush=True)
    manage(env, "migrate", "--noinput", "-v", "0")
    # seed_demo is idempotent: the first run loads the demo data, later runs change no row and
    # only write the article photos into this run's (temporary) media folder. No demo accounts:
    # their passwords are published, and seed_demo refuses them with DEBUG off.
    print("· seed_demo --no-accounts", flush=True)
    manage(env, "seed_demo", "--no-accounts")


def first_article_path(env: dict) -> str:
    pk = manage(
        env,
        "shell",
        "-v",
        "0",
        "-c",
        "from activities.models import Article;"
        "print(Article.objects.published().order_by('-publish_at').values_list('pk', flat=True).first())",
        capture=True,
    ).stdout.strip()
    return f"/news/{pk}/"


def wait_until_up(base: str, deadline_s: float = 60) -> None:
    deadline = time.monotonic() + deadline_s
    while time.monotonic() < deadline:
        try:
            with urllib.request.urlopen(base + "/healthz", timeout=2) as response:
                if response.status == 200:
                    return
        except OSError:
            time.sleep(0.3)
    raise SystemExit("the portal did not answer /healthz within a minute")


def run_wrk(url: str, connections: int, duration: int) -> tuple[float, float, float, int, int]:
    command = ["wrk", "-t1", f"-c{connections}", f"-d{duration}s", "--latency", "--timeout", "5s"]
    script = None
    if "{random}" in url:
        # A new random value in every request (cache-busting), as pyload does.
        parts = urlsplit(url)
        before, after = (parts.path + "?" + parts.query).split("{random}", 1)
        with tempfile.NamedTemporaryFile("w", suffix=".lua", delete=False) as script:
            script.write(
                f'request = function() return wrk.format("GET", "{before}" .. '
                f'math.random(1, 2000000000) .. "{after}") end\n'
            )
        command += ["-s", script.name]
        url = f"{parts.scheme}://{parts.netloc}/"
    try:
        out = subprocess.run(
            [*command, url],
            capture_output=True,
            text=True,
            check=True,
            timeout=duration + 30,
        ).stdout
    finally:
        if script is not None:
            os.unlink(script.name)

    def ms(label: str) -> float:
        match = re.search(rf"^\s*{label}%\s+([\d.]+)(us|ms|s)\s*$", out, re.M)
        value, unit = float(match.group(1)), match.group(2)
        return value / 1000 if unit == "us" else value * 1000 if unit == "s" else value

    rps = float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1))
    total = int(re.search(r"(\d+) requests in", out).group(1))
    errors = 0
    if match := re.search(r"Non-2xx or 3xx responses: (\d+)", out):
        errors += int(match.group(1))
    if match := re.search(
        r"Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)", out
    ):
        errors += sum(int(g) for g in match.groups())
    if errors:
        details = re.findall(r"^\s*(Non-2xx.*|Socket errors.*)$", out, re.M)
        print(f"    wrk: {'; '.join(details)}", flush=True)
    return rps, ms("50"), ms("99"), total, errors


def measure(generator: str, url: str, connections: int, duration: int):
    if generator == "wrk":
        return run_wrk(url, connections, duration)
    return run_python_load(url, connections, duration)


def rss_mb(master_pid: int) -> float:
    """Resident memory of the gunicorn master and its workers, in MB."""
    pids = [master_pid]
    children = Path(f"/proc/{master_pid}/task/{master_pid}/children")
    if children.exists():
        pids += [int(p) for p in children.read_text().split()]
    total_kb = 0
    for pid in pids:
        try:
            for line in Path(f"/proc/{pid}/status").read_text().splitlines():
                if line.startswith("VmRSS:"):
                    total_kb += int(line.split()[1])
        except FileNotFoundError:
            continue
    return total_kb / 1024


def _pids(master_pid: int) -> list[int]:
    pids = [master_pid]
    children = Path(f"/proc/{master_pid}/task/{master_pid}/children")
    if children.exists():
        pids += [int(p) for p in children.read_text().split()]
    return pids


def cpu_seconds(master_pid: int) -> float:
    """CPU time (user + system) of the gunicorn master and its workers so far."""
    ticks = 0
    for pid in _pids(master_pid):
        try:
            fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        except FileNotFoundError:
            continue
        ticks += int(fields[11]) + int(fields[12])  # utime, stime (fields 14 and 15)
    return ticks / os.sysconf("SC_CLK_TCK")


def measure_page(generator, base, label, path, master_pid, args) -> Result:
    # One request first: the warm-up then measures a warm page, not 32 connections all
    # rendering the same cold page at once.
    with urllib.request.urlopen(base + path, timeout=30) as response:
        response.read()
    if args.warmup:
        measure(generator, base + path, args.connections, args.warmup)
    before = cpu_seconds(master_pid)
    rps, p50, p99, total, errors = measure(generator, base + path, args.connections, args.duration)
    cpu_ms = (cpu_seconds(master_pid) - before) * 1000 / total if total else 0.0
    print(
        f"  {label:<20} {rps:8.0f} req/s  p99 {p99:6.1f} ms  errors {errors}  "
        f"server CPU {cpu_ms:5.2f} ms/request",
        flush=True,
    )
    return Result(label, path, rps, p50, p99, total, errors, cpu_ms)


def start_gunicorn(
    argv: list[str], env: dict, log_path: Path, cwd: Path = ROOT
) -> subprocess.Popen:
    bind = env.get("GUNICORN_BIND") or argv[argv.index("--bind") + 1]
    host, port = bind.rsplit(":", 1)
    import socket

    with socket.socket() as sock:
        # A server left over from an interrupted run would answer instead (and be measured).
        if sock.connect_ex((host, int(port))) == 0:
            raise SystemExit(f"{bind} is already in use: stop the server listening there first")
    log = log_path.open("w")
    return subprocess.Popen(
        [str(Path(PYTHON).with_name("gunicorn")), *argv],
        cwd=cwd,
        env=env,
        start_new_session=True,
        stdout=log,
        stderr=log,
    )


def stop(server: subprocess.Popen | None) -> None:
    if server is None:
        return
    os.killpg(server.pid, signal.SIGTERM)
    try:
        server.wait(timeout=30)
    except subprocess.TimeoutExpired:
        os.killpg(server.pid, signal.SIGKILL)


def bare_trivial(args, tmp: Path, generator: str) -> Result:
    """The yardstick: bench/bare (a bare startproject, one "Hello, world." view)."""
    port = free_port()
    env = {
        **{k: v for k, v in os.environ.items() if not k.startswith(("DJANGO_", "DATABASE_"))},
        "DJANGO_SETTINGS_MODULE": "bench.bare.settings",
        # Started outside the repository: gunicorn would otherwise read the portal's
        # gunicorn.conf.py from the working directory.
        "PYTHONPATH": str(ROOT),
    }
    server = start_gunicorn(
        [
            "bench.bare.wsgi:application",
            "--workers",
            str(args.workers),
            "--threads",
            str(args.threads),
            "--bind",
            f"127.0.0.1:{port}",
            "--log-level",
            "warning",
            # As the portal runs in the benchmark: no worker recycling, heartbeats in RAM.
            "--max-requests",
            "0",
            "--worker-tmp-dir",
            "/dev/shm" if os.access("/dev/shm", os.W_OK) else str(tmp),
        ],
        env,
        tmp / "gunicorn-bare.log",
        cwd=tmp,
    )
    try:
        base = f"http://127.0.0.1:{port}"
        wait_until_up(base)
        return measure_page(generator, base, "bare Django trivial", "/", server.pid, args)
    finally:
        stop(server)


def print_table(results: list[Result], bare: Result, args, uncached: dict) -> None:
    print()
    print(
        f"gunicorn {args.workers} worker(s) × {args.threads} thread(s), {args.connections} "
        f"connections, {args.duration} s per page, database {urlsplit(args.database_url).scheme}, "
        f"cache {'Redis' if args.redis_url else 'local memory'}; ratios to the bare trivial view "
        f"({bare.rps:.0f} req/s, {bare.cpu_ms:.2f} ms CPU/request)"
    )
    header = (
        f"{'page':<22}{'cached r/s':>11}{'× bare':>8}{'CPU ms':>8}{'p99 ms':>8}{'errors':>7}"
        f"{'uncached r/s':>13}{'× bare':>8}{'CPU ms':>8}{'CPU÷bare':>9}  goal"
    )
    print(header)
    print("-" * len(header))
    for r in [bare, *results]:
        ratio = r.rps / bare.rps if bare.rps else 0
        u = uncached.get(r.label)
        ok = (r is bare or ratio >= GOAL_RATIO) and r.p99_ms < GOAL_P99_MS and r.errors == 0
        if u is not None:
            ok = ok and u.errors == 0 and (u.cpu_ms <= GOAL_UNCACHED_CPU_MS or "trivial" in r.label)
            cpu_ratio = u.cpu_ms / bare.cpu_ms if bare.cpu_ms else 0
            rest = f"{u.rps:>13.0f}{u.rps / bare.rps:>8.3f}{u.cpu_ms:>8.2f}{cpu_ratio:>9.1f}"
        else:
            rest = f"{'':>13}{'':>8}{'':>8}{'':>9}"
        print(
            f"{r.label:<22}{r.rps:>11.0f}{ratio:>8.2f}{r.cpu_ms:>8.2f}{r.p99_ms:>8.1f}"
            f"{r.errors:>7}{rest}  {'ok' if ok else 'MISSED'}"
        )
    print(
        f"goal: cached pages ≥ {GOAL_RATIO:.0%} of the bare trivial view, p99 < "
        f"{GOAL_P99_MS:.0f} ms, no errors; uncached ≤ {GOAL_UNCACHED_CPU_MS:.0f} ms server CPU"
        " (the issue's machine ran the bare view at 0.27–0.48 ms: 6 ms is 12–22 × bare there;"
        " CPU÷bare compares across machines of different speed)"
    )


def cache_busting(base: str, args, generator: str) -> None:
    """/news/?utm=<random> (a new query string on every request) beside /news/, measured one
    right after the other (the machine's load moves: compare within one pair)."""
    figures = {}
    for label, path in (("/news/", "/news/"), ("/news/?utm=<random>", "/news/?utm={random}")):
        measure(generator, base + path, args.connections, args.warmup or 1)
        figures[label] = measure(generator, base + path, args.connections, args.duration)
    print("\ncache-busting:")
    for label, (rps, p50, p99, _total, errors) in figures.items():
        print(
            f"  {label:<22} {rps:8.0f} req/s  p50 {p50:6.1f} ms  p99 {p99:6.1f} ms  errors {errors}"
        )
    plain, busting = figures["/news/"][0], figures["/news/?utm=<random>"][0]
    ratio = busting / plain if plain else 0
    print(
        f"  ratio {ratio:.2f}× (goal ≥ {GOAL_BUSTING_RATIO}×: "
        f"{'ok' if ratio >= GOAL_BUSTING_RATIO else 'MISSED'})"
    )


def free_port() -> int:
    import socket

    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def redis_frozen(args, env: dict, tmp: Path, generator: str) -> None:
    """A second portal on a Redis of its own; that Redis frozen (SIGSTOP) while pages are measured.

    Never the shared Redis: the bench starts, freezes and kills only its own redis-server.
    """
    if not shutil.which("redis-server"):
        print("\nRedis frozen: skipped (redis-server is not installed)")
        return
    redis_port, port = free_port(), free_port()
    redis_server = subprocess.Popen(
        [
            "redis-server",
            "--port",
            str(redis_port),
            "--bind",
            "127.0.0.1",
            "--save",
            "",
            "--appendonly",
            "no",
            "--dir",
            str(tmp),
        ],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    server = None
    base = f"http://127.0.0.1:{port}"
    try:
        frozen_env = {
            **env,
            "REDIS_URL": f"redis://127.0.0.1:{redis_port}/0",
            "GUNICORN_BIND": f"127.0.0.1:{port}",
        }
        log = (tmp / "gunicorn-frozen.log").open("w")
        server = subprocess.Popen(
            [
                str(Path(PYTHON).with_name("gunicorn")),
                "-c",
                "gunicorn.conf.py",
                "--control-socket",
                str(tmp / "frozen.ctl"),
            ],
            cwd=ROOT,
            env=frozen_env,
            start_new_session=True,
            stdout=log,
            stderr=log,
        )
        wait_until_up(base)
        with urllib.request.urlopen(base + "/news/", timeout=30) as response:
            response.read()
        os.kill(redis_server.pid, signal.SIGSTOP)
        print(f"\nRedis frozen (SIGSTOP on the bench's own redis-server, port {redis_port}):")
        print("  (pages are rendered without the cache: compare --page-cache-seconds 0)")
        for label, path in (("/news/", "/news/"), ("/healthz (503 expected)", "/healthz")):
            rps, p50, p99, total, errors = measure(
                generator, base + path, args.connections, args.duration
            )
            print(
                f"  {label:<24} {rps:8.0f} req/s  p50 {p50:6.1f} ms  p99 {p99:6.1f} ms  "
                f"non-2xx/errors {errors} of {total}",
                flush=True,
            )
    finally:
        redis_server.send_signal(signal.SIGCONT)
        if server is not None:
            os.killpg(server.pid, signal.SIGTERM)
            try:
                server.wait(timeout=30)
            except subprocess.TimeoutExpired:
                os.killpg(server.pid, signal.SIGKILL)
        redis_server.kill()
        redis_server.wait(timeout=10)


def uncached_pass(args, env: dict, tmp: Path, generator: str, pages) -> dict[str, Result]:
    """The same pages from a second portal with the page cache off: every request renders."""
    port = free_port()
    off_env = {**env, "PUBLIC_CACHE_ENABLED": "false", "GUNICORN_BIND": f"127.0.0.1:{port}"}
    server = start_gunicorn(["-c", "gunicorn.conf.py"], off_env, tmp / "gunicorn-uncached.log")
    try:
        base = f"http://127.0.0.1:{port}"
        wait_until_up(base)
        print("· page cache off:", flush=True)
        return {
            label: measure_page(generator, base, label, path, server.pid, args)
            for label, path in pages
        }
    finally:
        stop(server)


def soak(base: str, paths: list[str], master_pid: int, args, generator: str) -> None:
    print(f"\nsoak: {args.soak} s of load rotating over {len(paths)} pages; RSS of gunicorn")
    samples = [(0, rss_mb(master_pid))]
    started = time.monotonic()
    i = 0
    while (elapsed := time.monotonic() - started) < args.soak:
        slot = int(min(30, args.soak - elapsed))
        if slot < 1:
            break
        measure(generator, base + paths[i % len(paths)], args.connections, slot)
        i += 1
        samples.append((round(time.monotonic() - started), rss_mb(master_pid)))
        print(f"  t={samples[-1][0]:>4}s  RSS {samples[-1][1]:7.1f} MB", flush=True)
    # Compare the settled second half: the first minutes include imports and cache warm-up.
    half = samples[len(samples) // 2 :]
    growth = half[-1][1] - half[0][1]
    print(
        f"soak RSS: start {samples[0][1]:.1f} MB, end {samples[-1][1]:.1f} MB; "
        f"second-half growth {growth:+.1f} MB ({growth / half[0][1]:+.1%})"
    )


def main() -> None:
    args = parse_args()
    generator = args.generator
    if generator == "auto":
        generator = "wrk" if shutil.which("wrk") else "python"
    tmp = Path(tempfile.mkdtemp(prefix="teda-bench-"))
    env = server_env(args, tmp)
    server = None
    try:
        prepare_database(args, env)
        print("· collectstatic", flush=True)
        manage(env, "collectstatic", "--noinput", "-v", "0")
        article = first_article_path(env)
        bare = bare_trivial(args, tmp, generator)
        # The server's own log (e.g. 404s of pages that do not exist yet) goes to a file.
        server = start_gunicorn(["-c", "gunicorn.conf.py"], env, tmp / "gunicorn.log")
        base = f"http://127.0.0.1:{args.port}"
        wait_until_up(base)
        pages = [
            ("in-app trivial view", "/bench/trivial/"),
            ("/", "/"),
            ("/news/", "/news/"),
            ("one article", article),
            ("/sites/", "/sites/"),
            ("/stats/", "/stats/"),
            ("/search/?q=妇联", "/search/?q=%E5%A6%87%E8%81%94"),
        ]
        print(
            f"· load generator: {generator}; pages: {', '.join(p for _l, p in pages)}", flush=True
        )
        results = [
            measure_page(generator, base, label, path, server.pid, args) for label, path in pages
        ]
        uncached = {}
        if not args.no_uncached:
            uncached = uncached_pass(args, env, tmp, generator, pages)
        print_table(results, bare, args, uncached)
        cache_busting(base, args, generator)
        redis_frozen(args, env, tmp, generator)
        if args.soak:
            soak(base, [p for _l, p in pages[1:]], server.pid, args, generator)
    finally:
        stop(server)
        log = tmp / "gunicorn.log"
        if log.exists():
            errors = [line for line in log.read_text().splitlines() if "ERROR" in line]
            if errors:
                print(f"server errors ({len(errors)}), last: {errors[-1]}")
        shutil.rmtree(tmp, ignore_errors=True)


if __name__ == "__main__":
    main()
