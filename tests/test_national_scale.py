"""National scale (issue 18 item 5): the network map is kept between requests while the map
stands, and every fast path gives what the slow one gave. The map cache is on in these tests
(conftest turns the figures caches off); the ones that need commits use a transactional database."""

from __future__ import annotations

import datetime as dt

import pytest
from django.db import connection, transaction
from django.db.models import Q
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from parskats.accounts import access
from parskats.accounts.models import Role
from parskats.network import timeline
from parskats.network.models import Membership, Network, OrgUnit
from parskats.network.timeline import Hierarchy, active_on, hierarchy, move_unit, network_map
from parskats.reporting.models import ReportingPeriod

from .conftest import client_for
from .factories import REFORM, build_world, give_role, link, unit, user
from .test_roles_over_parts import country  # noqa: F401  (the fixture)
from .test_stats_like_for_like import history  # noqa: F401  (the fixture)

START = dt.date(2015, 1, 1)


@pytest.fixture
def map_cache(settings):
    settings.FIGURES_CACHE_ENTRIES = 32
    timeline.forget_maps()
    yield
    timeline.forget_maps()


def reference_hierarchy(network_id: int, on: dt.date) -> Hierarchy:
    """The tree as `hierarchy` built it before the map cache: its own two queries for that date."""
    units = {
        u.pk: u
        for u in OrgUnit.objects.filter(network_id=network_id)
        .filter(Q(opened_on__isnull=True) | Q(opened_on__lte=on))
        .filter(Q(closed_on__isnull=True) | Q(closed_on__gte=on))
    }
    links = Membership.objects.filter(active_on(on), child__network_id=network_id).values_list("child_id", "parent_id")
    return Hierarchy(on=on, units=units, parent_of={c: p for c, p in links if c in units and p in units})


def reference_ever_in_parts(user_, network: Network) -> set[int]:
    """`_ever_in_parts` before: the days asked from every link of the network, each tree afresh."""
    roots = access.part_roots(user_, network)
    if not roots:
        return set()
    days = {timezone.localdate()}
    for start, end in Membership.objects.filter(child__network=network).values_list("valid_from", "valid_to"):
        days.update({start} | ({end} if end else set()))
    found: set[int] = set()
    for on in days:
        tree = reference_hierarchy(network.pk, on)
        for root in roots:
            if root in tree.units:
                found.add(root)
                found.update(u.pk for u in tree.descendants(root))
    return found


DATES = [START, REFORM - dt.timedelta(days=1), REFORM, dt.date(2021, 12, 31), dt.date(2022, 6, 30), dt.date(2030, 1, 1)]


@pytest.mark.django_db
@pytest.mark.parametrize("cached", [False, True])
def test_the_cached_tree_is_the_tree_of_its_date(world, settings, cached):
    settings.FIGURES_CACHE_ENTRIES = 32 if cached else 0
    timeline.forget_maps()
    for on in DATES:
        for _twice in range(2):
            got, want = hierarchy(world.network, on), reference_hierarchy(world.network.pk, on)
            assert set(got.units) == set(want.units), on
            assert got.parent_of == want.parent_of, on


@pytest.mark.django_db
def test_ever_in_parts_is_what_it_was(country, map_cache):  # noqa: F811
    net = country["network"]
    for person in country["people"].values():
        assert access._ever_in_parts(person, net) == reference_ever_in_parts(person, net)


def test_ever_in_parts_reads_no_links_once_the_map_is_kept(transactional_db, country, map_cache):  # noqa: F811
    # Committed (a transactional database): a map changed in an open transaction is not kept.
    net, person = country["network"], country["people"]["latgale"]
    access._ever_in_parts(person, net)
    with CaptureQueriesContext(connection) as queries:
        access._ever_in_parts(person, net)
    assert not [q for q in queries if "network_membership" in q["sql"]]


@pytest.fixture
def committed(transactional_db, map_cache):
    return build_world()


def test_the_map_is_kept_until_a_unit_or_link_changes(committed):
    net = committed.network
    first = network_map(net.pk)
    assert network_map(net.pk) is first
    # A number typed into a form moves the figures' counter, not the map's.
    ReportingPeriod.objects.filter(network=net).first().save()
    assert network_map(net.pk) is first
    move_unit(committed.library_b, committed.valmiera, dt.date(2022, 1, 1))
    moved = network_map(net.pk).at(dt.date(2022, 12, 31))
    assert moved.parent(committed.library_b.pk) == committed.valmiera


def test_a_rolled_back_move_is_never_kept(committed):
    net, on = committed.network, dt.date(2022, 12, 31)
    network_map(net.pk).at(on)
    with pytest.raises(RuntimeError), transaction.atomic():
        move_unit(committed.library_b, committed.valmiera, dt.date(2022, 1, 1))
        assert network_map(net.pk).at(on).parent(committed.library_b.pk) == committed.valmiera  # seen inside
        raise RuntimeError
    assert network_map(net.pk).at(on).parent(committed.library_b.pk) == committed.valka
    assert network_map(net.pk).at(on).parent(committed.library_b.pk) == committed.valka  # and when kept


def test_a_move_is_on_the_libraries_page_at_the_next_request(committed):
    net = committed.network
    methodologist = user("metodikis@example.org")
    give_role(methodologist, net, Role.Kind.ADMIN)
    client = client_for(methodologist)
    url = reverse("network:libraries", args=[net.slug]) + "?year=2021&county=valmiera"
    assert "Ērģemes" not in client.get(url).content.decode()
    move_unit(committed.library_b, committed.valmiera, dt.date(2021, 8, 1))
    assert "Ērģemes" in client.get(url).content.decode()


def generated(libraries: int) -> tuple[Network, OrgUnit]:
    """A small generated network: one region, three counties, `libraries` libraries among them."""
    from .factories import build_world  # noqa: F401  (the catalogue is loaded by the world fixture)

    net = Network.objects.create(name=f"Tīkls {libraries}", slug=f"tikls-{libraries}")
    region = unit(net, "r", OrgUnit.Level.REGION, "Reģions")
    counties = [unit(net, f"c{i}", OrgUnit.Level.COUNTY, f"Novads {i}") for i in range(3)]
    for county in counties:
        link(county, region, START)
    for i in range(libraries):
        library = unit(net, f"l{i}", OrgUnit.Level.LIBRARY, f"Bibliotēka {i:03d}", OrgUnit.LibraryType.PUBLIC)
        link(library, counties[i % 3], START)
    ReportingPeriod.objects.create(
        network=net, survey=build_world_survey(), year=2022, opens_on=dt.date(2023, 1, 2), deadline=dt.date(2023, 2, 1)
    )
    return net, counties[0]


def build_world_survey():
    from parskats.catalogue.models import Survey

    return Survey.objects.get(code="lv-annual")


@pytest.mark.django_db
@pytest.mark.parametrize("as_coordinator", [False, True])
def test_one_countys_libraries_take_the_same_queries_for_any_size(world, map_cache, as_coordinator):
    counts = []
    for size in (6, 60):
        net, county = generated(size)
        person = user(f"p{size}{as_coordinator}@example.org")
        give_role(person, net, Role.Kind.ADMIN, county if as_coordinator else None)
        client = client_for(person)
        url = reverse("network:libraries", args=[net.slug]) + f"?year=2022&county={county.code}"
        client.get(url)
        with CaptureQueriesContext(connection) as queries:
            response = client.get(url)
        assert response.status_code == 200
        assert response.content.decode().count("Bibliotēka ") >= size // 3
        counts.append(len(queries))
    assert counts[0] == counts[1], counts


@pytest.mark.django_db
def test_a_large_countys_libraries_come_a_page_at_a_time_and_every_one_on_some_page(world, map_cache):
    import re

    from parskats.site.libraries_views import PAGE_ROWS

    net, county = generated(3 * (PAGE_ROWS + 10))
    person = user("lapas@example.org")
    give_role(person, net, Role.Kind.ADMIN)
    client = client_for(person)
    url = reverse("network:libraries", args=[net.slug]) + f"?year=2022&county={county.code}"
    names = []
    for number in (1, 2):
        page = client.get(url + f"&lapa={number}").content.decode()
        names += re.findall(r">(Bibliotēka \d+)</a>", page)
        assert "no 110" in page  # the total counts them all
    want = sorted(u.name for u in OrgUnit.objects.filter(network=net, level=OrgUnit.Level.LIBRARY, code__regex=r"^l"))
    in_county = [n for n in want if int(n.split()[1]) % 3 == 0]
    assert names == in_county


def reference_measure_pairs(current, previous, top: str, bottom: str, ids):
    """The libraries `_measure_change` matched before it read each table's pairs once."""
    from parskats.stats.tally import RUN_ESTIMATE

    matched = []
    for pk in ids:
        found = (
            current.inputs.get(pk, {}).get(top),
            current.inputs.get(pk, {}).get(bottom),
            previous.inputs.get(pk, {}).get(top),
            previous.inputs.get(pk, {}).get(bottom),
        )
        own = all(v is not None and v.code == "num" and v.number is not None and v.flag != RUN_ESTIMATE for v in found)
        if own and found[1].number and found[3].number:
            matched.append(tuple(found))
    return matched


@pytest.mark.django_db
def test_kept_changes_and_measure_pairs_equal_the_ones_computed_afresh(history):  # noqa: F811
    from parskats.stats.aggregate import Scope, aggregate_years, indicator_by_concept
    from parskats.stats.compare import _pairs, _year_change, year_change
    from parskats.stats.measures import measures
    from parskats.stats.performance import add_measures

    tables = aggregate_years(history.network, history.survey, [2019, 2020, 2021, 2022], Scope(group_by="county"))
    for table in tables.values():
        add_measures(table)
    pairs = [(tables[2021], tables[2020]), (tables[2022], tables[2021]), (tables[2022], tables[2019])]
    codes = [i.code for i in tables[2022].indicators] + [m.code for m in measures()]
    compared = 0
    for current, previous in pairs:
        for row_key in ["total", *(row.key for row in current.rows)]:
            for code in codes:
                first = year_change(current, previous, code, row_key)
                assert year_change(current, previous, code, row_key) is first  # kept
                assert first == _year_change(current, previous, code, row_key), (code, row_key)
        for measure in measures():
            top = indicator_by_concept(current.indicators, measure.numerator)
            bottom = indicator_by_concept(current.indicators, measure.denominator)
            if top is None or bottom is None:
                continue
            ids = current.total.library_ids
            now, then = _pairs(current, top.code, bottom.code), _pairs(previous, top.code, bottom.code)
            fast = [now[pk] + then[pk] for pk in ids if pk in now and pk in then]
            assert fast == reference_measure_pairs(current, previous, top.code, bottom.code, ids)
            compared += len(fast)
    assert compared  # some library gave both numbers of a measure in both years
