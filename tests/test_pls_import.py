"""import_pls on small slices of the real PLS files (whole states, tests/data/pls) and on broken files."""

from __future__ import annotations

import shutil
from decimal import Decimal
from io import StringIO
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command
from django.utils import translation

from parskats.catalogue.models import Indicator
from parskats.network.models import Membership, Network, OrgUnit, PopulationServed
from parskats.network.timeline import libraries_in
from parskats.pls.importer import ImportFailed, import_year
from parskats.reporting.models import Report, Value

DATA = Path(__file__).parent / "data" / "pls"


@pytest.fixture(autouse=True)
def _english():
    """These tests read the messages in English; tests/test_pls_messages.py reads them in Latvian."""
    with translation.override("en"):
        yield


AE98 = "PUPLDF98.csv"
AE17 = "pls_fy2017_libraries.csv"
OUT16 = "PLS_FY2016_Outlet_puout16a.csv"


def copy_year(tmp_path: Path, year: str) -> Path:
    target = tmp_path / year
    shutil.copytree(DATA / year, target)
    return target


def edit(path: Path, old: bytes, new: bytes, count: int = 1) -> None:
    raw = path.read_bytes()
    assert old in raw, old
    path.write_bytes(raw.replace(old, new, count))


def value(unit: str, code: str, year: int) -> Value:
    return Value.objects.get(report__unit__code=unit, report__period__year=year, indicator__code=code)


@pytest.fixture
def fy1998(db) -> Path:
    return DATA / "FY1998"


def test_fy1998_builds_the_network_and_keeps_codes(fy1998):
    out = StringIO()
    call_command("import_pls", str(fy1998), stdout=out, stderr=StringIO())
    network = Network.objects.get(slug="us-pls")
    assert "PLS FY1998 imported" in out.getvalue()
    # USA → 3 states → 47 systems → 192 outlets, each linked for 1998 only
    assert OrgUnit.objects.filter(network=network, level="country").count() == 1
    assert set(OrgUnit.objects.filter(network=network, level="county").values_list("code", flat=True)) == {
        "NV",
        "WY",
        "DC",
    }
    assert OrgUnit.objects.filter(network=network, level="library").count() == 47
    assert OrgUnit.objects.filter(network=network, level="branch").count() == 192
    nevada = OrgUnit.objects.get(network=network, code="NV")
    assert len(libraries_in(nevada, 1998)) == 23
    assert libraries_in(nevada, 1999) == []
    outlet = OrgUnit.objects.filter(network=network, level="branch", code__startswith="NV0010-").first()
    assert Membership.objects.get(child=outlet).parent.code == "NV0010"
    # Reports are published data: approved; one per system (us-pls) and per outlet (us-pls-outlets).
    assert Report.objects.filter(period__survey__code="us-pls").count() == 47
    assert set(Report.objects.values_list("status", flat=True)) == {"approved"}
    # A blank salary in FY1998 is a suppressed figure: unknown, never zero, and the code is kept.
    salaries = value("NV0010", "salaries", 1998)
    assert (salaries.code, salaries.number, salaries.source_code) == ("unknown", None, "blank")
    visits = value("NV0010", "visits", 1998)
    assert visits.code == "num" and visits.number > 0 and visits.flag == "reported"
    population = value("NV0010", "popu_lsa", 1998).number
    assert PopulationServed.objects.get(unit__code="NV0010", year=1998).persons == population


def test_missing_value_codes_and_flags(tmp_path, db):
    directory = copy_year(tmp_path, "FY2017")
    import_year(directory)
    bkvol = value("SC0008", "bkvol", 2017)
    assert (bkvol.code, bkvol.number, bkvol.source_code) == ("unknown", None, "-1")
    fy1998 = copy_year(tmp_path, "FY1998")
    # Give NV0010's visits (IMP25) an imputation flag and its circulation (IMP27) the "adjusted" flag.
    path = fy1998 / AE98
    line = next(ln for ln in path.read_bytes().split(b"\n") if ln.startswith(b"NV,NV0010,"))
    cells = line.split(b",")
    header = path.read_bytes().split(b"\n")[0].split(b",")
    cells[header.index(b"IMP25")] = b" 5"
    cells[header.index(b"IMP27")] = b"32"
    edit(path, line, b",".join(cells))
    import_year(fy1998)
    assert value("NV0010", "visits", 1998).flag == "imputed"
    assert value("NV0010", "totcir", 1998).flag == "adjusted"
    assert value("NV0010", "bkvol", 1998).flag == "reported"


def test_encodings_bom_and_windows_1252(tmp_path, db):
    directory = copy_year(tmp_path, "FY2016")
    result = import_year(directory)
    encodings = {item.path.name: item.encoding for item in result.files}
    assert encodings[OUT16] == "Windows-1252"
    assert encodings["pls_fy2016_libraries.csv"] == "UTF-8"  # with a byte-order mark before STABR
    assert OrgUnit.objects.filter(name="SAGE CAFÉ LIBRARY").exists()
    closed = Value.objects.filter(report__period__survey__code="us-pls-outlets", source_code="-3")
    assert closed.exists() and {v.code for v in closed} == {"na"}


def test_utf16_with_byte_order_mark_imports(tmp_path, db):
    directory = copy_year(tmp_path, "FY2017")
    path = directory / AE17
    path.write_bytes(path.read_bytes().decode("utf-8-sig").encode("utf-16"))
    result = import_year(directory)
    assert {item.path.name: item.encoding for item in result.files}[AE17] == "UTF-16"
    assert OrgUnit.objects.filter(level="library").count() == 64


def test_importing_again_changes_nothing(tmp_path, db):
    directory = copy_year(tmp_path, "FY2017")
    first = import_year(directory)
    assert first.changed and first.values.created > 0
    before = list(Value.objects.order_by("pk").values_list("pk", "code", "number", "flag", "source_code", "updated_at"))
    second = import_year(directory)
    assert not second.changed
    assert second.values.unchanged == first.values.created
    after = list(Value.objects.order_by("pk").values_list("pk", "code", "number", "flag", "source_code", "updated_at"))
    assert after == before
    # A corrected file updates just the values that changed.
    line = next(ln for ln in (directory / AE17).read_bytes().split(b"\n") if b",DE0002," in ln)
    header = (directory / AE17).read_bytes().decode("utf-8-sig").split("\n")[0].strip().split(",")
    cells = line.split(b",")
    old_visits = cells[header.index("VISITS")]
    cells[header.index("VISITS")] = b"123456"
    edit(directory / AE17, line, b",".join(cells))
    third = import_year(directory)
    assert (third.values.created, third.values.updated, third.values.deleted) == (0, 1, 0)
    assert value("DE0002", "visits", 2017).number == Decimal("123456") != Decimal(old_visits.decode())


def test_years_in_any_order_keep_the_latest_name(tmp_path, db):
    import_year(copy_year(tmp_path, "FY2017"))
    import_year(copy_year(tmp_path, "FY1998"))
    # The state of Delaware exists in 2017 only; Nevada in 1998 only: each open just for its years.
    delaware = OrgUnit.objects.get(code="DE")
    nevada = OrgUnit.objects.get(code="NV")
    assert delaware.opened_on.year == 2017 and delaware.closed_on is None
    assert nevada.opened_on.year == 1998 and nevada.closed_on.year == 1998
    assert not import_year(copy_year(tmp_path / "again", "FY2017")).changed


def problems_of(directory: Path, **kwargs) -> str:
    with pytest.raises(ImportFailed) as failure:
        import_year(directory, **kwargs)
    return "\n".join(failure.value.problems)


def test_a_bad_row_imports_nothing(tmp_path, db):
    directory = copy_year(tmp_path, "FY2017")
    lines = (directory / AE17).read_bytes().split(b"\n")
    header = lines[0].decode("utf-8-sig").split(",")
    cells = lines[5].split(b",")
    cells[header.index("VISITS")] = b"12a4"
    edit(directory / AE17, lines[5], b",".join(cells))
    message = problems_of(directory)
    assert f"{AE17}, line 6, column VISITS: '12a4' is not a number." in message
    assert not Network.objects.filter(slug="us-pls").exists()
    assert Value.objects.count() == 0


def test_fewer_columns_and_truncated_file(tmp_path, db):
    directory = copy_year(tmp_path, "FY2017")
    raw = (directory / AE17).read_bytes()
    (directory / AE17).write_bytes(raw[: len(raw) - 200])  # cut in the middle of the last row
    message = problems_of(directory)
    assert f"{AE17}, line 65:" in message and "columns, expected 47" in message


def test_failure_while_writing_leaves_the_database_as_it_was(tmp_path, db, monkeypatch):
    directory = copy_year(tmp_path, "FY2017")
    import_year(directory)
    before = Value.objects.count(), OrgUnit.objects.count()
    copy = copy_year(tmp_path / "other", "FY1998")

    def boom(self):
        raise RuntimeError("disk full")

    monkeypatch.setattr("parskats.pls.importer._Writer.lifetimes", boom)
    with pytest.raises(RuntimeError):
        import_year(copy)
    assert (Value.objects.count(), OrgUnit.objects.count()) == before
    assert not Report.objects.filter(period__year=1998).exists()


def test_wrong_kind_of_file_unknown_encoding_and_unknown_year(tmp_path, db):
    directory = copy_year(tmp_path, "FY2017")
    (directory / "notes.csv").write_text("name,phone\nAnda,123\n", encoding="utf-8")
    assert "notes.csv, line 1: not a PLS AE, outlet or state summary file of the 2017 layout" in problems_of(directory)
    (directory / "notes.csv").unlink()
    (directory / "extra.csv").write_bytes("STABR,X\n".encode("utf-16-le"))
    assert "extra.csv: contains NUL bytes" in problems_of(directory)
    (directory / "extra.csv").write_bytes(b"PK\x03\x04rest")
    assert "extra.csv: this is a ZIP archive or an Excel workbook" in problems_of(directory)
    future = tmp_path / "FY2031"
    shutil.copytree(DATA / "FY2017", future)
    assert "No column map for fiscal year 2031" in problems_of(future)
    assert Value.objects.count() == 0


def test_unknown_columns_are_reported_and_bad_codes_and_flags_refused(tmp_path, db):
    directory = copy_year(tmp_path, "FY2017")
    path = directory / AE17
    lines = path.read_bytes().split(b"\n")
    lines = [ln.rstrip(b"\r") for ln in lines]
    rows = [lines[0] + b",NEWTHING"] + [ln + b",7" for ln in lines[1:] if ln.strip()]
    path.write_bytes(b"\n".join(rows) + b"\n")
    result = import_year(directory)
    assert any("1 unknown columns not imported: NEWTHING" in w and "line 1" in w for w in result.warnings)
    header = lines[0].decode("utf-8-sig").split(",")
    line = next(ln for ln in path.read_bytes().split(b"\n") if b",SC0008," in ln)
    cells = line.split(b",")
    cells[header.index("TOTCIR")] = b"-5"
    edit(path, line, b",".join(cells))
    assert "column TOTCIR: -5 is negative but not a missing-value code" in problems_of(directory)


def test_unknown_flag_value_is_refused(tmp_path, db):
    directory = copy_year(tmp_path, "FY1998")
    path = directory / AE98
    line = path.read_bytes().split(b"\n")[3]
    header = path.read_bytes().split(b"\n")[0].split(b",")
    cells = line.split(b",")
    cells[header.index(b"IMP25")] = b"ZZ"
    edit(path, line, b",".join(cells))
    assert f"{AE98}, line 4, column IMP25: 'ZZ' is not a known flag value." in problems_of(directory)


def test_command_reports_problems_and_progress(tmp_path, db):
    directory = copy_year(tmp_path, "FY2017")
    err = StringIO()
    call_command("import_pls", str(directory), stdout=StringIO(), stderr=err)
    assert "values of us-pls" in err.getvalue() and "100%" in err.getvalue()
    edit(directory / AE17, b"DE,DE0002,", b"DE,DE0002,x,")
    err = StringIO()
    with pytest.raises(CommandError, match="Nothing was imported"):
        call_command("import_pls", str(directory), stdout=StringIO(), stderr=err)
    assert "columns, expected 47" in err.getvalue()


def test_survey_catalogue_links_shared_concepts(db):
    call_command("load_catalogue", stdout=StringIO())
    import_year(DATA / "FY2017")
    pls = dict(Indicator.objects.filter(survey__code="us-pls").exclude(concept="").values_list("concept", "code"))
    latvian = set(Indicator.objects.filter(survey__code="lv-annual").values_list("concept", flat=True))
    assert pls == {
        "population": "popu_lsa",
        "staff_fte": "totstaff",
        "visits": "visits",
        "users": "regbor",
        "loans": "totcir",
        "events": "totpro",
        "event_attendance": "totatten",
    }
    assert set(pls) <= latvian


def test_another_year_imports_and_reconciles_with_its_own_column_map(tmp_path, db):
    """Nothing in the code is tuned to the three given years: a year with its own map goes the same way."""
    from parskats.pls.layout import LAYOUT_DIR, read_layout
    from parskats.pls.reconcile import reconcile

    directory = tmp_path / "FY2018"
    shutil.copytree(DATA / "FY2017", directory)
    layout_path = tmp_path / "fy2018.toml"
    layout_path.write_text(
        (LAYOUT_DIR / "fy2017.toml").read_text(encoding="utf-8").replace("fiscal_year = 2017", "fiscal_year = 2018"),
        encoding="utf-8",
    )
    result = import_year(directory, layout_path=layout_path)
    assert result.year == 2018 and Report.objects.filter(period__year=2018).count() > 0
    assert reconcile(directory, layout=read_layout(layout_path)).unexplained == []


def test_a_column_map_naming_an_element_off_the_form_is_refused(tmp_path, db):
    from parskats.pls.layout import LAYOUT_DIR

    directory = tmp_path / "FY1997"
    shutil.copytree(DATA / "FY2017", directory)
    layout_path = tmp_path / "fy1997.toml"
    layout_path.write_text(
        (LAYOUT_DIR / "fy2017.toml").read_text(encoding="utf-8").replace("fiscal_year = 2017", "fiscal_year = 1997"),
        encoding="utf-8",
    )
    message = problems_of(directory, layout_path=layout_path)
    assert "EBOOK maps to 'ebook', which the catalogue has from 1999" in message
    assert not Value.objects.exists()


def test_outlet_square_footage_with_its_flag_and_codes(tmp_path, db):
    import_year(copy_year(tmp_path, "FY2017"))
    area = Value.objects.filter(indicator__code="sq_feet", report__unit__code="DE0002-002").get()
    assert (area.number, area.flag, area.indicator.unit) == (6200, "reported", "sqft")
    imputed = Value.objects.get(indicator__code="sq_feet", report__unit__code="SC0008-002")
    assert (imputed.number, imputed.flag) == (26000, "imputed")
    closed = Value.objects.get(indicator__code="sq_feet", report__unit__code="DE0030-005")
    assert (closed.code, closed.number, closed.source_code) == ("na", None, "-4")
