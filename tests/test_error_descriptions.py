"""A field's error is tied to its input for screen readers: every aria-describedby names an element
of the page (Django points inputs with errors at "<id>_error", help at "<id>_helptext")."""

from __future__ import annotations

import re

import pytest

from .conftest import client_for
from .factories import article
from .news_support import comment_data

pytestmark = pytest.mark.django_db


def assert_descriptions_exist(html: str) -> None:
    ids = set(re.findall(r'\sid="([^"]+)"', html))
    described = [name for value in re.findall(r'aria-describedby="([^"]+)"', html) for name in value.split()]
    assert described, "the page should describe at least one input"
    missing = [name for name in described if name not in ids]
    assert not missing, f"aria-describedby names no element: {missing}"


def test_a_comment_error_is_tied_to_its_field(world, methodologist):
    item = article(world.network, "Raksts ar komentāriem")
    response = client_for(None).post(item.get_absolute_url(), comment_data("   "), REMOTE_ADDR="203.0.113.9")
    assert "Šis lauks ir nepieciešams." in response.content.decode()
    assert_descriptions_exist(response.content.decode())


def test_an_invitation_error_is_tied_to_its_field(world, methodologist):
    response = client_for(methodologist).post(
        f"/n/{world.network.slug}/review/people/invite/",
        {"email": "nav-adrese", "full_name": "Jaunā Parauga", "kind": "reporter", "unit": world.library_b.pk},
    )
    assert response.status_code in (200, 400)
    assert_descriptions_exist(response.content.decode())
