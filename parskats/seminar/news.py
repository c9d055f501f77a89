"""After the seminar: a draft news article pre-filled from the seminar, for the methodologist to edit."""

from __future__ import annotations

from collections import Counter
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import formats, timezone
from django.utils.translation import gettext as _

from parskats.audit.models import AuditEntry
from parskats.core.text import shorten, summary
from parskats.network.models import OrgUnit
from parskats.news.articles import unique_slug
from parskats.news.models import Article

from .agenda import RIGA
from .content import INSIGHT_CHARS
from .models import AgendaItem, Seminar
from .participants import participants
from .services import audit


def news_body(seminar: Seminar) -> tuple[str, str]:
    """The lead and the Markdown body: date, title, who took part (by library type and county), the
    quoted insights."""
    from parskats.reporting.models import Narrative, Report

    start = seminar.starts_at.astimezone(RIGA)
    when = formats.date_format(start, "DATE_FORMAT")
    people = participants(seminar)
    guests = [p for p in people if p.is_guest]
    library_ids = list(
        seminar.agenda_items.filter(kind=AgendaItem.Kind.LIBRARY)
        .order_by("position", "id")
        .values_list("library_id", flat=True)
    )
    libraries = list(OrgUnit.objects.filter(pk__in=library_ids))
    types = Counter(str(unit.get_library_type_display()) for unit in libraries)
    from .agenda import county_of

    counties = Counter(county_of(seminar).get(unit.pk, "") for unit in libraries)
    lead = _("On %(date)s the libraries of %(network)s met at the seminar “%(title)s”.") % {
        "date": when,
        "network": seminar.network.name,
        "title": seminar.title,
    }
    lines = [lead, "", _("Libraries on the agenda: %(count)s.") % {"count": len(libraries)}]
    lines += [f"- {name}: {count}" for name, count in sorted(types.items())]
    lines += ["", _("By county:")] + [f"- {name or '—'}: {count}" for name, count in sorted(counties.items())]
    if guests:
        lines += [
            "",
            _("Guests: %(names)s.")
            % {"names": ", ".join(str(g.name) + (f" ({g.role})" if g.role else "") for g in guests)},
        ]
    insights = Narrative.objects.filter(
        section__code="insight",
        report__unit_id__in=library_ids,
        report__period__year=seminar.year,
        report__period__network=seminar.network,
        report__status=Report.Status.APPROVED,
    ).select_related("report__unit")
    by_unit = {n.report.unit_id: n for n in insights if n.text.strip()}
    # In agenda order; the same words from several libraries are quoted once with every name.
    said: dict[str, list[str]] = {}
    for unit_id in library_ids:
        if unit_id in by_unit:
            quote = summary(by_unit[unit_id].text, INSIGHT_CHARS)
            said.setdefault(quote, []).append(by_unit[unit_id].report.unit.name)
    if said:
        lines += ["", _("The year's insights:"), ""]
        lines += [f"> „{quote}“ — {', '.join(names)}\n" for quote, names in said.items()]
    return lead, "\n".join(lines).strip() + "\n"


@transaction.atomic
def draft_news(actor: Any, seminar: Seminar) -> Article:
    """Create (once) the draft article about a seminar that has begun; later calls return the same draft."""
    if seminar.starts_at > timezone.now():
        raise ValidationError(_("The news is written after the seminar has begun."))
    # The seminar row is locked, so two clicks at once write one draft, not two.
    seminar.news_article_id = (
        Seminar.objects.select_for_update().values_list("news_article_id", flat=True).get(pk=seminar.pk)
    )
    if seminar.news_article_id:
        article = Article.objects.filter(pk=seminar.news_article_id).first()
        if article is not None:
            return article
    lead, body = news_body(seminar)
    title = seminar.title
    article = Article.objects.create(
        network=seminar.network,
        title=title,
        slug=unique_slug(title),
        lead=shorten(lead, 400),
        body=body,
        signature=actor.get_full_name() if actor.is_authenticated else "",
        status=Article.Status.DRAFT,
        author=actor if actor.is_authenticated else None,
    )
    Seminar.objects.filter(pk=seminar.pk).update(news_article=article)
    seminar.news_article = article
    audit(actor, seminar, AuditEntry.Action.NEWS_DRAFTED, "news-draft", new=article.pk)
    return article
