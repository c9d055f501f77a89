"""Demo news for the demo network: the seminar article in the style of the source, with its one
reader comment, and a few more articles (one scheduled, one draft). Names are invented.
Running it again creates nothing new."""

from __future__ import annotations

import datetime as dt
from typing import Any
from zoneinfo import ZoneInfo

from django.db import transaction

from parskats.network.models import Network

from .articles import tags_for
from .comments import hash_address
from .models import Article, Comment

RIGA = ZoneInfo("Europe/Riga")

SEMINAR_BODY = """5. martā aizvadīts Valkas, Smiltenes un Strenču novada publisko bibliotēku darbinieku \
tiešsaistes seminārs „Mana bibliotēka 2020. gadā“.

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
        "lead": "Reģiona bibliotēku seminārā „Mana bibliotēka 2020. gadā“ katra bibliotēka dalījās savā "
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
        "title": "Seminārs „Mana bibliotēka 2022. gadā“",
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
