"""The database goes away: readers get a friendly 503 page (never a stack trace), and the site
answers again by itself once the database is back — no restart."""

from __future__ import annotations

import http.cookiejar
import os
import urllib.error
import urllib.parse
import urllib.request
from unittest import mock

import pytest
from django.db import OperationalError
from django.test import Client
from django.urls import reverse

from bench import server

from .faults import DatabaseCable


def test_database_error_in_a_view_is_a_friendly_503(world, methodologist):
    client = Client(raise_request_exception=False)
    client.force_login(methodologist)
    url = reverse("network:libraries", args=[world.network.slug])
    with mock.patch("parskats.site.libraries_views.access.get_network_for_user", side_effect=OperationalError("gone")):
        response = client.get(url)
    assert response.status_code == 503
    assert response["Retry-After"] == "30"
    page = response.content.decode()
    assert "Pārskats īslaicīgi nav pieejams" in page and "temporarily unavailable" in page
    assert "Traceback" not in page and "gone" not in page
    assert client.get(url).status_code == 200  # recovered: nothing to reset


def test_other_errors_stay_a_500(world, methodologist):
    client = Client(raise_request_exception=False)
    client.force_login(methodologist)
    with mock.patch("parskats.site.libraries_views.access.get_network_for_user", side_effect=ValueError("bug")):
        response = client.get(reverse("network:libraries", args=[world.network.slug]))
    assert response.status_code == 500
    assert "Radās kļūda" in response.content.decode()


def test_health_answers_ok_when_the_database_does(db):
    response = Client().get(reverse("site:health"))
    assert response.status_code == 200 and response.content == b"ok\n"
    assert "no-cache" in response["Cache-Control"]


def _opener(jar: http.cookiejar.CookieJar) -> urllib.request.OpenerDirector:
    return urllib.request.build_opener(urllib.request.HTTPCookieProcessor(jar))


def _status(opener: urllib.request.OpenerDirector, url: str, data: dict | None = None) -> tuple[int, str]:
    body = urllib.parse.urlencode(data).encode() if data is not None else None
    try:
        with opener.open(url, data=body, timeout=30) as response:
            return response.status, response.read().decode()
    except urllib.error.HTTPError as error:
        return error.code, error.read().decode()


@pytest.mark.skipif(not server.postgres_reachable(), reason="needs PostgreSQL on 127.0.0.1:5432")
def test_gunicorn_over_postgresql_survives_the_database_going_away():
    """gunicorn with persistent connections, PostgreSQL behind a cable we cut and restore."""
    name = f"parskats_fault_unavailable_{os.getpid()}"
    cable = DatabaseCable(("127.0.0.1", 5432))
    cable.restore()
    process = None
    try:
        server.create_database(name)
        env = server.server_env(server.database_url(name, port=cable.port), DATABASE_CONN_MAX_AGE="60")
        server.manage(env, "migrate", "--noinput", "-v0")
        port = server.free_port()
        process = server.start_gunicorn(env, port, workers=1, threads=2)
        base = f"http://127.0.0.1:{port}"
        jar = http.cookiejar.CookieJar()
        opener = _opener(jar)
        _status(opener, base + "/accounts/login/")
        csrf = next(cookie.value for cookie in jar if cookie.name == "csrftoken")
        wrong = {"csrfmiddlewaretoken": csrf, "username": "nobody@example.org", "password": "wrong-password-1"}

        assert _status(opener, base + "/health/")[0] == 200
        assert _status(opener, base + "/accounts/login/", wrong)[0] == 200  # the form says: wrong login

        cable.cut()
        for _ in range(3):  # the broken persistent connection, then failed reconnects: all 503
            status, page = _status(opener, base + "/accounts/login/", wrong)
            assert status == 503, page[page.find("<main") :][:800]
            assert "Pārskats īslaicīgi nav pieejams" in page and "Traceback" not in page
        assert _status(opener, base + "/health/")[0] == 503

        cable.restore()
        assert _status(opener, base + "/health/")[0] == 200
        status, page = _status(opener, base + "/accounts/login/", wrong)
        assert status == 200 and "id_password" in page
    finally:
        if process is not None:
            server.stop(process)
        cable.cut()
        server.drop_database(name)
