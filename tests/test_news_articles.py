"""News articles: who sees what and when, archive, tags, pagination, writing and images."""

from __future__ import annotations

import datetime as dt
import io

import pytest
from django.utils import timezone
from PIL import Image

from parskats.accounts.models import Role
from parskats.audit.models import AuditEntry
from parskats.news.models import Article, ArticleImage, Editor, Tag

from .conftest import client_for
from .factories import article, give_role, user

pytestmark = pytest.mark.django_db


def test_the_list_shows_published_articles_only(world):
    article(world.network, "Publicēts raksts")
    article(world.network, "Melnraksts", status=Article.Status.DRAFT, publish_at=None)
    article(
        world.network,
        "Nākotnes raksts",
        status=Article.Status.SCHEDULED,
        publish_at=timezone.now() + dt.timedelta(days=1),
    )
    html = client_for(None).get("/jaunumi/").content.decode()
    assert "Publicēts raksts" in html
    assert "Melnraksts" not in html and "Nākotnes raksts" not in html
    assert "<h1>Jaunumi</h1>" in html


def test_a_scheduled_article_appears_by_itself_when_its_time_comes(world, monkeypatch):
    when = timezone.now() + dt.timedelta(hours=2)
    item = article(world.network, "Ieplānots", status=Article.Status.SCHEDULED, publish_at=when)
    url = f"/jaunumi/{timezone.localtime(when).year}/{item.slug}/"
    reader = client_for(None)
    assert reader.get(url).status_code == 404
    assert "Ieplānots" not in reader.get("/jaunumi/rss/").content.decode()
    later = when + dt.timedelta(minutes=1)
    monkeypatch.setattr(timezone, "now", lambda: later)
    assert reader.get(url).status_code == 200
    assert "Ieplānots" in reader.get("/jaunumi/").content.decode()
    assert "Ieplānots" in reader.get("/jaunumi/rss/").content.decode()


def test_article_page_has_signature_language_and_opengraph(world):
    item = article(
        world.network,
        "Valkas reģiona bibliotekāru tikšanās tiešsaistē",
        lead="Seminārs tiešsaistē.",
        signature="Māra Parauga\ndirektore",
        language="lv",
    )
    item.tags.set([Tag.objects.create(name="seminārs", slug="seminars")])
    response = client_for(None).get(item.get_absolute_url())
    html = response.content.decode()
    assert response.status_code == 200
    assert (
        item.get_absolute_url()
        == f"/jaunumi/{timezone.localdate().year}/valkas-regiona-bibliotekaru-tiksanas-tiessaiste/"
    )
    assert '<article class="news-article" lang="lv">' in html
    assert "Informāciju sagatavoja<br>Māra Parauga<br>direktore" in html
    assert '<meta property="og:title" content="Valkas reģiona bibliotekāru tikšanās tiešsaistē">' in html
    assert '<meta property="og:description" content="Seminārs tiešsaistē.">' in html
    assert '<meta property="og:type" content="article">' in html
    assert '<meta property="article:tag" content="seminārs">' in html
    assert 'href="/jaunumi/temats/seminars/"' in html
    # The demo banner: the article's network is a demo network.
    assert "Demo" in html or "Demonstr" in html


def test_a_wrong_year_in_the_address_redirects_to_the_right_one(world):
    item = article(world.network, "Raksts")
    response = client_for(None).get(f"/jaunumi/1999/{item.slug}/")
    assert response.status_code == 301 and response["Location"] == item.get_absolute_url()


def test_archive_by_year_and_tags(world):
    old = article(world.network, "Vecs raksts", publish_at=dt.datetime(2021, 3, 5, 12, tzinfo=dt.UTC))
    new = article(world.network, "Jauns raksts")
    tag = Tag.objects.create(name="seminārs", slug="seminars")
    old.tags.add(tag)
    reader = client_for(None)
    html = reader.get("/jaunumi/2021/").content.decode()
    assert "Vecs raksts" in html and "Jauns raksts" not in html
    assert "2021. gada jaunumi" in html
    assert reader.get("/jaunumi/1999/").status_code == 404
    html = reader.get("/jaunumi/temats/seminars/").content.decode()
    assert "Vecs raksts" in html and new.title not in html
    assert reader.get("/jaunumi/temats/nav-tada/").status_code == 404


def test_pagination_ten_per_page_and_garbage_page_numbers(world):
    for n in range(12):
        article(world.network, f"Raksts numur {n:02d}", publish_at=timezone.now() - dt.timedelta(days=n + 1))
    reader = client_for(None)
    first = reader.get("/jaunumi/").content.decode()
    assert first.count('class="news-item"') == 10 and "Raksts numur 00" in first
    assert 'rel="next"' in first
    second = reader.get("/jaunumi/?lapa=2").content.decode()
    assert second.count('class="news-item"') == 2 and "Raksts numur 11" in second
    for garbage in ("abc", "-1", "999", "1e9"):
        assert reader.get(f"/jaunumi/?lapa={garbage}").status_code == 200


def test_drafts_are_previewed_by_editors_only(world, methodologist, reporter_a, viewer, other_methodologist):
    draft = article(world.network, "Melnraksts", status=Article.Status.DRAFT, publish_at=None)
    url = draft.get_absolute_url()
    assert client_for(methodologist).get(url).status_code == 200
    assert "Priekšskatījums" in client_for(methodologist).get(url).content.decode()
    for person in (None, reporter_a, viewer, other_methodologist):
        assert client_for(person).get(url).status_code == 404


def test_the_methodologist_writes_an_article_with_tags(world, methodologist):
    client = client_for(methodologist)
    response = client.post(
        "/jaunumi/redakcija/testa/jauns/",
        {
            "title": "Tikšanās tiešsaistē",
            "slug": "",
            "lead": "",
            "body": "Teksts **treknrakstā**.",
            "signature": "Inese Parauga",
            "language": "lv",
            "status": "published",
            "publish_at": "",
            "comments_open": "on",
            "tags_text": "seminārs, 2020. gads, Seminārs",
        },
    )
    item = Article.objects.get()
    assert response.status_code == 302
    assert item.slug == "tiksanas-tiessaiste" and item.is_public and item.author == methodologist
    assert sorted(t.name for t in item.tags.all()) == ["2020. gads", "seminārs"]
    entry = AuditEntry.objects.get(target=f"news.article:{item.pk}")
    assert entry.new == "published" and entry.actor == methodologist
    assert "<strong>treknrakstā</strong>" in client_for(None).get(item.get_absolute_url()).content.decode()


def test_a_scheduled_article_needs_a_future_time(world, methodologist):
    data = {"title": "Raksts", "body": "x", "language": "lv", "status": "scheduled", "publish_at": ""}
    response = client_for(methodologist).post("/jaunumi/redakcija/testa/jauns/", data)
    assert response.status_code == 400
    assert "Ieplānotam rakstam jānorāda publicēšanas laiks." in response.content.decode()
    data["publish_at"] = "2001-01-01T10:00"
    response = client_for(methodologist).post("/jaunumi/redakcija/testa/jauns/", data)
    assert "Ieplānota raksta laikam jābūt nākotnē." in response.content.decode()
    assert not Article.objects.exists()


def test_only_editors_reach_the_newsroom(world, methodologist, reporter_a, viewer, other_methodologist):
    item = article(world.network, "Raksts")
    assert "Raksts" in client_for(methodologist).get("/jaunumi/redakcija/").content.decode()
    # The other network's methodologist has a newsroom of their own, without this network's articles.
    assert "Raksts" not in client_for(other_methodologist).get("/jaunumi/redakcija/").content.decode()
    for person in (reporter_a, viewer):
        assert client_for(person).get("/jaunumi/redakcija/").status_code == 404
    for person in (reporter_a, viewer, other_methodologist):
        client = client_for(person)
        assert client.get(f"/jaunumi/redakcija/raksts/{item.pk}/").status_code == 404
        assert client.post(f"/jaunumi/redakcija/raksts/{item.pk}/", {"title": "Uzlauzts"}).status_code == 404
        assert client.get("/jaunumi/redakcija/testa/jauns/").status_code == 404
    item.refresh_from_db()
    assert item.title == "Raksts"
    assert client_for(None).get("/jaunumi/redakcija/").status_code == 302


def test_the_methodologist_allows_another_person_to_edit(world, methodologist, viewer):
    helper = user("palidze@example.org", "Palīdze Parauga")
    settings_url = "/jaunumi/redakcija/testa/iestatijumi/"
    assert client_for(helper).get("/jaunumi/redakcija/").status_code == 404
    response = client_for(methodologist).post(settings_url, {"add_editor": "1", "email": "nav@example.org"})
    assert response.status_code == 400 and "Nevienam ar šo e-pastu nav konta." in response.content.decode()
    client_for(methodologist).post(settings_url, {"add_editor": "1", "email": "PALIDZE@example.org"})
    assert Editor.objects.filter(user=helper, network=world.network).exists()
    assert client_for(helper).get("/jaunumi/redakcija/testa/jauns/").status_code == 200
    # An editor writes, but only the methodologist decides who else may.
    assert client_for(helper).get(settings_url).status_code == 404
    give_role(viewer, world.other_network, Role.Kind.VIEWER)
    assert client_for(viewer).get(settings_url).status_code == 404
    editor = Editor.objects.get(user=helper)
    client_for(methodologist).post(settings_url, {"remove_editor": str(editor.pk)})
    assert client_for(helper).get("/jaunumi/redakcija/").status_code == 404
    assert client_for(methodologist).post(settings_url, {"remove_editor": "x"}).status_code == 302


def png_bytes() -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", (40, 30), (31, 95, 153)).save(buffer, "PNG")
    return buffer.getvalue()


def upload(name: str = "foto.png", content: bytes | None = None):
    from django.core.files.uploadedfile import SimpleUploadedFile

    return SimpleUploadedFile(name, png_bytes() if content is None else content, content_type="image/png")


def test_images_need_a_text_alternative_and_show_their_caption(world, methodologist, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    item = article(world.network, "Raksts ar attēlu")
    client = client_for(methodologist)
    url = f"/jaunumi/redakcija/raksts/{item.pk}/attels/"
    response = client.post(url, {"image": upload(), "alt_text": "   ", "caption": "Seminārs"})
    assert response.status_code == 400 and "Aprakstiet attēlu lasītājiem, kuri to neredz." in response.content.decode()
    response = client.post(url, {"image": upload(content=b"not an image"), "alt_text": "Bibliotekāres", "caption": ""})
    assert response.status_code == 400
    assert not ArticleImage.objects.exists()
    client.post(url, {"image": upload(), "alt_text": "Bibliotekāres pie ekrāna", "caption": "Seminārs tiešsaistē"})
    image = ArticleImage.objects.get()
    html = client_for(None).get(item.get_absolute_url()).content.decode()
    assert 'alt="Bibliotekāres pie ekrāna"' in html
    assert "<figcaption>Seminārs tiešsaistē</figcaption>" in html
    assert '<meta property="og:image" content="http://testserver/media/news/' in html
    client.post(f"/jaunumi/redakcija/attels/{image.pk}/dzest/")
    assert not ArticleImage.objects.exists()


def test_sitemap_lists_public_articles_only(world):
    public = article(world.network, "Publisks")
    draft = article(world.network, "Slepens", status=Article.Status.DRAFT, publish_at=None)
    xml = client_for(None).get("/sitemap.xml").content.decode()
    assert f"http://testserver{public.get_absolute_url()}" in xml
    assert draft.slug not in xml
    assert "http://testserver/jaunumi/</loc>" in xml


def test_the_list_of_a_demo_network_says_its_names_are_invented_and_links_the_stories(world):
    article(world.network, "Raksts")
    html = client_for(None).get("/jaunumi/").content.decode()
    assert "Demonstrācijas dati." in html
    assert 'href="/stasti/"' in html


def test_robots_txt_points_to_the_sitemap_and_keeps_crawlers_out_of_the_newsroom(db):
    response = client_for(None).get("/robots.txt")
    text = response.content.decode()
    assert response["Content-Type"].startswith("text/plain")
    assert "Sitemap: http://testserver/sitemap.xml" in text
    assert "Disallow: /jaunumi/redakcija/" in text


def test_the_newsroom_names_its_columns_in_latvian(world, methodologist):
    html = client_for(methodologist).get("/jaunumi/redakcija/").content.decode()
    assert '<th scope="col">Virsraksts</th>' in html and '<th scope="col">Publicēšanas laiks</th>' in html
