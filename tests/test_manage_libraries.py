"""The methodologist adds, renames, closes and moves libraries; bad input changes nothing."""

from __future__ import annotations

import datetime as dt

from parskats.audit.models import AuditEntry
from parskats.network.models import Membership, OrgUnit
from parskats.network.timeline import hierarchy

from .conftest import client_for


def test_add_a_library(world, methodologist):
    client = client_for(methodologist)
    url = f"/n/{world.network.slug}/review/libraries/"
    data = {
        "code": "rauna",
        "name": "Raunas bibliotēka",
        "library_type": "public",
        "county": world.valka.pk,
        "valid_from": "01.07.2021.",
    }
    assert client.post(url, data).status_code == 302
    rauna = OrgUnit.objects.get(network=world.network, code="rauna")
    assert hierarchy(world.network, dt.date(2021, 12, 31)).parent(rauna.pk) == world.valka
    assert rauna.pk not in hierarchy(world.network, dt.date(2021, 6, 30)).parent_of
    assert AuditEntry.objects.filter(target="library:rauna", actor=methodologist).exists()
    # The same code again, a county of another network, a malformed date: refused, nothing added.
    other_county = OrgUnit.objects.create(network=world.other_network, code="x", level="county", name="Cits novads")
    for bad, message in (
        ({**data}, "Citai tīkla vienībai ir šis kods."),
        ({**data, "code": "new", "county": other_county.pk}, "Jāatlasa derīga izvēle."),
        ({**data, "code": "new", "valid_from": "31.02.2021"}, "Jāievada derīgs datums."),
    ):
        response = client.post(url, bad)
        assert response.status_code == 400 and message in response.content.decode(), message
    assert OrgUnit.objects.filter(network=world.network, code="new").count() == 0


def test_rename_close_and_move(world, methodologist):
    client = client_for(methodologist)
    url = f"/n/{world.network.slug}/review/libraries/ergeme/"
    assert client.get(url).status_code == 200
    client.post(url, {"form": "edit", "name": "Ērģemes bibliotēka", "library_type": "public", "closed_on": ""})
    world.library_b.refresh_from_db()
    assert world.library_b.name == "Ērģemes bibliotēka" and world.library_b.closed_on is None
    assert client.post(url, {"form": "move", "county": world.valmiera.pk, "on": "2022-01-01"}).status_code == 302
    links = list(
        Membership.objects.filter(child=world.library_b).order_by("valid_from").values_list("parent__code", "valid_to")
    )
    assert links == [("valka", dt.date(2021, 12, 31)), ("valmiera", None)]
    # Moving again on a day the library already has a link from: refused with a message.
    response = client.post(url, {"form": "move", "county": world.valka.pk, "on": "2022-01-01"})
    assert response.status_code == 400 and "Pārcelšana šajā dienā nav iespējama" in response.content.decode()
    client.post(
        url, {"form": "edit", "name": "Ērģemes bibliotēka", "library_type": "public", "closed_on": "31.12.2023"}
    )
    world.library_b.refresh_from_db()
    assert world.library_b.closed_on == dt.date(2023, 12, 31)


def test_only_the_methodologist(world, reporter_b, viewer, other_methodologist):
    for person in (reporter_b, viewer, other_methodologist):
        client = client_for(person)
        assert client.get(f"/n/{world.network.slug}/review/libraries/").status_code == 404
        response = client.post(
            f"/n/{world.network.slug}/review/libraries/ergeme/", {"form": "edit", "name": "X", "library_type": "public"}
        )
        assert response.status_code == 404
    world.library_b.refresh_from_db()
    assert world.library_b.name == "Ērģemes pagasta bibliotēka"
    assert client_for(None).get(f"/n/{world.network.slug}/review/libraries/").status_code == 302
