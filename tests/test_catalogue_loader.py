"""The indicator catalogue is data: loaded from files, checked line by line, idempotent."""

import shutil
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command

from parskats.catalogue.loader import DATA_DIR, CatalogueError, load_catalogue
from parskats.catalogue.models import Indicator, Survey

pytestmark = pytest.mark.django_db


@pytest.fixture
def catalogue_copy(tmp_path: Path) -> Path:
    for name in ("lv-annual.toml", "lv-annual-indicators.csv", "lv-annual-checks.toml"):
        shutil.copy(DATA_DIR / name, tmp_path / name)
    return tmp_path / "lv-annual.toml"


def edit_line(manifest: Path, line_no: int, old: str, new: str) -> None:
    csv_path = manifest.parent / "lv-annual-indicators.csv"
    lines = csv_path.read_text(encoding="utf-8").splitlines()
    assert old in lines[line_no - 1]
    lines[line_no - 1] = lines[line_no - 1].replace(old, new, 1)
    csv_path.write_text("\n".join(lines) + "\n", encoding="utf-8")


def test_the_catalogue_of_the_product_brief_loads():
    result = load_catalogue(DATA_DIR / "lv-annual.toml")
    assert result.created == Indicator.objects.count() >= 35
    survey = Survey.objects.get(code="lv-annual")
    users_u18 = Indicator.objects.get(survey=survey, code="users_u18")
    assert users_u18.parent.code == "users"
    assert users_u18.name_lv == "t. sk. bērni un jaunieši līdz 18 g."
    assert Indicator.objects.get(code="hours_week").aggregation == "average"
    assert Indicator.objects.get(code="collection_textbooks").library_types == ["school"]
    assert not Indicator.objects.get(code="days_closed").on_form(2019)
    assert Indicator.objects.get(code="days_closed").on_form(2020, "school")


def test_loading_again_changes_nothing():
    load_catalogue(DATA_DIR / "lv-annual.toml")
    again = load_catalogue(DATA_DIR / "lv-annual.toml")
    assert again.created == again.updated == 0
    assert again.unchanged == Indicator.objects.count()


def test_an_edited_row_is_updated_in_place(catalogue_copy):
    load_catalogue(catalogue_copy)
    edit_line(catalogue_copy, 3, "Opening hours per week", "Weekly opening hours")
    result = load_catalogue(catalogue_copy)
    assert result.updated == 1
    assert Indicator.objects.get(code="hours_week").name_en == "Weekly opening hours"


def test_a_bad_aggregation_is_reported_with_its_line_and_nothing_is_written(catalogue_copy):
    edit_line(catalogue_copy, 8, ",sum,", ",summ,")
    with pytest.raises(CatalogueError) as caught:
        load_catalogue(catalogue_copy)
    assert "lv-annual-indicators.csv, line 8, column aggregation: 'summ' is not one of sum, average, none" in str(
        caught.value
    )
    assert not Survey.objects.exists() and not Indicator.objects.exists()


def test_every_problem_is_listed_at_once(catalogue_copy):
    edit_line(catalogue_copy, 4, "2020", "20x0")
    edit_line(catalogue_copy, 7, "users_u18,users,", "users_u18,nobody,")
    with pytest.raises(CatalogueError) as caught:
        load_catalogue(catalogue_copy)
    problems = caught.value.problems
    assert any("line 4, column first_year: '20x0' is not a year" in p for p in problems)
    assert any("line 7, column parent: 'nobody' is not an indicator of this file" in p for p in problems)


def test_a_row_with_missing_cells_names_its_line(catalogue_copy):
    csv_path = catalogue_copy.parent / "lv-annual-indicators.csv"
    with csv_path.open("a", encoding="utf-8") as handle:
        handle.write("broken,,users,Salauzts\n")
    with pytest.raises(CatalogueError, match=r"line 38: 4 columns, expected 15"):
        load_catalogue(catalogue_copy)


def test_a_wrong_header_is_refused(catalogue_copy):
    csv_path = catalogue_copy.parent / "lv-annual-indicators.csv"
    text = csv_path.read_text(encoding="utf-8").replace("value_type", "type", 1)
    csv_path.write_text(text, encoding="utf-8")
    with pytest.raises(CatalogueError, match="line 1: the header must be exactly"):
        load_catalogue(catalogue_copy)


def test_a_broken_manifest_names_its_line(catalogue_copy):
    catalogue_copy.write_text('code = "lv-annual"\nname_lv = \n', encoding="utf-8")
    with pytest.raises(CatalogueError, match=r"lv-annual.toml: .*line 2"):
        load_catalogue(catalogue_copy)


def test_an_indicator_is_never_deleted_by_a_reload(catalogue_copy):
    load_catalogue(catalogue_copy)
    csv_path = catalogue_copy.parent / "lv-annual-indicators.csv"
    lines = [line for line in csv_path.read_text(encoding="utf-8").splitlines() if not line.startswith("exhibitions,")]
    csv_path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    with pytest.raises(CatalogueError, match="exhibitions are in the database but not in the file"):
        load_catalogue(catalogue_copy)
    assert Indicator.objects.filter(code="exhibitions").exists()


def test_the_command_fails_with_the_message(catalogue_copy):
    edit_line(catalogue_copy, 8, ",sum,", ",summ,")
    with pytest.raises(CommandError, match="line 8"):
        call_command("load_catalogue", str(catalogue_copy))
