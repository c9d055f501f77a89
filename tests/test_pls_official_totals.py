"""The published state totals as data: a state summary file imports on its own as the official
totals of its year, and reconciliation compares against them whenever the year's systems are there."""

from __future__ import annotations

import shutil
from io import StringIO
from pathlib import Path

import pytest
from django.core.management import call_command
from django.utils import translation

from parskats.network.models import Network
from parskats.pls import official
from parskats.pls.importer import ConfirmationNeeded, import_year
from parskats.pls.models import OfficialTotal
from parskats.pls.reconcile import reconcile
from parskats.reporting.models import Report

DATA = Path(__file__).parent / "data" / "pls"
STATE17 = "PLS_FY17_State_pud17i.csv"


@pytest.fixture(autouse=True)
def _english():
    with translation.override("en"):
        yield


def only(tmp_path: Path, year: str, *names: str) -> Path:
    directory = tmp_path / year
    directory.mkdir(parents=True)
    for name in names:
        shutil.copy(DATA / year / name, directory / name)
    return directory


def test_a_state_summary_file_imports_on_its_own(tmp_path, db):
    directory = only(tmp_path, "FY2017", STATE17)
    result = import_year(directory)
    assert result.applied and not Report.objects.exists()
    network = Network.objects.get(slug="us-pls")
    stored = official.stored_by_state(network, 2017)
    assert set(stored) == {"AS", "DE", "SC"}
    assert result.totals.created == OfficialTotal.objects.count() > 3 * 50
    assert stored["DE"]["visits"] is not None and stored["DE"]["visits"] > 0
    # A time series: another year's summary beside it.
    import_year(only(tmp_path / "b", "FY1998", "PUSUM98.csv"))
    assert official.years(network) == [1998, 2017]
    assert not import_year(directory).changed


def test_reconciliation_uses_the_stored_totals_when_the_systems_come_later(tmp_path, db):
    import_year(only(tmp_path, "FY2017", STATE17))
    systems = only(tmp_path / "later", "FY2017", "pls_fy2017_libraries.csv", "PLS_FY17_Outlet_pud17i.csv")
    out = StringIO()
    call_command("import_pls", str(systems), stdout=out, stderr=StringIO())
    assert "Reconciled with the official state totals:" in out.getvalue() and "0 unexplained" in out.getvalue()
    stored = reconcile(None, 2017)
    from_file = reconcile(DATA / "FY2017")
    assert stored.elements == from_file.elements and stored.outcomes == from_file.outcomes
    assert stored.unexplained == []
    out = StringIO()
    call_command("reconcile_pls", str(systems), stdout=out, stderr=StringIO())  # no state file in it
    assert "No unexplained difference" in out.getvalue()


def test_rewriting_the_official_totals_needs_a_confirmation(tmp_path, db):
    directory = only(tmp_path, "FY2017", STATE17)
    import_year(directory)
    path = directory / STATE17
    lines = path.read_bytes().split(b"\n")
    header = lines[0].split(b",")
    # Swap VISITS and TOTCIR in the header: every state's two totals change.
    a, b = header.index(b"VISITS"), header.index(b"TOTCIR")
    header[a], header[b] = header[b], header[a]
    path.write_bytes(b",".join(header) + b"\n" + b"\n".join(lines[1:]))
    before = list(OfficialTotal.objects.order_by("pk").values_list())
    with pytest.raises(ConfirmationNeeded) as refused:
        import_year(directory)
    assert "official state totals" in "\n".join(refused.value.problems)
    assert list(OfficialTotal.objects.order_by("pk").values_list()) == before
    assert import_year(directory, confirm_removals=True).totals.updated == 6
