"""Thin views over the annual review: access through access.py, changes through workflow.py,
content through outline.py / document.py."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from parskats.accounts.access import manages_region
from parskats.core.downloads import attachment
from parskats.core.freetext import is_whole_number
from parskats.core.pagecache import public_page
from parskats.jobs.access import jobs_of_subject
from parskats.network.models import OrgUnit
from parskats.stats.aggregate import StatsError, default_survey, survey_years

from . import access, workflow
from .document import build_document
from .docx_export import render_docx
from .jobs import KIND as EXPORTS_JOB
from .jobs import start_exports
from .links import file_stem, job_subject, url_of
from .models import AnnualReview
from .outline import build_outline
from .pdf_export import render_pdf
from .summary import national_summary

FORMATS = {
    "docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    "pdf": "application/pdf",
}
MAX_TEXT = 50_000


def download_links(review: AnnualReview, public: bool = False) -> list[tuple[str, str]]:
    name = "public_download" if public else "export"
    labels = {
        ("docx", "lv"): _("DOCX in Latvian"),
        ("pdf", "lv"): _("PDF in Latvian"),
        ("docx", "en"): _("DOCX in English"),
        ("pdf", "en"): _("PDF in English"),
    }
    return [(label, url_of(review, name, fmt) + f"?lang={lang}") for (fmt, lang), label in labels.items()]


def _language(request: HttpRequest) -> str:
    lang = request.GET.get("lang") or (get_language() or "lv")
    return "en" if lang.startswith("en") else "lv"


def _errors(exc: ValidationError) -> list[str]:
    return [str(m) for m in exc.messages]


@login_required
def index(request: HttpRequest, network: str) -> HttpResponse:
    if not access.reads_drafts(request.user, network):  # a reporter sees what the public sees
        return redirect("yearbook:published", network=network)
    net = access.network_for_reviews(request.user, network)
    whole = manages_region(request.user, net, None)
    regions = access.readable_regions(request.user, net)
    writable = access.editable_regions(request.user, net)
    reviews = access.reviews_for_user(request.user, net)
    try:
        survey = default_survey(net)
        years = survey_years(net, survey)
    except StatsError:
        survey, years = None, []
    if request.method == "POST":
        raw, code = request.POST.get("year", ""), request.POST.get("region", "") or None
        region = access.region_for_reviews(request.user, net, code, write=True)
        if survey is None or not is_whole_number(raw) or int(raw) not in years:
            messages.error(request, _("Choose one of the years offered."))
            return redirect("yearbook:index", network=net.slug)
        try:
            review = workflow.create_review(request.user, net, survey, int(raw), region)
        except ValidationError as exc:
            for message in _errors(exc):
                messages.error(request, message)
            return redirect("yearbook:index", network=net.slug)
        messages.success(request, _("The review for %(year)s was started.") % {"year": review.year})
        return redirect(url_of(review, "editor"))
    taken = {(r.year, r.region_id) for r in reviews}
    choices = ([(None, net.name)] if whole else []) + [(r, r.name) for r in writable]
    starts = [
        (region, name, [y for y in years if (y, region.pk if region else None) not in taken])
        for region, name in choices
    ]
    return render(
        request,
        "yearbook/index.html",
        {
            "network": net,
            "reviews": reviews,
            "starts": [start for start in starts if start[2]],
            "can_edit": bool(choices),
            "regions": regions,
        },
    )


@login_required
def editor(request: HttpRequest, network: str, year: int, region: str | None = None) -> HttpResponse:
    review = access.get_review_for_user(request.user, network, year, region=region)
    return _editor(request, review)


def _editor(
    request: HttpRequest, review: AnnualReview, posted: dict[str, Any] | None = None, status: int = 200
) -> HttpResponse:
    outline = build_outline(review, _language(request))
    context = {
        "network": review.network,
        "review": review,
        "outline": outline,
        "can_edit": access.may_change(request.user, review) and review.is_editable,
        "is_admin": access.may_change(request.user, review),
        "posted": posted or {},
        "downloads": download_links(review),
        "export_jobs": jobs_of_subject(request.user, review.network, EXPORTS_JOB, job_subject(review)),
        "regions_summary": national_summary(review, _language(request)),
        "readable_regions": {region.pk for region in access.readable_regions(request.user, review.network)},
    }
    return render(request, "yearbook/editor.html", context, status=status)


@login_required
@require_POST
def export_job(request: HttpRequest, network: str, year: int, region: str | None = None) -> HttpResponse:
    """All four exports made in the background (inline under make run); its page hands them out."""
    review = access.get_review_for_user(request.user, network, year, region=region)
    job = start_exports(request.user, review)
    return redirect("jobs:status", review.network.slug, job.pk)


def _text(request: HttpRequest, name: str) -> str:
    value = request.POST.get(name, "")
    if len(value) > MAX_TEXT:
        raise ValidationError(_("The text is too long (at most %(max)s characters).") % {"max": MAX_TEXT})
    return value


def _version(request: HttpRequest) -> int | None:
    raw = request.POST.get("version", "")
    if not is_whole_number(raw):
        raise ValidationError(_("The form is missing its version; reload the page."))
    return int(raw)


@login_required
@require_POST
def texts(request: HttpRequest, network: str, year: int, region: str | None = None) -> HttpResponse:
    review = access.get_review_for_user(request.user, network, year, write=True, region=region)
    posted = {k: request.POST.get(k, "") for k in ("title_lv", "title_en", "summary", "conclusions")}
    try:
        workflow.save_texts(
            request.user,
            review,
            _version(request),
            title_lv=_text(request, "title_lv"),
            title_en=_text(request, "title_en"),
            summary=_text(request, "summary"),
            conclusions=_text(request, "conclusions"),
        )
    except ValidationError as exc:
        for message in _errors(exc):
            messages.error(request, message)
        review.refresh_from_db()
        return _editor(request, review, posted, status=409 if isinstance(exc, workflow.StaleVersion) else 400)
    messages.success(request, _("Saved."))
    return redirect(url_of(review, "editor"))


@login_required
def section(request: HttpRequest, network: str, year: int, code: str, region: str | None = None) -> HttpResponse:
    review = access.get_review_for_user(request.user, network, year, write=request.method == "POST", region=region)
    outline = build_outline(review, _language(request))
    part = outline.section(code)
    if part is None:
        raise Http404("No such section.")
    posted: dict[str, Any] = {}
    status = 200
    preview = False
    if request.method == "POST" and "preview" in request.POST:
        # A preview writes nothing: the typed text and choices come back with the text shown as
        # the document will read it (the same Markdown pipeline, profile "review").
        excerpts, _problems = _excerpts(request, part)
        posted = {"text": request.POST.get("text", "")}
        preview = True
        for group in part.groups:
            for item in group.texts:
                item.posted = excerpts.get(item.report.pk)
    elif request.method == "POST":
        excerpts, problems = _excerpts(request, part)
        posted = {"text": request.POST.get("text", "")}
        try:
            if problems:
                raise ValidationError(problems)
            workflow.save_section(
                request.user,
                review,
                _version(request),
                code,
                text=_text(request, "text"),
                show_figures=request.POST.get("show_figures") == "on",
                excerpts=excerpts,
                fingerprint=request.POST.get("fingerprint", "")[:64] or None,
            )
        except ValidationError as exc:
            for message in _errors(exc):
                messages.error(request, message)
            review.refresh_from_db()
            status = 409 if isinstance(exc, workflow.StaleVersion) else 400
            # Nothing typed is lost: the refused choices are shown again.
            for group in part.groups:
                for item in group.texts:
                    item.posted = excerpts.get(item.report.pk)
        else:
            messages.success(request, _("Section saved."))
            return redirect(url_of(review, "section", code))
    context = {
        "network": review.network,
        "review": review,
        "outline": outline,
        "part": part,
        "can_edit": access.may_change(request.user, review) and review.is_editable,
        "posted": posted,
        "preview": preview,
        "fingerprint": workflow.section_fingerprint(workflow.snapshot(review), code),
    }
    return render(request, "yearbook/section.html", context, status=status)


def _excerpts(request: HttpRequest, part: Any) -> tuple[dict[int, dict[str, Any]], list[str]]:
    """The choices for each library text of the section (fields named by the report id), and what
    is wrong with them, each problem naming its library."""
    out: dict[int, dict[str, Any]] = {}
    problems = []
    for group in part.groups:
        for item in group.texts:
            pk = item.report.pk
            order = request.POST.get(f"order-{pk}", "").strip() or "0"
            short = request.POST.get(f"short-{pk}", "")
            out[pk] = {
                "included": request.POST.get(f"include-{pk}") == "on",
                "order": int(order) if is_whole_number(order) and int(order) <= 999 else order,
                "text": short.strip(),
                "quote": request.POST.get(f"quote-{pk}") == "on",
            }
            if not isinstance(out[pk]["order"], int):
                problems.append(
                    _("%(library)s: the order must be a whole number from 0 to 999.") % {"library": item.unit.name}
                )
            if len(short) > MAX_TEXT:
                problems.append(_("%(library)s: the shortened text is too long.") % {"library": item.unit.name})
    return out, problems


@login_required
@require_POST
def status(request: HttpRequest, network: str, year: int, region: str | None = None) -> HttpResponse:
    review = access.get_review_for_user(request.user, network, year, write=True, region=region)
    try:
        workflow.set_status(request.user, review, request.POST.get("status", ""), request.POST.get("note", ""))
    except ValidationError as exc:
        for message in _errors(exc):
            messages.error(request, message)
    else:
        messages.success(request, _("The status was changed."))
    return redirect(url_of(review, "editor"))


@login_required
def history(request: HttpRequest, network: str, year: int, region: str | None = None) -> HttpResponse:
    review = access.get_review_for_user(request.user, network, year, write=request.method == "POST", region=region)
    if request.method == "POST":
        raw = request.POST.get("number", "")
        try:
            if not is_whole_number(raw):
                raise ValidationError(_("Choose a version to restore."))
            workflow.restore_version(request.user, review, _version(request), int(raw))
        except ValidationError as exc:
            for message in _errors(exc):
                messages.error(request, message)
        else:
            messages.success(request, _("Version %(number)s restored as a new version.") % {"number": raw})
        return redirect(url_of(review, "history"))
    context = {
        "network": review.network,
        "review": review,
        "versions": review.versions.order_by("-number")[:200],
        "can_edit": access.may_change(request.user, review) and review.is_editable,
    }
    return render(request, "yearbook/history.html", context)


def _download(review: AnnualReview, fmt: str, language: str) -> HttpResponse:
    if fmt not in FORMATS:
        raise Http404("No such format.")
    document = build_document(review, language)
    body = render_docx(document) if fmt == "docx" else render_pdf(document)
    response = HttpResponse(body, content_type=FORMATS[fmt])
    name = f"{file_stem(review)}-{language}.{fmt}"
    attachment(response, name)
    return response


@login_required
def export(request: HttpRequest, network: str, year: int, fmt: str, region: str | None = None) -> HttpResponse:
    review = access.get_review_for_user(request.user, network, year, region=region)
    return _download(review, fmt, _language(request))


def published(request: HttpRequest, network: str) -> HttpResponse:
    net, reviews = access.published_reviews(network)
    language = _language(request)
    rows = [(review, review.title(language), download_links(review, public=True)) for review in reviews]
    # A network of regions: the national summaries, then each region's own reviews under its name.
    regions = list(OrgUnit.objects.filter(network=net, level=OrgUnit.Level.REGION).order_by("name"))
    groups = [(region, [row for row in rows if row[0].region_id == region.pk]) for region in regions]
    national = [row for row in rows if row[0].region_id is None]
    context = {"network": net, "rows": national if regions else rows, "groups": groups}
    return render(request, "yearbook/published.html", context)


@public_page("yearbook", "figures")
def public(request: HttpRequest, network: str, year: int, region: str | None = None) -> HttpResponse:
    review = access.get_published_review(network, year, region)
    document = build_document(review, _language(request))
    return render(
        request,
        "yearbook/public.html",
        {
            "network": review.network,
            "review": review,
            "doc": document,
            "downloads": download_links(review, public=True),
            "regions_summary": national_summary(review, _language(request)),
        },
    )


def public_download(request: HttpRequest, network: str, year: int, fmt: str, region: str | None = None) -> HttpResponse:
    review = access.get_published_review(network, year, region)
    return _download(review, fmt, _language(request))
