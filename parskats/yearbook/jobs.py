"""The annual review's exports as one background job: DOCX and PDF in Latvian and English, made
from the same state of the review and written side by side (jobs.files.write_together).

Each language's document is gathered and laid out here (the charts are drawn then, and the DOCX
takes its page numbers from the layout); the four files are then written at once in forked
processes (core.apart), which need neither the database nor the chart renderer."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.http import Http404
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from parskats.core.apart import build_apart
from parskats.jobs import actions as job_actions
from parskats.jobs.files import write_together
from parskats.jobs.models import Job
from parskats.jobs.registry import JobFailed, Kind, Progress
from parskats.stats.aggregate import StatsError

from . import access
from .document import Document, build_document
from .docx_export import render_docx
from .links import file_stem, job_subject, parse_subject, review_url
from .models import AnnualReview
from .pdf_export import layout, render_pdf

KIND = "yearbook.exports"
FILES = [("docx", "lv"), ("pdf", "lv"), ("docx", "en"), ("pdf", "en")]


def start_exports(actor: Any, review: AnnualReview) -> Job:
    title = _("Annual review %(year)s: DOCX and PDF") % {"year": review.year}
    return job_actions.start(actor, KIND, review.network, job_subject(review), title, {})


def run(job: Job, progress: Progress) -> dict[str, Any]:
    year, region = parse_subject(job.subject)
    reviews = (
        AnnualReview.objects.filter(network=job.network, year=year, region__code=region)
        if region is not None
        else AnnualReview.objects.filter(network=job.network, year=year, region__isnull=True)
    )
    review = reviews.select_related("network", "survey", "region").order_by("survey__code").first()
    if review is None:
        raise JobFailed([_("The annual review no longer exists.")])
    documents: dict[str, Document] = {}
    try:
        for done, language in enumerate(dict.fromkeys(language for _fmt, language in FILES)):
            progress(_("Making %(format)s (%(language)s)") % {"format": "DOCX, PDF", "language": language}, done, 5)
            documents[language] = build_document(review, language)
            layout(documents[language])
    except StatsError as error:
        raise JobFailed([str(error)]) from None
    progress(_("Making %(format)s (%(language)s)") % {"format": "DOCX, PDF", "language": ", ".join(documents)}, 2, 5)
    makers = {f"{file_stem(review)}-{language}.{fmt}": file_maker(documents[language], fmt) for fmt, language in FILES}
    contents = {name: part.data for name, part in build_apart(makers).items()}
    progress(_("Writing the files"), 4, 5)
    names = write_together(job, contents)
    progress(_("Writing the files"), 5, 5)
    return {"files": names, "lines": []}


def file_maker(document: Document, fmt: str) -> Callable[[], bytes]:
    return lambda: render_docx(document) if fmt == "docx" else render_pdf(document)


def may_see(user: Any, job: Job) -> bool:
    try:
        year, region = parse_subject(job.subject)
        access.get_review_for_user(user, job.network.slug, year, region=region)
    except Http404:
        return False
    return True


def back_url(job: Job) -> str:
    year, region = parse_subject(job.subject)
    return review_url("editor", job.network.slug, year, region)


KIND_SPEC = Kind(code=KIND, label=gettext_lazy("Annual review"), run=run, may_see=may_see, back_url=back_url)
