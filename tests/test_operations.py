"""What the operator sees: a request id on every answer and log record, JSON log lines, and /metrics
for Prometheus (requests, latencies, the last successful backup), readable only with its token."""

from __future__ import annotations

import datetime as dt
import io
import json
import logging
import re

import pytest
from django.core.management import call_command
from django.test import Client

from parskats.core.observability import JsonFormatter, RequestIdFilter

TOKEN = "metrics-token-for-the-tests-0123456789"


@pytest.fixture
def scraper(settings):
    settings.PARSKATS_METRICS_TOKEN = TOKEN
    return Client(HTTP_AUTHORIZATION=f"Bearer {TOKEN}")


def sample(text: str, name: str, **labels: str) -> float:
    """The value of one series in a Prometheus text page (0 when it is not there)."""
    wanted = ",".join(f'{key}="{value}"' for key, value in sorted(labels.items()))
    for line in text.splitlines():
        series, _, value = line.rpartition(" ")
        if series.startswith(name + "{") or series == name:
            found = ",".join(sorted(series[len(name) + 1 : -1].split(","))) if "{" in series else ""
            if found == wanted:
                return float(value)
    return 0.0


@pytest.fixture
def captured():
    """The request log's records as the JSON formatter writes them."""
    stream = io.StringIO()
    handler = logging.StreamHandler(stream)
    handler.addFilter(RequestIdFilter())
    handler.setFormatter(JsonFormatter())
    logger = logging.getLogger("parskats.request")
    old_level = logger.level
    logger.addHandler(handler)
    logger.setLevel(logging.INFO)
    yield stream
    logger.removeHandler(handler)
    logger.setLevel(old_level)


def test_every_answer_carries_a_request_id_and_the_log_line_names_it(db, captured):
    response = Client().get("/health/")
    request_id = response["X-Request-ID"]
    assert re.fullmatch(r"[0-9a-f]{32}", request_id)
    line = json.loads(captured.getvalue().splitlines()[-1])
    assert line["request_id"] == request_id
    assert (line["route"], line["method"], line["status"], line["logger"]) == (
        "/health/",
        "GET",
        200,
        "parskats.request",
    )
    assert isinstance(line["ms"], float)


def test_the_proxys_request_id_is_kept_and_a_hostile_one_replaced(db, captured):
    assert Client(HTTP_X_REQUEST_ID="nginx-7f3a9c2e41").get("/health/")["X-Request-ID"] == "nginx-7f3a9c2e41"
    for hostile in ("x", "a\u202eb" * 5, "id\r\nSet-Cookie: a=b", "'; DROP TABLE x; --", "9" * 200):
        given = Client(HTTP_X_REQUEST_ID=hostile).get("/health/")["X-Request-ID"]
        assert given != hostile and re.fullmatch(r"[0-9a-f]{32}", given)


def test_two_requests_have_two_ids(db):
    assert Client().get("/health/")["X-Request-ID"] != Client().get("/health/")["X-Request-ID"]


def test_a_log_record_outside_a_request_has_a_dash_for_its_id():
    record = logging.LogRecord("parskats", logging.WARNING, __file__, 1, "plain", None, None)
    RequestIdFilter().filter(record)
    assert json.loads(JsonFormatter().format(record))["request_id"] == "-"


def test_metrics_need_the_token(db, settings):
    settings.PARSKATS_METRICS_TOKEN = ""
    assert Client().get("/metrics").status_code == 404  # not configured: no such address
    settings.PARSKATS_METRICS_TOKEN = TOKEN
    refused = Client().get("/metrics")
    assert refused.status_code == 401 and refused["WWW-Authenticate"].startswith("Bearer")
    assert Client(HTTP_AUTHORIZATION="Bearer wrong").get("/metrics").status_code == 401
    assert Client(HTTP_AUTHORIZATION=f"Bearer {TOKEN}").get("/metrics").status_code == 200


def test_metrics_count_requests_and_latencies_by_url_pattern(world, scraper):
    from .factories import article

    year = article(world.network, "Semināra jaunumi").publish_at.year
    before = scraper.get("/metrics").content.decode()
    for path in (
        f"/jaunumi/{year}/",
        f"/jaunumi/{year}/",
        "/jaunumi/1999/",
        "/jaunumi/0/",
        "/jaunumi/9" + "9" * 30 + "/",
    ):
        Client().get(path)
    page = scraper.get("/metrics").content.decode()
    route = {"route": "/jaunumi/<year:year>/", "method": "GET"}

    def grew(name: str, **labels: str) -> float:
        return sample(page, name, **labels) - sample(before, name, **labels)

    assert grew("parskats_http_requests_total", **route, status="200") == 2
    assert grew("parskats_http_requests_total", **route, status="404") == 1  # a year with no news
    assert grew("parskats_http_request_duration_seconds_count", **route) == 3
    assert grew("parskats_http_request_duration_seconds_bucket", **route, le="+Inf") == 3
    assert grew("parskats_http_requests_total", route="unmatched", method="GET", status="404") == 2
    # The typed paths never become series of their own: a scanner cannot grow the page.
    # (Only the labels are looked at: a process figure may well print a run of nines.)
    routes = set(re.findall(r'route="([^"]*)"', page))
    assert not {r for r in routes if "1999" in r or "/0/" in r or "9999999999" in r}, routes


def test_django_s_own_not_found_line_carries_the_request_id(world, caplog):
    caplog.set_level(logging.WARNING, logger="django.request")
    handler = logging.Handler()
    seen: list[str] = []
    handler.emit = lambda record: seen.append(getattr(record, "request_id", "?"))  # type: ignore[method-assign]
    handler.addFilter(RequestIdFilter())
    logging.getLogger("django.request").addHandler(handler)
    try:
        response = Client(HTTP_X_REQUEST_ID="nginx-0123456789").get("/jaunumi/1999/")
    finally:
        logging.getLogger("django.request").removeHandler(handler)
    assert response.status_code == 404 and seen == ["nginx-0123456789"]


def test_metrics_say_when_the_last_backup_succeeded(transactional_db, scraper, settings, tmp_path):
    settings.PARSKATS_BACKUP_STAMP = tmp_path / "state" / "last-backup.json"
    page = scraper.get("/metrics").content.decode()
    assert sample(page, "parskats_backup_last_success_timestamp_seconds") == 0  # never: an alert fires
    import time

    started = time.time()
    call_command("backup", str(tmp_path / "b.tar.gz"), stdout=io.StringIO())
    page = scraper.get("/metrics").content.decode()
    assert started <= sample(page, "parskats_backup_last_success_timestamp_seconds") <= time.time()
    assert sample(page, "parskats_backup_last_size_bytes") == (tmp_path / "b.tar.gz").stat().st_size
    assert sample(page, "parskats_backup_last_rows") > 0


def test_a_failed_backup_leaves_the_last_success_as_it_was(transactional_db, scraper, settings, tmp_path):
    settings.PARSKATS_BACKUP_STAMP = tmp_path / "last-backup.json"
    call_command("backup", str(tmp_path / "good.tar.gz"), stdout=io.StringIO())
    first = sample(scraper.get("/metrics").content.decode(), "parskats_backup_last_success_timestamp_seconds")
    (tmp_path / "blocked").write_text("a file where the archive's folder should be")
    with pytest.raises(OSError):
        call_command("backup", str(tmp_path / "blocked" / "b.tar.gz"), stdout=io.StringIO())
    after = sample(scraper.get("/metrics").content.decode(), "parskats_backup_last_success_timestamp_seconds")
    assert after == first > 0


CHILD = """
import django, os
os.environ["DJANGO_SETTINGS_MODULE"] = "parskats.settings"
django.setup()
from django.test import Client
print(Client().get("/health/", HTTP_HOST="localhost").status_code)
"""


def test_under_several_workers_metrics_add_up_every_process(tmp_path):
    """gunicorn's workers are processes: with PROMETHEUS_MULTIPROC_DIR each writes its figures there
    and /metrics (in any of them) adds them up."""
    import os
    import subprocess
    import sys

    from prometheus_client import CollectorRegistry, generate_latest
    from prometheus_client.multiprocess import MultiProcessCollector

    folder = tmp_path / "prometheus"
    folder.mkdir()
    env = {**os.environ, "PROMETHEUS_MULTIPROC_DIR": str(folder), "DATABASE_URL": f"sqlite:///{tmp_path / 'db'}"}
    for _worker in range(2):
        run = subprocess.run(  # noqa: S603 - this interpreter, our own fixed script
            [sys.executable, "-c", CHILD], env=env, capture_output=True, text=True, check=True, timeout=120
        )
        assert run.stdout.strip() == "200"
    registry = CollectorRegistry()
    MultiProcessCollector(registry, path=str(folder))
    page = generate_latest(registry).decode()
    assert sample(page, "parskats_http_requests_total", route="/health/", method="GET", status="200") == 2


def test_metrics_show_the_job_queue_depth_and_the_oldest_waiting_job(world, methodologist, scraper, settings, tmp_path):
    from parskats.jobs.models import Job
    from parskats.seminar.jobs import KIND

    from .conftest import client_for
    from .seminar_support import approved_reports, make_seminar

    settings.JOBS_FILES_ROOT = tmp_path / "job-files"
    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
    approved_reports(world)
    seminar = make_seminar(world, methodologist)
    page = scraper.get("/metrics").content.decode()
    assert sample(page, "parskats_jobs_waiting", kind=KIND) == 0
    assert sample(page, "parskats_jobs_oldest_waiting_age_seconds") == 0
    client_for(methodologist).post(f"/n/{seminar.network.slug}/seminars/{seminar.pk}/pack/")
    job = Job.objects.get()
    Job.objects.filter(pk=job.pk).update(created_at=job.created_at - dt.timedelta(minutes=5))
    page = scraper.get("/metrics").content.decode()
    assert sample(page, "parskats_jobs_waiting", kind=KIND) == 1
    assert sample(page, "parskats_jobs_running", kind=KIND) == 0
    assert 300 <= sample(page, "parskats_jobs_oldest_waiting_age_seconds") < 400
    Job.objects.filter(pk=job.pk).update(status=Job.Status.RUNNING)
    page = scraper.get("/metrics").content.decode()
    assert sample(page, "parskats_jobs_waiting", kind=KIND) == 0
    assert sample(page, "parskats_jobs_running", kind=KIND) == 1
    assert sample(page, "parskats_jobs_oldest_waiting_age_seconds") == 0
