"""A "documented" difference is bounded by what its documented cause can explain, and rows left in
quarantine are counted by the reconciliation (and bound what they can explain)."""

from __future__ import annotations

import csv
import io
import shutil
from decimal import Decimal
from pathlib import Path

import pytest
from django.utils import translation

from parskats.pls.importer import import_year
from parskats.pls.reconcile import DOCUMENTED, UNEXPLAINED, reconcile, summary_lines

DATA = Path(__file__).parent / "data" / "pls"
AE17 = "pls_fy2017_libraries.csv"


@pytest.fixture(autouse=True)
def _english():
    with translation.override("en"):
        yield


def set_cell(path: Path, match: str, column: str, value: str) -> str:
    """Set `column` of the first row whose first cells match `match`; return the old value."""
    raw = path.read_bytes()
    text = raw.decode("utf-8-sig") if raw.startswith(b"\xef\xbb\xbf") else raw.decode("latin-1")
    rows = list(csv.reader(io.StringIO(text, newline="")))
    index = rows[0].index(column)
    for row in rows[1:]:
        if row and ",".join(row).startswith(match):
            old = row[index]
            row[index] = value
            break
    else:
        raise AssertionError(match)
    out = io.StringIO()
    csv.writer(out, lineterminator="\n").writerows(rows)
    path.write_text(out.getvalue(), encoding="utf-8")
    return old


def test_a_suppressed_shortfall_beyond_what_small_libraries_can_spend_is_unexplained(tmp_path, db):
    directory = tmp_path / "FY1998"
    shutil.copytree(DATA / "FY1998", directory)
    import_year(directory)
    assert reconcile(directory).outcomes["salaries"][DOCUMENTED] == 2
    old = set_cell(directory / "PUSUM98.csv", "NV,", "SALARIES", "")
    set_cell(directory / "PUSUM98.csv", "NV,", "SALARIES", str(Decimal(old) + 50_000_000))
    result = reconcile(directory)
    nevada = next(d for d in result.differences if d.state == "NV" and d.element == "salaries")
    assert nevada.outcome == UNEXPLAINED and "explain at most" in nevada.reason
    # The bound is real, not zero: the genuine Nevada shortfall stays documented with its ceiling.
    set_cell(directory / "PUSUM98.csv", "NV,", "SALARIES", old)
    genuine = next(d for d in reconcile(directory).differences if d.state == "NV" and d.element == "salaries")
    assert genuine.outcome == DOCUMENTED and "at most" in genuine.reason


def test_quarantined_rows_are_counted_and_bound_the_difference(tmp_path, db):
    directory = tmp_path / "FY2017"
    shutil.copytree(DATA / "FY2017", directory)
    set_cell(directory / AE17, "DE,DE0002,", "TOTCIR", "-7")  # a bad code: the row goes to quarantine
    import_year(directory, quarantine=True)
    result = reconcile(directory)
    assert result.quarantined["DE"] == 1
    visits = next(d for d in result.differences if d.state == "DE" and d.element == "visits")
    assert visits.outcome == DOCUMENTED and "1 rows in quarantine (at most" in visits.reason
    assert any("quarantine by the import, per state: DE 1" in line for line in summary_lines(result))
    # A quarantined cell that cannot be read cannot bound anything.
    totcir = next(d for d in result.differences if d.state == "DE" and d.element == "totcir")
    assert totcir.outcome == UNEXPLAINED and "cannot be read" in totcir.reason
    # A state total short by more than the quarantined row holds is unexplained.
    official = directory / "PLS_FY17_State_pud17i.csv"
    old = set_cell(official, "DE,", "VISITS", "")
    set_cell(official, "DE,", "VISITS", str(Decimal(old) + 10_000_000))
    visits = next(d for d in reconcile(directory).differences if d.state == "DE" and d.element == "visits")
    assert visits.outcome == UNEXPLAINED and "explain at most" in visits.reason
