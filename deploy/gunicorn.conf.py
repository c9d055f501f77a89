"""gunicorn for Pārskats: `gunicorn -c deploy/gunicorn.conf.py parskats.wsgi:application`.

Behind nginx (deploy/nginx/parskats.conf), which buffers slow clients, so a worker is busy only while
the app works. Every value can be changed from the environment (systemd's EnvironmentFile).
"""

from __future__ import annotations

import os
import shutil
from pathlib import Path
from typing import Any

# A unix socket in /run/parskats (systemd's RuntimeDirectory) in production; the CI smoke run binds
# a socket of its own.
bind = [os.environ.get("PARSKATS_BIND", "unix:/run/parskats/gunicorn.sock")]

# Four processes; each has threads for the requests that wait on PostgreSQL or build a document.
workers = int(os.environ.get("WEB_CONCURRENCY", "4"))
worker_class = "gthread"
threads = int(os.environ.get("PARSKATS_THREADS", "4"))
# settings.py refuses to start in production with several workers and no REDIS_URL (rate limits
# and login lockouts would count per process); it learns the number from here.
os.environ["WEB_CONCURRENCY"] = str(workers)

# A seminar pack for 300 libraries takes up to ~45 s and a national import ~30 s inside a request
# until the job queue takes them; nginx waits 120 s too (proxy_read_timeout).
timeout = int(os.environ.get("PARSKATS_TIMEOUT", "120"))
graceful_timeout = 30
keepalive = 5

# A worker is replaced after this many requests (with jitter, not all at once): memory that a large
# export leaves behind is given back.
max_requests = 2000
max_requests_jitter = 200

# Logs go to stdout/stderr, that is the journal: `journalctl -u parskats-web`.
accesslog = "-"
errorlog = "-"
loglevel = os.environ.get("PARSKATS_GUNICORN_LOG_LEVEL", "info")
# The worker's pid first: which of the workers answered (the smoke run checks requests spread).
# Last, nginx's request id: the same as on the app's log lines and in nginx's access log.
access_log_format = '%(p)s %({x-forwarded-for}i)s "%(r)s" %(s)s %(B)s %(M)sms %({x-request-id}i)s'

# Workers start from a clean import each (no preload): `systemctl reload parskats-web` (HUP) then
# picks up new code without dropping a request.
preload_app = False
proc_name = "parskats"

# /metrics adds up the workers' figures from files in PROMETHEUS_MULTIPROC_DIR (parskats-web.service
# sets it): emptied when gunicorn starts, and a worker's files are marked dead when it exits (its
# counters stay in the sums; its gauges go).
METRICS_DIR = os.environ.get("PROMETHEUS_MULTIPROC_DIR", "")


def on_starting(server: Any) -> None:
    if METRICS_DIR:
        shutil.rmtree(METRICS_DIR, ignore_errors=True)
        Path(METRICS_DIR).mkdir(parents=True)


def child_exit(server: Any, worker: Any) -> None:
    if METRICS_DIR:
        from prometheus_client import multiprocess

        multiprocess.mark_process_dead(worker.pid)
