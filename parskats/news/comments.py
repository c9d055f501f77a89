"""Reader comments: the spam defences, posting, and moderation.

The defences need no third-party service: a honeypot field people never see, a signed form-issue
time that must be old enough (a person takes seconds to write; a bot posts at once), rate limits
per address and per article counted in the database, and a limit on links. Each refusal says why.
"""

from __future__ import annotations

import hashlib
import hmac
import re
from dataclasses import dataclass
from datetime import timedelta

from django.conf import settings
from django.core import signing
from django.core.mail import send_mail
from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from parskats.accounts.access import AnyUser
from parskats.audit.models import AuditEntry, record
from parskats.network.models import Network

from .models import Article, Comment, Editor, NewsSettings

SIGNER_SALT = "parskats.news.comment-form"
FORM_MAX_AGE = timedelta(days=1)
SPAM_MEMORY = timedelta(days=30)
LINK = re.compile(r"https?://|www\.|\b[a-z0-9-]+\.(?:com|net|org|ru|lv|info|xyz|top)\b", re.IGNORECASE)


class CommentRefused(Exception):
    """A comment that is not taken, with the reason to show to the reader."""


@dataclass
class Submission:
    name: str
    text: str
    honeypot: str
    issued: str
    address: str


def hash_address(address: str) -> str:
    """A keyed hash (HMAC-SHA256 with a key derived from SECRET_KEY) of a network address."""
    key = hashlib.sha256(f"parskats.news.address:{settings.SECRET_KEY}".encode()).digest()
    return hmac.new(key, address.encode(), hashlib.sha256).hexdigest()


def issue_token() -> str:
    """The value of the hidden field that records when the form was shown."""
    return signing.TimestampSigner(salt=SIGNER_SALT).sign(str(timezone.now().timestamp()))


def _check_fill_time(token: str, minimum: int) -> None:
    signer = signing.TimestampSigner(salt=SIGNER_SALT)
    try:
        issued = float(signer.unsign(token, max_age=FORM_MAX_AGE))
    except signing.SignatureExpired:
        raise CommentRefused(_("The form has expired. Reload the page and write your comment again.")) from None
    except (signing.BadSignature, ValueError):
        raise CommentRefused(_("The form is damaged. Reload the page and try again.")) from None
    if timezone.now().timestamp() - issued < minimum:
        raise CommentRefused(
            _("The comment was sent too quickly after the page opened. Please wait a few seconds and send it again.")
        )


def check_submission(article: Article, submission: Submission, rules: NewsSettings) -> None:
    """Every reason to refuse, in the order a reader can act on; raises CommentRefused."""
    if not article.is_public:
        raise CommentRefused(_("This article is not published."))
    if not article.comments_open:
        raise CommentRefused(_("Comments on this article are closed."))
    if submission.honeypot.strip():
        raise CommentRefused(_("The comment was not accepted: a field meant to stay empty was filled in."))
    _check_fill_time(submission.issued, rules.min_fill_seconds)
    links = len(LINK.findall(submission.text))
    if links > rules.max_links:
        raise CommentRefused(
            ngettext(
                "A comment may contain at most %(max)d link; this one has %(count)d.",
                "A comment may contain at most %(max)d links; this one has %(count)d.",
                rules.max_links,
            )
            % {"max": rules.max_links, "count": links}
        )
    hour_ago = timezone.now() - timedelta(hours=1)
    address_hash = hash_address(submission.address)
    if Comment.objects.filter(address_hash=address_hash, created_at__gte=hour_ago).count() >= (
        rules.per_address_per_hour
    ):
        raise CommentRefused(_("Too many comments from your address in the last hour. Please try again later."))
    if Comment.objects.filter(article=article, created_at__gte=hour_ago).count() >= rules.per_article_per_hour:
        raise CommentRefused(_("This article has had too many comments in the last hour. Please try again later."))


def moderators_emails(article: Article) -> list[str]:
    from parskats.accounts.models import Role

    admins = Role.objects.filter(network=article.network, kind=Role.Kind.ADMIN, unit__isnull=True).values_list(
        "user__email", flat=True
    )
    editors = Editor.objects.filter(network=article.network).values_list("user__email", flat=True)
    return sorted(set(admins) | set(editors))


def _notify_moderators(comment: Comment, queue_url: str) -> None:
    recipients = moderators_emails(comment.article)
    if not recipients:
        return
    if comment.status == Comment.Status.PENDING:
        subject = _("New comment to moderate: %(title)s") % {"title": comment.article.title}
    else:
        subject = _("New comment published: %(title)s") % {"title": comment.article.title}
    body = _("%(name)s wrote under “%(title)s”:\n\n%(text)s\n\nModeration queue: %(url)s") % {
        "name": comment.name,
        "title": comment.article.title,
        "text": comment.text,
        "url": queue_url,
    }
    send_mail(subject, body, None, recipients)


def post_comment(article: Article, submission: Submission, *, base_url: str) -> Comment:
    """Check and store a reader's comment; with pre-moderation it waits for a moderator.
    The moderators are emailed once the comment is safely stored."""
    rules = NewsSettings.for_network(article.network)
    name = " ".join(submission.name.split())
    text = submission.text.strip()
    address_hash = hash_address(submission.address)
    with transaction.atomic():
        # Lock the article so that concurrent posts are counted one after another by the limits.
        article = Article.objects.select_for_update().get(pk=article.pk)
        check_submission(article, submission, rules)
        # An address whose comment was marked as spam lately waits for a moderator even under post-moderation.
        recent_spam = Comment.objects.filter(
            address_hash=address_hash, status=Comment.Status.SPAM, created_at__gte=timezone.now() - SPAM_MEMORY
        ).exists()
        published = rules.moderation == NewsSettings.Moderation.POST and not recent_spam
        comment = Comment.objects.create(
            article=article,
            name=name,
            text=text,
            address_hash=address_hash,
            status=Comment.Status.APPROVED if published else Comment.Status.PENDING,
        )
        queue_url = base_url + reverse("news:moderation")
        transaction.on_commit(lambda: _notify_moderators(comment, queue_url))
    return comment


DECISIONS = {
    "approve": Comment.Status.APPROVED,
    "reject": Comment.Status.REJECTED,
    "spam": Comment.Status.SPAM,
}


@transaction.atomic
def erase_comment(user: AnyUser, comment: Comment) -> None:
    """Delete a comment for good (a commenter's request to erase it, GDPR art. 17). The audit entry
    says that a comment was erased, not what it said."""
    record(
        actor=user,
        channel=AuditEntry.Channel.FORM,
        action=AuditEntry.Action.COMMENT,
        network=comment.article.network,
        target=f"news.comment:{comment.pk}",
        old=comment.status,
        new="erased",
        note=comment.article.title,
    )
    comment.delete()


@transaction.atomic
def moderate_comment(user: AnyUser, comment: Comment, decision: str) -> Comment:
    """Approve, reject or mark a comment as spam; the caller has checked the user is its moderator."""
    if decision not in DECISIONS:
        raise ValueError(f"Unknown moderation decision {decision!r}.")
    old = comment.status
    comment.status = DECISIONS[decision]
    comment.moderated_by = user if user.is_authenticated else None
    comment.moderated_at = timezone.now()
    comment.save(update_fields=["status", "moderated_by", "moderated_at"])
    record(
        actor=user,
        channel=AuditEntry.Channel.FORM,
        action=AuditEntry.Action.COMMENT,
        network=comment.article.network,
        target=f"news.comment:{comment.pk}",
        old=old,
        new=comment.status,
        note=comment.article.title,
    )
    return comment


COMMENT_RULES = ("moderation", "min_fill_seconds", "per_address_per_hour", "per_article_per_hour", "max_links")


@transaction.atomic
def change_comment_rules(user: AnyUser, network: Network, rules: dict[str, object]) -> NewsSettings:
    """Set a network's comment rules (the caller has checked the user is its methodologist). The
    row is locked, so two methodologists saving at once do not lose either change from the record."""
    unknown = set(rules) - set(COMMENT_RULES)
    if unknown:
        raise ValueError(f"Not comment rules: {sorted(unknown)}.")
    settings_row, _created = NewsSettings.objects.select_for_update().get_or_create(network=network)
    old = {name: getattr(settings_row, name) for name in rules}
    for name, value in rules.items():
        setattr(settings_row, name, value)
    settings_row.full_clean()
    settings_row.save()
    changed = {name for name in rules if old[name] != rules[name]}
    if changed:
        record(
            actor=user,
            channel=AuditEntry.Channel.FORM,
            action=AuditEntry.Action.COMMENT_RULES_CHANGED,
            network=network,
            target="news.settings",
            old={name: old[name] for name in sorted(changed)},
            new={name: rules[name] for name in sorted(changed)},
        )
    return settings_row
