"""Memberships over time: the 2021 reform moves library A from Strenči to Valmiera county."""

import datetime as dt

import pytest
from django.core.exceptions import ValidationError

from parskats.network.models import Membership, OrgUnit
from parskats.network.timeline import ancestry, hierarchy, libraries_in, move_unit, units_under

from .factories import REFORM, link, unit


def names(units):
    return sorted(u.name for u in units)


def test_libraries_in_county_follow_the_reform(world):
    assert names(libraries_in(world.strenci, 2020)) == ["Sedas bibliotēka"]
    assert libraries_in(world.strenci, 2021) == []  # the county no longer exists at the end of 2021
    assert libraries_in(world.valmiera, 2020) == []
    assert names(libraries_in(world.valmiera, 2021)) == ["Sedas bibliotēka"]
    assert names(libraries_in(world.valka, 2021)) == ["Valkas pamatskolas bibliotēka", "Ērģemes pagasta bibliotēka"]


def test_region_keeps_every_library_across_the_reform(world):
    for year in (2019, 2020, 2021, 2022):
        assert len(libraries_in(world.region, year)) == 3
    assert names(libraries_in(world.region, 2021, library_type="school")) == ["Valkas pamatskolas bibliotēka"]


def test_where_is_a_library_on_the_day_before_and_the_day_of_the_reform(world):
    assert [u.name for u in ancestry(world.library_a, REFORM - dt.timedelta(days=1))] == [
        "Strenču novads",
        "Testa reģions",
    ]
    assert [u.name for u in ancestry(world.library_a, REFORM)] == ["Valmieras novads", "Testa reģions"]
    assert ancestry(world.library_a)[0] == world.valmiera  # today


def test_hierarchy_is_loaded_in_a_fixed_number_of_queries(world, django_assert_num_queries):
    with django_assert_num_queries(2):
        tree = hierarchy(world.network, dt.date(2020, 12, 31))
        assert tree.ancestor_at_level(world.library_a.pk, OrgUnit.Level.COUNTY) == world.strenci


def test_move_unit_closes_the_old_link_the_day_before(world):
    move_unit(world.library_b, world.valmiera, dt.date(2023, 1, 1))
    links = list(Membership.objects.filter(child=world.library_b).order_by("valid_from"))
    assert [(m.parent.code, m.valid_to) for m in links] == [("valka", dt.date(2022, 12, 31)), ("valmiera", None)]
    assert names(libraries_in(world.valka, 2022)) == ["Valkas pamatskolas bibliotēka", "Ērģemes pagasta bibliotēka"]
    assert names(libraries_in(world.valmiera, 2023)) == ["Sedas bibliotēka", "Ērģemes pagasta bibliotēka"]


def test_move_unit_to_the_same_parent_changes_nothing(world):
    before = Membership.objects.count()
    move_unit(world.library_b, world.valka, dt.date(2023, 1, 1))
    assert Membership.objects.count() == before


def test_overlapping_memberships_are_refused(world):
    overlapping = Membership(child=world.library_a, parent=world.valka, valid_from=dt.date(2021, 1, 1))
    with pytest.raises(ValidationError, match="jau ir augstāka vienība"):
        overlapping.full_clean()


def test_end_before_start_is_refused(world):
    backwards = Membership(
        child=world.school, parent=world.valmiera, valid_from=dt.date(2030, 1, 1), valid_to=dt.date(2029, 1, 1)
    )
    with pytest.raises(ValidationError):
        backwards.full_clean()


def test_parent_in_another_network_is_refused(world):
    foreign = Membership(child=world.other_library, parent=world.valka, valid_from=dt.date(2030, 1, 1))
    with pytest.raises(ValidationError, match="pieder citam tīklam"):
        foreign.full_clean()


def test_branches_are_below_their_library_but_not_counted_as_libraries(world):
    branch = unit(world.network, "birzuli", OrgUnit.Level.BRANCH, "Birzuļu bibliotēka", OrgUnit.LibraryType.PUBLIC)
    link(branch, world.library_b, dt.date(2015, 1, 1))
    on = dt.date(2021, 12, 31)
    assert branch in units_under(world.valka, on)
    assert branch not in libraries_in(world.valka, 2021)
    assert [u.code for u in ancestry(branch, on)] == ["ergeme", "valka", "region"]


def test_a_cycle_in_the_data_does_not_hang_the_walk(world):
    link(world.region, world.library_b, dt.date(2015, 1, 1))
    tree = hierarchy(world.network, dt.date(2020, 1, 1))
    assert len(tree.ancestors(world.library_b.pk)) == 2
