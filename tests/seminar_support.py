"""Builders shared by the seminar tests: a seminar of the test network with approved reports."""

from __future__ import annotations

import datetime as dt
import io

from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone
from PIL import Image

from parskats.catalogue.models import NarrativeSection
from parskats.reporting.models import Activity, Narrative, Photo, Report
from parskats.seminar import services
from parskats.seminar.models import Seminar

from .factories import World, report_with


def jpeg(colour: tuple[int, int, int] = (120, 72, 40)) -> SimpleUploadedFile:
    buffer = io.BytesIO()
    Image.new("RGB", (300, 200), colour).save(buffer, "JPEG")
    return SimpleUploadedFile("x.jpg", buffer.getvalue(), content_type="image/jpeg")


def narrate(report: Report, code: str, text: str) -> Narrative:
    section = NarrativeSection.objects.get(survey=report.period.survey, code=code)
    return Narrative.objects.create(report=report, section=section, text=text)


def approve(report: Report) -> Report:
    report.status = Report.Status.APPROVED
    report.save()
    return report


def approved_reports(world: World) -> dict[str, Report]:
    """2020 and 2021 reports: library A approved both years with its stories; B approved in 2020
    only (its 2021 report is submitted); the school has no report for 2021."""
    a20 = approve(report_with(world.library_a, world.periods[2020], users=100, visits=1000, loans=2000, events=10))
    a21 = approve(
        report_with(
            world.library_a, world.periods[2021], users=120, visits=1500, loans=2100, events=12,
            events_inperson=8, events_virtual=4,
        )
    )  # fmt: skip
    approve(report_with(world.library_b, world.periods[2020], users=50, visits=400, loans=900, events=5))
    b21 = report_with(world.library_b, world.periods[2021], users=55, visits=450, loans=950, events=6)
    b21.status = Report.Status.SUBMITTED
    b21.save()
    narrate(a21, "success_story", "Sedā mēs **izdarījām** to ar darīšanas metodi: pasaku rīti ģimenēm.")
    narrate(a21, "insight", "Izdarīt mēs varam ar darīšanas metodi.")
    narrate(a21, "pandemic", "Grāmatas izsniedzām pie durvīm.")
    narrate(b21, "insight", "Neapstiprināta atziņa.")
    Activity.objects.create(report=a21, title="Pasaku rīts", date=dt.date(2021, 3, 1), mode=Activity.Mode.VIRTUAL)
    return {"a20": a20, "a21": a21, "b21": b21}


def photo(report: Report, consent: bool = True, alt: str = "Lasītāji pie plaukta") -> Photo:
    return Photo.objects.create(report=report, image=jpeg(), thumbnail=jpeg(), alt_text=alt, consent=consent)


def make_seminar(world: World, actor, *, days: int = 10, year: int = 2021, **fields) -> Seminar:
    fields.setdefault("title", "Mana bibliotēka 2021. gadā")
    fields.setdefault("meeting_url", "https://meet.example.org/testa")
    start = timezone.now().replace(hour=8, minute=0, second=0, microsecond=0) + dt.timedelta(days=days)
    return services.create_seminar(actor, world.network, year=year, starts_at=start, **fields)
