"""In a real browser: the network admin imports a PLS fiscal year and sees the reconciliation; WCAG 2.1 AA."""

from pathlib import Path

import pytest

from parskats.accounts.models import Role
from parskats.network.models import Network

from ..factories import PASSWORD, give_role, user
from .conftest import assert_accessible, log_in, screenshot

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
DATA = Path(__file__).resolve().parents[1] / "data" / "pls" / "FY2017"


def test_admin_imports_a_year_and_sees_it_reconciled(page, phone_page):
    network = Network.objects.create(name="ASV publiskās bibliotēkas (IMLS PLS)", slug="us-pls")
    admin = user("pls.admin@example.org", "Pēteris Paraugs")
    give_role(admin, network, Role.Kind.ADMIN)
    log_in(page, admin.email, PASSWORD)
    page.goto("/n/us-pls/pls/")
    assert page.get_by_text("Vēl nav importēts neviens finanšu gads.").is_visible()
    assert_accessible(page)
    page.get_by_label("Finanšu gads").fill("2017")
    page.get_by_label("Bibliotēku sistēmu (AE) fails").set_input_files(str(DATA / "pls_fy2017_libraries.csv"))
    page.get_by_label("Apkalpošanas punktu fails").set_input_files(str(DATA / "PLS_FY17_Outlet_pud17i.csv"))
    page.get_by_label("Štatu kopsavilkuma fails").set_input_files(str(DATA / "PLS_FY17_State_pud17i.csv"))
    page.get_by_role("button", name="Importēt", exact=True).click()
    page.wait_for_load_state()
    # The change is shown first; nothing is written until it is applied.
    page.get_by_role("button", name="Piemērot importu", exact=True).click()
    page.wait_for_load_state()
    assert page.get_by_role("heading", name="Finanšu gads 2017 importēts").is_visible()
    assert page.get_by_text("Nav neizskaidrotu atšķirību.").is_visible()
    assert page.get_by_role("row", name="Apmeklējumi (VISITS)").is_visible()
    assert_accessible(page)
    screenshot(page, "pls-import-2017-lv")
    log_in(phone_page, admin.email, PASSWORD)
    phone_page.goto("/n/us-pls/pls/")
    assert phone_page.get_by_role("cell", name="2017").is_visible()
    assert_accessible(phone_page)
    screenshot(phone_page, "pls-screen-phone")
