"""Load benchmark of the public portal under gunicorn with production settings.

    .venv/bin/python -m bench.load_bench                 # PostgreSQL + Redis, demo data, wrk
    .venv/bin/python -m bench.load_bench --soak 600      # plus a 10-minute memory soak

See ``--help``. Loopback only; every loop is bounded by a duration.
"""
