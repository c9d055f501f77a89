"""Password reset by email: a one-time link in the person's language, an answer that never says
whether an account exists, a rate limit per address asked about and per client address."""

from __future__ import annotations

import re

import pytest
from django.contrib.auth import authenticate
from django.core import mail
from django.test import Client
from django.urls import reverse

from .conftest import client_for
from .factories import PASSWORD, user

pytestmark = pytest.mark.django_db
NEW = "jauna-parole-Ziema-2026"


def ask(email: str, address: str = "192.0.2.20"):
    return Client(REMOTE_ADDR=address).post(reverse("accounts:password_reset"), {"email": email})


def link_in(message) -> str:
    found = re.search(r"https?://\S+", message.body)
    assert found, message.body
    return found.group(0)


def test_the_login_page_links_to_the_reset(world):
    page = client_for(None).get(reverse("accounts:login")).content.decode()
    assert reverse("accounts:password_reset") in page and "Aizmirsāt paroli?" in page


def test_a_reset_link_sets_a_new_password_and_works_only_once(world, reporter_a, settings):
    settings.PARSKATS_BASE_URL = "https://parskats.example.org"
    answer = ask(reporter_a.email.upper())  # as typed, in capitals
    assert answer.status_code == 302 and answer["Location"] == reverse("accounts:password_reset_sent")
    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert message.to == [reporter_a.email]
    assert message.subject == "Pārskats: jaunas paroles iestatīšana"
    assert "vienu reizi un 72 stundas" in message.body
    link = link_in(message)
    assert link.startswith("https://parskats.example.org/accounts/password/reset/")  # not the request's Host
    path = link.removeprefix("https://parskats.example.org")

    browser = Client()
    form = browser.get(path, follow=True)  # Django moves the token into the session and out of the address
    assert form.status_code == 200 and 'autocomplete="new-password"' in form.content.decode()
    form_url = form.redirect_chain[-1][0]
    too_short = browser.post(form_url, {"new_password1": "īsa", "new_password2": "īsa"})
    assert too_short.status_code == 200 and "Lūdzu, izlabojiet" in too_short.content.decode()
    done = browser.post(form_url, {"new_password1": NEW, "new_password2": NEW})
    assert done.status_code == 302 and done["Location"] == reverse("accounts:password_reset_done")
    assert "Parole nomainīta" in browser.get(done["Location"]).content.decode()
    assert authenticate(username=reporter_a.email, password=NEW) is not None
    assert authenticate(username=reporter_a.email, password=PASSWORD) is None

    again = Client().get(path, follow=True)  # the same link, a second time
    assert again.status_code == 410 and "jau ir izmantota" in again.content.decode()
    assert 'name="new_password1"' not in again.content.decode()
    assert (
        Client().post(path, {"new_password1": "cita-parole-2026-x", "new_password2": "cita-parole-2026-x"}).status_code
        == 410
    )
    assert authenticate(username=reporter_a.email, password=NEW) is not None


def test_a_bad_or_tampered_token_gets_the_link_does_not_work_page(world, reporter_a):
    ask(reporter_a.email)
    path = link_in(mail.outbox[0]).split("://", 1)[1].split("/", 1)[1]
    uid, token = path.rstrip("/").split("/")[-2:]
    for bad in (f"{uid}/{token[:-1]}x", f"{uid}/not-a-token", f"Zm9v/{token}", "%00/x"):
        page = client_for(None).get(f"/accounts/password/reset/{bad}/")
        assert page.status_code in (404, 410), bad
        if page.status_code == 410:
            assert (
                "Šī saite nedarbojas" in page.content.decode()
                and reverse("accounts:password_reset") in page.content.decode()
            )
    assert authenticate(username=reporter_a.email, password=PASSWORD) is not None


def test_the_email_is_in_the_persons_language(world):
    english = user("english@example.org", "Anne Reader", language="en")
    ask(english.email)
    assert mail.outbox[0].subject == "Pārskats: setting a new password"
    assert "Hello, Anne Reader!" in mail.outbox[0].body and "it works once and for 72 hours" in mail.outbox[0].body


def test_the_answer_never_says_whether_an_account_exists(world, reporter_a):
    known, unknown = ask(reporter_a.email), ask("neviens@example.org", address="192.0.2.21")
    assert (known.status_code, known["Location"]) == (unknown.status_code, unknown["Location"])
    sent = client_for(None).get(known["Location"]).content.decode()
    assert "Ja kādam kontam ir šī adrese" in sent
    assert len(mail.outbox) == 1  # only the real account got an email
    inactive = user("aizgajusi@example.org", is_active=False)
    assert ask(inactive.email, address="192.0.2.22")["Location"] == known["Location"] and len(mail.outbox) == 1


def test_asking_is_rate_limited_per_email_and_per_address_alike_for_unknown_emails(world, reporter_a, settings):
    settings.RATE_LIMITS = {**settings.RATE_LIMITS, "password_reset": "3/3600"}
    for email in (reporter_a.email, "neviens@example.org"):  # the same limit whether the account exists or not
        answers = [ask(email, address=f"198.51.100.{n}").status_code for n in range(4)]
        assert answers == [302, 302, 302, 429], (email, answers)
    refused = ask(reporter_a.email, address="198.51.100.99")
    assert refused.status_code == 429 and 0 < int(refused["Retry-After"]) <= 3600
    assert "Pārāk daudz mēģinājumu" in refused.content.decode()
    assert len(mail.outbox) == 3
    # Per client address: one address asking about many emails is stopped too.
    answers = [ask(f"cits{n}@example.org", address="203.0.113.5").status_code for n in range(4)]
    assert answers == [302, 302, 302, 429]
    assert ask("vel-cits@example.org", address="203.0.113.6").status_code == 302  # another address is not
    assert client_for(None).get(reverse("accounts:password_reset"), REMOTE_ADDR="203.0.113.5").status_code == 200
