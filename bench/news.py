"""News scenarios for `make bench`: the public list, an article with comments, the feed, stories.

Before measuring, the demo's seminar article gets 60 approved comments and the list 40 more
articles, so the figures are of a site that has been used for a while.
"""

from __future__ import annotations

import datetime as dt


def cases(anonymous, methodologist) -> list[tuple[str, object, str]]:
    from django.utils import timezone

    from parskats.network.models import Network
    from parskats.news.comments import hash_address
    from parskats.news.models import Article, Comment

    network = Network.objects.get(slug="valka")
    seminar = Article.objects.get(slug="valkas-regiona-bibliotekaru-tiksanas-tiessaiste")
    Comment.objects.bulk_create(
        Comment(
            article=seminar,
            name=f"Lasītājs {n}",
            text="Paldies par rakstu! " * 5,
            status=Comment.Status.APPROVED,
            address_hash=hash_address(str(n)),
        )
        for n in range(60)
    )
    now = timezone.now()
    for n in range(40):
        Article.objects.create(
            network=network,
            title=f"Jaunums {n}",
            slug=f"bench-jaunums-{n}",
            body="Teksts **ar** [saiti](https://example.org).\n\n" * 20,
            status=Article.Status.PUBLISHED,
            publish_at=now - dt.timedelta(days=n + 1),
        )
    return [
        ("news list, page 1 of 5 (anonymous)", anonymous, "/jaunumi/"),
        ("article with 60 comments (anonymous)", anonymous, seminar.get_absolute_url()),
        ("RSS feed, 30 items (anonymous)", anonymous, "/jaunumi/rss/"),
        ("public stories of 2020 (anonymous)", anonymous, "/stasti/valka/2020/"),
        ("comment moderation queue (methodologist)", methodologist, "/jaunumi/redakcija/komentari/"),
    ]
