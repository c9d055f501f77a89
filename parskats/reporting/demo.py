"""Demo content of the reports: stories, activity lists and a few photos (drawn by Pillow, so the
repository carries no image files). Every text and figure is invented; running it again adds nothing."""

from __future__ import annotations

import datetime as dt
import io
import random

from django.core.files.base import ContentFile
from PIL import Image, ImageDraw

from parskats.catalogue.models import NarrativeSection
from parskats.network.models import Network

from .models import Activity, Narrative, Photo, Report

# Libraries whose reports get stories, activities and photos in the demo.
STORY_LIBRARIES = ["valka", "ergeme", "seda", "smiltene", "bilska", "strenci", "vijciems", "blome", "karki-skola"]
PHOTO_LIBRARIES = {"valka", "seda", "bilska"}

STORIES = [
    "**Lasīšanas vasara** pulcēja {n} bērnus: katru nedēļu kopā lasījām, zīmējām un beigās rīkojām grāmatu svētkus "
    "pagasta parkā.\n\n- sadarbība ar skolu un jauniešu centru\n- katrs dalībnieks saņēma lasītāja diplomu",
    "Sākām **senioru digitālās prasmes** nodarbības: {n} dalībnieki iemācījās lietot e-pakalpojumus un videozvanus "
    "ar mazbērniem. Tagad viņi nāk arī pēc grāmatām.",
    "Kopā ar novadpētniekiem izveidojām izstādi par pagasta vēsturi. Vietējie iedzīvotāji atnesa {n} fotogrāfijas "
    "un stāstus, ko ievietojām novadpētniecības datubāzē.",
]
PANDEMIC = [
    "Slēgšanas laikā grāmatas izsniedzām pie durvīm pēc iepriekšēja pieteikuma, pasākumus pārcēlām uz tiešsaisti. "
    "Saglabāsim attālinātos lasījumus arī turpmāk.",
    "Pandēmija iemācīja mums būt elastīgiem: zvanījām lasītājiem, nesām grāmatas mājās senioriem un rīkojām "
    "viktorīnas sociālajos tīklos.",
]
INSIGHTS = [
    "Darām pēc principa — darot.",
    "Bibliotēka ir vieta, kur satiekas cilvēki, ne tikai grāmatas.",
    "Mazs pagasts, bet liela lasītāju sirds.",
    "Kad durvis ir slēgtas, jāatver logi — arī virtuālie.",
]
ACTIVITIES = [
    ("Dzejas dienu lasījumi", Activity.Mode.IN_PERSON, Activity.Audience.ADULTS, "vietējais kultūras nams"),
    ("Bērnu žūrijas noslēgums", Activity.Mode.IN_PERSON, Activity.Audience.CHILDREN, "pamatskola"),
    ("Tiešsaistes tikšanās ar rakstnieci", Activity.Mode.VIRTUAL, Activity.Audience.ALL, ""),
    ("Senioru datorpēcpusdiena", Activity.Mode.IN_PERSON, Activity.Audience.SENIORS, "pagasta pārvalde"),
    ("Novadpētniecības izstādes atklāšana", Activity.Mode.HYBRID, Activity.Audience.ALL, "novada muzejs"),
    ("Jauniešu galda spēļu vakars", Activity.Mode.IN_PERSON, Activity.Audience.YOUTH, "jauniešu centrs"),
    ("Virtuālā viktorīna par Latviju", Activity.Mode.VIRTUAL, Activity.Audience.YOUTH, ""),
]
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
    reports = Report.objects.filter(
        period__network=network, period__year__gte=2020, unit__code__in=STORY_LIBRARIES
    ).select_related("unit", "period")
    for report in reports:
        rng = random.Random(f"story|{report.unit.code}|{report.period.year}")
        sections = NarrativeSection.objects.filter(survey_id=report.period.survey_id)
        for section in sections:
            if not section.on_form(report.period.year, report.unit.library_type):
                continue
            # Drafts are still being written: only the success story so far.
            if report.status == Report.Status.DRAFT and section.code != "success_story":
                continue
            text = {
                "success_story": rng.choice(STORIES).format(n=rng.randint(12, 60)),
                "pandemic": rng.choice(PANDEMIC),
                "insight": rng.choice(INSIGHTS),
            }.get(section.code, "")
            if text:
                Narrative.objects.get_or_create(report=report, section=section, defaults={"text": text})
        if not report.activities.exists():
            year = report.period.year
            Activity.objects.bulk_create(
                [
                    Activity(
                        report=report,
                        title=title,
                        date=dt.date(year, 1, 1) + dt.timedelta(days=rng.randint(0, 360)),
                        mode=mode,
                        audience=audience,
                        attendance=rng.randint(8, 45),
                        partners=partners,
                    )
                    for title, mode, audience, partners in rng.sample(ACTIVITIES, 4)
                ]
            )
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
