"""The network admin's PLS screen: who may use it, importing through it, and bad files."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from parskats.accounts.models import Role
from parskats.network.models import Network
from parskats.reporting.models import Value

from .conftest import client_for
from .factories import give_role, user

DATA = Path(__file__).parent / "data" / "pls"
URL = "/n/us-pls/pls/"


@pytest.fixture
def us_network(db) -> Network:
    return Network.objects.create(name="ASV publiskās bibliotēkas (IMLS PLS)", slug="us-pls")


@pytest.fixture
def pls_admin(us_network):
    person = user("pls.admin@example.org", "Pēteris Paraugs")
    give_role(person, us_network, Role.Kind.ADMIN)
    return person


def upload(name: str, year: str = "FY2017") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, (DATA / year / name).read_bytes(), content_type="text/csv")


def test_only_the_network_admin_sees_the_screen(us_network, pls_admin, methodologist, world):
    viewer = user("pls.viewer@example.org", "Vija Parauga")
    give_role(viewer, us_network, Role.Kind.VIEWER)
    assert client_for(None).get(URL).status_code == 302
    assert client_for(viewer).get(URL).status_code == 403
    assert client_for(methodologist).get(URL).status_code == 404  # not a member: not even told it exists
    assert client_for(methodologist).get(f"/n/{world.network.slug}/pls/").status_code == 404
    response = client_for(pls_admin).get(URL)
    assert response.status_code == 200
    assert "Importēt finanšu gadu" in response.content.decode()


def token_of(page: str) -> str:
    match = re.search(r'name="token" value="([^"]+)"', page)
    assert match, page
    return match.group(1)


def import_through(client, data: dict, **confirm: str):
    """Upload, look at the preview (nothing written yet), apply: the import is a job, which under
    the inline backend has run when its page is shown."""
    preview = client.post(URL, data)
    assert preview.status_code == 200, preview.content.decode()
    return client.post(URL, {"token": token_of(preview.content.decode()), **confirm}, follow=True)


def test_import_and_reconcile_through_the_screen(pls_admin):
    client = client_for(pls_admin)
    preview = client.post(
        URL,
        {
            "year": "2017",
            "ae_file": upload("pls_fy2017_libraries.csv"),
            "outlet_file": upload("PLS_FY17_Outlet_pud17i.csv"),
            "state_file": upload("PLS_FY17_State_pud17i.csv"),
        },
    )
    assert "Nekas vēl nav ierakstīts" in preview.content.decode()
    assert not Value.objects.exists()
    response = client.post(URL, {"token": token_of(preview.content.decode())}, follow=True)
    page = response.content.decode()
    assert response.status_code == 200, page
    assert response.redirect_chain[0][0].startswith("/n/us-pls/jobs/")
    assert "Finanšu gads 2017 importēts" in page
    assert "Nav neizskaidrotu atšķirību." in page
    assert Value.objects.filter(report__period__year=2017).exists()
    again = import_through(client, {"year": "2017", "ae_file": upload("pls_fy2017_libraries.csv")})
    # The same AE file again, outlets left out: nothing changes, the outlets stay as they were.
    assert "Faili jau bija importēti: nekas nemainījās." in again.content.decode()
    assert Value.objects.filter(report__period__survey__code="us-pls-outlets").exists()


def test_a_bad_file_imports_nothing_and_says_where(pls_admin):
    raw = (DATA / "FY2017" / "pls_fy2017_libraries.csv").read_bytes()
    broken = SimpleUploadedFile("ae.csv", raw[: len(raw) - 100], content_type="text/csv")
    response = client_for(pls_admin).post(URL, {"year": "2017", "ae_file": broken})
    assert response.status_code == 400
    page = response.content.decode()
    assert "Nekas netika importēts" in page
    assert "ae.csv, 65. rinda: kolonnu skaits 28, gaidīts 47 (nepilna vai nobīdīta rinda)." in page
    assert not Value.objects.exists()
    english = client_for(pls_admin)
    english.cookies["parskats_language"] = "en"
    broken.seek(0)
    page = english.post(URL, {"year": "2017", "ae_file": broken}).content.decode()
    assert "Nothing was imported" in page and "ae.csv, line 65: 28 columns, expected 47" in page


def test_form_errors(pls_admin):
    response = client_for(pls_admin).post(URL, {"year": "abc"})
    assert response.status_code == 400
    assert not Value.objects.exists()


def test_the_confirmation_threshold_holds_on_the_screen(pls_admin):
    client = client_for(pls_admin)
    client.cookies["parskats_language"] = "en"
    full = {"year": "2017", "ae_file": upload("pls_fy2017_libraries.csv")}
    assert import_through(client, full).status_code == 200
    held = Value.objects.count()
    lines = (DATA / "FY2017" / "pls_fy2017_libraries.csv").read_bytes().split(b"\n")
    cut = SimpleUploadedFile("ae.csv", b"\n".join(lines[:31]) + b"\n", content_type="text/csv")
    preview = client.post(URL, {"year": "2017", "ae_file": cut})
    page = preview.content.decode()
    assert "What importing fiscal year 2017 would change" in page and "Yes, remove or change" in page
    token = token_of(page)
    refused = client.post(URL, {"token": token})
    assert refused.status_code == 400
    assert "would remove 34 of 64 reports" in refused.content.decode()
    assert Value.objects.count() == held
    applied = client.post(URL, {"token": token, "confirm_removals": "on"}, follow=True)
    assert applied.status_code == 200 and "Fiscal year 2017 imported" in applied.content.decode()
    assert Value.objects.count() < held
    # The staged files are gone once applied: the same token cannot apply them twice.
    again = client.post(URL, {"token": token, "confirm_removals": "on"})
    assert again.status_code == 400 and "no longer waiting" in again.content.decode()
