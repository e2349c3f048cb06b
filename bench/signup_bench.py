"""Concurrent sign-ups over HTTP: N visitors submit at the same moment for an activity with P
places (default 200 for 50). The portal runs under gunicorn with production settings on
PostgreSQL; each visitor first loads the sign-up page (CSRF cookie), then all POST together.
Prints confirmed / waitlisted / errors (capacity must hold exactly), sign-ups per second, p50, p99.

    .venv/bin/python -m bench.signup_bench [--signups 200] [--capacity 50] [--workers 2 --threads 8]
"""

from __future__ import annotations

import argparse
import http.cookiejar
import os
import re
import shutil
import signal
import statistics
import subprocess
import tempfile
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
from pathlib import Path

from bench.load_bench.__main__ import PYTHON, ROOT, manage, server_env, wait_until_up


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="bench.signup_bench", description=__doc__)
    parser.add_argument(
        "--database-url",
        default=os.environ.get(
            "BENCH_DATABASE_URL", "postgres://postgres@127.0.0.1:5432/teda_signup_bench"
        ),
    )
    parser.add_argument(
        "--redis-url", default=os.environ.get("BENCH_REDIS_URL", "redis://127.0.0.1:6379/5")
    )
    parser.add_argument("--port", type=int, default=8106)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--threads", type=int, default=8)
    parser.add_argument("--signups", type=int, default=200)
    parser.add_argument("--capacity", type=int, default=50)
    args = parser.parse_args()
    if not 1 <= args.signups <= 1000 or not 1 <= args.capacity <= args.signups:
        parser.error("--signups must be 1–1000 and --capacity 1–signups")
    args.reseed, args.page_cache_seconds = False, None
    return args


def create_activity(env: dict, capacity: int) -> int:
    code = (
        "import datetime;from django.utils import timezone;"
        "from activities.models import Activity, RegistrationSettings;"
        "from organizations.models import Federation;"
        "f=Federation.objects.get_or_create(name='基准测试妇联',defaults={'level':'district'})[0];"
        "a=Activity.objects.create(title='并发报名基准 '+timezone.now().isoformat(),category='guidance',"
        "organizer=f,starts_at=timezone.now()+datetime.timedelta(days=3));"
        f"RegistrationSettings.objects.create(activity=a,capacity={capacity},waitlist=True);print(a.pk)"
    )
    return int(manage(env, "shell", "-v", "0", "-c", code, capture=True).stdout.strip())


def counts(env: dict, activity: int) -> dict[str, int]:
    code = (
        "from django.db.models import Count;from activities.models import Registration;"
        f"print(dict(Registration.objects.filter(activity_id={activity}).values_list('status')"
        ".annotate(n=Count('pk')).order_by()))"
    )
    return eval(manage(env, "shell", "-v", "0", "-c", code, capture=True).stdout.strip())  # noqa: S307 - our own output


def visitor(base: str, activity: int, n: int, barrier: threading.Barrier, results: list) -> None:
    jar = http.cookiejar.CookieJar()
    opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(jar), NoRedirect)
    url = f"{base}/activities/{activity}/signup/"
    # A distinct client address per visitor, as nginx (a trusted proxy on 127.0.0.1) passes it.
    address = f"198.18.{n // 250}.{n % 250 + 1}"
    headers = {"X-Forwarded-For": address}
    try:
        with opener.open(urllib.request.Request(url, headers=headers), timeout=60) as response:
            token = re.search(
                r'name="csrfmiddlewaretoken" value="([^"]+)"', response.read().decode()
            ).group(1)
    except Exception as exc:  # noqa: BLE001 - counted as an error
        barrier.wait()
        results.append((n, "setup-error", 0.0, repr(exc)))
        return
    body = urllib.parse.urlencode(
        {
            "csrfmiddlewaretoken": token,
            "participant_name": f"基准{n}",
            "mobile": f"138{n:08d}",
            "consent": "on",
            "website": "",
        }
    ).encode()
    barrier.wait()
    started = time.perf_counter()
    try:
        response = opener.open(urllib.request.Request(url, data=body, headers=headers), timeout=120)
        status = response.status
    except urllib.error.HTTPError as exc:
        status = exc.code
    except Exception as exc:  # noqa: BLE001
        results.append((n, "error", time.perf_counter() - started, repr(exc)))
        return
    results.append((n, status, time.perf_counter() - started, ""))


class NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):
        return None


def main() -> None:
    args = parse_args()
    tmp = Path(tempfile.mkdtemp(prefix="teda-signup-bench-"))
    env = server_env(args, tmp)
    # Plain HTTP on loopback (TLS is nginx's job): the CSRF cookie may not be Secure-only here.
    env.update(GUNICORN_THREADS=str(args.threads), CSRF_COOKIE_SECURE="false")
    server = None
    try:
        url = urllib.parse.urlsplit(args.database_url)
        if not url.scheme.startswith("postgres"):
            raise SystemExit("this benchmark measures PostgreSQL row locks: give a postgres:// URL")
        _migrate_only(args, env)
        manage(env, "collectstatic", "--noinput", "-v", "0")
        activity = create_activity(env, args.capacity)
        log = (tmp / "gunicorn.log").open("w")
        server = subprocess.Popen(
            [str(Path(PYTHON).with_name("gunicorn")), "-c", "gunicorn.conf.py"],
            cwd=ROOT,
            env=env,
            start_new_session=True,
            stdout=log,
            stderr=log,
        )
        base = f"http://127.0.0.1:{args.port}"
        wait_until_up(base)
        barrier = threading.Barrier(args.signups + 1)
        results: list = []
        threads = [
            threading.Thread(target=visitor, args=(base, activity, n, barrier, results))
            for n in range(args.signups)
        ]
        for thread in threads:
            thread.start()
        barrier.wait()
        wall_start = time.perf_counter()
        for thread in threads:
            thread.join(timeout=300)
        wall = time.perf_counter() - wall_start
        by_status = {}
        for _n, status, _t, _e in results:
            by_status[status] = by_status.get(status, 0) + 1
        latencies = sorted(t for _n, status, t, _e in results if status == 302)
        stored = counts(env, activity)
        errors = sum(v for k, v in by_status.items() if k != 302)
        print(
            f"\n{args.signups} sign-ups at once for {args.capacity} places; gunicorn {args.workers} "
            f"worker(s) × {args.threads} thread(s), PostgreSQL"
        )
        print(
            f"  confirmed {stored.get('confirmed', 0)}, waitlisted {stored.get('waitlisted', 0)}, "
            f"errors {errors} (HTTP statuses: {by_status})"
        )
        for _n, status, _t, error in [r for r in results if r[3]][:3]:
            print("  e.g.", status, error)
        if latencies:
            p99 = latencies[min(len(latencies) - 1, int(len(latencies) * 0.99))]
            print(
                f"  {len(latencies) / wall:.0f} sign-ups/s over {wall:.2f} s; "
                f"p50 {statistics.median(latencies) * 1000:.0f} ms, p99 {p99 * 1000:.0f} ms"
            )
        ok = (
            stored.get("confirmed", 0) == args.capacity
            and stored.get("waitlisted", 0) == args.signups - args.capacity
        )
        print("  capacity held exactly" if ok and not errors else "  CAPACITY OR ERRORS WRONG")
    finally:
        if server is not None:
            os.killpg(server.pid, signal.SIGTERM)
            try:
                server.wait(timeout=30)
            except subprocess.TimeoutExpired:
                os.killpg(server.pid, signal.SIGKILL)
        log_path = tmp / "gunicorn.log"
        if log_path.exists() and "Traceback" in log_path.read_text():
            print("server errors:", log_path.read_text()[-1500:])
        shutil.rmtree(tmp, ignore_errors=True)


def _migrate_only(args, env: dict) -> None:
    """Create the bench database if needed and migrate it (no demo data: one activity suffices)."""
    import psycopg

    url = urllib.parse.urlsplit(args.database_url)
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
        if not pg.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name]).fetchone():
            pg.execute(f'CREATE DATABASE "{name}"')
    manage(env, "migrate", "--noinput", "-v", "0")


if __name__ == "__main__":
    main()
