"""Hostile input, as attackers and fuzzers send it: no 500, no redirect off the site, no script in a
page, no data of another library. Each block names the attack it tries."""

from __future__ import annotations

from urllib.parse import quote

import pytest
from django.test import Client
from django.urls import reverse
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from .conftest import client_for
from .factories import PASSWORD

FUZZ = settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])

OFF_SITE = [
    "https://evil.example/",
    "//evil.example/",
    "/\\evil.example/",
    "\\\\evil.example",
    "https:evil.example",
    "javascript:alert(document.domain)",
    "http://testserver@evil.example/",
    "/%09/evil.example",
    " //evil.example",
    "data:text/html,<script>alert(1)</script>",
]


def assert_stays_on_site(location: str) -> None:
    assert location.startswith("/") and not location.startswith(("//", "/\\")), location


# Open redirect ----------------------------------------------------------------------------------


@pytest.mark.parametrize("target", OFF_SITE)
def test_language_switch_never_redirects_off_site(db, target):
    response = Client().post(reverse("set_language"), {"language": "en", "next": target})
    assert response.status_code in (302, 204)
    if response.status_code == 302:
        assert_stays_on_site(response["Location"])


@pytest.mark.parametrize("target", OFF_SITE)
def test_login_never_redirects_off_site(world, reporter_a, target):
    response = Client().post(
        reverse("accounts:login") + "?next=" + quote(target), {"username": reporter_a.email, "password": PASSWORD}
    )
    assert response.status_code == 302
    assert_stays_on_site(response["Location"])


# Cross-site scripting ---------------------------------------------------------------------------

XSS = [
    '<script>alert("x")</script>',
    '"><img src=x onerror=alert(1)>',
    "javascript:alert(1)",
    "<svg/onload=alert(1)>",
    "{{ 7|add:7 }}{% now 'Y' %}",
]


@pytest.mark.parametrize("payload", XSS)
def test_names_are_escaped_on_every_page_that_shows_them(world, methodologist, payload):
    world.library_b.name = payload
    world.library_b.save()
    methodologist.full_name = payload
    methodologist.save()
    client = client_for(methodologist)
    for url in (
        reverse("network:libraries", args=[world.network.slug]),
        reverse("network:library", args=[world.network.slug, world.library_b.code]),
        reverse("accounts:profile"),
    ):
        page = client.get(url).content.decode()
        assert "<script>alert" not in page and "<img src=x" not in page and "<svg/onload" not in page


@pytest.mark.parametrize("payload", XSS)
def test_login_next_parameter_is_escaped(db, payload):
    page = Client().get(reverse("accounts:login") + "?next=" + quote(payload)).content.decode()
    assert "<script>alert" not in page and "<img src=x" not in page and "<svg/onload" not in page


# Cross-site request forgery ---------------------------------------------------------------------


def test_state_changing_posts_without_a_csrf_token_are_refused(world, reporter_a):
    anonymous = Client(enforce_csrf_checks=True)
    login = anonymous.post(reverse("accounts:login"), {"username": reporter_a.email, "password": PASSWORD})
    assert login.status_code == 403 and "_auth_user_id" not in anonymous.session
    logged_in = Client(enforce_csrf_checks=True)
    logged_in.force_login(reporter_a)
    assert logged_in.post(reverse("accounts:logout")).status_code == 403
    assert logged_in.get(reverse("accounts:profile")).status_code == 200  # still logged in
    # Choosing the language is the one exception, on purpose: it changes only the reader's own cookie,
    # and a token in the switch on every page would keep public pages out of the cache.
    switched = logged_in.post(reverse("set_language"), {"language": "en", "next": "/"})
    assert switched.status_code == 302 and switched.cookies["parskats_language"].value == "en"


def test_a_foreign_origin_cannot_post_even_with_a_token(world, reporter_a):
    client = Client(enforce_csrf_checks=True)
    client.get(reverse("accounts:login"))
    token = client.cookies["csrftoken"].value
    response = client.post(
        reverse("accounts:login"),
        {"username": reporter_a.email, "password": PASSWORD, "csrfmiddlewaretoken": token},
        headers={"Origin": "https://evil.example"},
    )
    assert response.status_code == 403


# SQL injection and malformed values ---------------------------------------------------------------

INJECTIONS = [
    "' OR '1'='1",
    "admin@example.org'--",
    "x'; DROP TABLE accounts_user; --",
    "1 UNION SELECT password FROM accounts_user",
    "\x00",
    "a" * 5000,
    "ā\u202eģ\ufeff",
]


@pytest.mark.parametrize("payload", INJECTIONS)
def test_login_with_injections_is_a_plain_failed_login(world, reporter_a, payload):
    client = Client()
    response = client.post(reverse("accounts:login"), {"username": payload, "password": payload})
    assert response.status_code == 200 and "_auth_user_id" not in client.session
    assert "error-summary" in response.content.decode()
    ok = client.post(reverse("accounts:login"), {"username": reporter_a.email, "password": PASSWORD})
    assert ok.status_code == 302  # the table is still there


@FUZZ
@given(username=st.text(max_size=300), password=st.text(max_size=300))
def test_login_fuzz_never_fails_the_server(world, username, password):
    response = Client().post(reverse("accounts:login"), {"username": username, "password": password})
    assert response.status_code in (200, 429)  # a form error, or the rate limit for a repeated name


@FUZZ
@given(code=st.text(min_size=1, max_size=200).filter(lambda s: "/" not in s), year=st.text(max_size=30))
def test_library_pages_fuzz_is_404_or_a_page(world, methodologist, code, year):
    client = client_for(methodologist)
    page = client.get(f"/n/{world.network.slug}/libraries/{quote(code, safe='')}/")
    assert page.status_code in (200, 404)
    listing = client.get(reverse("network:libraries", args=[world.network.slug]), {"year": year})
    assert listing.status_code in (200, 404)


@pytest.mark.parametrize("year", ["²", "٢٠٢١", "2021' OR '1'='1", "99999999999999999999999", "-1", "2021\x00", "1e3"])
def test_odd_years_are_404_or_a_page(world, methodologist, year):
    response = client_for(methodologist).get(reverse("network:libraries", args=[world.network.slug]), {"year": year})
    assert response.status_code in (200, 404)


# Insecure direct object references --------------------------------------------------------------


def test_reporter_cannot_reach_another_library_by_guessing(world, reporter_a):
    client = client_for(reporter_a)
    for code in (world.library_b.code, world.school.code, world.other_library.code, world.region.code, "SEDA"):
        assert client.get(reverse("network:library", args=[world.network.slug, code])).status_code == 404
    assert client.get(reverse("network:libraries", args=[world.other_network.slug])).status_code == 404


def test_objects_of_another_network_are_not_reachable_under_ones_own(world, methodologist):
    client = client_for(methodologist)
    url = reverse("network:library", args=[world.network.slug, world.other_library.code])
    assert client.get(url).status_code == 404


# Path traversal and host header -----------------------------------------------------------------


@pytest.mark.parametrize(
    "path",
    [
        "/static/../parskats/settings.py",
        "/static/%2e%2e/%2e%2e/parskats/settings.py",
        "/static/..%2f..%2fparskats%2fsettings.py",
        "/static/parskats/..%5c..%5csettings.py",
        "/media/../parskats/settings.py",
        "/static//etc/passwd",
    ],
)
def test_paths_never_escape_the_static_and_media_roots(db, path):
    response = Client().get(path)
    assert response.status_code in (400, 404)
    assert b"SECRET_KEY" not in b"".join(getattr(response, "streaming_content", [response.content]))


def test_a_foreign_host_header_is_refused(db):
    assert Client(raise_request_exception=False).get("/", headers={"Host": "evil.example"}).status_code == 400


def test_a_nul_byte_in_an_address_is_404_not_a_database_error(world, methodologist):
    # PostgreSQL refuses NUL in text; hypothesis found the 500 on the library page.
    client = client_for(methodologist)
    assert client.get(f"/n/{world.network.slug}/libraries/%00/").status_code == 404
    assert client.get("/jaunumi/2021/a%00b/").status_code == 404


# Header injection and path traversal through download names: codes are typed by people (the admin,
# an import), and the report workbook's name is made of the library's code.
ODD_CODES = [
    'LV"X',
    "a\r\nSet-Cookie: pwned=1",
    "../../etc/passwd",
    "..\\..\\boot.ini",
    "Ērģe;filename=x.exe",
    "x\x1by\x7f",  # control characters (PostgreSQL refuses to store a NUL, so not that one)
]


@pytest.mark.parametrize("code", ODD_CODES)
def test_download_names_are_one_well_formed_header_whatever_the_code(world, methodologist, code):
    from email.message import Message

    from parskats.network.models import OrgUnit

    from .factories import report_with

    report = report_with(world.library_a, world.periods[2021], users=5)
    OrgUnit.objects.filter(pk=world.library_a.pk).update(code=code)
    response = client_for(methodologist).get(
        reverse("reporting:xlsx", kwargs={"network": world.network.slug, "report": report.pk})
    )
    assert response.status_code == 200
    header = response["Content-Disposition"]
    assert header.startswith("attachment; filename") and not {"\r", "\n", "\x00"} & set(header)
    assert "pwned" not in response.cookies
    parsed = Message()
    parsed["Content-Disposition"] = header
    name = parsed.get_filename()
    assert name is not None and name.startswith("parskats-") and name.endswith("-2021.xlsx"), name
    assert not {"/", "\\", "\r", "\n", "\x00"} & set(name)


# Path traversal and markup through uploaded file names (news images keep a cleaned form of theirs;
# report photos get generated names, tested in test_report_form.py).
UPLOAD_NAMES = [
    "../../../../tmp/pwned.png",
    "..\\..\\pwned.png",
    '"><img src=x onerror=window.__xss=1>.png',
    "x\x00.png",
    ".htaccess.png",
    "ļoti garš vārds " * 30 + ".png",
]


@pytest.mark.parametrize("name", UPLOAD_NAMES)
def test_news_image_names_stay_in_the_media_folder_and_out_of_the_page(world, methodologist, settings, tmp_path, name):
    import io
    from pathlib import Path

    from django.core.files.uploadedfile import SimpleUploadedFile
    from PIL import Image

    from parskats.news.models import ArticleImage

    from .factories import article

    media = tmp_path / "media"
    settings.MEDIA_ROOT = media
    item = article(world.network, "Raksts ar attēlu")
    picture = io.BytesIO()
    Image.new("RGB", (40, 30), (31, 95, 153)).save(picture, "PNG")
    upload = SimpleUploadedFile(name, picture.getvalue(), content_type="image/png")
    response = client_for(methodologist).post(
        f"/jaunumi/redakcija/raksts/{item.pk}/attels/", {"image": upload, "alt_text": "Attēls", "caption": ""}
    )
    if len(name) > 100:  # the form says so (the model keeps 100 characters of a name)
        assert response.status_code == 400 and "nav garāks par 100 rakstzīm" in response.content.decode()
    else:
        assert response.status_code == 302 and ArticleImage.objects.count() == 1  # accepted, under a clean name
    written = [p for p in tmp_path.rglob("*") if p.is_file()]
    assert all(p.resolve().is_relative_to(media.resolve()) for p in written), written
    for image in ArticleImage.objects.all():
        assert image.image.name.startswith(f"news/{item.pk}/") and Path(image.image.path).exists()
        assert not set('<>"\\\x00') & set(image.image.name) and ".." not in image.image.name
    page = client_for(None).get(item.get_absolute_url()).content.decode()
    assert "<img src=x" not in page and "onerror=window" not in page


def test_news_images_of_another_network_cannot_be_added_or_removed(world, other_methodologist, settings, tmp_path):
    from django.core.files.uploadedfile import SimpleUploadedFile

    from parskats.news.models import ArticleImage

    from .factories import article

    settings.MEDIA_ROOT = tmp_path
    item = article(world.network, "Raksts")
    image = ArticleImage.objects.create(article=item, image="news/x.png", alt_text="Attēls")
    intruder = client_for(other_methodologist)
    upload = SimpleUploadedFile("a.png", b"\x89PNG", content_type="image/png")
    added = intruder.post(f"/jaunumi/redakcija/raksts/{item.pk}/attels/", {"image": upload, "alt_text": "x"})
    removed = intruder.post(f"/jaunumi/redakcija/attels/{image.pk}/dzest/")
    assert (added.status_code, removed.status_code) == (404, 404)
    assert list(ArticleImage.objects.values_list("pk", flat=True)) == [image.pk]
