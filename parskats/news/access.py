"""Who may write a network's news and moderate its comments: its methodologist (network admin)
and the people the methodologist made editors. Views ask here; readers see only public articles."""

from __future__ import annotations

import re

from django.db.models import Q, QuerySet
from django.http import Http404, HttpRequest

from parskats.accounts.access import AnyUser, is_network_admin
from parskats.accounts.models import Role
from parskats.core.media import Visibility
from parskats.network.models import Network

from .models import Article, Comment


def editable_networks(user: AnyUser) -> QuerySet[Network]:
    if not user.is_authenticated:
        return Network.objects.none()
    if user.is_superuser:
        return Network.objects.all()
    return Network.objects.filter(
        Q(roles__user=user, roles__kind=Role.Kind.ADMIN, roles__unit__isnull=True) | Q(news_editors__user=user)
    ).distinct()


def is_any_editor(user: AnyUser) -> bool:
    return editable_networks(user).exists()


def is_editor(user: AnyUser, network: Network) -> bool:
    return editable_networks(user).filter(pk=network.pk).exists()


def manages_editors(user: AnyUser, network: Network) -> bool:
    """Only the methodologist decides who else may edit the news."""
    return is_network_admin(user, network)


def get_editable_network(user: AnyUser, slug: str) -> Network:
    try:
        return editable_networks(user).get(slug=slug)
    except Network.DoesNotExist:
        raise Http404("No such network.") from None


def articles_for_editor(user: AnyUser) -> QuerySet[Article]:
    return Article.objects.filter(network__in=editable_networks(user)).select_related("network")


def get_article_for_editor(user: AnyUser, article_id: int) -> Article:
    try:
        return articles_for_editor(user).get(pk=article_id)
    except (Article.DoesNotExist, ValueError, TypeError):
        raise Http404("No such article.") from None


def get_public_article(slug: str) -> Article:
    try:
        return Article.objects.public().select_related("network").get(slug=slug)
    except Article.DoesNotExist:
        raise Http404("No such article.") from None


def comments_for_moderator(user: AnyUser) -> QuerySet[Comment]:
    return Comment.objects.filter(article__network__in=editable_networks(user)).select_related("article")


def get_comment_for_moderator(user: AnyUser, comment_id: int) -> Comment:
    try:
        return comments_for_moderator(user).select_related("article__network").get(pk=comment_id)
    except (Comment.DoesNotExist, ValueError, TypeError):
        raise Http404("No such comment.") from None


def image_file_visibility(request: HttpRequest, name: str) -> Visibility | None:
    """Who may open the file `news/<article>/<file>` (parskats.core.media): anyone once the article is
    public; before that only the network's editors."""
    from .models import ArticleImage

    parts = name.split("/")
    if len(parts) != 3 or not re.fullmatch(r"[0-9]{1,18}", parts[1]):  # an id, within BIGINT
        return None
    image = ArticleImage.objects.filter(article_id=int(parts[1]), image=name).only("article_id").first()
    if image is None:
        return None
    if Article.objects.public().filter(pk=image.article_id).exists():
        return Visibility.PUBLIC
    if articles_for_editor(request.user).filter(pk=image.article_id).exists():
        return Visibility.PRIVATE
    return None
