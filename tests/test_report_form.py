"""The report form through HTTP: access per persona, autosave, conflicts, narratives, activities,
photos, explanations and submission."""

import io
import re

import pytest
from PIL import Image

from parskats.audit.models import AuditEntry
from parskats.reporting.models import Activity, Explanation, Narrative, Photo, Report, Value
from tests.conftest import client_for


@pytest.fixture
def report(world):
    return Report.objects.create(unit=world.library_a, period=world.periods[2021])


def url(report, suffix=""):
    return f"/n/testa/reports/{report.pk}/{suffix}"


def htmx(client, path, data):
    return client.post(path, data, HTTP_HX_REQUEST="true")


def test_the_form_shows_fields_last_year_and_definitions(world, reporter_a, report):
    from tests.factories import report_with

    report_with(world.library_a, world.periods[2020], visits=12345)
    page = client_for(reporter_a).get(url(report)).content.decode()
    assert "Apmeklējumu kopskaits" in page
    assert "12\u00a0345" in page  # last year's value, the Latvian way
    assert "Klātienes un virtuālo apmeklējumu summa." in page  # the definition
    assert 'id="v-collection_textbooks"' not in page  # school libraries only
    assert "Veiksmes stāsts" in page and "Gada atziņa" in page


@pytest.mark.parametrize("persona", ["reporter_b", "other_methodologist", None])
def test_other_people_cannot_read_or_write(request, report, persona):
    client = client_for(request.getfixturevalue(persona) if persona else None)
    assert client.get(url(report)).status_code in (302, 404)
    response = htmx(client, url(report, "value/visits/"), {"v-visits": "5", "version-visits": "0"})
    assert response.status_code in (302, 404)
    response = client.post(url(report, "narrative/insight/"), {"text": "x", "version": "0"})
    assert response.status_code in (302, 404)
    assert client.post(url(report, "submit/")).status_code in (302, 404)
    assert not Value.objects.exists() and not Narrative.objects.exists()
    assert Report.objects.get(pk=report.pk).status == "draft"


def test_a_viewer_reads_but_cannot_write(viewer, report):
    client = client_for(viewer)
    assert client.get(url(report)).status_code == 200
    assert htmx(client, url(report, "value/visits/"), {"v-visits": "5"}).status_code == 404


def test_autosave_one_field_and_the_version_conflict(reporter_a, methodologist, report):
    client = client_for(reporter_a)
    response = htmx(client, url(report, "value/visits/"), {"v-visits": "12 345", "version-visits": "0"})
    body = response.content.decode()
    assert response.status_code == 200 and "saglabāts" in body
    value = Value.objects.get(report=report, indicator__code="visits")
    assert value.number == 12345
    assert f'id="version-visits" name="version-visits" value="{value.version}" hx-swap-oob="true"' in body
    # The methodologist saves the same field from an older page: refused, both values shown.
    other = htmx(client_for(methodologist), url(report, "value/visits/"), {"v-visits": "999", "version-visits": "0"})
    text = other.content.decode()
    assert "12\u00a0345" in text and "999" in text
    assert Value.objects.get(pk=value.pk).number == 12345


def test_bad_input_gets_a_message_not_a_500(reporter_a, report):
    client = client_for(reporter_a)
    for raw in ("daudz", "<script>alert(1)</script>", "1e999", "12,5"):
        response = htmx(client, url(report, "value/visits/"), {"v-visits": raw, "version-visits": "0"})
        assert response.status_code == 200
        assert "<script>alert" not in response.content.decode()
    assert not Value.objects.filter(report=report).exists()
    assert htmx(client, url(report, "value/nope/"), {"v-nope": "1"}).status_code == 404


def test_not_applicable_and_unknown_are_not_zero(reporter_a, report):
    client = client_for(reporter_a)
    htmx(client, url(report, "value/ebook_loans/"), {"kind-ebook_loans": "na", "version-ebook_loans": "0"})
    value = Value.objects.get(report=report, indicator__code="ebook_loans")
    assert value.code == "na" and value.number is None


def test_save_all_without_javascript(reporter_a, report):
    response = client_for(reporter_a).post(
        url(report), {"v-users": "120", "version-users": "0", "v-loans": "abc", "version-loans": "0"}, follow=True
    )
    assert Value.objects.get(report=report, indicator__code="users").number == 120
    assert "nav skaitlis" in response.content.decode()


def test_copy_stable_fields_from_last_year(world, reporter_a, report):
    from tests.factories import report_with

    report_with(world.library_a, world.periods[2020], hours_week="32.5", staff=2, visits=100)
    client_for(reporter_a).post(url(report, "copy-stable/"))
    copied = dict(Value.objects.filter(report=report).values_list("indicator__code", "number"))
    assert copied["hours_week"] == 32.5 and copied["staff"] == 2 and "visits" not in copied


def test_narrative_markdown_is_sanitised(reporter_a, report):
    client = client_for(reporter_a)
    payload = "Mēs **darām**.\n\n<script>alert(1)</script> [x](javascript:alert(1)) <img src=x onerror=alert(1)>"
    response = htmx(client, url(report, "narrative/success_story/"), {"text": payload, "version": "0"})
    assert response.status_code == 200
    narrative = Narrative.objects.get(report=report, section__code="success_story")
    assert narrative.text == payload
    html = narrative.html
    assert "<strong>darām</strong>" in html
    assert "<script" not in html and 'href="javascript' not in html and "<img" not in html
    assert AuditEntry.objects.filter(report=report, action="narrative", target="success_story").exists()
    # A stale version is refused.
    stale = htmx(client, url(report, "narrative/success_story/"), {"text": "cits", "version": "0"})
    assert "status-error" in stale.content.decode()
    assert Narrative.objects.get(pk=narrative.pk).text == payload


def test_activities_and_computing_the_event_figures(reporter_a, report):
    client = client_for(reporter_a)
    for title, mode, people in (("Dzejas vakars", "in_person", 25), ("Tiešsaistes lasījumi", "virtual", 40)):
        client.post(
            url(report, "activities/"),
            {"title": title, "date": "2021-05-04", "mode": mode, "attendance": people, "audience": "adults"},
        )
    assert Activity.objects.filter(report=report).count() == 2
    wrong_year = client.post(url(report, "activities/"), {"title": "X", "date": "2019-01-01", "mode": "virtual"})
    assert wrong_year.status_code == 200 and "2021" in wrong_year.content.decode()
    client.post(url(report, "activities/compute/"))
    figures = dict(Value.objects.filter(report=report).values_list("indicator__code", "number"))
    assert figures == {"events": 2, "events_inperson": 1, "events_virtual": 1, "event_attendance": 65}


def png_bytes(size=(40, 30)):
    buffer = io.BytesIO()
    Image.new("RGB", size, (200, 120, 40)).save(buffer, "PNG")
    return buffer.getvalue()


def upload(client, report, content, name="bilde.png", **extra):
    from django.core.files.uploadedfile import SimpleUploadedFile

    data = {"image": SimpleUploadedFile(name, content), "alt_text": "Bērni lasa", "consent": "on", **extra}
    return client.post(url(report, "photos/"), data, follow=True)


def test_photo_upload_checks_type_and_makes_safe_names(reporter_a, report, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    client = client_for(reporter_a)
    upload(client, report, png_bytes(), name="../../etc/passwd.png")
    photo = Photo.objects.get(report=report)
    assert re.fullmatch(rf"reports/{report.pk}/[0-9a-f]{{32}}\.jpg", photo.image.name)
    assert photo.consent and photo.thumbnail.name.endswith("-thumb.jpg")
    refused = upload(client, report, b"%PDF-1.4 not an image", name="bilde.jpg").content.decode()
    assert "nav fotoattēls" in refused
    assert Photo.objects.count() == 1
    missing_alt = upload(client, report, png_bytes(), alt_text="")
    assert Photo.objects.count() == 1 and missing_alt.status_code == 200


def test_a_huge_photo_is_refused(reporter_a, report, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    big = png_bytes() + b"\0" * (11 * 1024 * 1024)
    response = upload(client_for(reporter_a), report, big)
    assert "MB" in response.content.decode() and not Photo.objects.exists()


def test_explain_a_warning_then_submit(world, reporter_a, report):
    from tests.test_report_entry import fill_clean

    fill_clean(report, reporter_a)
    client = client_for(reporter_a)
    version = Value.objects.get(report=report, indicator__code="loans").version
    htmx(client, url(report, "value/loans/"), {"v-loans": "50000", "version-loans": str(version)})
    assert client.post(url(report, "submit/")).status_code == 302
    assert Report.objects.get(pk=report.pk).status == "draft"
    empty = htmx(
        client, url(report, "explain/"), {"check": "loans-per-capita", "field": "loans", "category": "correct"}
    )
    assert "Uzrakstiet" in empty.content.decode()
    htmx(
        client,
        url(report, "explain/"),
        {"check": "loans-per-capita", "field": "loans", "category": "correct", "text": "Skolēni lasa daudz."},
    )
    assert Explanation.objects.get(report=report).category == "correct"
    client.post(url(report, "submit/"))
    assert Report.objects.get(pk=report.pk).status == "submitted"
    # Submitted: no more changes.
    htmx(client, url(report, "value/users/"), {"v-users": "1", "version-users": "0"})
    assert Value.objects.get(report=report, indicator__code="users").number == 100


def test_index_lists_only_own_reports_and_starts_open_periods(world, reporter_a, reporter_b):
    from tests.factories import report_with

    other = report_with(world.library_b, world.periods[2020], users=1)
    world.periods[2021].status = "open"
    world.periods[2021].save()
    client = client_for(reporter_a)
    page = client.get("/n/testa/reports/").content.decode()
    assert "Sedas bibliotēka" in page and f"/reports/{other.pk}/" not in page
    assert client.post(f"/n/testa/reports/start/{world.periods[2021].pk}/{world.library_b.pk}/").status_code == 404
    response = client.post(f"/n/testa/reports/start/{world.periods[2021].pk}/{world.library_a.pk}/")
    created = Report.objects.get(unit=world.library_a, period=world.periods[2021])
    assert response.status_code == 302 and response["Location"].endswith(f"/reports/{created.pk}/")
    assert client_for(reporter_b).get(f"/n/testa/reports/{created.pk}/").status_code == 404
    # A report is reached only under its own network's address.
    assert client.get(f"/n/cits/reports/{created.pk}/").status_code == 404


def test_the_form_in_english(reporter_a, report):
    client = client_for(reporter_a)
    client.cookies["parskats_language"] = "en"
    page = client.get(url(report), HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert "Total visits" in page and "Success story" in page and "Submit the report" in page


def test_the_key_insight_is_guided_to_one_sentence(reporter_a, report):
    client = client_for(reporter_a)
    one = htmx(client, url(report, "narrative/insight/"), {"text": "Darām pēc principa — darot.", "version": "0"})
    assert "viens teikums" not in one.content.decode()
    version = Narrative.objects.get(report=report).version
    two = htmx(client, url(report, "narrative/insight/"), {"text": "Darām. Un darām vēl.", "version": version})
    assert "ieteicams viens teikums" in two.content.decode()


def test_the_add_pages_are_for_writers_only(reporter_a, reporter_b, viewer, report):
    for suffix in ("activities/", "photos/"):
        assert client_for(reporter_a).get(url(report, suffix)).status_code == 200
        assert client_for(reporter_b).get(url(report, suffix)).status_code == 404
        assert client_for(viewer).get(url(report, suffix)).status_code == 404


def test_removing_an_activity_and_a_photo_is_audited_and_refused_once_submitted(reporter_a, report, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    client = client_for(reporter_a)
    client.post(url(report, "activities/"), {"title": "Dzejas vakars", "date": "2021-05-04", "mode": "in_person",
                                              "attendance": 25, "audience": "adults"})  # fmt: skip
    upload(client, report, png_bytes())
    activity, photo = Activity.objects.get(report=report), Photo.objects.get(report=report)
    image_path = tmp_path / photo.image.name
    assert image_path.exists()

    client.post(url(report, f"activities/{activity.pk}/delete/"))
    client.post(url(report, f"photos/{photo.pk}/delete/"))
    assert not Activity.objects.filter(report=report).exists() and not Photo.objects.filter(report=report).exists()
    assert not image_path.exists()
    removed = AuditEntry.objects.filter(report=report, new__isnull=True, target__in=["activity", "photo"])
    assert sorted(removed.values_list("target", flat=True)) == ["activity", "photo"]
    assert removed.get(target="activity").old["title"] == "Dzejas vakars"

    client.post(url(report, "activities/"), {"title": "Vēl viens", "date": "2021-06-01", "mode": "virtual",
                                              "attendance": 5, "audience": "adults"})  # fmt: skip
    kept = Activity.objects.get(report=report)
    Report.objects.filter(pk=report.pk).update(status=Report.Status.SUBMITTED)
    response = client.post(url(report, f"activities/{kept.pk}/delete/"))
    assert response.status_code == 302 and Activity.objects.filter(pk=kept.pk).exists()
