"""Reader comments: moderation flow, spam defences, rate limits, closed articles, plural counts."""

from __future__ import annotations

import pytest
from django.core import mail

from parskats.audit.models import AuditEntry
from parskats.news.models import Article, Comment, Editor, NewsSettings

from .conftest import client_for
from .factories import article, user
from .news_support import comment_data

pytestmark = pytest.mark.django_db


def post(item: Article, data: dict[str, str], address: str = "203.0.113.7"):
    return client_for(None).post(item.get_absolute_url(), data, REMOTE_ADDR=address)


@pytest.fixture
def item(world, methodologist) -> Article:
    return article(world.network, "Valkas reģiona bibliotekāru tikšanās tiešsaistē")


def test_pre_moderation_hides_a_comment_until_approved_and_emails_the_moderators(
    item, methodologist, world, django_capture_on_commit_callbacks
):
    helper = user("palidze@example.org", "Palīdze Parauga")
    Editor.objects.create(network=world.network, user=helper)
    with django_capture_on_commit_callbacks(execute=True):
        response = post(item, comment_data("Malači!"))
    assert response.status_code == 302 and response["Location"].endswith("#komentars-nosutits")
    comment = Comment.objects.get()
    assert comment.status == Comment.Status.PENDING
    page = client_for(None).get(item.get_absolute_url(), follow=True).content.decode()
    assert "Malači!" not in page and "0 komentāru" in page
    assert len(mail.outbox) == 1
    assert sorted(mail.outbox[0].to) == ["metodikis@example.org", "palidze@example.org"]
    assert "Malači!" in mail.outbox[0].body and "/jaunumi/redakcija/komentari/" in mail.outbox[0].body
    assert mail.outbox[0].subject == f"Jauns komentārs moderēšanai: {item.title}"

    queue = client_for(methodologist).get("/jaunumi/redakcija/komentari/").content.decode()
    assert "Malači!" in queue and "Gaida moderēšanu (1)" in queue and "Apstiprināts (0)" in queue
    client_for(methodologist).post(f"/jaunumi/redakcija/komentari/{comment.pk}/", {"decision": "approve"})
    comment.refresh_from_db()
    assert comment.status == Comment.Status.APPROVED and comment.moderated_by == methodologist
    page = client_for(None).get(item.get_absolute_url()).content.decode()
    assert "Malači!" in page and "1 komentārs" in page
    entry = AuditEntry.objects.get(target=f"news.comment:{comment.pk}")
    assert (entry.old, entry.new, entry.actor) == ("pending", "approved", methodologist)


@pytest.mark.parametrize("decision", ["reject", "spam"])
def test_rejected_and_spam_comments_stay_hidden(item, methodologist, decision):
    post(item, comment_data("Pērciet lētas zāles"))
    comment = Comment.objects.get()
    client_for(methodologist).post(f"/jaunumi/redakcija/komentari/{comment.pk}/", {"decision": decision})
    comment.refresh_from_db()
    assert comment.status == decision + ("ed" if decision == "reject" else "")
    assert "Pērciet" not in client_for(None).get(item.get_absolute_url()).content.decode()
    queue = client_for(methodologist).get(f"/jaunumi/redakcija/komentari/?statuss={comment.status}")
    assert "Pērciet" in queue.content.decode()


def test_post_moderation_publishes_at_once(item, world, django_capture_on_commit_callbacks):
    NewsSettings.objects.create(network=world.network, moderation=NewsSettings.Moderation.POST)
    with django_capture_on_commit_callbacks(execute=True):
        response = post(item, comment_data("Malači!"))
    assert Comment.objects.get().status == Comment.Status.APPROVED
    page = client_for(None).get(response["Location"]).content.decode()
    assert "Malači!" in page and "Paldies! Jūsu komentārs ir publicēts." not in page  # message went with the session
    assert mail.outbox[0].subject.startswith("Publicēts jauns komentārs")


def test_only_the_networks_moderators_may_moderate(item, reporter_a, viewer, other_methodologist, methodologist):
    post(item, comment_data())
    comment = Comment.objects.get()
    for person in (None, reporter_a, viewer, other_methodologist):
        response = client_for(person).post(f"/jaunumi/redakcija/komentari/{comment.pk}/", {"decision": "approve"})
        assert response.status_code in (302, 404)
        if person is not None:
            assert response.status_code == 404
    assert "Malači" not in client_for(other_methodologist).get("/jaunumi/redakcija/komentari/").content.decode()
    comment.refresh_from_db()
    assert comment.status == Comment.Status.PENDING
    response = client_for(methodologist).post(f"/jaunumi/redakcija/komentari/{comment.pk}/", {"decision": "delete"})
    assert response.status_code == 302
    comment.refresh_from_db()
    assert comment.status == Comment.Status.PENDING


def refused(response, message: str) -> None:
    assert response.status_code == 400
    assert message in response.content.decode()


def test_honeypot_refuses(item):
    refused(post(item, comment_data(website="http://spam.example")), "aizpildīts lauks, kam jāpaliek tukšam")
    assert not Comment.objects.exists()


def test_too_fast_tampered_and_expired_forms_are_refused(item):
    refused(post(item, comment_data(seconds_ago=0)), "Komentārs nosūtīts pārāk ātri")
    refused(post(item, {**comment_data(), "issued": "12345:forged"}), "Veidlapa ir bojāta")
    refused(post(item, comment_data(seconds_ago=3 * 86400)), "Veidlapai beidzies derīguma laiks")
    assert not Comment.objects.exists()


def test_empty_and_huge_comments_are_refused_without_a_500(item):
    refused(post(item, comment_data("   ")), "Šis lauks ir nepieciešams.")
    refused(post(item, comment_data("x" * 100_000)), "Komentārā ir 100000 rakstzīmes; atļautas ne vairāk kā 5000.")
    refused(post(item, comment_data(name="")), "Šis lauks ir nepieciešams.")
    refused(post(item, {"name": "Ina"}), "Šis lauks ir nepieciešams.")
    assert not Comment.objects.exists()
    # What the reader wrote is kept in the form, so nothing is lost.
    assert "x" * 5000 in post(item, comment_data("x" * 5001)).content.decode()


def test_link_limit(item):
    refused(
        post(item, comment_data("http://a.example https://b.example www.c.example")),
        "Komentārā drīkst būt ne vairāk kā 2 saites; šajā ir 3.",
    )
    assert post(item, comment_data("Skat. https://valka.example un https://b.example")).status_code == 302


def test_rate_limit_per_address(item, world):
    NewsSettings.objects.create(network=world.network, per_address_per_hour=3)
    for n in range(3):
        assert post(item, comment_data(f"Komentārs {n}")).status_code == 302
    refused(post(item, comment_data("Vēl viens")), "No jūsu adreses pēdējā stundā nosūtīts pārāk daudz komentāru.")
    other = article(world.network, "Cits raksts")
    refused(post(other, comment_data("Citur")), "No jūsu adreses")
    assert post(item, comment_data("No citas adreses"), address="198.51.100.9").status_code == 302
    assert Comment.objects.count() == 4


def test_rate_limit_per_article(item, world):
    NewsSettings.objects.create(network=world.network, per_article_per_hour=2, per_address_per_hour=10)
    assert post(item, comment_data(), address="198.51.100.1").status_code == 302
    assert post(item, comment_data(), address="198.51.100.2").status_code == 302
    refused(post(item, comment_data(), address="198.51.100.3"), "Šim rakstam pēdējā stundā ir pārāk daudz komentāru.")


def test_closed_and_unpublished_articles_take_no_comments(world):
    closed = article(world.network, "Slēgts", comments_open=False)
    refused(post(closed, comment_data()), "Šim rakstam komentēšana ir slēgta.")
    assert "Šim rakstam komentēšana ir slēgta." in client_for(None).get(closed.get_absolute_url()).content.decode()
    draft = article(world.network, "Melnraksts", status=Article.Status.DRAFT, publish_at=None)
    assert post(draft, comment_data()).status_code == 404
    assert not Comment.objects.exists()


def test_addresses_are_stored_only_as_salted_hashes(item):
    post(item, comment_data(), address="203.0.113.7")
    comment = Comment.objects.get()
    stored = " ".join(str(v) for v in Comment.objects.values().get().values())
    assert "203.0.113.7" not in stored
    assert len(comment.address_hash) == 64
    import hashlib

    assert comment.address_hash != hashlib.sha256(b"203.0.113.7").hexdigest()  # keyed, not a plain hash


def test_comment_text_is_shown_as_text(item, world):
    NewsSettings.objects.create(network=world.network, moderation=NewsSettings.Moderation.POST)
    post(item, comment_data('<script>alert("x")</script><b>bold</b>'))
    html = client_for(None).get(item.get_absolute_url()).content.decode()
    assert "<script>alert" not in html and "<b>bold</b>" not in html
    assert "&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;" in html


@pytest.mark.parametrize(
    ("count", "words"),
    [(0, "0 komentāru"), (1, "1 komentārs"), (2, "2 komentāri"), (11, "11 komentāri"), (21, "21 komentārs")],
)
def test_latvian_plural_forms_of_the_count(world, count, words):
    item = article(world.network, "Skaitīšana")
    Comment.objects.bulk_create(
        Comment(article=item, name="Lasītājs", text="Labi", status=Comment.Status.APPROVED, address_hash="x")
        for _ in range(count)
    )
    Comment.objects.create(article=item, name="Gaida", text="Nē", status=Comment.Status.PENDING, address_hash="x")
    assert words in client_for(None).get("/jaunumi/").content.decode()
    assert f'<h2 id="comments-heading">{words}</h2>' in client_for(None).get(item.get_absolute_url()).content.decode()


def test_an_address_marked_as_spam_waits_for_a_moderator_even_under_post_moderation(item, world, methodologist):
    NewsSettings.objects.create(network=world.network, moderation=NewsSettings.Moderation.POST)
    post(item, comment_data("Pērciet lētas zāles"))
    spam = Comment.objects.get()
    client_for(methodologist).post(f"/jaunumi/redakcija/komentari/{spam.pk}/", {"decision": "spam"})
    post(item, comment_data("Atkal es"))
    assert Comment.objects.get(text="Atkal es").status == Comment.Status.PENDING
    post(item, comment_data("Cits lasītājs"), address="198.51.100.9")
    assert Comment.objects.get(text="Cits lasītājs").status == Comment.Status.APPROVED


def test_a_moderator_erases_a_comment_for_good(item, methodologist, reporter_a):
    post(item, comment_data("Lūdzu, izdzēsiet mani"))
    comment = Comment.objects.get()
    assert (
        client_for(reporter_a).post(f"/jaunumi/redakcija/komentari/{comment.pk}/", {"decision": "erase"}).status_code
        == 404
    )
    client_for(methodologist).post(f"/jaunumi/redakcija/komentari/{comment.pk}/", {"decision": "erase"})
    assert not Comment.objects.exists()
    entry = AuditEntry.objects.get(target=f"news.comment:{comment.pk}")
    assert entry.new == "erased" and "izdzēsiet" not in f"{entry.old} {entry.new} {entry.note}"


def test_the_thanks_waits_at_the_comment_form_once(item):
    reader = client_for(None)
    response = reader.post(item.get_absolute_url(), comment_data("Malači!"), REMOTE_ADDR="203.0.113.9")
    assert response.status_code == 302 and response["Location"].endswith("#komentars-nosutits")
    html = reader.get(item.get_absolute_url()).content.decode()
    thanks = html.index('id="komentars-nosutits"')
    # In the comments section, right above the form the reader used; not at the top of the page.
    assert html.index('id="komentari"') < thanks < html.index('class="stacked-form comment-form"')
    assert "Paldies! Jūsu komentārs parādīsies, kad moderators to apstiprinās." in html[thanks:]
    assert "Paldies!" not in html[: html.index('id="komentari"')]
    assert 'id="komentars-nosutits"' not in reader.get(item.get_absolute_url()).content.decode()
