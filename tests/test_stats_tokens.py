"""The methodologist's API token page: issue a token (its secret shown once, only a hash kept), see
when it was last used, revoke it; each change audited; nobody else sees or revokes a network's tokens."""

from __future__ import annotations

import hashlib
import importlib

import pytest
from django.apps import apps
from django.core.management import CommandError, call_command

from parskats.accounts.models import Role
from parskats.audit.models import AuditEntry
from parskats.reporting.models import Report
from parskats.stats.models import ApiToken, issue_token

from .conftest import client_for
from .factories import give_role, report_with

PAGE = "/n/testa/figures/api-tokens/"
ALL = "/api/networks/testa/values/?year=2021&status=all"


def revoke_url(token: ApiToken, network: str = "testa") -> str:
    return f"/n/{network}/figures/api-tokens/{token.pk}/revoke/"


@pytest.fixture
def pending(world):
    report = report_with(world.library_a, world.periods[2021], loans=1200)
    Report.objects.filter(pk=report.pk).update(status=Report.Status.SUBMITTED)
    return report


def create(client, name: str = "Pašvaldības pārskats") -> str:
    """Issue a token through the page; the secret as shown (once) on the answer page."""
    response = client.post(PAGE, {"name": name})
    assert response.status_code == 200
    assert "no-store" in response["Cache-Control"]
    secret = response.context["secret"]
    assert secret.startswith("pk_") and secret in response.content.decode()
    return secret


def test_the_methodologist_issues_a_token_shown_once_and_stored_as_a_hash(world, methodologist, pending):
    client = client_for(methodologist)
    assert client.get(PAGE).status_code == 200
    secret = create(client)

    token = ApiToken.objects.get()
    assert (token.user, token.network, token.name) == (methodologist, world.network, "Pašvaldības pārskats")
    assert token.digest == hashlib.sha256(secret.encode()).hexdigest()
    assert not ApiToken.objects.filter(digest__contains=secret).exists()
    entry = AuditEntry.objects.get(target="api_token")
    assert (entry.actor, entry.network, entry.note) == (methodologist, world.network, "API token issued")
    assert entry.new == {"id": token.pk, "name": token.name, "user": methodologist.email}
    assert secret not in str(entry.new)

    again = client.get(PAGE).content.decode()
    assert secret not in again
    assert "Pašvaldības pārskats" in again and "nekad" in again  # never used yet

    api = client_for(None).get(ALL, HTTP_AUTHORIZATION=f"Bearer {secret}")
    assert api.status_code == 200
    assert {v["library"] for v in api.json()["results"]} >= {world.library_a.code}
    token.refresh_from_db()
    assert token.last_used_at is not None
    assert "nekad" not in client.get(PAGE).content.decode()


def test_revoking_stops_the_token_at_once_and_is_audited(world, methodologist, pending):
    client = client_for(methodologist)
    secret = create(client)
    token = ApiToken.objects.get()

    response = client.post(revoke_url(token), follow=True)
    assert response.redirect_chain == [(PAGE, 302)]
    page = response.content.decode()
    assert "tika atsaukta" in page and "atsaukta " in page  # the message, and the row's state
    token.refresh_from_db()
    assert token.revoked_at is not None
    assert client_for(None).get(ALL, HTTP_AUTHORIZATION=f"Bearer {secret}").status_code == 401
    entry = AuditEntry.objects.filter(target="api_token").first()
    assert (entry.note, entry.old["id"], entry.actor) == ("API token revoked", token.pk, methodologist)

    again = client.post(revoke_url(token), follow=True)
    assert "jau bija atsaukta" in again.content.decode()
    assert AuditEntry.objects.filter(target="api_token").count() == 2  # issue + one revocation


def test_a_token_works_only_for_its_own_network(world, methodologist, pending):
    give_role(methodologist, world.other_network, Role.Kind.ADMIN)
    _token, elsewhere = issue_token(methodologist, "cits", world.other_network)
    _token, here = issue_token(methodologist, "šis", world.network)
    anonymous = client_for(None)
    assert anonymous.get(ALL, HTTP_AUTHORIZATION=f"Bearer {elsewhere}").status_code == 403
    assert anonymous.get(ALL, HTTP_AUTHORIZATION=f"Bearer {here}").status_code == 200


def test_a_token_stops_working_when_its_holder_loses_the_role(world, methodologist, pending):
    secret = create(client_for(methodologist))
    Role.objects.filter(user=methodologist).delete()
    assert client_for(None).get(ALL, HTTP_AUTHORIZATION=f"Bearer {secret}").status_code == 403


def test_a_token_needs_a_name(world, methodologist):
    response = client_for(methodologist).post(PAGE, {"name": "   "})
    assert response.status_code == 400
    assert "Šis lauks ir nepieciešams" in response.content.decode()
    assert not ApiToken.objects.exists() and not AuditEntry.objects.exists()


def test_only_the_networks_methodologists_see_and_revoke_its_tokens(
    world, methodologist, reporter_a, viewer, other_methodologist
):
    token, _secret = issue_token(methodologist, "testa", world.network)
    theirs, _secret = issue_token(other_methodologist, "cits", world.other_network)
    for person in (reporter_a, viewer):
        client = client_for(person)
        assert client.get(PAGE).status_code == 403
        assert client.post(PAGE, {"name": "mans"}).status_code == 403
        assert client.post(revoke_url(token)).status_code == 403
    stranger = client_for(other_methodologist)
    assert stranger.get(PAGE).status_code == 404
    assert stranger.post(revoke_url(token)).status_code == 404
    # Their own network's page lists only their own network's token, and cannot reach ours.
    own_page = stranger.get(f"/n/{world.other_network.slug}/figures/api-tokens/").content.decode()
    assert "cits" in own_page and ">testa<" not in own_page
    assert stranger.post(revoke_url(token, world.other_network.slug)).status_code == 404
    assert client_for(methodologist).post(revoke_url(theirs)).status_code == 404
    assert not ApiToken.objects.filter(revoked_at__isnull=False).exists()
    assert client_for(None).get(PAGE).status_code == 302


def test_the_page_speaks_english_too(world, methodologist):
    english = client_for(methodologist)
    english.cookies["parskats_language"] = "en"
    page = english.get(PAGE).content.decode()
    assert "API tokens" in page and "Create the token" in page
    lv = client_for(methodologist).get(PAGE).content.decode()
    assert "API atslēgas" in lv and "Izveidot atslēgu" in lv


def test_the_completeness_board_links_the_page_for_the_methodologist(world, methodologist, viewer):
    assert PAGE in client_for(methodologist).get("/n/testa/review/").content.decode()
    assert PAGE not in client_for(viewer).get("/n/testa/review/").content.decode()


def test_the_command_issues_a_token_of_a_network_for_its_methodologist_or_viewer(
    world, methodologist, reporter_a, capsys
):
    call_command("create_api_token", methodologist.email, "--network", "testa", "--name", "skripts")
    secret = capsys.readouterr().out.strip()
    token = ApiToken.objects.get(digest=hashlib.sha256(secret.encode()).hexdigest())
    assert (token.network, token.name) == (world.network, "skripts")
    assert AuditEntry.objects.get(target="api_token").channel == AuditEntry.Channel.ADMIN
    with pytest.raises(CommandError):
        call_command("create_api_token", reporter_a.email, "--network", "testa")
    with pytest.raises(CommandError):
        call_command("create_api_token", methodologist.email, "--network", "nav")


def test_the_migration_gives_an_older_token_its_one_network(world, methodologist, viewer):
    migration = importlib.import_module("parskats.stats.migrations.0003_api_token_network")
    give_role(viewer, world.other_network, Role.Kind.VIEWER)
    one, _secret = issue_token(methodologist, "vecs")
    two, _secret = issue_token(viewer, "divi tīkli")
    migration.scope_existing_tokens(apps, None)
    one.refresh_from_db()
    two.refresh_from_db()
    assert one.network == world.network  # the only network it could unlock: kept working there
    assert two.network is None  # unscoped, as before


# A methodologist over a part of the map (Valmiera county: library A) holds tokens of her own.


def test_a_parts_methodologist_holds_her_own_token_for_her_part_only(
    world, methodologist, part_methodologist_a, part_methodologist_b, pending
):
    issue_token(methodologist, "Tīkla atslēga", world.network)
    client = client_for(part_methodologist_a)
    page = client.get(PAGE).content.decode()
    assert "Jūsu atslēgas" in page and "Valmieras novads" in page and "Tīkla atslēga" not in page
    secret = create(client, "Novada pārskats")
    assert ApiToken.objects.get(name="Novada pārskats").user == part_methodologist_a
    bearer = {"HTTP_AUTHORIZATION": f"Bearer {secret}"}
    api = client_for(None)
    # Reports not yet approved: of her area, and only when she names it.
    whole = api.get(ALL, **bearer)
    assert whole.status_code == 403 and whole.json()["error"]["parameter"] == "unit"
    mine = api.get(ALL + "&unit=valmiera&indicator=loans", **bearer)
    assert mine.status_code == 200
    assert {(v["library"], v["indicator"], v["approved"]) for v in mine.json()["results"]} == {("seda", "loans", False)}
    assert api.get(ALL + "&unit=valka", **bearer).status_code == 403
    # The other county's methodologist's token does not read Valmiera's drafts.
    _token, other = issue_token(part_methodologist_b, "Valkas", world.network)
    assert api.get(ALL + "&unit=valmiera", HTTP_AUTHORIZATION=f"Bearer {other}").status_code == 403
    # Approved figures stay open to any token, as to anyone.
    assert api.get("/api/networks/testa/values/?year=2021", **bearer).status_code == 200
