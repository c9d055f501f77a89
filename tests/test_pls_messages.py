"""The PLS importer and reconciliation speak Latvian (the default language) on the screen and on the
terminal, and keep the file, line and column of every problem."""

from __future__ import annotations

import shutil
from io import StringIO
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command
from django.utils import translation

from parskats.pls.importer import ImportFailed, import_year
from parskats.reporting.models import Value

DATA = Path(__file__).parent / "data" / "pls"
AE17 = "pls_fy2017_libraries.csv"


def broken_year(tmp_path: Path) -> Path:
    """FY2017 with a letter in Delaware's visits on line 6 of the AE file."""
    directory = tmp_path / "FY2017"
    shutil.copytree(DATA / "FY2017", directory)
    lines = (directory / AE17).read_bytes().split(b"\n")
    header = lines[0].decode("utf-8-sig").split(",")
    cells = lines[5].split(b",")
    cells[header.index("VISITS")] = b"12a4"
    (directory / AE17).write_bytes(b"\n".join([*lines[:5], b",".join(cells), *lines[6:]]))
    return directory


def test_a_broken_file_gets_its_problem_in_latvian_with_the_line(tmp_path, db):
    directory = broken_year(tmp_path)
    with translation.override("lv"), pytest.raises(ImportFailed) as failure:
        import_year(directory)
    assert failure.value.problems == [f"{AE17}, 6. rinda, kolonna VISITS: '12a4' nav skaitlis."]
    with translation.override("en"), pytest.raises(ImportFailed) as failure:
        import_year(directory)
    assert failure.value.problems == [f"{AE17}, line 6, column VISITS: '12a4' is not a number."]
    assert not Value.objects.exists()


def test_the_commands_speak_latvian(tmp_path, db):
    directory = broken_year(tmp_path)
    err = StringIO()
    with pytest.raises(CommandError) as failure:
        call_command("import_pls", str(directory), stdout=StringIO(), stderr=err)
    assert str(failure.value) == "Nekas netika importēts: problēmas (1) ir uzskaitītas augstāk."
    assert f"{AE17}, 6. rinda, kolonna VISITS: '12a4' nav skaitlis." in err.getvalue()

    out, err = StringIO(), StringIO()
    call_command("import_pls", str(DATA / "FY2017"), stdout=out, stderr=err)
    assert "PLS FY2017 importēts" in out.getvalue()
    assert "tīkla vienības: jauni " in out.getvalue() and "vērtības: jauni " in out.getvalue()
    assert "us-pls vērtības" in err.getvalue()  # the progress bar's stage
    out = StringIO()
    call_command("import_pls", str(DATA / "FY2017"), stdout=out, stderr=StringIO())
    assert "PLS FY2017 jau bija importēts, nekas nemainījās" in out.getvalue()

    out = StringIO()
    call_command("reconcile_pls", str(DATA / "FY2017"), stdout=out, stderr=StringIO())
    lines = out.getvalue().splitlines()
    assert lines[0].startswith("PLS FY2017: ") and "elementi × štati" in lines[0]
    assert lines[1].split() == ["elements", "precīzi", "noapaļošana", "dokumentēts", "iemesls", "neizskaidrota"]
    assert any(line.startswith("visi ") for line in lines)
    assert "Nav neizskaidrotu atšķirību" in out.getvalue()


def test_an_unknown_year_is_refused_in_latvian(tmp_path, db):
    directory = tmp_path / "FY2031"
    shutil.copytree(DATA / "FY2017", directory)
    with pytest.raises(ImportFailed) as failure:
        import_year(directory)
    assert failure.value.problems[0].startswith("Finanšu gadam 2031 nav kolonnu kartes: pieejamā dokumentācija")
