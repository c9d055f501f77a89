"""The worker: django-tasks-db's db_worker, plus a thread that sweeps the jobs of workers that died
(stale heartbeat) so they are retried or marked failed even while this one is busy or idle."""

from __future__ import annotations

import threading
from typing import Any

from django.conf import settings
from django.db import DatabaseError, connection
from django_tasks_db.management.commands.db_worker import Command as DbWorker

from parskats.core.commands import LanguageCommand
from parskats.jobs.actions import sweep_stale
from parskats.jobs.runner import CURRENT


def _sweep_forever(every: float) -> None:
    halt = threading.Event()
    while not halt.wait(every):
        try:
            sweep_stale(skip=CURRENT)
        except DatabaseError:
            connection.close()  # try again with a fresh connection next time


class Command(LanguageCommand, DbWorker):
    help = "Run background jobs (the database queue), sweeping the jobs of dead workers as it goes."

    def handle(self, *args: Any, **options: Any) -> None:
        every = max(0.5, float(settings.JOBS_STALE_SECONDS) / 4)
        sweep_stale()
        threading.Thread(target=_sweep_forever, args=(every,), daemon=True, name="jobs-sweep").start()
        super().handle(*args, **options)
