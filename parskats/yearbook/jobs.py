"""The annual review's exports as one background job: DOCX and PDF in Latvian and English, made
from the same state of the review and written side by side (jobs.files.write_together)."""

from __future__ import annotations

from typing import Any

from django.http import Http404
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

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
from .pdf_export import render_pdf

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
    contents: dict[str, bytes] = {}
    documents: dict[str, Document] = {}
    try:
        for done, (fmt, language) in enumerate(FILES):
            progress(_("Making %(format)s (%(language)s)") % {"format": fmt.upper(), "language": language}, done, 5)
            document = documents.get(language) or build_document(review, language)
            documents[language] = document
            body = render_docx(document) if fmt == "docx" else render_pdf(document)
            contents[f"{file_stem(review)}-{language}.{fmt}"] = body
    except StatsError as error:
        raise JobFailed([str(error)]) from None
    progress(_("Writing the files"), 4, 5)
    names = write_together(job, contents)
    progress(_("Writing the files"), 5, 5)
    return {"files": names, "lines": []}


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
