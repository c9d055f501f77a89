"""The US survey as one configuration in the format of every survey (data/surveys/us-pls.toml):
the importer takes its network, country, level, reporting year, catalogue, state names and
missing-value codes from it; the files stay with the US survey's own reader."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
from django.utils import translation

from parskats.catalogue.models import Survey
from parskats.network.models import Membership, Network, OrgUnit
from parskats.pls.importer import ImportFailed, ensure_surveys, import_year
from parskats.pls.neutral import import_survey
from parskats.pls.survey_config import US_PLS, MissingCode, read_config
from parskats.pls.surveys import shipped
from parskats.reporting.models import ReportingPeriod, Value

from .test_pls_safety import digest

DATA = Path(__file__).parent / "data" / "pls"


@pytest.fixture(autouse=True)
def _english():
    with translation.override("en"):
        yield


def test_the_us_configuration_says_what_the_importer_used_to_hold_in_code():
    config = read_config(US_PLS)
    assert (config.reader, config.code, config.network, config.country_code) == ("us-pls", "us-pls", "us-pls", "us")
    assert config.country_name == "Amerikas Savienotās Valstis"
    assert config.network_name == "ASV publiskās bibliotēkas (IMLS PLS)"
    assert config.period(2017) == (dt.date(2017, 1, 1), dt.date(2017, 12, 31))
    assert config.region_word() == "state" and config.period_name(2017) == "FY2017"
    with translation.override("lv"):
        assert config.region_word() == "štats"
    assert [path.name for path in config.catalogue] == ["us-pls.toml", "us-pls-outlets.toml"]
    names = config.region_names_by_code()
    assert names["NV"] == "Nevada" and names["DC"] == "District of Columbia" and len(names) == 59
    kinds = {source: (code.kind, code.suppressed) for source, code in config.codes.items()}
    assert kinds == {
        "-1": ("unknown", False),
        "-2": ("unknown", False),
        "-3": ("na", False),
        "-4": ("na", False),
        "-9": ("unknown", True),
        "blank": ("unknown", True),
    }
    assert config.codes["-3"] == MissingCode("-3", "na", "closed or temporarily closed", False)


@pytest.mark.django_db
def test_the_us_import_builds_its_network_from_the_configuration():
    import_year(DATA / "FY1998")
    network = Network.objects.get(slug="us-pls")
    assert network.name == "ASV publiskās bibliotēkas (IMLS PLS)" and network.calendar_year
    assert OrgUnit.objects.get(network=network, level="country").name == "Amerikas Savienotās Valstis"
    assert OrgUnit.objects.get(network=network, code="NV").name == "Nevada"
    spans = set(Membership.objects.filter(child__network=network).values_list("valid_from", "valid_to"))
    assert spans == {(dt.date(1998, 1, 1), dt.date(1998, 12, 31))}
    # the codes of the configuration: a blank FY1998 salary is suppressed, -1 not reported
    assert Value.objects.filter(source_code="blank", code="unknown").exists()


@pytest.mark.django_db
def test_the_us_network_holding_another_reporting_year_is_refused():
    ensure_surveys()
    network = Network.objects.create(slug="us-pls", name="US", year_start_month=7, year_start_day=1)
    survey = Survey.objects.get(code="us-pls")
    ReportingPeriod.objects.create(
        network=network, survey=survey, year=1997, opens_on="1997-07-01", deadline="1998-06-30"
    )
    before = digest()
    with pytest.raises(ImportFailed) as refused:
        import_year(DATA / "FY1998")
    assert "one network keeps one reporting year" in refused.value.problems[0]
    assert digest() == before


@pytest.mark.django_db
def test_the_neutral_importer_refuses_a_survey_with_a_reader_of_its_own():
    before = digest()
    with pytest.raises(ImportFailed) as refused:
        import_survey(US_PLS, [DATA / "FY2017" / "pls_fy2017_libraries.csv"], year=2017)
    assert "has a reader of its own (us-pls): import it with import_pls" in refused.value.problems[0]
    assert digest() == before
    # nor does the web import of configured surveys offer it (the US survey has its own page)
    assert [config.code for config in shipped()] == ["en-librarydata"]


CODES = """
[survey]
code = "xx-codes"
name_en = "Invented survey with codes"
country_name = "Nowhere"

[missing.codes."-1"]
kind = "unknown"
meaning = "not reported"

[missing.codes."-3"]
kind = "na"
meaning = "closed"

[[indicators]]
code = "loans"
name_en = "Loans"
unit = "count"

[files.main]
required = ["Authority", "Library", "Loans"]
key = "Library"
region = "Authority"
[files.main.columns]
loans = "Loans"
"""


@pytest.mark.django_db
def test_missing_value_codes_with_meanings_serve_any_survey(tmp_path: Path):
    config = tmp_path / "codes.toml"
    config.write_text(CODES)
    data = tmp_path / "main.csv"
    data.write_text("Authority,Library,Loans\nA,L1,-1\nA,L2,-3\nA,L3,7\n")
    import_survey(config, [data], year=2023)
    got = {v.report.unit.name: (v.code, v.number) for v in Value.objects.select_related("report__unit")}
    assert got == {"L1": ("unknown", None), "L2": ("na", None), "L3": ("num", 7)}
    bad = tmp_path / "bad.toml"
    bad.write_text(CODES.replace('kind = "na"', 'kind = "closed"'))
    with pytest.raises(Exception, match=r"missing\.codes\.-3\.kind: must be one of unknown, na"):
        read_config(bad)
