"""Public pages served from a cache, so that a reader costs almost nothing on the day a news
article sends everyone to the figures.

Only a reader without a session gets a cached page: a logged-in person (or anyone holding a session
or a pending message) always gets a fresh one. A page is kept under the counters of the topics it
shows (`PageVersion`), read in one query per request; every change those pages are made from moves
its topic's counter after it commits (`changed`), so the next request after an approval or an edit
renders anew: a reader never sees stale figures, across processes, whatever the cache backend.
Pages that carry a CSRF token or set a cookie are not kept (they belong to one visitor).
"""

from __future__ import annotations

import functools
import secrets
from collections.abc import Callable, Iterable
from typing import Any, TypeVar, cast

from django.conf import settings
from django.core.cache import cache
from django.db import IntegrityError, transaction
from django.db.models import F
from django.http import HttpRequest, HttpResponseBase
from django.utils.cache import patch_vary_headers
from django.utils.encoding import iri_to_uri
from django.utils.translation import get_language

from .models import PageVersion

View = TypeVar("View", bound=Callable[..., HttpResponseBase])


# A random number per database, renewed by `new_epoch`: a restored or recreated database never
# meets pages cached under its counters' old values. PageVersion is derived state, never backed up.
EPOCH = "epoch"


def versions(topics: Iterable[str]) -> str:
    topics = tuple(topics)
    found = dict(PageVersion.objects.filter(topic__in=(EPOCH, *topics)).values_list("topic", "counter"))
    if EPOCH not in found:
        found[EPOCH] = new_epoch()
    return ".".join(str(found.get(topic, 0)) for topic in (EPOCH, *topics))


def new_epoch() -> int:
    epoch = secrets.randbits(62)
    PageVersion.objects.update_or_create(topic=EPOCH, defaults={"counter": epoch})
    return epoch


def changed(*topics: str) -> None:
    """The pages of these topics are out of date once the current transaction commits."""
    transaction.on_commit(lambda: bump(*topics))


def bump(*topics: str) -> None:
    """Move the counters now (outside a transaction, or from an on-commit hook)."""
    for topic in topics:
        if PageVersion.objects.filter(topic=topic).update(counter=F("counter") + 1):
            continue
        try:
            with transaction.atomic():
                PageVersion.objects.create(topic=topic, counter=1)
        except IntegrityError:  # created meanwhile by another process
            PageVersion.objects.filter(topic=topic).update(counter=F("counter") + 1)


def _a_reader(request: HttpRequest) -> bool:
    """A GET from someone with no session, no pending message and no API token: the page is the
    same for all."""
    allowed = {settings.LANGUAGE_COOKIE_NAME, settings.CSRF_COOKIE_NAME}
    return (
        request.method in ("GET", "HEAD")
        and set(request.COOKIES) <= allowed
        and "HTTP_AUTHORIZATION" not in request.META
    )


def _keepable(request: HttpRequest, response: HttpResponseBase) -> bool:
    return (
        response.status_code == 200
        and not response.streaming
        and not response.cookies
        and not request.META.get("CSRF_COOKIE_NEEDS_UPDATE")
        and "private" not in response.get("Cache-Control", "")
        and "no-store" not in response.get("Cache-Control", "")
    )


def public_page(*topics: str, clock: Callable[[], object] | None = None) -> Callable[[View], View]:
    """Serve this view to readers from the cache, kept under the counters of `topics`. `clock`
    names what changes with time alone (an article scheduled to appear at noon): its value is part
    of the key, so the page is made anew when it moves."""

    def decorate(view: View) -> View:
        @functools.wraps(view)
        def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponseBase:
            if not settings.PAGE_CACHE_SECONDS or not _a_reader(request):
                return view(request, *args, **kwargs)
            timed = clock() if clock is not None else ""
            path = iri_to_uri(request.get_full_path())
            key = f"page:{get_language() or ''}:{versions(topics)}:{timed}:{path}"
            cached = cache.get(key)
            if cached is not None:
                cached["X-Page-Cache"] = "hit"
                return cast(HttpResponseBase, cached)
            response = view(request, *args, **kwargs)
            render = getattr(response, "render", None)
            if callable(render) and not getattr(response, "is_rendered", True):
                render()
            # One page per language: a shared cache in front must not mix them.
            patch_vary_headers(response, ("Accept-Language", "Cookie", "Authorization"))
            if _keepable(request, response):
                cache.set(key, response, settings.PAGE_CACHE_SECONDS)
            response["X-Page-Cache"] = "miss"
            return response

        return cast(View, wrapper)

    return decorate


def follow_app(app_label: str, topic: str) -> None:
    """Move `topic` after every committed change to any row of the app (its many-to-many links too).
    Called from the app's AppConfig.ready(): each app knows which public pages it feeds."""
    from django.apps import apps
    from django.db.models.signals import m2m_changed, post_delete, post_save

    def receive(raw: bool = False, **kwargs: object) -> None:
        if not raw:
            changed(topic)

    for model in apps.get_app_config(app_label).get_models():
        for signal in (post_save, post_delete):
            signal.connect(
                receive, sender=model, weak=False, dispatch_uid=f"pages-{topic}-{model._meta.label}-{id(signal)}"
            )
        for field in model._meta.local_many_to_many:
            m2m_changed.connect(
                receive,
                sender=field.remote_field.through,
                weak=False,
                dispatch_uid=f"pages-{topic}-{model._meta.label}-{field.name}",
            )
