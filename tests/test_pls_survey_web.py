"""Any configured survey imported through the web: the network's methodologist chooses one of the
shipped configurations, uploads its files and the year, sees the change, confirms; the import runs
as a job. Wrong, empty, binary, cut, oversized files and a file of another survey are refused with
a message naming file, line and column, and the database stays identical."""

from __future__ import annotations

import hashlib
import re
from pathlib import Path

import pytest
from django.apps import apps
from django.core.files.uploadedfile import SimpleUploadedFile

from parskats.accounts.models import Role
from parskats.audit.models import AuditEntry
from parskats.jobs.models import Job
from parskats.network.models import Network, OrgUnit
from parskats.pls import staging
from parskats.reporting.models import Value

from .conftest import client_for
from .factories import give_role, unit, user

SURVEYS = Path(__file__).parent.parent / "parskats" / "pls" / "data" / "surveys"
SAMPLE = SURVEYS / "samples" / "england-2024"
US_AE = Path(__file__).parent / "data" / "pls" / "FY2017" / "pls_fy2017_libraries.csv"
LIST = "/n/en-librarydata/pls/surveys/"
URL = "/n/en-librarydata/pls/surveys/en-librarydata/"


@pytest.fixture(autouse=True)
def _private_staging(settings, tmp_path):
    settings.PLS_STAGING_DIR = tmp_path / "staging"


@pytest.fixture
def england(db) -> Network:
    return Network.objects.create(name="England public libraries", slug="en-librarydata")


@pytest.fixture
def en_admin(england):
    person = user("en.admin@example.org", "Edīte Anglija")
    give_role(person, england, Role.Kind.ADMIN)
    return person


def english(person):
    client = client_for(person)
    client.cookies["parskats_language"] = "en"
    return client


def csv(name: str, data: bytes | None = None, upload_name: str | None = None) -> SimpleUploadedFile:
    raw = (SAMPLE / name).read_bytes() if data is None else data
    return SimpleUploadedFile(upload_name or name, raw, content_type="text/csv")


def both(**extra: object) -> dict[str, object]:
    return {"year": "2024", "file_libraries": csv("libraries.csv"), "file_visits": csv("physical_visits.csv"), **extra}


def data_digest() -> str:
    """Every row of every table but the sessions (the preview keeps its token there)."""
    hasher = hashlib.sha256()
    for model in sorted(apps.get_models(), key=lambda m: m._meta.db_table):
        if model._meta.db_table == "django_session":
            continue
        hasher.update(model._meta.db_table.encode())
        for row in model._base_manager.order_by("pk").values_list():
            hasher.update(repr(row).encode())
    return hasher.hexdigest()


def token_of(page: str) -> str:
    match = re.search(r'name="token" value="([^"]+)"', page)
    assert match, page
    return match.group(1)


def staged_folders(settings) -> list[Path]:
    base = Path(settings.PLS_STAGING_DIR)
    return [p for p in base.iterdir() if p.is_dir()] if base.exists() else []


def test_only_the_networks_methodologist(england, en_admin, methodologist, world):
    viewer = user("en.viewer@example.org", "Vija Skatītāja")
    give_role(viewer, england, Role.Kind.VIEWER)
    reporter = user("en.reporter@example.org", "Rita Ziņotāja")
    give_role(reporter, england, Role.Kind.REPORTER, unit(england, "lib", OrgUnit.Level.LIBRARY, "Example Library"))
    for url in (LIST, URL):
        assert client_for(None).get(url).status_code == 302
        assert client_for(viewer).get(url).status_code == 403
        assert client_for(reporter).get(url).status_code == 403
        assert client_for(methodologist).get(url).status_code == 404  # another network's: not even told
    viewer_client, outsider = client_for(viewer), client_for(methodologist)  # logging in writes last_login
    before = data_digest()
    assert viewer_client.post(URL, both()).status_code == 403
    assert outsider.post(URL, both()).status_code == 404
    assert data_digest() == before
    page = client_for(en_admin).get(LIST).content.decode()
    assert "Anglijas publisko bibliotēku atvērtie dati" in page and URL in page
    # Testa's methodologist sees the list page of her network, with nothing to import into it.
    own = client_for(methodologist).get(f"/n/{world.network.slug}/pls/surveys/")
    assert own.status_code == 200
    assert "Neviena" in own.content.decode()
    assert client_for(methodologist).get(f"/n/{world.network.slug}/pls/surveys/en-librarydata/").status_code == 404
    response = client_for(en_admin).get(URL)
    assert response.status_code == 200
    page = response.content.decode()
    assert "Fails „libraries“" in page


def test_upload_preview_confirm_and_again(en_admin, settings):
    client = english(en_admin)
    preview = client.post(URL, both())
    page = preview.content.decode()
    assert preview.status_code == 200, page
    assert "What importing financial year 2023/24 would change" in page
    assert '<th scope="col">Local authority</th>' in page
    assert "Newcastle upon Tyne" in page and "Plymouth" in page
    assert not Value.objects.exists()
    assert len(staged_folders(settings)) == 1
    folder = staged_folders(settings)[0]
    assert oct(folder.stat().st_mode & 0o777) == "0o700"
    assert all(oct(p.stat().st_mode & 0o777) == "0o600" for p in folder.rglob("*.csv"))
    done = client.post(URL, {"token": token_of(page)}, follow=True)
    page = done.content.decode()
    assert done.status_code == 200, page
    assert done.redirect_chain[0][0].startswith("/n/en-librarydata/jobs/")
    assert "England public library open data: financial year 2023/24 imported" in page
    assert Value.objects.count() == 12
    job = Job.objects.get(kind="pls.survey_import")
    assert job.status == Job.Status.DONE and job.started_by == en_admin
    entry = AuditEntry.objects.get(action=AuditEntry.Action.DATA_IMPORTED)
    assert entry.actor == en_admin and entry.target == "en-librarydata 2024"
    assert entry.new["period"] == ["2023-04-01", "2024-03-31"]
    assert staged_folders(settings) == []  # the job removed its files
    # the same token cannot apply twice
    again = client.post(URL, {"token": job.params["token"]})
    assert again.status_code == 400 and "no longer waiting" in again.content.decode()
    # the same files again: nothing changes
    stored = sorted(Value.objects.values_list("pk", "code", "number", "version"))
    preview = client.post(URL, both())
    assert "applying them changes nothing" in preview.content.decode()
    again = client.post(URL, {"token": token_of(preview.content.decode())}, follow=True)
    assert "The files were already imported: nothing changed." in again.content.decode()
    assert sorted(Value.objects.values_list("pk", "code", "number", "version")) == stored


def test_a_cut_file_needs_its_own_confirmation(en_admin):
    client = english(en_admin)
    client.post(URL, {"token": token_of(client.post(URL, both()).content.decode())}, follow=True)
    held = Value.objects.count()
    lines = (SAMPLE / "libraries.csv").read_bytes().split(b"\n")
    cut = csv("libraries.csv", b"\n".join(lines[:2]) + b"\n")
    preview = client.post(URL, {"year": "2024", "file_libraries": cut, "file_visits": csv("physical_visits.csv")})
    page = preview.content.decode()
    # the visits of the cut libraries name no library: refused by line, nothing staged stays
    assert preview.status_code == 400 and "Nothing was imported" in page
    assert "physical_visits.csv, line" in page
    cut.seek(0)
    preview = client.post(URL, {"year": "2024", "file_libraries": cut, "quarantine": "on"})
    page = preview.content.decode()
    assert preview.status_code == 200, page
    assert "Yes, remove or change" in page
    token = token_of(page)
    before = data_digest()
    refused = client.post(URL, {"token": token})
    assert refused.status_code == 400
    assert "financial year 2023/24: the import would remove 2 of 3 reports" in refused.content.decode()
    assert data_digest() == before
    applied = client.post(URL, {"token": token, "confirm_removals": "on"}, follow=True)
    assert applied.status_code == 200 and "imported" in applied.content.decode()
    assert Value.objects.count() < held
    entry = AuditEntry.objects.filter(action=AuditEntry.Action.DATA_IMPORTED).latest("pk")
    assert entry.new["confirmed"]["removals"] is True


@pytest.mark.parametrize(
    ("field", "upload", "message"),
    [
        (
            "file_libraries",
            lambda: csv("x", US_AE.read_bytes(), "pls_fy2017_libraries.csv"),
            "pls_fy2017_libraries.csv, line 1: not a file of the survey en-librarydata",
        ),
        ("file_libraries", lambda: csv("x", b"", "empty.csv"), "The submitted file is empty."),
        ("file_libraries", lambda: csv("x", bytes(range(256)) * 40, "photo.csv"), "photo.csv: contains NUL bytes"),
        (
            "file_libraries",
            lambda: csv("x", b"Name,Loans\nA,1\n", "other.csv"),
            "other.csv, line 1: not a file of the survey",
        ),
        (
            "file_visits",
            lambda: csv("physical_visits.csv", (SAMPLE / "physical_visits.csv").read_bytes()[:-30]),
            "physical_visits.csv, line",
        ),
        (
            "file_libraries",
            lambda: csv(
                "libraries.csv", (SAMPLE / "libraries.csv").read_bytes().replace(b"Yes,LAL,1970", b"Maybe,LAL,1970")
            ),
            "libraries.csv, line 2, column Statutory: 'Maybe'",
        ),
    ],
    ids=["us-file", "empty", "binary", "wrong-file", "cut-visits", "bad-cell"],
)
def test_bad_files_are_refused_by_name_and_nothing_changes(en_admin, settings, field, upload, message):
    client = english(en_admin)
    client.post(URL, {"token": token_of(client.post(URL, both()).content.decode())}, follow=True)
    before = data_digest()
    data: dict[str, object] = {"year": "2024", "file_libraries": csv("libraries.csv"), field: upload()}
    if field == "file_visits":
        data["file_visits"] = upload()
    response = client.post(URL, data)
    page = response.content.decode()
    assert response.status_code == 400, page
    assert message in page.replace("&#x27;", "'"), page
    assert data_digest() == before
    assert staged_folders(settings) == []


def test_a_file_over_the_limit_is_refused(en_admin, settings):
    settings.PLS_SURVEY_MAX_FILE_MB = 1
    big = csv("libraries.csv", (SAMPLE / "libraries.csv").read_bytes() + b"\n" * (1024 * 1024 + 1))
    response = english(en_admin).post(URL, {"year": "2024", "file_libraries": big})
    assert response.status_code == 400
    assert "libraries.csv is larger than 1 MB" in response.content.decode()
    assert not Value.objects.exists() and staged_folders(settings) == []


def test_the_form_needs_a_year_and_a_file(en_admin):
    client = english(en_admin)
    assert client.post(URL, {"year": "abc"}).status_code == 400
    response = client.post(URL, {"year": "2024"})
    assert response.status_code == 400 and "Give at least one of the survey" in response.content.decode()
    assert client.post(URL, {"token": "not-a-token"}).status_code == 400


def test_a_token_is_the_uploaders_only(england, en_admin):
    other = user("en.admin2@example.org", "Otrā Metodiķe")
    give_role(other, england, Role.Kind.ADMIN)
    token = token_of(english(en_admin).post(URL, both()).content.decode())
    response = english(other).post(URL, {"token": token})
    assert response.status_code == 400 and "no longer waiting" in response.content.decode()
    assert not Value.objects.exists()


def test_latvian_by_default(en_admin):
    page = client_for(en_admin).post(URL, both()).content.decode()
    assert "2023./2024. finanšu gads" in page
    assert "Pašvaldība" in page
    staging.root()  # the folder exists


def test_each_survey_speaks_its_own_words(tmp_path, db):
    from django.utils import translation

    from parskats.pls import change
    from parskats.pls.neutral import ConfirmationNeeded, import_survey
    from parskats.pls.survey_config import ConfigError, read_config

    config = SURVEYS / "england-librarydata.toml"
    files = [SAMPLE / "libraries.csv", SAMPLE / "physical_visits.csv"]
    with translation.override("en"):
        result = import_survey(config, files, year=2024, dry_run=True)
        assert result.plan is not None
        assert change.lines(result.plan)[0] == "Change of financial year 2023/24, per local authority:"
        assert change.lines(result.plan)[1].startswith("local authority ")
        import_survey(config, files, year=2024)
        cut = tmp_path / "libraries.csv"
        cut.write_bytes(b"\n".join((SAMPLE / "libraries.csv").read_bytes().split(b"\n")[:2]) + b"\n")
        with pytest.raises(ConfirmationNeeded) as refused:
            import_survey(config, [cut], year=2024)
        assert refused.value.problems[0].startswith("financial year 2023/24: the import would remove 2 of 3 reports")
        # The US survey keeps its words.
        assert change.lines(change.Plan(year=2017))[0] == "Change of FY2017, per state:"
        # A configuration that says nothing gets ours.
        plain = read_config(Path(__file__).parent / "data" / "surveys" / "testa-survey.toml")
        assert (plain.region_word(), plain.period_name(2024)) == ("region", "year 2024")
    with translation.override("lv"):
        result = import_survey(config, files, year=2024, dry_run=True)
        assert result.plan is not None
        assert change.lines(result.plan)[0] == "2023./2024. finanšu gads izmaiņas pa līmeņa „pašvaldība“ vienībām:"
        assert change.lines(change.Plan(year=2017))[0] == "FY2017 izmaiņas pa līmeņa „štats“ vienībām:"
        assert (plain.region_word(), plain.period_name(2024)) == ("reģions", "2024. gads")
    bad = tmp_path / "bad.toml"
    text = (Path(__file__).parent / "data" / "surveys" / "testa-survey.toml").read_text()
    bad.write_text(text.replace('country_name = "Xland"', 'country_name = "Xland"\nperiod_label = "FY{yr}"'))
    with translation.override("en"), pytest.raises(ConfigError) as problem:
        read_config(bad)
    assert problem.value.problems == [
        "bad.toml, line 10, survey.period_label: 'FY{yr}': the year's name may hold {year}, {start}, {end} "
        "and {end2}, nothing else in braces."
    ]


def test_quarantined_rows_are_shown_by_file_line_and_column(en_admin):
    client = english(en_admin)
    bad = csv("libraries.csv", (SAMPLE / "libraries.csv").read_bytes().replace(b"Yes,LAL,1970", b"Maybe,LAL,1970"))
    preview = client.post(URL, both(file_libraries=bad, quarantine="on"))
    page = preview.content.decode().replace("&#x27;", "'")
    assert preview.status_code == 200, page
    assert "Defective rows kept in quarantine" in page
    assert "libraries.csv, line 2, column Statutory: 'Maybe' is not a number" in page
    assert not Value.objects.exists()


def test_a_job_that_finds_the_data_changed_refuses_and_cleans_up(en_admin, settings):
    """Previewed against an empty network, applied after someone else imported the year: the job
    checks again, refuses the removal it was not confirmed for, writes nothing and removes its files."""
    from parskats.pls.neutral import import_survey

    client = english(en_admin)
    lines = (SAMPLE / "libraries.csv").read_bytes().split(b"\n")
    cut = csv("libraries.csv", b"\n".join(lines[:2]) + b"\n")
    token = token_of(client.post(URL, {"year": "2024", "file_libraries": cut}).content.decode())
    import_survey(SURVEYS / "england-librarydata.toml", [SAMPLE / "libraries.csv", SAMPLE / "physical_visits.csv"],
                  year=2024)  # fmt: skip
    stored = sorted(Value.objects.values_list("pk", "code", "number", "version"))
    done = client.post(URL, {"token": token}, follow=True)
    page = done.content.decode()
    job = Job.objects.get(kind="pls.survey_import")
    assert job.status == Job.Status.FAILED, page
    assert "financial year 2023/24: the import would remove 2 of 3 reports" in page
    assert sorted(Value.objects.values_list("pk", "code", "number", "version")) == stored
    assert staged_folders(settings) == []
