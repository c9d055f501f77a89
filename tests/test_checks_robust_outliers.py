"""The peer-group check is robust: a value is far from its peers when it lies outside the median ±
k × MAD of the libraries of the same type and size class (catalogue/data/peers.toml), and at least 50
from their median, so a small library going from 3 to 16 is not flagged where "five times the
median" flagged it."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest

from parskats.catalogue.peers import Outliers, fences, size_class
from parskats.network.models import OrgUnit, PopulationServed
from parskats.reporting.checks import run_checks

from .factories import link, report_with, unit


def peer_flags(report) -> list[str]:
    return [r.field for r in run_checks(report) if r.code == "peer-group"]


@pytest.fixture
def peers(world):
    """Five small public libraries (population 1 500, loans 3 000–4 000) and five large ones
    (population 30 000, loans 40 000–60 000) in 2021."""
    made = {}
    small = [(1500, 3000), (1500, 3200), (1500, 3500), (1500, 3700), (1500, 4000)]
    large = [(30000, 40000), (30000, 45000), (30000, 50000), (30000, 55000), (30000, 60000)]
    for n, (persons, loans) in enumerate([*small, *large]):
        library = unit(world.network, f"l{n}", OrgUnit.Level.LIBRARY, f"Bibliotēka {n}", OrgUnit.LibraryType.PUBLIC)
        link(library, world.valka, dt.date(2015, 1, 1))
        PopulationServed.objects.create(unit=library, year=2021, persons=persons)
        made[n] = report_with(library, world.periods[2021], loans=loans)
    return made


def new_library(world, code: str, persons: int, **values) -> object:
    library = unit(world.network, code, OrgUnit.Level.LIBRARY, code.title(), OrgUnit.LibraryType.PUBLIC)
    link(library, world.valka, dt.date(2015, 1, 1))
    PopulationServed.objects.create(unit=library, year=2021, persons=persons)
    return report_with(library, world.periods[2021], **values)


def test_far_from_its_size_class_is_flagged_and_near_is_not(world, peers):
    # Among the small libraries (loans 3 000–4 000; on the log scale the fences are about 2 200–5 600):
    # 20 000 is far.
    assert peer_flags(new_library(world, "liela", 1500, loans=20000)) == ["loans"]
    assert peer_flags(new_library(world, "parasta", 1600, loans=4200)) == []
    # 40 000 in a large library's class is low, but within its fences (about 28 800–86 800).
    assert peer_flags(new_library(world, "pilseta", 31000, loans=40000)) == []
    # (Under the former "five times the median of every public library", 27 500 here, 20 000 in a
    # small library passed unnoticed.)


def test_a_small_change_in_a_small_library_is_not_flagged(world):
    """Five tiny libraries with 3 events each: 16 is outside any fence of a group with no spread,
    and more than five times the median, but only 13 more: no flag."""
    for n in range(5):
        library = unit(world.network, f"m{n}", OrgUnit.Level.LIBRARY, f"Maza {n}", OrgUnit.LibraryType.PUBLIC)
        link(library, world.valka, dt.date(2015, 1, 1))
        PopulationServed.objects.create(unit=library, year=2021, persons=300)
        report_with(library, world.periods[2021], loans=3)
    assert peer_flags(new_library(world, "mazina", 300, loans=16)) == []
    assert peer_flags(new_library(world, "lielaka", 300, loans=200)) == ["loans"]


def test_the_fences_by_hand():
    mad = Outliers("mad", Decimal("3.5"), 5, "linear")
    found = fences([Decimal(n) for n in (3000, 3200, 3500, 3700, 4000)], mad)
    # median 3 500; deviations 500, 300, 0, 200, 500 → MAD 300 × 1.4826 = 444.78; × 3.5 = 1 556.73.
    assert (found.median, found.low, found.high, found.peers) == (3500, Decimal("1943.270"), Decimal("5056.730"), 5)
    quartiles = fences([Decimal(n) for n in (1, 2, 3, 4, 5)], Outliers("quartiles", Decimal(1), 5, "linear"))
    assert (quartiles.low, quartiles.high) == (0, 6)  # Q1 2, Q3 4, IQR 2
    # On the log scale the fences are ratios: ln(1 + x) of 99, 199, 399, 799, 1599 are ln 100 … ln 1600,
    # evenly spaced by ln 2; median ln 400, MAD ln 2 → × or ÷ 2^(3.5 × 1.4826) ≈ 36.5.
    ratios = fences([Decimal(n) for n in (99, 199, 399, 799, 1599)], Outliers("mad", Decimal("3.5"), 5, "log"))
    assert round(ratios.high) == round(400 * 2 ** (3.5 * 1.4826)) - 1 and round(ratios.low) == 10
    assert fences([Decimal(1)] * 4, mad) is None  # fewer than 5 peers: no fences
    assert (size_class(None), size_class(999), size_class(1000), size_class(10**7)) == ("?", "0", "1", "8")
