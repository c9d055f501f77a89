"""Any documented fiscal year imports without a hand-written column map: the map is derived from the
record layouts of the documentation (parskats/pls/data/record_layouts.csv) and the catalogue's
historical names, and the importer says which columns it matched, ignored and missed."""

from __future__ import annotations

import csv
import io
import shutil
from pathlib import Path

import pytest
from django.utils import translation

from parskats.pls.importer import import_year
from parskats.pls.layout import LAYOUT_DIR, catalogue_years, derive_layout, read_layout, record_layouts
from parskats.pls.reconcile import reconcile
from parskats.reporting.models import Value

DATA = Path(__file__).parent / "data" / "pls"


@pytest.fixture(autouse=True)
def _english():
    with translation.override("en"):
        yield


@pytest.mark.parametrize("year", [1998, 2017])
def test_the_derived_map_of_a_year_with_a_hand_written_one_is_the_same(year):
    derived, hand = derive_layout(year), read_layout(LAYOUT_DIR / f"fy{year}.toml")
    for kind, spec in hand.files.items():
        assert derived.files[kind].elements == spec.elements, kind
        assert derived.files[kind].flags == spec.flags, kind
        assert derived.files[kind].identity == spec.identity, kind


def test_every_documented_year_has_a_map_with_historical_names():
    documented = record_layouts()
    assert {1992, 1993, 1994, 1995, 1996, 1997, 2009, 2014, 2018, 2019} <= set(documented)
    for year in range(1992, 2020):
        if year == 2016:
            continue  # known only from its 47-column data subset (and it has a hand-written map)
        layout = derive_layout(year)
        assert len(layout.files["ae"].elements) >= 30, year
    old = derive_layout(1993).files
    assert old["ae"].elements["POPU"] == "popu_lsa" and old["ae"].elements["ATTEND"] == "visits"
    assert old["ae"].elements["DUPLI"] == "hrs_open" and old["ae"].elements["TOTPEMP"] == "totstaff"
    assert old["ae"].flags["IMP25"] == "ATTEND"  # "ATTEND—IMPUTATION FLAG"
    assert old["outlet"].identity["key"] == "K_DECTOP"
    assert derive_layout(2009).files["ae"].flags["F_VISITS"] == "VISITS"


def test_element_years_agree_with_the_documentation():
    """An element is on the form in every documented year whose layout has it, and in none whose
    layout lacks it: 24 elements were dated from 2016 but are in the FY2009 files."""
    documented = record_layouts()
    years = catalogue_years("ae")
    for code in ("ebook", "regbor", "totpro", "pitusr", "prmatexp", "cap_rev"):
        assert years[code][0] <= 2009, code
    for year, kinds in documented.items():
        columns = {column.lower() for column, _description in kinds.get("ae", [])}
        for code, (first, last) in years.items():
            on_form = first <= year and (last is None or year <= last)
            if code in columns:
                assert on_form, (code, year)
    assert years["audio"][1] == 2013 and years["audio_ph"][0] == 2010


def shift_to(tmp_path: Path, year: int) -> Path:
    """The FY2017 slice presented as another year (its layout is much the same)."""
    directory = tmp_path / f"FY{year}"
    shutil.copytree(DATA / "FY2017", directory)
    return directory


def test_a_year_without_a_hand_written_map_imports_and_says_what_it_matched(tmp_path, db):
    directory = shift_to(tmp_path, 2018)
    result = import_year(directory)
    assert result.year == 2018 and Value.objects.filter(report__period__year=2018).exists()
    report = "\n".join(result.warnings)
    assert "pls_fy2017_libraries.csv (ae, UTF-8):" in report and "element columns matched" in report
    assert "expected and missing" in report
    assert reconcile(directory).unexplained == []


def test_an_old_year_with_old_names_imports(tmp_path, db):
    """FY1998's slice, its columns renamed to the FY1995 names (POPU, ATTEND, DUPLI, TOTPEMP …)."""
    directory = tmp_path / "FY1995"
    shutil.copytree(DATA / "FY1998", directory)
    renames = {"POPU_LSA": "POPU", "VISITS": "ATTEND", "HRS_OPEN": "DUPLI", "TOTSTAFF": "TOTPEMP"}
    path = directory / "PUPLDF98.csv"
    rows = list(csv.reader(io.StringIO(path.read_bytes().decode("latin-1"), newline="")))
    rows[0] = [renames.get(column, column) for column in rows[0]]
    out = io.StringIO()
    csv.writer(out, lineterminator="\n").writerows(rows)
    path.write_text(out.getvalue(), encoding="latin-1")
    for other in ("PUOUT98.csv", "PUSUM98.csv"):
        (directory / other).unlink()
    result = import_year(directory)
    visits = Value.objects.filter(report__period__year=1995, indicator__code="visits", code="num")
    assert visits.count() == 47
    assert Value.objects.filter(report__period__year=1995, indicator__code="totstaff").count() == 47
    assert any("unknown" in w for w in result.warnings)  # FY1998 columns the FY1995 layout does not have
