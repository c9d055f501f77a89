"""Public news pages: the list, archive by year, tags, an article with its comments."""

from __future__ import annotations

from django.core.paginator import Page, Paginator
from django.db.models import Count, Q, QuerySet
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _

from parskats.core.pagecache import public_page
from parskats.core.ratelimit import client_address, ratelimit
from parskats.core.text import NEWS, summary, to_html

from . import access
from .comments import CommentRefused, Submission, issue_token, post_comment
from .forms import CommentForm
from .models import Article, Comment, NewsSettings, Tag

PER_PAGE = 10
# The confirmation of a posted comment waits in the session for the next view of its article, where it is
# shown at the comment form (the redirect lands there), not at the top of a long page.
SENT_KEY = "news_comment_sent"
SENT_ANCHOR = "komentars-nosutits"


def _listing(queryset: QuerySet[Article]) -> QuerySet[Article]:
    return (
        queryset.order_by("-publish_at", "-id")
        .select_related("network", "region")
        .prefetch_related("tags", "images")
        .annotate(comment_count=Count("comments", filter=Q(comments__status=Comment.Status.APPROVED)))
    )


def _page(request: HttpRequest, queryset: QuerySet[Article]) -> Page[Article]:
    return Paginator(_listing(queryset), PER_PAGE).get_page(request.GET.get("lapa"))


def _render_list(request: HttpRequest, page: Page[Article], heading: str, **extra: object) -> HttpResponse:
    context = {"page": page, "years": _years(), "heading": heading, "can_edit": access.is_any_editor(request.user)}
    networks = {item.network for item in page}
    if len(networks) == 1:
        # One network's news: base.html then says whether its figures and names are invented.
        context["network"] = networks.pop()
    return render(request, "news/list.html", {**context, **extra})


def _years() -> list[int]:
    dates = Article.objects.public().dates("publish_at", "year", order="DESC")
    return [d.year for d in dates]


@public_page("news", clock=Article.objects.last_appeared)
def article_list(request: HttpRequest) -> HttpResponse:
    page = _page(request, Article.objects.public())
    return _render_list(request, page, _("News"))


@public_page("news", clock=Article.objects.last_appeared)
def archive_year(request: HttpRequest, year: int) -> HttpResponse:
    articles = Article.objects.public().filter(publish_at__year=year)
    if not articles.exists():
        raise Http404("No articles that year.")
    page = _page(request, articles)
    heading = _("News of %(year)d") % {"year": year}
    return _render_list(request, page, heading, year=year)


@public_page("news", clock=Article.objects.last_appeared)
def tag(request: HttpRequest, slug: str) -> HttpResponse:
    chosen = get_object_or_404(Tag, slug=slug)
    page = _page(request, Article.objects.public().filter(tags=chosen))
    heading = _("News tagged “%(tag)s”") % {"tag": chosen.name}
    return _render_list(request, page, heading, tag=chosen)


@public_page("news", clock=Article.objects.last_appeared)
def region(request: HttpRequest, network: str, code: str) -> HttpResponse:
    """One region's own news, with its feeds."""
    chosen = access.public_region(network, code)
    page = _page(request, Article.objects.public().filter(region=chosen))
    heading = _("News of %(region)s") % {"region": chosen.name}
    return _render_list(request, page, heading, region=chosen, network=chosen.network)


def _article_for_reader(request: HttpRequest, slug: str) -> Article:
    """A public article; an editor also sees their network's drafts here, as a preview."""
    try:
        return access.get_public_article(slug)
    except Http404:
        article = Article.objects.filter(slug=slug).select_related("network").first()
        if article is not None and access.may_edit_article(request.user, article.network, article.region):
            return article
        raise


@public_page("news", clock=Article.objects.last_appeared)
@ratelimit("comments")
def article(request: HttpRequest, year: int, slug: str) -> HttpResponse:
    item = _article_for_reader(request, slug)
    if request.path != item.get_absolute_url():
        return redirect(item, permanent=True)
    rules = NewsSettings.for_network(item.network)
    status = 200
    error = ""
    if request.method == "POST":
        form = CommentForm(request.POST, max_length=rules.max_length)
        if form.is_valid():
            submission = Submission(
                name=form.cleaned_data["name"],
                text=form.cleaned_data["text"],
                honeypot=form.cleaned_data["website"],
                issued=form.cleaned_data["issued"],
                address=client_address(request),
            )
            try:
                comment = post_comment(item, submission, base_url=request.build_absolute_uri("/").rstrip("/"))
            except CommentRefused as refusal:
                error = str(refusal)
            else:
                request.session[SENT_KEY] = {"article": item.pk, "pending": comment.status == Comment.Status.PENDING}
                return redirect(f"{item.get_absolute_url()}#{SENT_ANCHOR}")
        status = 400
        # A fresh time stamp, so that the corrected form is not refused as expired or too early.
        data = request.POST.copy()
        data["issued"] = issue_token()
        form = CommentForm(data, max_length=rules.max_length)
        form.is_valid()
    else:
        form = CommentForm(initial={"issued": issue_token()}, max_length=rules.max_length)
    sent = _sent_confirmation(request, item)
    comments = list(item.approved_comments())
    images = list(item.images.all())
    context = {
        "article": item,
        "network": item.network,
        "body_html": to_html(item.body, NEWS),
        "summary": item.lead or summary(item.body, profile=NEWS),
        "images": images,
        "og_image": request.build_absolute_uri(images[0].image.url) if images else "",
        "comments": comments,
        "form": form,
        "error": error,
        "rules": rules,
        "pre_moderation": rules.moderation == NewsSettings.Moderation.PRE,
        "is_editor": access.may_edit_article(request.user, item.network, item.region),
        "now": timezone.now(),
        "sent": sent,
        "sent_anchor": SENT_ANCHOR,
    }
    return render(request, "news/article.html", context, status=status)


def _sent_confirmation(request: HttpRequest, item: Article) -> str:
    """The thanks for a comment just posted on this article (once), or ""."""
    sent = request.session.get(SENT_KEY)
    if not isinstance(sent, dict) or sent.get("article") != item.pk:
        return ""
    del request.session[SENT_KEY]
    if sent.get("pending"):
        return _("Thank you! Your comment will appear once a moderator approves it.")
    return _("Thank you! Your comment is published.")
