"""A reporting year that is not a calendar year, stored on the network: England's 2024 is
1 April 2023 – 31 March 2024, and the tree, the figures and the timeline see it on 31 March 2024;
calendar-year networks keep 1 January – 31 December (their tests are the rest of the suite)."""

from __future__ import annotations

import datetime as dt
from io import StringIO
from pathlib import Path

import pytest
from django.core.exceptions import ValidationError
from django.core.management import call_command
from django.utils import translation

from parskats.accounts.models import Role, User
from parskats.network.models import Membership, Network, OrgUnit
from parskats.network.timeline import hierarchy, libraries_in, year_end
from parskats.pls.importer import remove_year
from parskats.pls.neutral import ImportFailed, import_survey
from parskats.reporting.models import ReportingPeriod
from parskats.stats.aggregate import OFF_MAP, Scope, aggregate

from .test_pls_neutral import CONFIG, FILES
from .test_pls_safety import digest

pytestmark = pytest.mark.django_db
D = dt.date


@pytest.fixture(autouse=True)
def _english():
    with translation.override("en"):
        yield


def year_2025(tmp_path: Path) -> list[Path]:
    """The next financial year: Example Hill Library is gone, every count a year later."""
    folder = tmp_path / "2025"
    folder.mkdir()
    libraries = [line for line in FILES[0].read_text().splitlines() if "Example Hill" not in line]
    (folder / "libraries.csv").write_text("\n".join(libraries) + "\n")
    visits = []
    for line in FILES[1].read_text().splitlines():
        if "Example Hill" in line:
            continue
        visits.append(line.replace(",2024-", ",2025-").replace(",2023-", ",2024-"))
    (folder / "physical_visits.csv").write_text("\n".join(visits) + "\n")
    return [folder / "libraries.csv", folder / "physical_visits.csv"]


def england() -> Network:
    return Network.objects.get(slug="en-librarydata")


def library_names(tree_units: list[OrgUnit]) -> list[str]:
    return sorted(u.name for u in tree_units if u.level == OrgUnit.Level.LIBRARY)


def test_the_network_keeps_its_financial_year_and_the_memberships_cover_it():
    import_survey(CONFIG, FILES, year=2024)
    network = england()
    assert (network.year_start_month, network.year_start_day, network.year_named_by) == (4, 1, "end")
    assert network.year_span(2024) == (D(2023, 4, 1), D(2024, 3, 31))
    assert year_end(2024, network) == year_end(2024, network.pk) == D(2024, 3, 31)
    spans = set(Membership.objects.filter(child__network=network).values_list("valid_from", "valid_to"))
    assert spans == {(D(2023, 4, 1), D(2024, 3, 31))}
    central = OrgUnit.objects.get(network=network, name="Example Central Library")
    assert (central.opened_on, central.closed_on) == (D(2023, 4, 1), None)
    # On the last day of the financial year the tree holds the year; on the calendar year's it would not.
    assert library_names(list(hierarchy(network, D(2024, 3, 31)).units.values())) == [
        "Example Central Library",
        "Example Harbour Library",
        "Example Hill Library",
    ]
    assert hierarchy(network, D(2024, 3, 31)).parent(central.pk).name == "Newcastle upon Tyne"
    assert hierarchy(network, D(2023, 4, 1)).parent(central.pk).name == "Newcastle upon Tyne"
    assert hierarchy(network, D(2023, 3, 31)).parent(central.pk) is None
    assert hierarchy(network, D(2024, 12, 31)).parent(central.pk) is None


def test_a_second_year_moves_the_tree_on_the_financial_years_boundary(tmp_path: Path, client):
    import_survey(CONFIG, FILES, year=2024)
    import_survey(CONFIG, year_2025(tmp_path), year=2025, confirm_columns=True)  # one library fewer: confirmed
    network = england()
    newcastle = OrgUnit.objects.get(network=network, name="Newcastle upon Tyne")
    # the timeline: the year is read on 31 March
    assert library_names(libraries_in(newcastle, 2024)) == ["Example Central Library", "Example Hill Library"]
    assert library_names(libraries_in(newcastle, 2025)) == ["Example Central Library"]
    hill = OrgUnit.objects.get(network=network, name="Example Hill Library")
    assert (hill.opened_on, hill.closed_on) == (D(2023, 4, 1), D(2024, 3, 31))
    starts = sorted(set(Membership.objects.filter(child__network=network).values_list("valid_from", flat=True)))
    assert starts == [D(2023, 4, 1), D(2024, 4, 1)]
    # the figures: each year on its own map, the visits of the year's libraries
    survey = ReportingPeriod.objects.filter(network=network).first().survey
    table_2024 = aggregate(network, survey, 2024, Scope(group_by="county"))
    table_2025 = aggregate(network, survey, 2025, Scope(group_by="county"))
    assert table_2024.boundaries == D(2024, 3, 31) and table_2024.on_own_boundaries
    assert len(table_2024.total.library_ids) == 3 and len(table_2025.total.library_ids) == 2
    assert table_2024.total.cell("visits").value == table_2025.total.cell("visits").value
    # 2024 counted on 2025's map: Hill (closed on 31 March 2024) is off it
    remapped = aggregate(network, survey, 2024, Scope(group_by="county", boundaries=D(2025, 3, 31)))
    assert not remapped.on_own_boundaries and len(remapped.total.library_ids) == 3
    rows = {r.key: len(r.library_ids) for r in remapped.rows}
    assert rows == {"newcastle-upon-tyne": 1, "plymouth": 1, OFF_MAP: 1}
    assert {r.key: len(r.library_ids) for r in table_2024.rows} == {"newcastle-upon-tyne": 2, "plymouth": 1}
    # the pages: the tree and the figures name the period
    viewer = User.objects.create_user(email="skatitajs@example.org", password="x-parole-123")
    Role.objects.create(user=viewer, network=network, kind=Role.Kind.ADMIN)
    client.force_login(viewer)
    period = "2024. atskaites gads: 01.04.2023. – 31.03.2024."
    tree = client.get(f"/n/{network.slug}/?year=2024&county={newcastle.code}").content.decode()
    assert "Example Hill Library" in tree and "grupētas pēc 31.03.2024. robežām" in tree and period in tree
    tree = client.get(f"/n/{network.slug}/?year=2025&county={newcastle.code}").content.decode()
    assert "Example Hill Library" not in tree and "2025. atskaites gads: 01.04.2024. – 31.03.2025." in tree
    figures = client.get(f"/n/{network.slug}/figures/?year=2024").content.decode()
    assert period in figures and "Skaitīts pašā gada robežās (31.03.2024.)" in figures


def test_a_re_import_changes_nothing_and_remove_year_takes_the_financial_years_links(tmp_path: Path):
    import_survey(CONFIG, FILES, year=2024)
    later = year_2025(tmp_path)
    import_survey(CONFIG, later, year=2025, confirm_columns=True)
    before = digest()
    again = import_survey(CONFIG, FILES, year=2024)
    assert not again.changed and digest() == before
    import_survey(CONFIG, later, year=2025, confirm_columns=True)
    assert digest() == before
    network = england()
    dry = remove_year(2024, dry_run=True, network_slug=network.slug)
    assert (dry.reports, dry.values, dry.links) == (3, 12, 5)  # 3 libraries and 2 authorities (England is the root)
    assert digest() == before
    removed = remove_year(2024, network_slug=network.slug)
    assert (removed.reports, removed.values, removed.links) == (3, 12, 5)
    starts = set(Membership.objects.filter(child__network=network).values_list("valid_from", "valid_to"))
    assert starts == {(D(2024, 4, 1), D(2025, 3, 31))}
    assert list(ReportingPeriod.objects.filter(network=network).values_list("year", flat=True)) == [2025]
    central = OrgUnit.objects.get(network=network, name="Example Central Library")
    assert (central.opened_on, central.closed_on) == (D(2024, 4, 1), None)  # lifetimes from what is left
    out = StringIO()
    call_command("remove_pls_year", "2025", "--network", network.slug, "--language", "en", stdout=out)
    assert "Would remove: FY2025: 2 reports" in out.getvalue()


def test_a_network_holding_years_keeps_its_reporting_year(tmp_path: Path):
    import_survey(CONFIG, FILES, year=2024)
    calendar = tmp_path / "calendar.toml"
    calendar.write_text(CONFIG.read_text().replace('starts = "04-01"', 'starts = "01-01"'))
    before = digest()
    with pytest.raises(ImportFailed) as refused:
        import_survey(calendar, FILES, year=2024)
    assert "reports by years like 2023-04-01 – 2024-03-31" in refused.value.problems[0]
    assert "2024-01-01 – 2024-12-31" in refused.value.problems[0]
    assert digest() == before


def test_an_empty_network_takes_the_surveys_year_when_the_import_is_applied():
    Network.objects.create(slug="en-librarydata", name="England")
    import_survey(CONFIG, FILES, year=2024, dry_run=True)
    assert england().calendar_year  # a dry run writes nothing
    import_survey(CONFIG, FILES, year=2024)
    assert england().year_span(2024) == (D(2023, 4, 1), D(2024, 3, 31))


def test_year_span_and_year_of_for_every_kind_of_year():
    calendar = Network()
    assert calendar.year_span(2024) == (D(2024, 1, 1), D(2024, 12, 31))
    assert calendar.year_of(D(2024, 12, 31)) == 2024 and calendar.year_text(2024) == ""
    england_year = Network(year_start_month=4, year_start_day=1, year_named_by="end")
    assert england_year.year_of(D(2024, 3, 31)) == 2024 and england_year.year_of(D(2024, 4, 1)) == 2025
    # a year from 1 July named by its start (Australia's 2024 would be 2024/25)
    july = Network(year_start_month=7, year_start_day=1, year_named_by="start")
    assert july.year_span(2024) == (D(2024, 7, 1), D(2025, 6, 30))
    assert july.year_of(D(2025, 6, 30)) == 2024 and july.year_of(D(2024, 6, 30)) == 2023
    # the US federal year: 1 October – 30 September, named by its end
    october = Network(year_start_month=10, year_start_day=1, year_named_by="end")
    assert october.year_span(2024) == (D(2023, 10, 1), D(2024, 9, 30))
    for day in (D(2023, 10, 1), D(2024, 2, 29), D(2024, 9, 30)):
        assert october.year_of(day) == 2024
    with pytest.raises(ValidationError):
        Network(name="x", slug="x", year_start_month=2, year_start_day=29).full_clean()


def test_the_admin_fixes_the_year_of_a_network_that_holds_years(client):
    empty = Network.objects.create(slug="empty", name="Empty")
    import_survey(CONFIG, FILES, year=2024)
    client.force_login(User.objects.create_superuser(email="root@example.org", password="x-parole-123"))
    assert 'name="year_start_month"' in client.get(f"/admin/network/network/{empty.pk}/change/").content.decode()
    held = client.get(f"/admin/network/network/{england().pk}/change/")
    assert held.status_code == 200 and 'name="year_start_month"' not in held.content.decode()
