"""Writing the news: saving an article with its tags, adding and removing images, naming editors.
Each change runs in one transaction with its audit record; views only call these."""

from __future__ import annotations

from django.core.exceptions import PermissionDenied
from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.utils import timezone
from django.utils.text import slugify

from parskats.accounts.access import AnyUser
from parskats.accounts.models import User
from parskats.audit.models import AuditEntry, record
from parskats.network.models import Network

from .access import may_edit_article
from .models import Article, ArticleImage, Editor, Tag


def unique_slug(text: str, *, exclude_pk: int | None = None, max_length: int = 120) -> str:
    """An ASCII address from Latvian text ("Tikšanās tiešsaistē" → "tiksanas-tiessaiste"), made unique."""
    base = slugify(text)[: max_length - 4].strip("-") or "raksts"
    slug, n = base, 2
    others = Article.objects.filter(slug__startswith=base)
    if exclude_pk is not None:
        others = others.exclude(pk=exclude_pk)
    taken = set(others.values_list("slug", flat=True))
    while slug in taken:
        slug, n = f"{base}-{n}", n + 1
    return slug


def parse_tags(raw: str) -> list[str]:
    """Comma-separated tag names, trimmed, without duplicates (case-insensitive), in the given order."""
    seen: dict[str, str] = {}
    for part in raw.split(","):
        name = " ".join(part.split())
        if name and name.casefold() not in seen:
            seen[name.casefold()] = name
    return list(seen.values())


def tags_for(names: list[str]) -> list[Tag]:
    tags = []
    for name in names:
        tag = Tag.objects.filter(name__iexact=name).first()
        if tag is None:
            slug = slugify(name) or "birka"
            candidate, n = slug, 2
            while Tag.objects.filter(slug=candidate).exists():
                candidate, n = f"{slug}-{n}", n + 1
            tag = Tag.objects.create(name=name, slug=candidate)
        tags.append(tag)
    return tags


@transaction.atomic
def save_article(user: AnyUser, article: Article, tag_names: list[str]) -> Article:
    """Save an article the form has validated; a published article without a time is published now.
    A region's methodologist saves her region's articles only (before and after the change)."""
    created = article.pk is None
    stored = None if created else Article.objects.select_for_update().select_related("region").get(pk=article.pk)
    old_status = stored.status if stored is not None else None
    if not may_edit_article(user, article.network, article.region) or (
        stored is not None and not may_edit_article(user, stored.network, stored.region)
    ):
        raise PermissionDenied("Not this person's article to write.")
    if not article.slug:
        article.slug = unique_slug(article.title, exclude_pk=article.pk)
    if article.status == Article.Status.PUBLISHED and article.publish_at is None:
        article.publish_at = timezone.now()
    if created and user.is_authenticated:
        article.author = user
    article.save()
    article.tags.set(tags_for(tag_names))
    record(
        actor=user,
        channel=AuditEntry.Channel.FORM,
        action=AuditEntry.Action.ARTICLE_CREATED
        if created
        else (AuditEntry.Action.STATUS if old_status != article.status else AuditEntry.Action.ARTICLE_CHANGED),
        network=article.network,
        target=f"news.article:{article.pk}",
        old=old_status,
        new=article.status,
        note=article.title,
    )
    return article


@transaction.atomic
def add_image(user: AnyUser, article: Article, upload: UploadedFile, alt_text: str, caption: str) -> ArticleImage:
    order = article.images.count()
    image = ArticleImage.objects.create(article=article, image=upload, alt_text=alt_text, caption=caption, order=order)
    record(
        actor=user,
        channel=AuditEntry.Channel.FORM,
        action=AuditEntry.Action.ARTICLE_IMAGE_ADDED,
        network=article.network,
        target=f"news.image:{image.pk}",
        new={"alt": alt_text, "caption": caption},
        note=article.title,
    )
    return image


@transaction.atomic
def remove_image(user: AnyUser, image: ArticleImage) -> None:
    record(
        actor=user,
        channel=AuditEntry.Channel.FORM,
        action=AuditEntry.Action.ARTICLE_IMAGE_REMOVED,
        network=image.article.network,
        target=f"news.image:{image.pk}",
        old={"alt": image.alt_text, "caption": image.caption},
        note=image.article.title,
    )
    image.image.delete(save=False)
    image.delete()


@transaction.atomic
def add_editor(actor: AnyUser, network: Network, person: User) -> Editor:
    editor, _ = Editor.objects.get_or_create(network=network, user=person)
    record(
        actor=actor,
        channel=AuditEntry.Channel.FORM,
        action=AuditEntry.Action.EDITOR_ADDED,
        network=network,
        target="news.editor",
        new=person.email,
    )
    return editor


@transaction.atomic
def remove_editor(actor: AnyUser, editor: Editor) -> None:
    record(
        actor=actor,
        channel=AuditEntry.Channel.FORM,
        action=AuditEntry.Action.EDITOR_REMOVED,
        network=editor.network,
        target="news.editor",
        old=editor.user.email,
    )
    editor.delete()
