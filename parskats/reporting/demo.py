"""Demo content of the reports: each library's own stories and activity lists (`demo_texts`) and a few
photos (drawn by Pillow, so the repository carries no image files). Every text and figure is invented;
running it again adds nothing."""

from __future__ import annotations

import io
import random

from django.core.files.base import ContentFile
from PIL import Image, ImageDraw

from parskats.network.models import Network

from .demo_texts import load_library_texts
from .models import Photo, Report

# Libraries whose approved reports carry a consented photo in the demo.
PHOTO_LIBRARIES = {"valka", "seda", "bilska"}
PHOTO_SUBJECTS = [
    ("Bērni lasa grāmatas bibliotēkas lasītavā (zīmēts demo attēls)", "Lasīšanas vasaras noslēgums"),
    ("Cilvēki sēž pie galdiem izstādes atklāšanā (zīmēts demo attēls)", "Novadpētniecības izstādes atklāšana"),
]


def demo_photo(seed: str) -> bytes:
    """A small drawn picture (shelves of coloured books), different for each seed."""
    rng = random.Random(seed)
    image = Image.new("RGB", (640, 420), (244, 239, 228))
    draw = ImageDraw.Draw(image)
    for shelf in range(3):
        top = 60 + shelf * 120
        draw.rectangle([40, top + 90, 600, top + 100], fill=(120, 86, 52))
        x = 50
        while x < 580:
            width = rng.randint(14, 30)
            height = rng.randint(55, 88)
            colour = tuple(rng.randint(40, 200) for _ in range(3))
            draw.rectangle([x, top + 90 - height, x + width, top + 90], fill=colour)
            x += width + rng.randint(2, 6)
    out = io.BytesIO()
    image.save(out, "JPEG", quality=80)
    return out.getvalue()


def load_report_demo(network: Network) -> None:
    load_library_texts(network)
    reports = Report.objects.filter(
        period__network=network, period__year__gte=2020, unit__code__in=PHOTO_LIBRARIES
    ).select_related("unit", "period")
    for report in reports:
        if (
            report.unit.code in PHOTO_LIBRARIES
            and report.status == Report.Status.APPROVED
            and not report.photos.exists()
        ):
            alt, caption = PHOTO_SUBJECTS[len(report.unit.code) % len(PHOTO_SUBJECTS)]
            picture = demo_photo(f"{report.unit.code}{report.period.year}")
            thumb = Image.open(io.BytesIO(picture))
            thumb.thumbnail((320, 320))
            small = io.BytesIO()
            thumb.save(small, "JPEG", quality=80)
            photo = Photo(report=report, alt_text=alt, caption=caption, consent=True, credit="Demo attēls")
            photo.image.save("photo.jpg", ContentFile(picture, name="photo.jpg"), save=False)
            photo.thumbnail.save("thumb.jpg", ContentFile(small.getvalue(), name="thumb.jpg"), save=False)
            photo.save()
