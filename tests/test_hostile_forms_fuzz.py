"""Every form a persona can reach, fuzzed: the forms are read from the pages themselves (so a new
form is fuzzed without being listed here), and each is posted with generated text — control and
bidirectional characters, NUL, Latvian letters, markup, very long values — and generated files.
Whatever is sent, the answer is never a 500, and no text with a NUL reaches the database (which
PostgreSQL would refuse with an error, and SQLite would store)."""

from __future__ import annotations

import datetime as dt
from html.parser import HTMLParser
from urllib.parse import urljoin

import pytest
from django.apps import apps
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import models
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from parskats.reporting.models import Report

from .conftest import client_for
from .factories import matrix_objects, report_with

EXAMPLES = settings(max_examples=12, deadline=None, suppress_health_check=list(HealthCheck))
# Posting these ends the session or changes the language; they have their own tests.
SKIP_ACTIONS = ("/accounts/logout/", "/i18n/")
HOSTILE = st.sampled_from(["\x00", "\x1b", "\x7f", "\u202e", "\u2066", "\ufeff", "ā", "Ž", "<", '"', "'", "\\", "\n"])
TEXT = st.one_of(
    st.text(max_size=40),
    st.lists(st.one_of(HOSTILE, st.characters(codec="utf-8")), max_size=60).map("".join),
    st.sampled_from(["", "0", "-1", "99999999999999999999", "1e308", "2021-13-45", "2021-05-04", "na", "on"]),
    st.integers(min_value=1, max_value=6).map(lambda n: "ļ" * (10**n)),
)
FILES = st.tuples(
    st.sampled_from(["a.png", "../../x.xlsx", "x\x00.jpg", "ļ.webp", "\u202egnp.exe", "a" * 300]),
    st.binary(max_size=2000),
)


class FormReader(HTMLParser):
    """The POST forms of a page: action, whether it sends files, and the names of its inputs."""

    def __init__(self) -> None:
        super().__init__()
        self.forms: list[dict[str, object]] = []
        self.current: dict[str, object] | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        found = dict(attrs)
        if tag == "form" and (found.get("method") or "get").lower() == "post":
            self.current = {"action": found.get("action") or "", "names": {}, "files": set()}
            self.forms.append(self.current)
        elif tag == "form":
            self.current = None
        elif self.current is not None and tag in ("input", "textarea", "select", "button") and found.get("name"):
            name = found["name"] or ""
            if name == "csrfmiddlewaretoken":
                return
            if found.get("type") == "file":
                self.current["files"].add(name)  # type: ignore[union-attr]
            else:
                self.current["names"][name] = found.get("value") or ""  # type: ignore[index]

    def handle_endtag(self, tag: str) -> None:
        if tag == "form":
            self.current = None


def forms_on(client, path: str) -> list[dict[str, object]]:
    response = client.get(path)
    assert response.status_code == 200, (path, response.status_code)
    reader = FormReader()
    reader.feed(response.content.decode())
    forms = []
    for form in reader.forms:
        action = urljoin(path, str(form["action"])) if form["action"] else path
        if not action.startswith(SKIP_ACTIONS):
            forms.append({**form, "action": action})
    return forms


def text_in_database_with_nul() -> list[str]:
    """Every text column holding a NUL (read in Python: SQLite's LIKE stops at a NUL)."""
    found = []
    for model in apps.get_models():
        names = [f.name for f in model._meta.concrete_fields if isinstance(f, models.CharField | models.TextField)]
        if not names:
            continue
        for row in model._default_manager.values_list(*names):
            found.extend(
                f"{model._meta.label}.{name}" for name, value in zip(names, row, strict=True) if "\x00" in (value or "")
            )
    return found


def fuzz_one_form(client, action: str, names: dict[str, str], files: set[str]) -> None:
    @EXAMPLES
    @given(
        values=st.fixed_dictionaries({name: st.one_of(st.just(value), TEXT) for name, value in names.items()}),
        uploads=st.fixed_dictionaries(dict.fromkeys(files, FILES)),
    )
    def post(values, uploads):
        data: dict[str, object] = dict(values)
        for name, (file_name, content) in uploads.items():
            data[name] = SimpleUploadedFile(file_name, content)
        response = client.post(action, data)
        assert response.status_code < 500, (action, response.status_code)

    post()


def fuzz_forms(client, path: str) -> int:
    forms = forms_on(client, path)
    for form in forms:
        fuzz_one_form(client, str(form["action"]), form["names"], form["files"])  # type: ignore[arg-type]
    assert text_in_database_with_nul() == []
    return len(forms)


@pytest.fixture
def draft(world):
    report = report_with(world.library_a, world.periods[2021], users=120, visits=3000)
    report_with(world.library_a, world.periods[2020], users=100, visits=1000)
    return report


@pytest.fixture
def submitted(world):
    report = report_with(world.library_b, world.periods[2021], users=80, visits=1500)
    Report.objects.filter(pk=report.pk).update(status=Report.Status.SUBMITTED, submitted_at=dt.datetime.now(dt.UTC))
    return report


def test_the_report_forms_of_a_reporter(world, reporter_a, draft):
    client = client_for(reporter_a)
    client.raise_request_exception = True
    count = sum(
        fuzz_forms(client, f"/n/testa/reports/{draft.pk}/{suffix}") for suffix in ("", "activities/", "photos/")
    )
    count += fuzz_forms(client, "/n/testa/reports/upload/")
    count += fuzz_forms(client, "/accounts/me/")
    assert count >= 6  # the form page alone has the fields, the stories, the explanations, submit…


def test_the_review_and_management_forms_of_the_methodologist(world, methodologist, submitted):
    objects = matrix_objects(world)
    client = client_for(methodologist)
    count = 0
    for path in (
        f"/n/testa/review/reports/{submitted.pk}/",
        "/n/testa/review/",
        "/n/testa/review/people/",
        "/n/testa/review/years/",
        f"/n/testa/review/years/{objects['period_2021']}/",
        "/n/testa/review/libraries/",
        f"/n/testa/review/libraries/{world.library_a.code}/",
        "/n/testa/figures/api-tokens/",
    ):
        count += fuzz_forms(client, path)
    assert count >= 8


@pytest.mark.parametrize(
    "paths",
    [
        [
            "/n/testa/seminars/new/",
            "/n/testa/seminars/{seminar}/",
            "/n/testa/seminars/{seminar}/edit/",
            "/n/testa/seminars/{seminar}/agenda/edit/",
        ],
        [
            "/jaunumi/redakcija/testa/jauns/",
            "/jaunumi/redakcija/raksts/{draft_article}/",
            "/jaunumi/redakcija/testa/iestatijumi/",
            "/jaunumi/redakcija/komentari/",
            "/n/testa/annual-review/2021/",
        ],
    ],
    ids=["seminar", "newsroom-and-annual-review"],
)
def test_the_seminar_newsroom_and_annual_review_forms(world, methodologist, paths):
    objects = matrix_objects(world)
    client = client_for(methodologist)
    count = sum(fuzz_forms(client, path.format(**objects)) for path in paths)
    assert count >= len(paths) + 1  # every page has a form, and some pages several


def test_the_public_forms(world):
    from .factories import article

    item = article(world.network, "Raksts komentāriem")
    client = client_for(None)
    count = fuzz_forms(client, item.get_absolute_url())
    count += fuzz_forms(client, "/accounts/password/reset/")
    count += fuzz_forms(client, "/accounts/login/")
    assert count >= 3


def too_big(*values: str) -> bool:
    """Django refuses a request body over DATA_UPLOAD_MAX_MEMORY_SIZE itself, with a 400."""
    from django.conf import settings as django_settings

    return sum(len(v.encode()) for v in values) > django_settings.DATA_UPLOAD_MAX_MEMORY_SIZE


def test_the_autosave_endpoints(world, reporter_a, draft):
    """The form's htmx autosave of a value and of a story (hx-post, not a <form>): what a person can
    type or paste there never fails the server, and what is stored holds no control character."""
    from parskats.reporting.models import Narrative

    client = client_for(reporter_a)

    @EXAMPLES
    @given(raw=TEXT, version=TEXT, kind=st.sampled_from(["number", "na", "unknown", "", "x\x00"]))
    def value(raw, version, kind):
        response = client.post(
            f"/n/testa/reports/{draft.pk}/value/visits/",
            {"v-visits": raw, "version-visits": version, "kind-visits": kind, "checks-signature": version},
            HTTP_HX_REQUEST="true",
        )
        assert response.status_code == (400 if too_big(raw, version, version) else 200)

    @EXAMPLES
    @given(text=TEXT, version=TEXT)
    def story(text, version):
        response = client.post(
            f"/n/testa/reports/{draft.pk}/narrative/success_story/",
            {"text": text, "version": version},
            HTTP_HX_REQUEST="true",
        )
        assert response.status_code == (400 if too_big(text, version) else 200)

    value()
    story()
    for narrative in Narrative.objects.filter(report=draft):
        assert not set(narrative.text) & set("\x00\x1b\x7f")
    assert text_in_database_with_nul() == []
