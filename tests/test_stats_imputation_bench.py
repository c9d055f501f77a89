"""The imputation benchmark prints its error table: on the first libraries of the US survey's
FY2016 and FY2017 files (skipped without them), every element gets its errors per method chain,
and estimating the hidden values brings the state totals closer than leaving them out."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from bench import imputation
from bench.pls import data_dir
from parskats.pls.importer import read_year
from parskats.pls.reading import classify, read_header
from parskats.stats.imputation import settings

LIBRARIES = 600


def _first_libraries(source: Path, target: Path) -> None:
    """The year's AE file cut to its first libraries (the other files are not read)."""
    target.mkdir()
    layout, _parsed = read_year(source, kinds=())
    for path in sorted(source.glob("*.csv")):
        _text, header, _encoding = read_header(path)
        if classify(header, layout) == "ae":
            lines = path.read_bytes().split(b"\n")
            (target / path.name).write_bytes(b"\n".join(lines[: LIBRARIES + 1]) + b"\n")
            return
    shutil.rmtree(target)
    pytest.skip(f"no AE file in {source}")


def test_the_benchmark_prints_the_imputation_error_table(tmp_path, capsys):
    found = data_dir()
    if found is None or not (found / imputation.CURRENT).is_dir():
        pytest.skip("no PLS files (set PLS_DATA)")
    for year in (imputation.PREVIOUS, imputation.CURRENT):
        _first_libraries(found / year, tmp_path / year)
    assert imputation.CHAINS[imputation.DEFAULT] == settings().default  # it measures what the app runs
    results = imputation.measure(tmp_path)
    assert ("visits", 0.2) in results and ("totcir", 0.05) in results
    visits = results[("visits", 0.2)]
    assert set(visits) == {*imputation.CHAINS, *imputation.IN_STATE, "none"}
    # Leaving a fifth of the libraries out misses far more of a state's visits than estimating them.
    assert visits["none"][1] > 5 * visits[imputation.DEFAULT][1]
    assert visits[imputation.DEFAULT][2] >= visits[imputation.BASELINE][2]  # carrying lacks new libraries
    imputation.report(results)
    printed = capsys.readouterr().out
    assert "libraries, MdAPE %" in printed and "state totals, MdAPE %" in printed
    assert printed.count("\nvisits") == 2 and "median 20%" in printed
