"""Passwords are stored with Argon2id at OWASP's configuration; one stored with Django's older
parameters still logs in and is stored again with ours."""

from __future__ import annotations

import pytest
from django.contrib.auth.hashers import Argon2PasswordHasher, make_password
from django.urls import reverse

from parskats.accounts.models import User
from parskats.settings import PASSWORD_HASHERS

from .conftest import client_for
from .factories import PASSWORD


@pytest.fixture
def production_hashers(settings):
    settings.PASSWORD_HASHERS = PASSWORD_HASHERS


def test_a_new_password_is_argon2id_at_19_mib_2_passes_1_lane(production_hashers, reporter_a):
    reporter_a.set_password(PASSWORD)
    reporter_a.save()
    stored = User.objects.get(pk=reporter_a.pk).password
    assert stored.startswith("argon2$argon2id$v=19$m=19456,t=2,p=1$")
    assert User.objects.get(pk=reporter_a.pk).check_password(PASSWORD)
    assert not User.objects.get(pk=reporter_a.pk).check_password(PASSWORD + "x")


def test_a_password_stored_with_djangos_parameters_logs_in_and_is_stored_again(production_hashers, reporter_a):
    old = make_password(PASSWORD, hasher=Argon2PasswordHasher())
    assert "m=102400,t=2,p=8" in old
    User.objects.filter(pk=reporter_a.pk).update(password=old)
    response = client_for(None).post(reverse("accounts:login"), {"username": reporter_a.email, "password": PASSWORD})
    assert response.status_code == 302
    assert "m=19456,t=2,p=1" in User.objects.get(pk=reporter_a.pk).password
