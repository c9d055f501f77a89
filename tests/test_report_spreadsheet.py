"""The XLSX round trip: export → import gives identical values; bad workbooks change nothing and
say where the problem is (sheet, row, column)."""

import datetime as dt
import io
import zipfile

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import translation
from openpyxl import load_workbook

from parskats.audit.models import AuditEntry
from parskats.reporting.models import Report, Value
from parskats.reporting.spreadsheet import FIRST_ROW, ImportFailed, export_workbook, import_workbook
from tests.conftest import client_for
from tests.factories import report_with


@pytest.fixture(autouse=True)
def _latvian():
    """Messages in Latvian, whatever language an earlier request left active in this thread."""
    with translation.override("lv"):
        yield


@pytest.fixture
def report(world):
    return report_with(
        world.library_a, world.periods[2021], users=120, staff_fte="1.25", ebook_loans="na", visits_virtual="unknown"
    )


def as_map(report):
    return {code: (kind, number) for code, kind, number in Value.objects.filter(report=report).values_list(
        "indicator__code", "code", "number")}  # fmt: skip


def edit(data: bytes, changes: dict[str, object], sheet_index: int = 0) -> bytes:
    workbook = load_workbook(io.BytesIO(data))
    sheet = workbook.worksheets[sheet_index]
    rows = {sheet.cell(row=r, column=1).value: r for r in range(FIRST_ROW, sheet.max_row + 1)}
    for code, value in changes.items():
        sheet.cell(row=rows[code], column=6, value=value)
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()


def test_export_then_import_gives_identical_values(world, reporter_a, report):
    before = as_map(report)
    result = import_workbook(reporter_a, world.network, export_workbook([report]))
    assert result.changed == 0 and as_map(report) == before
    assert not AuditEntry.objects.filter(report=report).exists()


def test_the_workbook_shows_definitions_last_year_and_is_protected(world, report):
    report_with(world.library_a, world.periods[2020], users=100)
    sheet = load_workbook(io.BytesIO(export_workbook([report]))).worksheets[0]
    rows = {sheet.cell(row=r, column=1).value: r for r in range(FIRST_ROW, sheet.max_row + 1)}
    assert sheet.cell(row=rows["users"], column=5).value == 100
    assert sheet.cell(row=rows["users"], column=6).value == 120
    assert "Reģistrēti lietotāji" in sheet.cell(row=rows["users"], column=4).value
    assert sheet.protection.sheet and not sheet.cell(row=rows["users"], column=6).protection.locked
    assert sheet.cell(row=rows["users"], column=2).protection.locked


def test_a_filled_workbook_is_applied_through_the_audited_channel(world, reporter_a, report):
    data = edit(
        export_workbook([report]), {"users": "130", "loans": "12 345", "visits": 900, "hours_week": "nav zināms"}
    )
    import_workbook(reporter_a, world.network, data)
    values = as_map(report)
    assert values["users"][1] == 130 and values["loans"][1] == 12345 and values["visits"][1] == 900
    assert values["hours_week"] == ("unknown", None)
    assert AuditEntry.objects.filter(report=report, channel="spreadsheet").count() == 4


def test_bad_cells_are_reported_by_sheet_row_and_column_and_nothing_changes(world, reporter_a, report):
    data = edit(
        export_workbook([report]),
        {"users": "daudz", "loans": "=A1*2", "visits": dt.datetime(2021, 3, 5), "staff": 1.5, "events": 3},
    )
    before = as_map(report)
    with pytest.raises(ImportFailed) as failed:
        import_workbook(reporter_a, world.network, data)
    assert len(failed.value.problems) == 4
    assert all(p.sheet == "seda" and p.column == "F" and p.row >= FIRST_ROW for p in failed.value.problems)
    messages = " ".join(p.message for p in failed.value.problems)
    assert "nav skaitlis" in messages and "Formula" in messages and "Datums" in messages and "vesels" in messages
    assert as_map(report) == before


def test_other_files_and_zip_bombs_are_refused(world, reporter_a, report):
    with pytest.raises(ImportFailed, match="XLSX"):
        import_workbook(reporter_a, world.network, b"%PDF-1.4 renamed to .xlsx")
    bomb = io.BytesIO()
    with zipfile.ZipFile(bomb, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("[Content_Types].xml", "x")
        archive.writestr("xl/workbook.xml", b"\0" * (60 * 1024 * 1024))
    with pytest.raises(ImportFailed, match="atarhivējas"):
        import_workbook(reporter_a, world.network, bomb.getvalue())
    plain_zip = io.BytesIO()
    with zipfile.ZipFile(plain_zip, "w") as archive:
        archive.writestr("readme.txt", "hello")
    with pytest.raises(ImportFailed, match="XLSX"):
        import_workbook(reporter_a, world.network, plain_zip.getvalue())


def test_a_reporter_cannot_upload_another_librarys_sheet(world, reporter_a, reporter_b, report):
    other = report_with(world.library_b, world.periods[2021], users=10)
    data = edit(export_workbook([report, other]), {"users": 11}, sheet_index=1)
    with pytest.raises(ImportFailed) as failed:
        import_workbook(reporter_a, world.network, data)
    assert [p.sheet for p in failed.value.problems] == ["ergeme"]
    assert Value.objects.get(report=other, indicator__code="users").number == 10
    # The methodologist's region workbook applies to every library at once.
    methodologist_data = edit(edit(export_workbook([report, other]), {"users": 11}, 1), {"users": 121}, 0)
    from parskats.accounts.models import Role
    from tests.factories import give_role, user

    admin = user("m@example.org")
    give_role(admin, world.network, Role.Kind.ADMIN)
    result = import_workbook(admin, world.network, methodologist_data)
    assert result.changed == 2
    assert Value.objects.get(report=other, indicator__code="users").number == 11


def test_download_and_upload_over_http(world, reporter_a, reporter_b, report):
    client = client_for(reporter_a)
    response = client.get(f"/n/testa/reports/{report.pk}/report.xlsx")
    assert response.status_code == 200 and response["Content-Type"].startswith("application/vnd.openxml")
    assert client_for(reporter_b).get(f"/n/testa/reports/{report.pk}/report.xlsx").status_code == 404
    data = edit(response.content, {"users": "1 000"})
    client.post("/n/testa/reports/upload/", {"workbook": SimpleUploadedFile("r.xlsx", data)})
    assert Value.objects.get(report=report, indicator__code="users").number == 1000
    bad = client.post(
        "/n/testa/reports/upload/", {"workbook": SimpleUploadedFile("r.xlsx", edit(data, {"users": "x"}))}
    )
    page = bad.content.decode()
    assert bad.status_code == 200 and "Nekas netika mainīts" in page and "<td>F</td>" in page
    assert client_for(reporter_b).get("/n/testa/reports/period/2021/workbook.xlsx").status_code == 404


def test_a_submitted_report_is_not_changed_by_an_upload(world, reporter_a, report):
    data = edit(export_workbook([report]), {"users": 5})
    Report.objects.filter(pk=report.pk).update(status="submitted")
    with pytest.raises(ImportFailed):
        import_workbook(reporter_a, world.network, data)
