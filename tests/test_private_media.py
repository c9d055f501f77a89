"""Uploaded files answer only to those who may read them: a draft photo to its report's readers, a
consented photo of an approved report to anyone; behind nginx the app hands the bytes to nginx."""

from __future__ import annotations

import pytest

from parskats.news.models import ArticleImage
from parskats.reporting.models import Report

from .conftest import client_for
from .factories import article
from .seminar_support import jpeg, photo


@pytest.fixture
def draft(world):
    return Report.objects.create(unit=world.library_a, period=world.periods[2021])


def body(response) -> bytes:
    return b"".join(response.streaming_content) if response.streaming else response.content


def test_a_draft_photo_answers_to_its_reporter_and_the_methodologist_only(
    draft, reporter_a, reporter_b, methodologist, other_methodologist
):
    picture = photo(draft, consent=True)
    for name in (picture.image.url, picture.thumbnail.url):
        assert name.startswith("/media/reports/")
        mine = client_for(reporter_a).get(name)
        assert mine.status_code == 200 and body(mine)[:3] == b"\xff\xd8\xff"  # a JPEG
        assert "no-store" in mine["Cache-Control"] and "private" in mine["Cache-Control"]
        assert client_for(methodologist).get(name).status_code == 200
        for stranger in (None, reporter_b, other_methodologist):
            assert client_for(stranger).get(name).status_code == 404


def test_a_consented_photo_of_an_approved_report_is_public_and_withdrawing_consent_takes_effect_at_once(
    draft, reporter_a
):
    picture = photo(draft, consent=True)
    draft.status = Report.Status.APPROVED
    draft.save()
    public = client_for(None).get(picture.image.url)
    assert public.status_code == 200 and "public" in public["Cache-Control"]
    picture.consent = False
    picture.save()
    assert client_for(None).get(picture.image.url).status_code == 404
    assert client_for(reporter_a).get(picture.image.url).status_code == 200


def test_a_reopened_report_takes_its_photos_off_the_public_pages(draft):
    picture = photo(draft, consent=True)
    draft.status = Report.Status.APPROVED
    draft.save()
    assert client_for(None).get(picture.image.url).status_code == 200
    draft.status = Report.Status.DRAFT
    draft.save()
    assert client_for(None).get(picture.image.url).status_code == 404


def test_behind_nginx_the_answer_is_an_x_accel_redirect_without_the_bytes(draft, reporter_a, settings):
    settings.PARSKATS_MEDIA_ACCEL = "/_protected_media/"
    picture = photo(draft)
    answer = client_for(reporter_a).get(picture.image.url)
    assert answer.status_code == 200 and answer.content == b""
    assert answer["X-Accel-Redirect"] == f"/_protected_media/{picture.image.name}"
    assert answer["Content-Type"] == "image/jpeg"
    refused = client_for(None).get(picture.image.url)
    assert refused.status_code == 404 and "X-Accel-Redirect" not in refused


def test_a_draft_article_image_answers_to_editors_until_it_is_published(world, methodologist):
    from django.utils import timezone

    from parskats.news.models import Article

    item = article(world.network, "Gaidāmais raksts", status=Article.Status.DRAFT, publish_at=None)
    image = ArticleImage.objects.create(article=item, image=jpeg(), alt_text="Plaukti")
    assert client_for(None).get(image.image.url).status_code == 404
    assert client_for(methodologist).get(image.image.url).status_code == 200
    item.status, item.publish_at = Article.Status.PUBLISHED, timezone.now()
    item.save()
    assert client_for(None).get(image.image.url).status_code == 200


@pytest.mark.parametrize(
    "path",
    [
        "/media/../parskats/settings.py",
        "/media/reports/../../manage.py",
        "/media/reports/%2e%2e/x.jpg",
        "/media/reports/1/",
        "/media/reports/x/y.jpg",
        "/media/other/file.txt",
        "/media/reports/99999999999999999999999/a.jpg",
        "/media/%5c..%5cmanage.py",
        "/media/reports/%C2%B2/a.jpg",
        "/media/news/%00/a.jpg",
    ],
)
def test_names_outside_the_registered_folders_or_the_media_root_are_404(world, reporter_a, path):
    assert client_for(reporter_a).get(path).status_code == 404


def test_a_file_missing_on_disk_is_a_404_not_a_500(draft, reporter_a, settings):
    picture = photo(draft)
    (settings.MEDIA_ROOT / picture.image.name).unlink()
    assert client_for(reporter_a).get(picture.image.url).status_code == 404
