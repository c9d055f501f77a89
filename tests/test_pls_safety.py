"""Imports that cannot destroy: the change is computed and shown first, a big removal or rewrite and
a suspect column are refused unless confirmed, defective rows are refused (or quarantined), and a
refused or dry-run import leaves every row of the database as it was."""

from __future__ import annotations

import hashlib
import shutil
from io import StringIO
from pathlib import Path

import pytest
from django.apps import apps
from django.core.management import CommandError, call_command
from django.db.models.signals import post_delete
from django.utils import translation

from parskats.network.models import OrgUnit
from parskats.pls.importer import ConfirmationNeeded, ImportFailed, import_year
from parskats.pls.models import QuarantinedRow
from parskats.reporting.models import Report, Value

DATA = Path(__file__).parent / "data" / "pls"
AE17 = "pls_fy2017_libraries.csv"
OUT17 = "PLS_FY17_Outlet_pud17i.csv"


@pytest.fixture(autouse=True)
def _english():
    with translation.override("en"):
        yield


def digest() -> str:
    """Every row of every table, in primary-key order: equal digests, identical databases."""
    hasher = hashlib.sha256()
    for model in sorted(apps.get_models(), key=lambda m: m._meta.db_table):
        rows = model._base_manager.order_by("pk").values_list()
        hasher.update(model._meta.db_table.encode())
        for row in rows:
            hasher.update(repr(row).encode())
    return hasher.hexdigest()


def copy_year(tmp_path: Path, year: str, source: Path = DATA) -> Path:
    target = tmp_path / year
    shutil.copytree(source / year, target)
    return target


def lines_of(path: Path) -> list[bytes]:
    return path.read_bytes().split(b"\n")


def keep_first(path: Path, rows: int) -> None:
    """The file cut off at a line break after `rows` data rows: it still parses."""
    lines = lines_of(path)
    path.write_bytes(b"\n".join(lines[: rows + 1]) + b"\n")


def swap_header(path: Path, first: str, second: str) -> None:
    raw = path.read_bytes()
    head, rest = raw.split(b"\n", 1)
    cells = head.split(b",")
    a, b = cells.index(first.encode()), cells.index(second.encode())
    cells[a], cells[b] = cells[b], cells[a]
    path.write_bytes(b",".join(cells) + b"\n" + rest)


def refusal(kind: type[ImportFailed], directory: Path) -> str:
    with pytest.raises(kind) as refused:
        import_year(directory)
    return "\n".join(refused.value.problems)


def run(*args: str) -> tuple[str, str]:
    out, err = StringIO(), StringIO()
    call_command("import_pls", *args, stdout=out, stderr=err)
    return out.getvalue(), err.getvalue()


@pytest.fixture
def fy2017(tmp_path, db) -> Path:
    directory = copy_year(tmp_path, "FY2017")
    import_year(directory)
    return directory


def test_a_dry_run_changes_nothing_and_its_counts_are_the_applied_ones(tmp_path, db):
    directory = copy_year(tmp_path, "FY2017")
    before = digest()
    out, _err = run(str(directory), "--dry-run")
    assert digest() == before
    assert "Dry run: nothing was written" in out and "Change of FY2017, per state:" in out
    planned = import_year(directory, dry_run=True).plan
    assert planned is not None and not import_year(directory, dry_run=True).applied
    result = import_year(directory)
    assert result.applied
    assert planned.total("values_new") == result.values.created == Value.objects.count()
    assert planned.total("reports_new") == result.reports.created == Report.objects.count()
    assert planned.states["DE"]["reports_new"] == Report.objects.filter(unit__code__startswith="DE").count()


def test_a_truncated_ae_file_is_refused_and_the_database_stays_identical(fy2017):
    keep_first(fy2017 / AE17, 40)  # 64 systems → 40, no outlet file beside it
    (fy2017 / OUT17).unlink()
    before = digest()
    with pytest.raises(ConfirmationNeeded) as refused:
        import_year(fy2017)
    assert "would remove 24 of 64 reports" in "\n".join(refused.value.problems)
    assert digest() == before
    with pytest.raises(CommandError, match="Nothing was imported"):
        run(str(fy2017))
    assert digest() == before


def test_confirmed_removal_is_bulk_with_true_counts_and_one_invalidation(fy2017, monkeypatch):
    keep_first(fy2017 / AE17, 40)
    (fy2017 / OUT17).unlink()
    values_before = Value.objects.filter(report__period__survey__code="us-pls").count()
    removed_reports = Report.objects.filter(period__survey__code="us-pls").count() - 40
    signals: list[object] = []
    post_delete.connect(lambda sender, **kw: signals.append(sender), weak=False, dispatch_uid="count-deletes")
    bumps: list[int | None] = []
    monkeypatch.setattr("parskats.pls.importer.data_changed", lambda network_id=None: bumps.append(network_id))
    try:
        out, _err = run(str(fy2017), "--confirm-removals")
    finally:
        post_delete.disconnect(dispatch_uid="count-deletes")
    values_after = Value.objects.filter(report__period__survey__code="us-pls").count()
    assert f"reports: 0 created, 0 updated, {removed_reports} deleted" in out
    assert f"values: 0 created, 0 updated, {values_before - values_after} deleted" in out
    assert values_before - values_after > 0
    assert signals == [] and len(bumps) == 1


def test_a_truncated_outlet_file_is_refused(fy2017):
    keep_first(fy2017 / OUT17, 100)
    before = digest()
    message = refusal(ConfirmationNeeded, fy2017)
    assert "would remove 161 of" in message
    assert digest() == before


def test_swapped_columns_in_a_reimport_are_refused(fy2017):
    swap_header(fy2017 / AE17, "VISITS", "TOTCIR")
    before = digest()
    with pytest.raises(ConfirmationNeeded) as refused:
        import_year(fy2017)
    assert "the import would change" in "\n".join(refused.value.problems)
    assert digest() == before


def test_swapped_name_and_city_are_refused(fy2017):
    swap_header(fy2017 / AE17, "LIBNAME", "CITY")
    before = digest()
    message = refusal(ConfirmationNeeded, fy2017)
    assert "would rename" in message
    assert digest() == before


def test_a_swapped_column_pair_in_a_new_year_is_found_against_the_year_before(tmp_path, db):
    import_year(DATA / "pair" / "FY2016")
    directory = copy_year(tmp_path, "FY2017")
    genuine = import_year(directory, dry_run=True)
    assert genuine.findings.compared_with == 2016 and genuine.findings.suspects == []
    swap_header(directory / AE17, "VISITS", "TOTCIR")
    before = digest()
    with pytest.raises(ConfirmationNeeded) as refused:
        import_year(directory)
    message = "\n".join(refused.value.problems)
    assert "the column of visits looks like totcir of FY2016" in message
    assert "the column of totcir looks like visits of FY2016" in message
    assert digest() == before
    # Confirmed, it is imported as the file says.
    result = import_year(directory, confirm_columns=True)
    assert result.applied and Report.objects.filter(period__year=2017).exists()


def test_a_file_from_another_survey_is_refused_before_anything_changes(fy2017, tmp_path):
    other = tmp_path / "other" / "FY2017"
    shutil.copytree(fy2017, other)
    # A library survey of another kind: it has a state and a key column, but none of the PLS elements.
    (other / AE17).write_text(
        "STABR,FSCSKEY,LIBNAME,ENROLLMENT,ACADEMIC_VOLUMES,GATE_COUNT\n"
        + "".join(f"DE,DE{n:04d},College {n},{n * 100},{n * 1000},{n * 50}\n" for n in range(1, 40)),
        encoding="utf-8",
    )
    before = digest()
    message = refusal(ImportFailed, other)
    assert "only 0 of the" in message and "it is not a file of this survey" in message
    assert digest() == before


def test_the_threshold_is_an_option(fy2017):
    path = fy2017 / AE17
    lines = lines_of(path)
    header = lines[0].decode("utf-8-sig").split(",")
    cells = lines[3].split(b",")
    cells[header.index("VISITS")] = b"123456"
    path.write_bytes(b"\n".join([*lines[:3], b",".join(cells), *lines[4:]]))
    with pytest.raises(CommandError):
        run(str(fy2017), "--max-change", "0")
    out, _err = run(str(fy2017), "--max-change", "2%")
    assert "values: 0 created, 1 updated, 0 deleted" in out


def bad_rows(directory: Path) -> None:
    path = directory / AE17
    lines = lines_of(path)
    header = lines[0].decode("utf-8-sig").split(",")
    for index, text in ((5, b"12a4"), (9, b"-7")):
        cells = lines[index].split(b",")
        cells[header.index("VISITS")] = text
        lines[index] = b",".join(cells)
    path.write_bytes(b"\n".join(lines))


def test_defective_rows_refuse_with_every_problem_listed(tmp_path, db):
    directory = copy_year(tmp_path, "FY2017")
    bad_rows(directory)
    message = refusal(ImportFailed, directory)
    assert f"{AE17}, line 6, column VISITS: '12a4' is not a number." in message
    assert f"{AE17}, line 10, column VISITS: -7 is negative" in message
    assert not Value.objects.exists()


def test_quarantine_imports_every_other_row_and_keeps_the_bad_ones(tmp_path, db):
    directory = copy_year(tmp_path, "FY2017")
    bad_rows(directory)
    bad_keys = {lines_of(directory / AE17)[i].split(b",")[1].decode() for i in (5, 9)}
    # Their outlets are quarantined too: their system is not imported.
    outlets_of_bad = [
        ln for ln in lines_of(directory / OUT17)[1:] if ln.count(b",") and ln.split(b",")[1].decode() in bad_keys
    ]
    assert outlets_of_bad
    out, _err = run(str(directory), "--quarantine")
    assert f"{2 + len(outlets_of_bad)} defective rows left out and kept in quarantine" in out
    systems = set(Report.objects.filter(period__survey__code="us-pls").values_list("unit__code", flat=True))
    assert len(systems) == 64 - 2 and not systems & bad_keys
    outlets = Report.objects.filter(period__survey__code="us-pls-outlets").count()
    assert outlets == len(lines_of(directory / OUT17)) - 2 - len(outlets_of_bad)  # header, final newline
    kept = QuarantinedRow.objects.filter(year=2017)
    assert {row.key for row in kept.filter(kind="ae")} == bad_keys
    assert kept.filter(kind="outlet").count() == len(outlets_of_bad)
    assert kept.get(line=6).cells["VISITS"] == "12a4"
    # A clean import of the year empties the quarantine.
    shutil.rmtree(directory)
    copy_year(directory.parent, "FY2017")
    import_year(directory)
    assert not QuarantinedRow.objects.exists()


def test_a_stray_windows_1252_byte_in_a_utf8_file_is_named_not_the_whole_file_flipped(tmp_path, db):
    directory = copy_year(tmp_path, "FY2016")
    path = directory / "pls_fy2016_libraries.csv"
    raw = path.read_bytes()
    lines = raw.split(b"\n")
    lines[4] = lines[4].replace(b",", b",\x96", 1)[:0] + lines[4].replace(b"LIBRARY", b"LIBRARY\x96", 1)
    lines[6] = lines[6].replace(b"LIBRARY", "LIBRARY É".encode(), 1)  # a real UTF-8 character too
    path.write_bytes(b"\n".join(lines))
    result = import_year(directory)
    ae = next(item for item in result.files if item.path.name == path.name)
    assert ae.encoding == "UTF-8"
    assert any("line 5, character" in w and "byte 0x96 is not UTF-8" in w for w in result.warnings)
    assert OrgUnit.objects.filter(name__contains="LIBRARY É").exists()
    assert OrgUnit.objects.filter(name__contains="LIBRARY–").exists()
