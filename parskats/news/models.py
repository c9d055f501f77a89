"""News articles of a network, their images and tags, and reader comments with moderation.

An article is public when its status is "published" or "scheduled" and its publication time has
come: a scheduled article goes public by itself, with no job to run. Commenters' network
addresses are never stored, only a keyed hash of them (comments.address_hash), enough to rate-limit.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.conf import settings
from django.db import models
from django.db.models import Q, QuerySet
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from parskats.core.freetext import DOCUMENT, LINE

if TYPE_CHECKING:
    from parskats.network.models import Network


class NewsSettings(models.Model):
    """One network's comment rules: data, changed by its methodologist, not code."""

    class Moderation(models.TextChoices):
        PRE = "pre", _("pre-moderation: a comment appears after a moderator approves it")
        POST = "post", _("post-moderation: a comment appears at once; a moderator may remove it")

    network = models.OneToOneField(
        "network.Network", on_delete=models.CASCADE, related_name="news_settings", verbose_name=_("network")
    )
    moderation = models.CharField(_("moderation"), max_length=8, choices=Moderation.choices, default=Moderation.PRE)
    min_fill_seconds = models.PositiveSmallIntegerField(_("minimum time to fill in a comment (seconds)"), default=5)
    per_address_per_hour = models.PositiveSmallIntegerField(_("comments per address per hour"), default=5)
    per_article_per_hour = models.PositiveSmallIntegerField(_("comments per article per hour"), default=30)
    max_links = models.PositiveSmallIntegerField(_("links allowed in a comment"), default=2)
    max_length = models.PositiveIntegerField(_("longest comment (characters)"), default=5000)

    class Meta:
        verbose_name = _("news settings")
        verbose_name_plural = _("news settings")

    def __str__(self) -> str:
        return str(self.network)

    @classmethod
    def for_network(cls, network: Network) -> NewsSettings:
        """The saved settings, or the defaults (unsaved) for a network that never changed them."""
        return cls.objects.filter(network=network).first() or cls(network=network)


class Editor(models.Model):
    """A person the methodologist allowed to write the network's news and moderate its comments."""

    network = models.ForeignKey(
        "network.Network", on_delete=models.CASCADE, related_name="news_editors", verbose_name=_("network")
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="news_editor_of", verbose_name=_("user")
    )
    added_at = models.DateTimeField(_("added"), auto_now_add=True)

    class Meta:
        verbose_name = _("news editor")
        verbose_name_plural = _("news editors")
        constraints = [models.UniqueConstraint(fields=["network", "user"], name="news_editor_unique")]

    def __str__(self) -> str:
        return f"{self.user} ({self.network})"


class Tag(models.Model):
    name = models.CharField(_("name"), max_length=60, unique=True)
    slug = models.SlugField(_("address"), max_length=70, unique=True)

    class Meta:
        verbose_name = _("tag")
        verbose_name_plural = _("tags")
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return reverse("news:tag", args=[self.slug])


class ArticleQuerySet(models.QuerySet["Article"]):
    def public(self) -> ArticleQuerySet:
        return self.filter(
            status__in=[Article.Status.PUBLISHED, Article.Status.SCHEDULED], publish_at__lte=timezone.now()
        )

    def last_appeared(self) -> str:
        """When the newest public article appeared: it moves by itself when a scheduled one's time
        comes, which no write announces (the public pages' cache keys on it)."""
        newest = self.public().aggregate(newest=models.Max("publish_at"))["newest"]
        return newest.isoformat() if newest else ""


class Article(models.Model):
    class Status(models.TextChoices):
        DRAFT = "draft", _("draft")
        SCHEDULED = "scheduled", _("scheduled")
        PUBLISHED = "published", _("published")

    network = models.ForeignKey(
        "network.Network", on_delete=models.CASCADE, related_name="articles", verbose_name=_("network")
    )
    # A region's own news (its list and feeds); empty: the whole network's.
    region = models.ForeignKey(
        "network.OrgUnit",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        limit_choices_to={"level": "region"},
        verbose_name=_("region"),
    )
    title = models.CharField(pgettext_lazy("news article", "title"), max_length=200)
    slug = models.SlugField(
        _("address"),
        max_length=120,
        unique=True,
        help_text=_("Latin letters, digits and hyphens; made from the title."),
    )
    lead = models.TextField(_("summary"), max_length=400, blank=True, help_text=_("Shown in the list and when shared."))
    body = models.TextField(_("text (Markdown)"), max_length=DOCUMENT)
    signature = models.TextField(
        _("prepared by"),
        blank=True,
        max_length=LINE,
        help_text=_("Name and position, one per line: “Informāciju sagatavoja …”."),
    )
    language = models.CharField(_("language"), max_length=5, choices=settings.LANGUAGES, default="lv")
    status = models.CharField(_("status"), max_length=12, choices=Status.choices, default=Status.DRAFT)
    publish_at = models.DateTimeField(_("publication time"), null=True, blank=True)
    comments_open = models.BooleanField(_("comments open"), default=True)
    tags = models.ManyToManyField(Tag, blank=True, related_name="articles", verbose_name=_("tags"))
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    objects = ArticleQuerySet.as_manager()

    class Meta:
        verbose_name = _("article")
        verbose_name_plural = _("articles")
        ordering = ["-publish_at", "-id"]
        indexes = [models.Index(fields=["status", "publish_at"], name="news_article_public")]
        constraints = [
            models.CheckConstraint(
                condition=Q(status="draft") | Q(publish_at__isnull=False), name="news_article_published_has_time"
            )
        ]

    def __str__(self) -> str:
        return self.title

    def get_absolute_url(self) -> str:
        year = timezone.localtime(self.publish_at).year if self.publish_at else timezone.localdate().year
        return reverse("news:article", args=[year, self.slug])

    @property
    def is_public(self) -> bool:
        return self.status != self.Status.DRAFT and self.publish_at is not None and self.publish_at <= timezone.now()

    def approved_comments(self) -> QuerySet[Comment]:
        return self.comments.filter(status=Comment.Status.APPROVED).order_by("created_at", "id")


def image_path(instance: ArticleImage, filename: str) -> str:
    return f"news/{instance.article_id}/{filename}"


class ArticleImage(models.Model):
    article = models.ForeignKey(Article, on_delete=models.CASCADE, related_name="images", verbose_name=_("article"))
    image = models.ImageField(_("image"), upload_to=image_path)
    alt_text = models.CharField(
        _("text alternative"), max_length=300, help_text=_("What the image shows, for readers who cannot see it.")
    )
    caption = models.CharField(_("caption"), max_length=300, blank=True)
    order = models.PositiveSmallIntegerField(_("order"), default=0)

    class Meta:
        verbose_name = _("image")
        verbose_name_plural = _("images")
        ordering = ["order", "id"]
        constraints = [models.CheckConstraint(condition=~Q(alt_text=""), name="news_image_has_alt")]

    def __str__(self) -> str:
        return self.alt_text


class Comment(models.Model):
    class Status(models.TextChoices):
        PENDING = "pending", _("waiting for moderation")
        APPROVED = "approved", _("approved")
        REJECTED = "rejected", _("rejected")
        SPAM = "spam", _("spam")

    article = models.ForeignKey(Article, on_delete=models.CASCADE, related_name="comments", verbose_name=_("article"))
    name = models.CharField(_("name"), max_length=80)
    text = models.TextField(_("comment"))
    created_at = models.DateTimeField(_("time"), default=timezone.now, db_index=True)
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.PENDING)
    # A keyed hash of the commenter's network address: enough to count, never enough to recover it.
    address_hash = models.CharField(max_length=64, db_index=True)
    moderated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    moderated_at = models.DateTimeField(_("moderated"), null=True, blank=True)

    class Meta:
        verbose_name = _("comment")
        verbose_name_plural = _("comments")
        ordering = ["created_at", "id"]
        indexes = [models.Index(fields=["article", "status"], name="news_comment_article_status")]

    def __str__(self) -> str:
        return f"{self.name}: {self.text[:40]}"
