"""In a real browser: the methodologist of England's network chooses the survey, uploads its two
files and the year, sees the change per local authority, confirms, and sees the year imported; at
1280 and 360 px wide; WCAG 2.1 AA on every step."""

import shutil
from pathlib import Path

import pytest

from parskats.accounts.models import Role
from parskats.network.models import Network

from ..factories import PASSWORD, give_role, user
from .conftest import assert_accessible, log_in, screenshot

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
SAMPLE = Path(__file__).resolve().parents[2] / "parskats" / "pls" / "data" / "surveys" / "samples" / "england-2024"
NOTES = Path(__file__).resolve().parents[2] / "docs" / "notes" / "img"


def keep(path: Path, name: str) -> None:
    NOTES.mkdir(parents=True, exist_ok=True)
    shutil.copyfile(path, NOTES / f"20-survey-upload-{name}.png")


def journey(page, name: str) -> None:
    page.goto("/n/en-librarydata/pls/surveys/")
    assert_accessible(page)
    page.get_by_role("link", name="Anglijas publisko bibliotēku atvērtie dati").click()
    page.wait_for_load_state()
    page.get_by_label("Gads", exact=True).fill("2024")
    page.get_by_label("Fails „libraries“").set_input_files(str(SAMPLE / "libraries.csv"))
    page.get_by_label("Fails „visits“").set_input_files(str(SAMPLE / "physical_visits.csv"))
    page.get_by_role("button", name="Rādīt izmaiņas").click()
    page.wait_for_load_state()
    assert page.get_by_role("heading", name="Ko mainītu šī perioda imports: 2023./2024. finanšu gads").is_visible()
    assert page.get_by_role("columnheader", name="Pašvaldība").is_visible()
    assert_accessible(page)
    keep(screenshot(page, f"survey-preview-{name}"), f"preview-{name}")


def test_upload_preview_confirm(page, browser, live_server):
    network = Network.objects.create(name="England public libraries (schema.librarydata.uk)", slug="en-librarydata")
    admin = user("en.admin@example.org", "Edīte Anglija")
    give_role(admin, network, Role.Kind.ADMIN)
    context = browser.new_context(
        base_url=live_server.url, locale="lv-LV", viewport={"width": 360, "height": 780}, is_mobile=True
    )
    phone = context.new_page()
    log_in(phone, admin.email, PASSWORD)
    journey(phone, "360")  # a preview writes nothing: the same upload can be previewed twice
    log_in(page, admin.email, PASSWORD)
    journey(page, "1280")
    page.get_by_role("button", name="Piemērot importu", exact=True).click()
    page.wait_for_load_state()
    heading = "Anglijas publisko bibliotēku atvērtie dati: 2023./2024. finanšu gads importēts"
    page.get_by_role("heading", name=heading).wait_for()
    assert "/n/en-librarydata/jobs/" in page.url
    assert_accessible(page)
    keep(screenshot(page, "survey-done-1280"), "done-1280")
    phone.goto(page.url)
    phone.get_by_role("heading", name=heading).wait_for()
    assert_accessible(phone)
    keep(screenshot(phone, "survey-done-360"), "done-360")
    # the phone's staged upload is now stale against the data: applying it again changes nothing
    context.close()
