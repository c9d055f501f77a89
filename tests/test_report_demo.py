"""The demo reports carry stories, activities and a few consented photos, added only once."""

from io import StringIO

import pytest
from django.core.management import call_command

from parskats.reporting.models import Activity, Narrative, Photo, public_photos

pytestmark = pytest.mark.django_db


def test_demo_content_is_added_once_and_photos_are_consented():
    call_command("load_demo", stdout=StringIO())
    first = (Narrative.objects.count(), Activity.objects.count(), Photo.objects.count())
    assert all(first)
    call_command("load_demo", stdout=StringIO())
    assert (Narrative.objects.count(), Activity.objects.count(), Photo.objects.count()) == first
    assert public_photos().count() == Photo.objects.count()
    assert Narrative.objects.filter(section__code="insight").exists()
    assert all(photo.alt_text and photo.image.size < 200_000 for photo in Photo.objects.all())
