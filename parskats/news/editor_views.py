"""The editors' side: writing articles and images, the moderation queue, editors and settings."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.db.models import Count
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from parskats.core.freetext import is_whole_number

from . import access
from .articles import add_editor, add_image, remove_editor, remove_image, save_article
from .comments import COMMENT_RULES, DECISIONS, change_comment_rules, erase_comment, moderate_comment
from .forms import ArticleForm, EditorForm, ImageForm, NewsSettingsForm
from .models import Article, ArticleImage, Comment, Editor, NewsSettings


def _require_editor(request: HttpRequest) -> None:
    if not access.is_any_editor(request.user):
        raise Http404("Not an editor.")


@login_required
def desk(request: HttpRequest) -> HttpResponse:
    _require_editor(request)
    articles = access.articles_for_editor(request.user).order_by("-updated_at")
    page = Paginator(articles, 25).get_page(request.GET.get("lapa"))
    pending = access.comments_for_moderator(request.user).filter(status=Comment.Status.PENDING).count()
    networks = list(access.writable_networks(request.user))
    managed = [n for n in networks if access.manages_editors(request.user, n)]
    context = {"page": page, "pending": pending, "networks": networks, "managed": managed}
    return render(request, "news/desk.html", context)


def _form(request: HttpRequest, article: Article, data: object = None) -> ArticleForm:
    regions = access.article_regions(request.user, article.network)
    return ArticleForm(data, instance=article, regions=regions, whole=access.is_editor(request.user, article.network))


def _edit(request: HttpRequest, article: Article) -> HttpResponse:
    form = _form(request, article, request.POST or None)
    if request.method == "POST" and form.is_valid():
        saved = save_article(request.user, form.save(commit=False), form.cleaned_data["tags_text"])
        messages.success(request, _("The article is saved."))
        return redirect("news:edit", saved.pk)
    context = {
        "form": form,
        "article": article,
        "image_form": ImageForm(),
        "images": list(article.images.all()) if article.pk else [],
    }
    return render(request, "news/edit.html", context, status=400 if form.errors else 200)


@login_required
def new(request: HttpRequest, network: str) -> HttpResponse:
    net = access.get_editable_network(request.user, network)
    return _edit(request, Article(network=net))


@login_required
def edit(request: HttpRequest, article_id: int) -> HttpResponse:
    return _edit(request, access.get_article_for_editor(request.user, article_id))


@login_required
@require_POST
def image_add(request: HttpRequest, article_id: int) -> HttpResponse:
    article = access.get_article_for_editor(request.user, article_id)
    form = ImageForm(request.POST, request.FILES)
    if form.is_valid():
        add_image(
            request.user,
            article,
            form.cleaned_data["image"],
            form.cleaned_data["alt_text"],
            form.cleaned_data["caption"],
        )
        messages.success(request, _("The image is added."))
        return redirect("news:edit", article.pk)
    context = {"form": _form(request, article), "article": article, "image_form": form}
    context["images"] = list(article.images.all())
    return render(request, "news/edit.html", context, status=400)


@login_required
@require_POST
def image_remove(request: HttpRequest, image_id: int) -> HttpResponse:
    try:
        image = ArticleImage.objects.select_related("article__network").get(
            pk=image_id, article__in=access.articles_for_editor(request.user)
        )
    except ArticleImage.DoesNotExist:
        raise Http404("No such image.") from None
    remove_image(request.user, image)
    messages.success(request, _("The image is removed."))
    return redirect("news:edit", image.article_id)


@login_required
def moderation(request: HttpRequest) -> HttpResponse:
    _require_editor(request)
    statuses = dict(Comment.Status.choices)
    status = request.GET.get("statuss", Comment.Status.PENDING)
    if status not in statuses:
        status = Comment.Status.PENDING
    comments = access.comments_for_moderator(request.user).filter(status=status).order_by("-created_at")
    page = Paginator(comments, 50).get_page(request.GET.get("lapa"))
    counts = dict.fromkeys(statuses, 0)
    grouped = access.comments_for_moderator(request.user).order_by().values_list("status").annotate(n=Count("id"))
    counts.update(dict(grouped))
    tabs = [(s, label, counts[s]) for s, label in statuses.items()]
    return render(request, "news/moderation.html", {"page": page, "status": status, "tabs": tabs})


@login_required
@require_POST
def moderate(request: HttpRequest, comment_id: int) -> HttpResponse:
    comment = access.get_comment_for_moderator(request.user, comment_id)
    decision = request.POST.get("decision", "")
    if decision == "erase":
        erase_comment(request.user, comment)
        messages.success(request, _("The comment by %(name)s is erased.") % {"name": comment.name})
    elif decision not in DECISIONS:
        messages.error(request, _("Choose approve, reject or spam."))
    else:
        moderate_comment(request.user, comment, decision)
        messages.success(
            request,
            _("Comment by %(name)s: %(status)s.") % {"name": comment.name, "status": comment.get_status_display()},
        )
    back = request.POST.get("next", "")
    if url_has_allowed_host_and_scheme(back, allowed_hosts={request.get_host()}, require_https=request.is_secure()):
        return redirect(back)
    return redirect("news:moderation")


@login_required
def network_settings(request: HttpRequest, network: str) -> HttpResponse:
    """Comment rules and the list of editors; only the methodologist may change them."""
    net = access.get_editable_network(request.user, network)
    if not access.manages_editors(request.user, net):
        raise Http404("Only the methodologist manages the news settings.")
    rules = NewsSettings.for_network(net)
    settings_form = NewsSettingsForm(request.POST if "save_settings" in request.POST else None, instance=rules)
    editor_form = EditorForm(request.POST if "add_editor" in request.POST else None)
    if request.method == "POST":
        if "save_settings" in request.POST and settings_form.is_valid():
            change_comment_rules(request.user, net, {name: settings_form.cleaned_data[name] for name in COMMENT_RULES})
            messages.success(request, _("The settings are saved."))
            return redirect("news:settings", net.slug)
        if "add_editor" in request.POST and editor_form.is_valid():
            add_editor(request.user, net, editor_form.cleaned_data["email"])
            messages.success(request, _("The editor is added."))
            return redirect("news:settings", net.slug)
        if "remove_editor" in request.POST:
            raw = request.POST["remove_editor"]
            editor = Editor.objects.filter(network=net, pk=raw).first() if is_whole_number(raw) else None
            if editor is not None:
                remove_editor(request.user, editor)
                messages.success(request, _("The editor is removed."))
            return redirect("news:settings", net.slug)
    editors = Editor.objects.filter(network=net).select_related("user").order_by("user__full_name")
    context = {"network": net, "settings_form": settings_form, "editor_form": editor_form, "editors": editors}
    return render(request, "news/settings.html", context, status=400 if request.method == "POST" else 200)
