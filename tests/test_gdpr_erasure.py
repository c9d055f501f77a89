"""Erasing a person on request (GDPR): the account is emptied and locked, the library's records stay
under a pseudonym, guests and invitations with that email go, and the erasure is audited."""

from __future__ import annotations

import datetime as dt
import io

import pytest
from django.core.management import CommandError, call_command
from django.utils import timezone

from parskats.accounts.models import Invitation, Role, User
from parskats.audit.models import AuditEntry
from parskats.reporting.entry import save_value
from parskats.reporting.models import Report, Value
from parskats.seminar.models import Guest, Seminar

from .conftest import client_for
from .factories import user


@pytest.fixture
def history(world, reporter_a, methodologist):
    report = Report.objects.create(unit=world.library_a, period=world.periods[2021])
    save_value(reporter_a, report, "visits", "12", None)
    seminar = Seminar.objects.create(
        network=world.network,
        title="Seminārs",
        year=2021,
        starts_at=timezone.now() + dt.timedelta(days=3),
        place="Valka",
    )
    Guest.objects.create(seminar=seminar, name="Anda Parauga", role="vadītāja", email="Reporter.A@example.org")
    Invitation.objects.create(
        network=world.network, email="reporter.a@example.org", full_name="Anda Parauga", kind=Role.Kind.REPORTER,
        unit=world.library_a, invited_by=methodologist, expires_at=timezone.now() + dt.timedelta(days=7),
    )  # fmt: skip
    return report


def run(*args: str) -> str:
    out = io.StringIO()
    call_command("erase_person", *args, stdout=out)
    return out.getvalue()


def test_an_erased_person_is_gone_and_their_work_stays(world, history, reporter_a):
    output = run("reporter.a@example.org")
    person = User.objects.get(pk=reporter_a.pk)
    assert "Anda" not in person.full_name and "example.org" not in person.email
    assert person.full_name == f"Dzēsta persona {person.pk}"
    assert not person.is_active and not person.has_usable_password()
    assert not Role.objects.filter(user=person).exists()
    # The library's record stays, written by the pseudonym.
    value = Value.objects.get(report=history, indicator__code="visits")
    assert value.number == 12 and value.updated_by_id == person.pk
    guest = Guest.objects.get()
    assert (guest.name, guest.role) == (f"Dzēsta persona {guest.pk}", "") and "example.org" not in guest.email
    assert not Invitation.objects.exists()
    # The old session no longer logs in, nor does the password.
    assert client_for(None).post(
        "/accounts/login/", {"username": "reporter.a@example.org", "password": "x"}
    ).status_code in (200, 429)
    erased = AuditEntry.objects.get(note="erased on request (GDPR)")
    assert erased.target == f"person {person.pk}" and "Anda" not in str(erased.new) + erased.note
    # By default the audit trail keeps the name written at the time of the change.
    assert AuditEntry.objects.filter(actor=person, actor_name="Anda Parauga").exists()
    assert "roles: 1" in output and "seminar guests: 1" in output and "invitations: 1" in output


def test_the_audit_names_can_go_too(world, history, reporter_a):
    run("reporter.a@example.org", "--audit-too")
    assert not AuditEntry.objects.filter(actor_name="Anda Parauga").exists()
    assert AuditEntry.objects.filter(actor_id=reporter_a.pk, actor_name=f"Dzēsta persona {reporter_a.pk}").exists()


def test_a_session_open_at_the_time_ends(world, reporter_a):
    client = client_for(reporter_a)
    assert client.get("/accounts/me/").status_code == 200
    run("reporter.a@example.org")
    assert client.get("/accounts/me/").status_code == 302


def test_nothing_held_is_a_clear_error_and_changes_nothing(world, reporter_a):
    with pytest.raises(CommandError, match="nekas netiek glabāts"):
        run("nobody@example.org")
    with pytest.raises(CommandError, match="nav e-pasta adrese"):
        run("Anda Parauga")
    assert User.objects.get(pk=reporter_a.pk).email == "reporter.a@example.org"


def test_the_admin_can_erase_from_the_list_of_people(world, reporter_a, client):
    admin = user("root@example.org", "Administrators", is_staff=True, is_superuser=True)
    client.force_login(admin)
    response = client.post(
        "/admin/accounts/user/", {"action": "erase", "_selected_action": [reporter_a.pk]}, follow=True
    )
    assert response.status_code == 200
    assert User.objects.get(pk=reporter_a.pk).full_name == f"Dzēsta persona {reporter_a.pk}"
    assert AuditEntry.objects.get(note="erased on request (GDPR)").actor == admin
