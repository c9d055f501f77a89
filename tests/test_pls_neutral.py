"""A second country's survey loaded as data: England's public library open data through its
configuration; a file of another survey refused with the database untouched; a bad configuration
named by file, key and line; summed columns and rows, missing-value codes and text values; a
currency the configuration declares, shown on the figures."""

from __future__ import annotations

from decimal import Decimal
from io import StringIO
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command
from django.utils import translation

from parskats.accounts.models import Role, User
from parskats.catalogue.models import Indicator, Unit
from parskats.network.models import Network, OrgUnit
from parskats.pls.neutral import ConfirmationNeeded, ImportFailed, import_survey
from parskats.pls.survey_config import ConfigError, read_config
from parskats.reporting.models import Value

from .test_pls_safety import digest

SURVEYS = Path(__file__).parent.parent / "parskats" / "pls" / "data" / "surveys"
CONFIG = SURVEYS / "england-librarydata.toml"
SAMPLE = SURVEYS / "samples" / "england-2024"
FILES = [SAMPLE / "libraries.csv", SAMPLE / "physical_visits.csv"]
US_AE = Path(__file__).parent / "data" / "pls" / "FY2017" / "pls_fy2017_libraries.csv"

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _english():
    with translation.override("en"):
        yield


def values() -> dict[tuple[str, str], tuple[str, object]]:
    return {
        (v.report.unit.name, v.indicator.code): (v.code, v.number)
        for v in Value.objects.select_related("report__unit", "indicator")
    }


def test_the_english_survey_loads_through_the_command():
    out = StringIO()
    call_command("import_survey", str(CONFIG), *map(str, FILES), "--year", "2024", "--language", "en", stdout=out)
    assert "2023-04-01 – 2024-03-31" in out.getvalue()
    network = Network.objects.get(slug="en-librarydata")
    levels = dict(OrgUnit.objects.filter(network=network).values_list("name", "level"))
    assert levels["England"] == OrgUnit.Level.COUNTRY
    assert levels["Plymouth"] == OrgUnit.Level.COUNTY
    assert levels["Example Harbour Library"] == OrgUnit.Level.LIBRARY
    got = values()
    assert got[("Example Central Library", "staffed_hours")] == ("num", 57)  # seven day columns added up
    assert got[("Example Central Library", "visits")] == ("num", 12000)  # twelve monthly rows added up
    assert got[("Example Harbour Library", "statutory")] == ("num", 0)  # "No"
    assert got[("Example Central Library", "statutory")] == ("num", 1)  # "Yes"
    # a blank day (not known) makes the week unknown; "closed" adds nothing; "n/a" visits: unknown
    assert got[("Example Hill Library", "staffed_hours")] == ("unknown", None)
    assert got[("Example Harbour Library", "staffed_hours")] == ("num", 15)
    assert got[("Example Hill Library", "visits")] == ("unknown", None)
    # Latvian is optional for a foreign survey: the English name stands in
    with translation.override("lv"):
        assert Indicator.objects.get(code="unstaffed_hours").name == "Unstaffed opening hours a week"
    again = StringIO()
    before = digest()
    call_command("import_survey", str(CONFIG), *map(str, FILES), "--year", "2024", "--language", "en", stdout=again)
    assert "12 unchanged" in again.getvalue()
    assert Value.objects.count() == 12
    assert digest() == before


def test_a_dry_run_changes_nothing():
    before = digest()
    result = import_survey(CONFIG, FILES, year=2024, dry_run=True)
    assert result.plan is not None and result.plan.total("values_new") == 12
    assert digest() == before


def test_a_file_of_another_survey_is_refused_and_nothing_changes():
    import_survey(CONFIG, FILES, year=2024)
    before = digest()
    with pytest.raises(CommandError):
        call_command("import_survey", str(CONFIG), str(US_AE), "--year", "2024", "--language", "en", stderr=StringIO())
    with pytest.raises(ImportFailed) as refused:
        import_survey(CONFIG, [US_AE, FILES[1]], year=2024)
    assert "not a file of the survey en-librarydata" in refused.value.problems[0]
    assert digest() == before


def test_rows_outside_the_fiscal_year_are_refused(tmp_path: Path):
    visits = tmp_path / "physical_visits.csv"
    text = FILES[1].read_text()
    visits.write_text(text + "Plymouth,Example Harbour Library,2024-04-01,2024-04-30,Automatic,10\n")
    before = digest()
    with pytest.raises(ImportFailed) as refused:
        import_survey(CONFIG, [FILES[0], visits], year=2024)
    assert "outside the reporting period 2023-04-01 – 2024-03-31" in refused.value.problems[0]
    assert digest() == before


def test_a_cut_libraries_file_needs_confirmation_and_leaves_the_year_whole(tmp_path: Path):
    import_survey(CONFIG, FILES, year=2024)
    cut = tmp_path / "libraries.csv"
    cut.write_text("\n".join(FILES[0].read_text().splitlines()[:2]) + "\n")
    visits = tmp_path / "physical_visits.csv"
    visits.write_text(
        "\n".join(line for line in FILES[1].read_text().splitlines() if "Central" in line or "Count" in line) + "\n"
    )
    before = digest()
    with pytest.raises(ConfirmationNeeded) as refused:
        import_survey(CONFIG, [cut, visits], year=2024)
    assert "would remove 2 of 3 reports" in refused.value.problems[0]
    assert digest() == before


def test_an_unknown_library_in_the_joined_file_is_refused_or_quarantined(tmp_path: Path):
    visits = tmp_path / "physical_visits.csv"
    visits.write_text(FILES[1].read_text() + "Plymouth,No Such Library,2023-05-01,2023-05-31,Manual,7\n")
    with pytest.raises(ImportFailed) as refused:
        import_survey(CONFIG, [FILES[0], visits], year=2024)
    assert "'No Such Library' names no library of the libraries file" in refused.value.problems[0]
    result = import_survey(CONFIG, [FILES[0], visits], year=2024, quarantine=True)
    assert len(result.rejected) == 1 and Value.objects.count() == 12


def test_a_bad_configuration_names_file_key_and_line(tmp_path: Path):
    bad = tmp_path / "bad.toml"
    text = (
        CONFIG.read_text()
        .replace('label = "end"', 'label = "middle"')
        .replace('value_type = "decimal"', 'value_type = "float"', 1)
    )
    bad.write_text(text)
    with pytest.raises(ConfigError) as refused:
        read_config(bad)
    problems = refused.value.problems
    line = next(n for n, t in enumerate(text.splitlines(), start=1) if t.startswith("label"))
    assert f"bad.toml, line {line}, period.label" in problems[0]
    assert any("indicators[2].value_type: must be one of integer, decimal" in p for p in problems)
    out = StringIO()
    with pytest.raises(CommandError):
        call_command("import_survey", str(bad), *map(str, FILES), "--year", "2024", "--language", "en", stderr=out)
    assert "period.label" in out.getvalue()
    assert not Network.objects.filter(slug="en-librarydata").exists()


CURRENCY = """
[survey]
code = "xx-costs"
name_en = "Invented survey with costs"
country_name = "Nowhere"

[units.gbp]
name_en = "GBP"
currency = "GBP"

[[indicators]]
code = "expenditure"
name_en = "Total expenditure"
unit = "gbp"
value_type = "decimal"

[[indicators]]
code = "loans"
name_en = "Loans"
unit = "count"

[files.main]
required = ["Authority", "Library", "Expenditure"]
key = "Library"
region = "Authority"
[files.main.columns]
expenditure = "Expenditure"
loans = ["Loans Jan", "Loans Feb", "Loans Mar"]
"""


def test_a_currency_from_the_configuration_shows_on_the_figures(tmp_path: Path, client):
    config = tmp_path / "costs.toml"
    config.write_text(CURRENCY)
    data = tmp_path / "costs.csv"
    data.write_text("Authority,Library,Expenditure,Loans Jan,Loans Feb,Loans Mar\nA,L1,1200.50,1,2,3\nA,L2,99,4,5,6\n")
    import_survey(config, [data], year=2023)
    assert Unit.objects.get(code="gbp").currency == "GBP"
    assert Unit.objects.filter(code="eur").exists()  # the catalogue's own units are kept
    assert values()[("L1", "loans")] == ("num", 6)
    network = Network.objects.get(slug="xx-costs")
    viewer = User.objects.create_user(email="skatitajs@example.org", password="x-parole-123")
    Role.objects.create(user=viewer, network=network, kind=Role.Kind.VIEWER)
    client.force_login(viewer)
    page = client.get(f"/n/{network.slug}/figures/?year=2023").content.decode()
    assert "Total expenditure" in page and "(GBP)" in page


def test_the_readme_example_is_a_valid_configuration_and_loads(tmp_path: Path):
    readme = (Path(__file__).parent.parent / "README.md").read_text()
    section = readme.split("## Another country's survey", 1)[1]
    example = section.split("```toml\n", 1)[1].split("```", 1)[0]
    config = tmp_path / "xx.toml"
    config.write_text(example)
    months = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"]
    data = tmp_path / "xx.csv"
    header = ["Authority", "Library code", "Library name", "Expenditure", *[f"Loans {m}" for m in months]]
    data.write_text(",".join(header) + "\nNorth,N1,North Library,10.5," + ",".join(["2"] * 12) + "\n")
    result = import_survey(config, [data], year=2024)
    assert values()[("North Library", "loans")] == ("num", 24)
    assert result.plan is not None and result.plan.period == "year 2023/24" and result.plan.region == "authority"
    assert values()[("North Library", "spend")] == ("num", Decimal("10.5"))
