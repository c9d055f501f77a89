"""A real server for load and fault runs: gunicorn on 127.0.0.1 over a PostgreSQL database of its own."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

ROOT = Path(__file__).resolve().parent.parent
POSTGRES = os.environ.get("PARSKATS_POSTGRES", "postgres://postgres@127.0.0.1:5432/postgres")
# Variables of the calling process that must not leak into a production-like server.
# The benchmarks measure the demo as the tests know it: its last year 2022 (the demo's years move with the date).
DEMO_TODAY = "2023-02-01"
NOT_INHERITED = {"DJANGO_ALLOW_ASYNC_UNSAFE", "DJANGO_DEBUG", "PARSKATS_ENV", "DATABASE_URL"}


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def database_url(name: str, port: int | None = None) -> str:
    parts = urlsplit(POSTGRES)
    netloc = parts.netloc if port is None else f"{parts.username or 'postgres'}@{parts.hostname}:{port}"
    return urlunsplit((parts.scheme, netloc, f"/{name}", "", ""))


def create_database(name: str) -> str:
    """A fresh, empty PostgreSQL database (dropped first if a previous run left it)."""
    import psycopg

    with psycopg.connect(POSTGRES, autocommit=True) as admin:
        admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        admin.execute(f'CREATE DATABASE "{name}"')
    return database_url(name)


def drop_database(name: str) -> None:
    import psycopg

    with psycopg.connect(POSTGRES, autocommit=True) as admin:
        admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def postgres_reachable() -> bool:
    try:
        import psycopg

        with psycopg.connect(POSTGRES, connect_timeout=3):
            return True
    except Exception:
        return False


def server_env(url: str, **extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k not in NOT_INHERITED}
    env.update(DATABASE_URL=url, DJANGO_ALLOWED_HOSTS="127.0.0.1,localhost", PYTHONDONTWRITEBYTECODE="1", **extra)
    return env


def manage(env: dict[str, str], *args: str) -> None:
    subprocess.run([sys.executable, "manage.py", *args], cwd=ROOT, env=env, check=True, capture_output=True)  # noqa: S603


def start_gunicorn(env: dict[str, str], port: int, workers: int = 2, threads: int = 4) -> subprocess.Popen:
    process = subprocess.Popen(  # noqa: S603 - fixed argv
        [
            sys.executable, "-m", "gunicorn", "parskats.wsgi:application",
            "--bind", f"127.0.0.1:{port}", "--workers", str(workers), "--threads", str(threads),
            "--timeout", "60", "--graceful-timeout", "5", "--keep-alive", "30", "--log-level", "warning",
        ],
        cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
    )  # fmt: skip
    wait_until_up(f"http://127.0.0.1:{port}/accounts/login/", process)
    return process


def wait_until_up(url: str, process: subprocess.Popen, timeout: float = 60) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"server exited with {process.returncode}: {process.stderr.read().decode()[-2000:]}")  # type: ignore[union-attr]
        try:
            with urllib.request.urlopen(url, timeout=2):  # noqa: S310 - our own local server
                return
        except (urllib.error.URLError, ConnectionError, TimeoutError):
            time.sleep(0.2)
    raise RuntimeError(f"server did not answer {url} within {timeout} s")


def stop(process: subprocess.Popen) -> None:
    process.terminate()
    try:
        process.wait(timeout=15)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait()
