"""The read API against its own OpenAPI description: the document is valid OpenAPI 3.1, every
answer (and every error) matches its schema; tokens unlock reports not yet approved."""

from __future__ import annotations

import pytest
from jsonschema import Draft202012Validator
from openapi_spec_validator import validate
from referencing import Registry
from referencing.jsonschema import DRAFT202012

from parskats.reporting.models import Report
from parskats.stats.models import ApiToken, issue_token

from .conftest import client_for
from .factories import report_with


def approved(report: Report) -> Report:
    report.status = Report.Status.APPROVED
    report.save()
    return report


@pytest.fixture
def figures(world):
    p21 = world.periods[2021]
    approved(report_with(world.library_a, p21, loans=1200, users=2000, visits="unknown"))
    approved(report_with(world.library_b, p21, loans=700, users=100, periodicals="na"))
    pending = report_with(world.school, p21, loans=300)
    pending.status = Report.Status.SUBMITTED
    pending.save()
    return world


@pytest.fixture
def spec(client):
    response = client.get("/api/openapi.json")
    assert response.status_code == 200
    document = response.json()
    validate(document)  # a valid OpenAPI 3.1 document
    return document


def check(spec: dict, path: str, response, status: int = 200) -> dict:
    """The answer has the status and matches the schema the description gives for it."""
    assert response.status_code == status, response.content
    operation = spec["paths"][path]["get"]
    schema = operation["responses"][str(status)]["content"]["application/json"]["schema"]
    registry = Registry().with_resource("urn:api", DRAFT202012.create_resource(spec))
    validator = Draft202012Validator({"$ref": "urn:api#" + schema["$ref"].removeprefix("#")}, registry=registry)
    errors = sorted(validator.iter_errors(response.json()), key=str)
    assert not errors, errors[0]
    return response.json()


def test_every_endpoint_answers_as_described(figures, spec):
    client = client_for(None)
    check(spec, "/", client.get("/api/"))
    networks = check(spec, "/networks/", client.get("/api/networks/"))
    assert {n["slug"] for n in networks["results"]} == {"testa", "cits"}
    units = check(spec, "/networks/{network}/units/", client.get("/api/networks/testa/units/?year=2020"))
    assert {u["code"]: u["parent"] for u in units["results"]}["seda"] == "strenci"
    remapped = check(
        spec, "/networks/{network}/units/", client.get("/api/networks/testa/units/?year=2020&boundaries=2022-01-01")
    )
    assert {u["code"]: u["parent"] for u in remapped["results"]}["seda"] == "valmiera"
    catalogue = check(spec, "/networks/{network}/indicators/", client.get("/api/networks/testa/indicators/"))
    assert catalogue["count"] > 30 and catalogue["survey"] == "lv-annual"
    values = check(spec, "/networks/{network}/values/", client.get("/api/networks/testa/values/?year=2021"))
    by_key = {(v["library"], v["indicator"]): v for v in values["results"]}
    assert by_key[("seda", "visits")] == {
        "library": "seda",
        "indicator": "visits",
        "value": None,
        "value_code": "unknown",
        "flag": "reported",
        "approved": True,
    }
    assert by_key[("ergeme", "periodicals")]["value_code"] == "na"
    assert not any(v["library"] == "valka-skola" for v in values["results"])  # not approved yet
    totals = check(
        spec,
        "/networks/{network}/aggregates/",
        client.get("/api/networks/testa/aggregates/?year=2021&group_by=network&indicator=loans,loans_per_user"),
    )
    cells = totals["results"][-1]["cells"]
    assert cells["loans"]["value"] == 1900 and cells["loans"]["reported"] == 2 and cells["loans"]["expected"] == 3
    assert cells["loans_per_user"]["value"] == pytest.approx(1900 / 2100)


def test_pagination_walks_every_item_once(figures, spec):
    client = client_for(None)
    seen = []
    url = "/api/networks/testa/values/?year=2021&page_size=4"
    while url:
        page = check(spec, "/networks/{network}/values/", client.get(url))
        seen += [(v["library"], v["indicator"]) for v in page["results"]]
        url = page["next"]
    assert len(seen) == len(set(seen)) == page["count"]


def test_tokens_unlock_reports_not_yet_approved(figures, spec, methodologist, reporter_a):
    client = client_for(None)
    path = "/networks/{network}/aggregates/"
    url = "/api/networks/testa/aggregates/?year=2021&group_by=network&indicator=loans&status=all"
    check(spec, path, client.get(url), 403)
    _token, raw = issue_token(methodologist, "test")
    everything = check(spec, path, client.get(url, HTTP_AUTHORIZATION=f"Bearer {raw}"))
    assert everything["results"][-1]["cells"]["loans"] == {
        "value": 2200.0,
        "reported": 3,
        "expected": 3,
        "unknown": 0,
        "not_applicable": 0,
        "includes_estimates": False,
        "pending": 1,
        "imputed": 0,
    }
    assert ApiToken.objects.get(user=methodologist).last_used_at is not None
    _token, reporter_raw = issue_token(reporter_a, "test")
    check(spec, path, client.get(url, HTTP_AUTHORIZATION=f"Bearer {reporter_raw}"), 403)
    check(spec, path, client.get(url, HTTP_AUTHORIZATION="Bearer pk_not-a-token"), 401)
    ApiToken.objects.filter(user=methodologist).update(revoked_at="2026-01-01T00:00:00Z")
    check(spec, path, client.get(url, HTTP_AUTHORIZATION=f"Bearer {raw}"), 401)


@pytest.mark.parametrize(
    ("url", "status", "parameter"),
    [
        ("/api/networks/nav/values/", 404, "network"),
        ("/api/networks/testa/values/?year=1999", 404, "year"),
        ("/api/networks/testa/values/?year=20x1", 400, "year"),
        ("/api/networks/testa/values/?indicator=loans,nope", 404, "indicator"),
        ("/api/networks/testa/values/?unit=atlantida", 404, "unit"),
        ("/api/networks/testa/values/?page=0", 400, "page"),
        ("/api/networks/testa/values/?page=99", 404, "page"),
        ("/api/networks/testa/values/?page_size=5000", 400, "page_size"),
        ("/api/networks/testa/values/?status=draft", 400, "status"),
        ("/api/networks/testa/aggregates/?group_by=planet", 400, "group_by"),
        ("/api/networks/testa/aggregates/?values=guessed", 400, "values"),
        ("/api/networks/testa/aggregates/?boundaries=1990-01-01", 400, "boundaries"),
        ("/api/networks/testa/aggregates/?boundaries=31.12.2021", 400, "boundaries"),
    ],
)
def test_bad_queries_get_a_described_error(figures, spec, url, status, parameter):
    path = "/networks/{network}/" + url.split("/")[4] + "/"
    body = check(spec, path, client_for(None).get(url), status)
    assert body["error"]["parameter"] == parameter
    assert body["error"]["message"]


def test_only_get(figures):
    assert client_for(None).post("/api/networks/").status_code == 405


def test_the_schema_check_itself_catches_a_wrong_answer(spec):
    class Fake:
        status_code = 200

        @staticmethod
        def json() -> dict:
            return {"count": 1, "page": 1, "page_size": 1, "next": None, "previous": None, "results": [{"slug": 1}]}

    with pytest.raises(AssertionError):
        check(spec, "/networks/", Fake())
