"""Who may write a network's news and moderate its comments: its methodologist (network admin)
and the people the methodologist made editors; a region's own articles also the methodologist
over that region (and of the network's news only those). Views ask here; readers see only public
articles."""

from __future__ import annotations

import re

from django.db.models import Q, QuerySet
from django.http import Http404, HttpRequest

from parskats.accounts.access import AnyUser, is_network_admin
from parskats.accounts.models import Role
from parskats.core.media import Visibility
from parskats.network.models import Network, OrgUnit

from .models import Article, Comment


def editable_networks(user: AnyUser) -> QuerySet[Network]:
    if not user.is_authenticated:
        return Network.objects.none()
    if user.is_superuser:
        return Network.objects.all()
    return Network.objects.filter(
        Q(roles__user=user, roles__kind=Role.Kind.ADMIN, roles__unit__isnull=True) | Q(news_editors__user=user)
    ).distinct()


def edited_regions(user: AnyUser) -> QuerySet[OrgUnit]:
    """The regions whose own news this person writes as their methodologist (any network)."""
    if not user.is_authenticated:
        return OrgUnit.objects.none()
    held = Role.objects.filter(user=user, kind=Role.Kind.ADMIN, unit__isnull=False).values("unit_id")
    return OrgUnit.objects.filter(level=OrgUnit.Level.REGION, pk__in=held)


def is_any_editor(user: AnyUser) -> bool:
    return editable_networks(user).exists() or edited_regions(user).exists()


def is_editor(user: AnyUser, network: Network) -> bool:
    """An editor of the whole network's news (every article of it)."""
    return editable_networks(user).filter(pk=network.pk).exists()


def article_regions(user: AnyUser, network: Network) -> QuerySet[OrgUnit]:
    """The regions an article of the network may be given by this person (the form's choices)."""
    if is_editor(user, network):
        return OrgUnit.objects.filter(network=network, level=OrgUnit.Level.REGION).order_by("name")
    return edited_regions(user).filter(network=network).order_by("name")


def may_edit_article(user: AnyUser, network: Network, region: OrgUnit | None) -> bool:
    """The one answer to "may this person write this article" (a region's or the whole network's)."""
    if is_editor(user, network):
        return True
    return region is not None and edited_regions(user).filter(pk=region.pk, network=network).exists()


def manages_editors(user: AnyUser, network: Network) -> bool:
    """Only the methodologist decides who else may edit the news."""
    return is_network_admin(user, network)


def writable_networks(user: AnyUser) -> QuerySet[Network]:
    """Networks this person writes some news of: the whole network's, or a region's of it."""
    return Network.objects.filter(
        Q(pk__in=editable_networks(user).values("pk")) | Q(pk__in=edited_regions(user).values("network_id"))
    )


def get_editable_network(user: AnyUser, slug: str) -> Network:
    try:
        return writable_networks(user).get(slug=slug)
    except Network.DoesNotExist:
        raise Http404("No such network.") from None


def articles_for_editor(user: AnyUser) -> QuerySet[Article]:
    return Article.objects.filter(
        Q(network__in=editable_networks(user)) | Q(region__in=edited_regions(user))
    ).select_related("network", "region")


def get_article_for_editor(user: AnyUser, article_id: int) -> Article:
    try:
        return articles_for_editor(user).get(pk=article_id)
    except (Article.DoesNotExist, ValueError, TypeError):
        raise Http404("No such article.") from None


def get_public_article(slug: str) -> Article:
    try:
        return Article.objects.public().select_related("network", "region").get(slug=slug)
    except Article.DoesNotExist:
        raise Http404("No such article.") from None


def comments_for_moderator(user: AnyUser) -> QuerySet[Comment]:
    return Comment.objects.filter(
        Q(article__network__in=editable_networks(user)) | Q(article__region__in=edited_regions(user))
    ).select_related("article")


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


def public_region(network_slug: str, code: str) -> OrgUnit:
    """A region of a network for its public news pages; 404 for an unknown network or region."""
    try:
        return OrgUnit.objects.select_related("network").get(
            network__slug=network_slug, level=OrgUnit.Level.REGION, code=code
        )
    except OrgUnit.DoesNotExist:
        raise Http404("No such region.") from None
