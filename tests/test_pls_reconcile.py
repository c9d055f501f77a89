"""reconcile_pls: state totals recomputed by the aggregation core against the official state summary."""

from __future__ import annotations

import shutil
from io import StringIO
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command
from django.utils import translation

from parskats.pls.importer import import_year
from parskats.pls.reconcile import DOCUMENTED, EXACT, UNEXPLAINED, reconcile

DATA = Path(__file__).parent / "data" / "pls"


@pytest.fixture(autouse=True)
def _english():
    """These tests read the messages in English; tests/test_pls_messages.py reads them in Latvian."""
    with translation.override("en"):
        yield


def run(directory: Path) -> tuple[int, str, str]:
    out, err = StringIO(), StringIO()
    try:
        call_command("reconcile_pls", str(directory), stdout=out, stderr=err)
    except SystemExit as exit_:
        return int(exit_.code or 0), out.getvalue(), err.getvalue()
    return 0, out.getvalue(), err.getvalue()


def test_fy1998_slice_reconciles_with_suppressed_salaries_documented(db):
    import_year(DATA / "FY1998")
    result = reconcile(DATA / "FY1998")
    assert result.unexplained == []
    # Nevada and Wyoming have suppressed small-library salaries; DC's one system has none.
    assert result.outcomes["salaries"][DOCUMENTED] == 2
    assert result.outcomes["salaries"][EXACT] == 1
    assert result.outcomes["visits"][EXACT] == 3
    status, out, _err = run(DATA / "FY1998")
    assert status == 0
    assert "No unexplained difference" in out
    assert "salaries" in out and "visits" in out


def test_fy2017_slice_reconciles_and_lists_what_the_ae_subset_lacks(db):
    import_year(DATA / "FY2017")
    result = reconcile(DATA / "FY2017")
    assert result.unexplained == []
    assert "visits" in result.elements and "salaries" in result.not_in_ae
    assert result.outcomes["visits"][EXACT] == 3


def test_a_changed_official_total_is_unexplained_and_exits_1(tmp_path, db):
    directory = tmp_path / "FY2017"
    shutil.copytree(DATA / "FY2017", directory)
    import_year(directory)
    summary = directory / "PLS_FY17_State_pud17i.csv"
    lines = summary.read_text(encoding="utf-8").split("\n")
    header = lines[0].split(",")
    index = next(i for i, line in enumerate(lines) if line.startswith("DE,"))
    cells = lines[index].split(",")
    cells[header.index("VISITS")] = str(int(cells[header.index("VISITS")]) + 1000)
    lines[index] = ",".join(cells)
    summary.write_text("\n".join(lines), encoding="utf-8")
    result = reconcile(directory)
    assert [(d.state, d.element, d.outcome) for d in result.unexplained] == [("DE", "visits", UNEXPLAINED)]
    status, out, err = run(directory)
    assert status == 1
    assert "UNEXPLAINED DE visits" in out
    assert "1 unexplained differences" in err


def test_reconcile_before_import_says_so(db):
    with pytest.raises(CommandError, match="Cannot reconcile"):
        call_command("reconcile_pls", str(DATA / "FY2016"), stdout=StringIO(), stderr=StringIO())
