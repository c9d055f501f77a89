"""get_report_for_user: the one way to a report, for each persona, reading and writing."""

import pytest
from django.contrib.auth.models import AnonymousUser
from django.http import Http404

from parskats.reporting.access import get_report_for_user, reports_for_user

from .factories import report_with

PERSONAS = ["reporter_a", "reporter_b", "methodologist", "viewer", "other_methodologist", "anonymous"]
# (read own-A report, write A report, read B report, write B report)
EXPECTED = {
    "reporter_a": (True, True, False, False),
    "reporter_b": (False, False, True, True),
    "methodologist": (True, True, True, True),
    "viewer": (True, False, True, False),
    "other_methodologist": (False, False, False, False),
    "anonymous": (False, False, False, False),
}


def allowed(person, report_id, write):
    try:
        get_report_for_user(person, report_id, write=write)
    except Http404:
        return False
    return True


@pytest.mark.parametrize("persona", PERSONAS)
def test_report_access_matrix(world, request, persona):
    person = AnonymousUser() if persona == "anonymous" else request.getfixturevalue(persona)
    report_a = report_with(world.library_a, world.periods[2021], users=10)
    report_b = report_with(world.library_b, world.periods[2021], users=20)
    got = (
        allowed(person, report_a.pk, False),
        allowed(person, report_a.pk, True),
        allowed(person, report_b.pk, False),
        allowed(person, report_b.pk, True),
    )
    assert got == EXPECTED[persona]
    assert reports_for_user(person).count() == got[0] + got[2]


@pytest.mark.parametrize("bad_id", [999999, "abc", None])
def test_a_forged_or_missing_id_is_a_404(world, methodologist, bad_id):
    with pytest.raises(Http404):
        get_report_for_user(methodologist, bad_id)
