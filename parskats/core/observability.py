"""What an operator sees of the running site: one log line per request carrying a request id, logs
as JSON lines when asked (PARSKATS_LOG_FORMAT=json), and the request counters and latencies that
/metrics exposes to Prometheus.

The request id comes from the proxy's X-Request-ID when it is a sane token (nginx sets $request_id),
else it is made here; it goes back in the response header and into every log record written while
the request runs, so one id finds a request in nginx's log, gunicorn's and the application's.
Metrics are labelled by the URL pattern, never the path typed: /n/testa/reports/12/ and
/n/testa/reports/99999/ are one series, and a scanner trying ten thousand addresses adds none.
"""

from __future__ import annotations

import json
import logging
import re
import time
import uuid
from collections.abc import Callable
from contextvars import ContextVar
from typing import Any

from django.http import HttpRequest, HttpResponse
from prometheus_client import Counter, Histogram

REQUEST_ID_HEADER = "X-Request-ID"
_SANE_ID = re.compile(r"[A-Za-z0-9._-]{8,64}")
request_id: ContextVar[str] = ContextVar("request_id", default="-")
log = logging.getLogger("parskats.request")

REQUESTS = Counter(
    "parskats_http_requests",
    "HTTP requests answered, by URL pattern, method and status.",
    ["route", "method", "status"],
)
LATENCY = Histogram(
    "parskats_http_request_duration_seconds",
    "Time to answer a request, by URL pattern.",
    ["route", "method"],
    buckets=(0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60),
)
METHODS = frozenset({"GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"})


def incoming_id(request: HttpRequest) -> str:
    """The proxy's request id when it is a plain token, else a new one (a header is typed by anyone)."""
    given = request.headers.get(REQUEST_ID_HEADER, "")
    return given if _SANE_ID.fullmatch(given) else uuid.uuid4().hex


def route_of(request: HttpRequest) -> str:
    match = getattr(request, "resolver_match", None)
    if match is None or not match.route:
        return "unmatched"
    return "/" + str(match.route)


class RequestMiddleware:
    """Outermost middleware: the request id, the request's log line and its metrics."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        # Not reset on the way out: Django logs a 4xx or 5xx after the middleware has returned, and
        # that line must carry the id too. request_finished (end_request) clears it.
        request_id.set(incoming_id(request))
        started = time.perf_counter()
        response = self.get_response(request)
        elapsed = time.perf_counter() - started
        route = route_of(request)
        method = request.method if request.method in METHODS else "other"
        REQUESTS.labels(route, method, str(response.status_code)).inc()
        LATENCY.labels(route, method).observe(elapsed)
        response[REQUEST_ID_HEADER] = request_id.get()
        log.info(
            "%s %s %s %.1f ms",
            method,
            route,
            response.status_code,
            elapsed * 1000,
            extra={"route": route, "method": method, "status": response.status_code, "ms": round(elapsed * 1000, 1)},
        )
        return response


def end_request(**kwargs: Any) -> None:
    """request_finished: records written between requests carry no id."""
    request_id.set("-")


class RequestIdFilter(logging.Filter):
    """Puts the current request's id on every record (a dash outside a request)."""

    def filter(self, record: logging.LogRecord) -> bool:
        record.request_id = request_id.get()
        return True


class JsonFormatter(logging.Formatter):
    """One JSON object per line: time, level, logger, request id, message, and the request's fields."""

    FIELDS = ("route", "method", "status", "ms")

    def format(self, record: logging.LogRecord) -> str:
        entry: dict[str, object] = {
            "time": self.formatTime(record, "%Y-%m-%dT%H:%M:%S%z"),
            "level": record.levelname,
            "logger": record.name,
            "request_id": getattr(record, "request_id", "-"),
            "message": record.getMessage(),
        }
        entry.update({name: getattr(record, name) for name in self.FIELDS if hasattr(record, name)})
        if record.exc_info:
            entry["exception"] = self.formatException(record.exc_info)
        return json.dumps(entry, ensure_ascii=False)
