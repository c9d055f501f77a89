"""Demo news for the demo network: the seminar article in the style of the source, with its one
reader comment, and a few more articles (one scheduled, one draft). Names are invented.
Running it again creates nothing new."""

from __future__ import annotations

import datetime as dt
import io
from typing import Any
from zoneinfo import ZoneInfo

from django.core.files.base import ContentFile
from django.db import transaction

from parskats.network.models import Network

from .articles import tags_for
from .comments import hash_address
from .models import Article, Comment

RIGA = ZoneInfo("Europe/Riga")

SEMINAR_BODY = """5. martā aizvadīts Valkas, Smiltenes un Strenču novada publisko bibliotēku darbinieku \
tiešsaistes seminārs “Mana bibliotēka 2020. gadā”.

Līdz šim bija ierasts, ka reģiona bibliotekāri, atskaites periodam noslēdzoties, tiekas kopīgā seminārā, \
lai prezentētu paveikto un dalītos pieredzē. Šobrīd virtuālas tikšanās ir ikdienas darba forma, un šis \
bija pirmais reģiona kopējais tiešsaistes seminārs.

Valkas novada Centrālā bibliotēka veic reģiona galvenās bibliotēkas funkcijas un ir koordinējošais \
metodiskais centrs **20 publiskajām un 13 izglītības iestāžu bibliotēkām**.

## Kopējie rādītāji un veiksmes stāsti

Semināra ievadā metodiķe Inese Parauga iepazīstināja kolēģes ar reģiona kopējiem skaitliskajiem \
rādītājiem par 2020. gadu. Pēc tam katras bibliotēkas pārstāvis prezentēja:

- bibliotēkas veiksmes stāstu;
- pieredzi par darbu Covid-19 pandēmijas laikā;
- aktivitātes klātienē un virtuāli.

Semināra laikā gūtas vairākas vērtīgas atziņas. Viena no tām:

> Izdarīt mēs varam ar darīšanas metodi.

Savām kolēģēm novēlu izmantot darīšanas metodi ikdienas darbā, būt aktīvām un pamanāmām!

*Demonstrācijas raksts: personas un skaitļi ir izdomāti.*
"""

ARTICLES: list[dict[str, Any]] = [
    {
        "slug": "valkas-regiona-bibliotekaru-tiksanas-tiessaiste",
        "title": "Valkas reģiona bibliotekāru tikšanās tiešsaistē",
        "lead": "Reģiona bibliotēku seminārā “Mana bibliotēka 2020. gadā” katra bibliotēka dalījās savā "
        "veiksmes stāstā.",
        "body": SEMINAR_BODY,
        "signature": "Māra Parauga\nValkas novada Centrālās bibliotēkas direktore",
        "publish_at": dt.datetime(2021, 3, 5, 14, 0, tzinfo=RIGA),
        "status": Article.Status.PUBLISHED,
        "tags": ["seminārs", "2020. gads", "Valkas novads"],
        "comments": [("Lasītāja", "Malači!", dt.datetime(2021, 3, 5, 15, 42, tzinfo=RIGA))],
    },
    {
        "slug": "bibliotekas-atsak-darbu-klatiene",
        "title": "Bibliotēkas atsāk darbu klātienē",
        "lead": "No jūnija reģiona bibliotēkās atkal var apmeklēt pasākumus klātienē.",
        "body": "Reģiona bibliotēkas atsāk apmeklētāju apkalpošanu klātienē, ievērojot drošības prasības.\n\n"
        "Sekojiet savas bibliotēkas jaunumiem!\n\n*Demonstrācijas raksts.*",
        "signature": "Inese Parauga\nmetodiķe",
        "publish_at": dt.datetime(2021, 6, 1, 9, 0, tzinfo=RIGA),
        "status": Article.Status.PUBLISHED,
        "tags": ["Valkas novads"],
        "comments": [],
    },
    {
        "slug": "mana-biblioteka-2022-gada",
        "title": "Seminārs “Mana bibliotēka 2022. gadā”",
        "lead": "Reģiona bibliotēku gada seminārs notiks klātienē Valkā.",
        "body": "Aicinām reģiona bibliotekārus uz gada semināru, kurā iepazīsimies ar 2022. gada rādītājiem "
        "un bibliotēku veiksmes stāstiem.\n\n*Demonstrācijas raksts.*",
        "signature": "Inese Parauga\nmetodiķe",
        "publish_at": dt.datetime(2023, 2, 20, 10, 0, tzinfo=RIGA),
        "status": Article.Status.PUBLISHED,
        "tags": ["seminārs", "2022. gads"],
        "comments": [],
    },
    {
        "slug": "gada-parskats-melnraksts",
        "title": "Reģiona gada pārskats (melnraksts)",
        "lead": "",
        "body": "Teksts top.",
        "signature": "",
        "publish_at": None,
        "status": Article.Status.DRAFT,
        "tags": [],
        "comments": [],
    },
]


@transaction.atomic
def load_news_demo(network: Network) -> None:
    load_story_demo(network)
    for spec in ARTICLES:
        if Article.objects.filter(slug=spec["slug"]).exists():
            continue
        article = Article.objects.create(
            network=network,
            slug=spec["slug"],
            title=spec["title"],
            lead=spec["lead"],
            body=spec["body"],
            signature=spec["signature"],
            publish_at=spec["publish_at"],
            status=spec["status"],
        )
        article.tags.set(tags_for(spec["tags"]))
        for name, text, at in spec["comments"]:
            Comment.objects.create(
                article=article,
                name=name,
                text=text,
                created_at=at,
                status=Comment.Status.APPROVED,
                address_hash=hash_address("demo"),
            )


# Success stories (invented) for a few approved 2020 reports, so that /stasti/ has something to show
# until the reporting demo fills narratives in; existing narratives are never touched.
STORIES = {
    "jerceni": "Pandēmijas gadā mēs sapratām, ka **izdarīt mēs varam ar darīšanas metodi**: grāmatas "
    "vedām lasītājiem uz mājām, bet pagasta bērni rīta stundās klausījās pasakas tiešsaistē.\n\n"
    "Gada beigās pasaku rītos bija piedalījušies 26 bērni. *(Izdomāts demonstrācijas stāsts.)*",
    "bilska": "Tas, cik populāra būs bibliotēka, ir atkarīgs no tā, cik aktīvs ir pats bibliotekārs. "
    "Rudenī kopā ar skolu izveidojām novadpētniecības izstādi par pagasta mājām, un to apmeklēja "
    "arī tie, kuri bibliotēkā nebija bijuši gadiem. *(Izdomāts demonstrācijas stāsts.)*",
    "seda": "Sedas bibliotēka uzsāka digitālo prasmju konsultācijas senioriem: 40 konsultācijās "
    "iemācījāmies pieteikties e-pakalpojumiem un sazināties ar tuviniekiem video zvanos. "
    "*(Izdomāts demonstrācijas stāsts.)*",
}


def _demo_picture(colour: tuple[int, int, int], size: tuple[int, int]) -> ContentFile:
    from PIL import Image, ImageDraw

    picture = Image.new("RGB", size, (244, 246, 249))
    draw = ImageDraw.Draw(picture)
    w, h = size
    draw.rectangle((w // 8, h // 3, w * 7 // 8, h * 7 // 8), fill=colour)  # a shelf
    for n in range(12):
        x = w // 8 + 8 + n * (w * 3 // 4 - 16) // 12
        draw.rectangle((x, h // 3 - 60 + (n % 3) * 10, x + 18, h // 3), fill=(31 + n * 12, 95, 153 - n * 6))
    buffer = io.BytesIO()
    picture.save(buffer, "JPEG", quality=80)
    return ContentFile(buffer.getvalue(), name="demo.jpg")


@transaction.atomic
def load_story_demo(network: Network) -> None:
    from parskats.catalogue.models import NarrativeSection
    from parskats.reporting.models import Narrative, Photo, Report

    for code, text in STORIES.items():
        report = Report.objects.filter(
            unit__network=network, unit__code=code, period__year=2020, status=Report.Status.APPROVED
        ).first()
        section = NarrativeSection.objects.filter(code="success_story").first()
        if report is None or section is None or report.period.survey_id != section.survey_id:
            continue
        Narrative.objects.get_or_create(report=report, section=section, defaults={"text": text})
        if code == "jerceni" and not report.photos.exists():
            # One photo with consent (public) and one without (stays inside the report).
            for consent, alt in ((True, "Bibliotēkas plaukts ar bērnu grāmatām"), (False, "Pasaku rīta dalībnieki")):
                Photo.objects.create(
                    report=report,
                    image=_demo_picture((120, 72, 40), (960, 640)),
                    thumbnail=_demo_picture((120, 72, 40), (240, 160)),
                    alt_text=alt,
                    caption="Pasaku rīts Jērcēnos (demonstrācijas attēls)" if consent else "",
                    consent=consent,
                    credit="Demo" if consent else "",
                )
