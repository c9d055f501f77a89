"""/metrics for Prometheus: the request counters and latencies (parskats.core.observability), the
last successful backup, and the site's own process. Under gunicorn with PROMETHEUS_MULTIPROC_DIR set
(deploy's units set it), the figures of all workers are added up; otherwise this process's.

Only a scraper holding PARSKATS_METRICS_TOKEN may read it: the figures tell which pages exist and
how busy the site is. With no token configured the address does not exist (404)."""

from __future__ import annotations

import hmac
import os
from collections.abc import Iterator

from django.conf import settings
from django.db import models
from django.http import Http404, HttpRequest, HttpResponse
from django.utils import timezone
from django.views.decorators.cache import never_cache
from prometheus_client import REGISTRY, CollectorRegistry, generate_latest
from prometheus_client.core import GaugeMetricFamily, Metric
from prometheus_client.multiprocess import MultiProcessCollector
from prometheus_client.registry import Collector

from parskats.jobs.models import Job

from .backup import read_stamp


class BackupCollector(Collector):
    """The last successful backup, read from its stamp at each scrape; 0 when there has been none,
    so that an alert on `time() - parskats_backup_last_success_timestamp_seconds` fires then too."""

    def collect(self) -> Iterator[Metric]:
        facts = read_stamp() or {}
        for name, key, text in (
            ("parskats_backup_last_success_timestamp_seconds", "finished", "When the last successful backup ended."),
            ("parskats_backup_last_size_bytes", "bytes", "Size of the last successful backup archive."),
            ("parskats_backup_last_rows", "rows", "Rows in the last successful backup."),
        ):
            value = facts.get(key, 0)
            yield GaugeMetricFamily(name, text, value=float(value) if isinstance(value, int | float) else 0.0)


class JobQueueCollector(Collector):
    """Jobs waiting and running per kind, and how long the oldest waiting one has waited, read
    from the jobs table at each scrape (it is the queue's own truth, the same in every worker).
    A kind with nothing waiting reports 0, so an alert sees it go back to zero."""

    def collect(self) -> Iterator[Metric]:
        from parskats.jobs.registry import KINDS

        counts = {(kind, status): 0 for kind in KINDS for status in (Job.Status.QUEUED, Job.Status.RUNNING)}
        rows = (
            Job.objects.filter(status__in=(Job.Status.QUEUED, Job.Status.RUNNING))
            .values_list("kind", "status")
            .annotate(n=models.Count("pk"))
            .order_by()
        )
        for kind, status, n in rows:
            counts[(kind, status)] = n
        for status, name, text in (
            (Job.Status.QUEUED, "parskats_jobs_waiting", "Background jobs waiting for a worker, per kind."),
            (Job.Status.RUNNING, "parskats_jobs_running", "Background jobs a worker is running, per kind."),
        ):
            family = GaugeMetricFamily(name, text, labels=["kind"])
            for (kind, found), n in sorted(counts.items()):
                if found == status:
                    family.add_metric([kind], float(n))
            yield family
        oldest = Job.objects.filter(status=Job.Status.QUEUED).aggregate(first=models.Min("created_at"))["first"]
        age = (timezone.now() - oldest).total_seconds() if oldest else 0.0
        yield GaugeMetricFamily(
            "parskats_jobs_oldest_waiting_age_seconds", "How long the oldest waiting job has waited.", value=age
        )


def _registry() -> CollectorRegistry:
    registry = CollectorRegistry()
    if os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
        MultiProcessCollector(registry)  # type: ignore[no-untyped-call]
    else:
        registry.register(_Default())
    registry.register(BackupCollector())
    registry.register(JobQueueCollector())
    return registry


class _Default(Collector):
    """This process's own metrics (the default registry), inside a registry of the scrape's own."""

    def collect(self) -> Iterator[Metric]:
        yield from REGISTRY.collect()


def _authorised(request: HttpRequest) -> bool:
    token = settings.PARSKATS_METRICS_TOKEN
    if not token:
        raise Http404("Metrics are not configured (PARSKATS_METRICS_TOKEN).")
    given = request.headers.get("Authorization", "")
    return hmac.compare_digest(given.encode(), f"Bearer {token}".encode())


@never_cache
def metrics(request: HttpRequest) -> HttpResponse:
    if not _authorised(request):
        response = HttpResponse("A bearer token is required.\n", status=401, content_type="text/plain; charset=utf-8")
        response["WWW-Authenticate"] = 'Bearer realm="metrics"'
        return response
    return HttpResponse(generate_latest(_registry()), content_type="text/plain; version=0.0.4; charset=utf-8")
