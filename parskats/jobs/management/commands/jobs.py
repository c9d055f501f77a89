"""Background jobs on the command line: list them, follow one with a progress bar, cancel one,
sweep the jobs of a dead worker (a timer may run `jobs sweep`; the worker also does it), prune the
log of emails sent once (`jobs prune`, daily from parskats-clearsessions)."""

from __future__ import annotations

import datetime as dt
import sys
import time
import uuid
from typing import Any, TextIO, cast

from django.core.management.base import CommandError, CommandParser
from django.utils.translation import gettext as _

from parskats.accounts.models import User
from parskats.core.commands import LanguageCommand
from parskats.core.progress import ProgressBar
from parskats.jobs import actions
from parskats.jobs.mail import RETENTION, prune
from parskats.jobs.models import Job


def _job(text: str) -> Job:
    try:
        pk = uuid.UUID(text)
    except ValueError:
        pk = None
    job = Job.objects.select_related("network").filter(pk=pk).first() if pk else None
    if job is None:
        raise CommandError(_("No job %(id)s.") % {"id": text})
    return job


class Command(LanguageCommand):
    help = (
        "List background jobs, follow one with a progress bar, cancel one, sweep a dead worker's jobs, "
        "or prune the log of emails sent once."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(dest="what", required=True)
        listing = sub.add_parser("list", help="the latest jobs")
        listing.add_argument("--limit", type=int, default=20)
        follow = sub.add_parser("follow", help="show a job's progress until it ends (exit 1 unless it is done)")
        follow.add_argument("job")
        follow.add_argument("--interval", type=float, default=1.0)
        cancel = sub.add_parser("cancel", help="cancel a job")
        cancel.add_argument("job")
        cancel.add_argument("--as", dest="actor", required=True, help="email of the person cancelling it")
        sub.add_parser("sweep", help="requeue or fail running jobs whose heartbeat stopped")
        prune = sub.add_parser("prune", help="delete the log of emails sent once that is older than the retention")
        prune.add_argument("--days", type=int, default=RETENTION.days, help=f"keep this many days ({RETENTION.days})")

    def handle(self, *args: Any, **options: Any) -> None:
        what = options["what"]
        if what == "list":
            for job in Job.objects.select_related("network")[: options["limit"]]:
                self.stdout.write(
                    f"{job.pk}  {job.created_at:%Y-%m-%d %H:%M}  {job.status:<9} {job.percent:3d}%  {job.title}"
                )
        elif what == "follow":
            self._follow(_job(options["job"]), options["interval"])
        elif what == "cancel":
            actor = User.objects.filter(email__iexact=options["actor"]).first()
            if actor is None:
                raise CommandError(_("No user %(email)s.") % {"email": options["actor"]})
            try:
                job = actions.cancel(actor, _job(options["job"]))
            except actions.JobBusy:
                raise CommandError(
                    _("The job is writing its result and can no longer be stopped; it ends shortly.")
                ) from None
            self.stdout.write(f"{job.pk} {job.status} (cancel_requested={job.cancel_requested})")
        elif what == "prune":
            if options["days"] < 1:
                raise CommandError("--days must be 1 or more.")
            deleted = prune(keep=dt.timedelta(days=options["days"]))
            self.stdout.write(f"Sent-mail rows older than {options['days']} days deleted: {deleted}.")
        else:
            for job in actions.sweep_stale():
                self.stdout.write(f"{job.pk} {job.status}")

    def _follow(self, job: Job, interval: float) -> None:
        bar = ProgressBar(cast(TextIO, getattr(self.stderr, "_out", sys.stderr)))
        stage = None
        while True:
            job.refresh_from_db()
            label = job.stage or job.get_status_display()
            if stage is not None and label != stage:
                bar(stage, 1, 1)  # the previous stage ended
            stage = label
            if job.finished:
                if job.status == Job.Status.DONE:
                    bar(label, 1, 1)
                break
            bar(label, job.done, job.total or 1)
            time.sleep(interval)
        for line in job.problems:
            self.stderr.write(line)
        for line in (job.result or {}).get("lines", []):
            self.stdout.write(line)
        self.stdout.write(f"{job.pk} {job.status}")
        if job.status != Job.Status.DONE:
            raise CommandError(job.get_status_display())
