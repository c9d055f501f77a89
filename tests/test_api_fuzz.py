"""The API fuzzed against its own OpenAPI description (schemathesis): for every operation, generated
valid and invalid requests never get a 500 and every answer conforms to the description.
"""

from __future__ import annotations

import pytest
import schemathesis
from django.core.signals import request_finished, request_started
from django.db import close_old_connections
from django.test import Client
from hypothesis import HealthCheck, given, settings

from parskats.accounts.models import Role

from .factories import give_role, report_with, user


@pytest.fixture
def api_schema(world):
    report_with(world.library_a, world.periods[2021], users=120, visits=3456)
    report_with(world.library_b, world.periods[2021], users=80, visits="na")
    give_role(user("api@example.org"), world.network, Role.Kind.VIEWER)
    # A missing description fails here rather than skipping: the API is part of the product.
    assert Client().get("/api/openapi.json").status_code == 200
    from parskats.wsgi import application

    # Like Django's test client: the WSGI request signals must not close the test's connection (it
    # holds the test transaction; on PostgreSQL the next query would find the connection closed).
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    yield schemathesis.openapi.from_wsgi("/api/openapi.json", application)
    request_started.connect(close_old_connections)
    request_finished.connect(close_old_connections)


def test_api_conforms_to_its_description_and_never_fails(api_schema):
    operations = [result.ok() for result in api_schema.get_all_operations()]
    assert operations, "the OpenAPI description lists no operation"
    for operation in operations:

        @given(case=operation.as_strategy())
        @settings(max_examples=40, deadline=None, suppress_health_check=list(HealthCheck))
        def fuzz(case):
            case.call_and_validate()

        fuzz()
