"""Benchmark: seed_demo on a fresh SQLite database must finish in under a minute (issue #2).

Run: .venv/bin/python bench/seed_demo.py   (uses a temporary database and media folder)
"""

import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

LIMIT_SECONDS = 60

root = Path(__file__).resolve().parent.parent
with tempfile.TemporaryDirectory() as tmp:
    env = {
        **os.environ,
        "DEBUG": "true",
        "DATABASE_URL": f"sqlite:///{tmp}/bench.sqlite3",
        "MEDIA_ROOT": f"{tmp}/media",
    }
    manage = [sys.executable, str(root / "manage.py")]
    subprocess.run([*manage, "migrate", "-v0"], env=env, check=True)
    for label in ("first run", "second run"):
        started = time.monotonic()
        subprocess.run([*manage, "seed_demo"], env=env, check=True, stdout=subprocess.DEVNULL)
        elapsed = time.monotonic() - started
        print(f"seed_demo {label}: {elapsed:.1f} s")
        if elapsed > LIMIT_SECONDS:
            sys.exit(f"seed_demo took {elapsed:.1f} s, over the {LIMIT_SECONDS} s goal")
