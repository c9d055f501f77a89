"""The demo seminar "Mana bibliotēka 2020. gadā" (online, 5 March 2021) with its agenda and a guest.
The libraries' stories, insights and activities its deck shows come with the demo reports
(`reporting.demo_texts`). Idempotent: a second run creates nothing."""

from __future__ import annotations

import datetime as dt

from django.db import transaction
from django.utils import translation

from parskats.accounts.models import Role
from parskats.network.models import Network

from .agenda import RIGA, proposed_items
from .models import AgendaItem, Guest, Seminar

TITLE = "Mana bibliotēka 2020. gadā"
YEAR = 2020


@transaction.atomic
def load_seminar_demo(network: Network) -> Seminar | None:
    if not Role.objects.filter(network=network, kind=Role.Kind.ADMIN).exists():
        return None
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
