"""The demo seminar "Mana bibliotēka 2020. gadā" (online, 5 March 2021) with its agenda, a guest,
and invented insights, stories, pandemic notes and activities for the approved 2020 reports that
have none yet, so that the deck has something to show. Idempotent: a second run creates nothing."""

from __future__ import annotations

import datetime as dt
import random

from django.db import transaction
from django.utils import translation

from parskats.accounts.models import Role
from parskats.catalogue.models import NarrativeSection
from parskats.network.models import Network
from parskats.reporting.models import Activity, Narrative, Report

from .agenda import RIGA, proposed_items
from .models import AgendaItem, Guest, Seminar

TITLE = "Mana bibliotēka 2020. gadā"
YEAR = 2020
INVENTED = " *(Izdomāts demonstrācijas teksts.)*"

INSIGHTS = [
    "Izdarīt mēs varam ar darīšanas metodi.",
    "Bibliotēka ir tik dzīva, cik aktīvs ir pats bibliotekārs.",
    "Attālināti var būt arī tuvu — ja lasītājs zina, ka viņu gaida.",
    "Grāmata uz sliekšņa ir tas pats apmeklējums, tikai ar mazāku troksni.",
    "Senioriem video zvans nav tehnika, bet satikšanās ar mazbērniem.",
    "Ja durvis ir slēgtas, jāatver logs: mēs atvērām tiešsaistes pasaku rītus.",
    "Mazā pagastā bibliotēka ir arī pasts, konsultants un kafejnīca.",
    "Skolēni atgriezās pie grāmatām, kad grāmatas atnāca pie viņiem.",
]
STORIES = [
    "Rudenī kopā ar skolu un pagasta pārvaldi sarīkojām novadpētniecības izstādi par pagasta mājām un "
    "to iemītniekiem. Izstādi apmeklēja arī tie, kuri bibliotēkā nebija bijuši gadiem, un vairāki atnesa "
    "savas vecās fotogrāfijas, ko digitalizējām.",
    "Pavasarī, kad bibliotēka bija slēgta, ieviesām grāmatu piegādi mājās un izsniegšanu pie durvīm. "
    "Lasītāji grāmatas pasūtīja pa tālruni, un nedēļā mēs izvadājām vidēji 30 sūtījumus.",
    "Izveidojām bibliotēkas lapu sociālajos tīklos un katru nedēļu publicējām grāmatu ieteikumus, "
    "konkursus un novadpētniecības stāstus. Sekotāju skaits gada laikā pieauga trīs reizes.",
    "Kopā ar jauniešu centru rīkojām digitālo prasmju nodarbības senioriem: mācījāmies pieteikties "
    "e-pakalpojumiem, lietot internetbanku un sazināties ar tuviniekiem video zvanos.",
]
PANDEMIC = [
    "Ierobežojumu laikā bibliotēka bija slēgta apmeklētājiem, bet izsniedza grāmatas pie durvīm. "
    "Pasākumus pārcēlām tiešsaistē; tiešsaistes pasaku rītus saglabāsim arī turpmāk.",
    "Strādājām attālināti: konsultējām pa tālruni un e-pastu, bet grāmatu izsniegšana notika pēc "
    "iepriekšēja pieteikuma. Apmeklējumu skaits saruka, virtuālo apmeklējumu skaits pieauga.",
]
ACTIVITIES = [
    ("Pasaku rīts", Activity.Mode.VIRTUAL),
    ("Dzejas dienas lasījumi", Activity.Mode.IN_PERSON),
    ("Grāmatu izstāde „Mūsu pagasta mājas“", Activity.Mode.IN_PERSON),
    ("Tikšanās ar rakstnieci tiešsaistē", Activity.Mode.VIRTUAL),
    ("Digitālo prasmju nodarbība senioriem", Activity.Mode.HYBRID),
]
# One story far longer than a slide, to show how the deck shortens it with a link to the full text.
LONG_STORY_LIBRARY = "valka"


def _fill_reports(network: Network) -> None:
    sections = {s.code: s for s in NarrativeSection.objects.filter(code__in=["success_story", "insight", "pandemic"])}
    reports = Report.objects.filter(
        period__network=network, period__year=YEAR, status=Report.Status.APPROVED
    ).select_related("unit", "period")
    for report in reports.order_by("unit__code"):
        rng = random.Random(f"seminar|{report.unit.code}")
        texts = {
            "insight": rng.choice(INSIGHTS),
            "success_story": rng.choice(STORIES) + INVENTED,
            "pandemic": rng.choice(PANDEMIC) + INVENTED,
        }
        if report.unit.code == LONG_STORY_LIBRARY:
            texts["success_story"] = "\n\n".join(STORIES) + INVENTED
        for code, text in texts.items():
            section = sections.get(code)
            if section is not None and section.survey_id == report.period.survey_id:
                Narrative.objects.get_or_create(report=report, section=section, defaults={"text": text})
        if not report.activities.exists():
            for title, mode in rng.sample(ACTIVITIES, 3):
                Activity.objects.create(
                    report=report,
                    title=title,
                    date=dt.date(YEAR, rng.randint(1, 12), rng.randint(1, 28)),
                    mode=mode,
                    attendance=rng.randint(6, 40),
                )


@transaction.atomic
def load_seminar_demo(network: Network) -> Seminar | None:
    if not Role.objects.filter(network=network, kind=Role.Kind.ADMIN).exists():
        return None
    _fill_reports(network)
    seminar = Seminar.objects.filter(network=network, title=TITLE).first()
    if seminar is not None:
        return seminar
    admin = Role.objects.filter(network=network, kind=Role.Kind.ADMIN).select_related("user").first()
    seminar = Seminar.objects.create(
        network=network,
        title=TITLE,
        year=YEAR,
        starts_at=dt.datetime(2021, 3, 5, 10, 0, tzinfo=RIGA),
        meeting_url="https://meet.example.org/valka-2020",
        slot_minutes=5,
        visibility=Seminar.Visibility.PUBLIC,
        created_by=admin.user if admin else None,
    )
    Guest.objects.create(
        seminar=seminar,
        name="Vita Parauga",
        role="Novada domes izglītības un kultūras nodaļas vadītāja",
        email="viesis@example.org",
    )
    with translation.override("lv"):  # the agenda's titles are stored in the seminar's language
        AgendaItem.objects.bulk_create(proposed_items(seminar))
    return seminar
