"""The agenda as one table with one save: reorder, add, delete, errors at the row, all or nothing."""

from __future__ import annotations

import re

import pytest

from parskats.audit.models import AuditEntry
from parskats.seminar.models import AgendaItem, Seminar

from .conftest import client_for
from .seminar_support import approved_reports, make_seminar

pytestmark = pytest.mark.django_db


@pytest.fixture
def seminar(world, methodologist, reporter_a, reporter_b):
    approved_reports(world)
    return make_seminar(world, methodologist)


def url(seminar: Seminar) -> str:
    return f"/n/{seminar.network.slug}/seminars/{seminar.pk}/agenda/edit/"


def titles(seminar: Seminar) -> list[str]:
    return list(seminar.agenda_items.order_by("position", "id").values_list("title", flat=True))


def snapshot(seminar: Seminar) -> list[tuple]:
    return list(
        AgendaItem.objects.filter(seminar=seminar)
        .order_by("pk")
        .values_list("pk", "position", "kind", "title", "minutes", "fixed_start")
    )


def table(seminar: Seminar) -> dict[str, str]:
    """The table as the page posts it unchanged: one form per item in order, then the empty row."""
    items = list(seminar.agenda_items.order_by("position", "id"))
    data = {
        "form-TOTAL_FORMS": str(len(items) + 1),
        "form-INITIAL_FORMS": str(len(items)),
        "form-MIN_NUM_FORMS": "0",
        "form-MAX_NUM_FORMS": "1000",
    }
    for index, item in enumerate(items):
        data |= {
            f"form-{index}-item": str(item.pk),
            f"form-{index}-order": str((index + 1) * 10),
            f"form-{index}-title": item.title,
            f"form-{index}-minutes": str(item.minutes),
            f"form-{index}-fixed_start": item.fixed_start.strftime("%H:%M") if item.fixed_start else "",
        }
    new = len(items)
    data |= {f"form-{new}-item": "", f"form-{new}-order": str(new * 10 - 5), f"form-{new}-kind": "other"}
    data |= {f"form-{new}-title": "", f"form-{new}-minutes": "10", f"form-{new}-fixed_start": ""}
    return data


def index_of(seminar: Seminar, title: str) -> int:
    return titles(seminar).index(title)


def test_the_editor_shows_one_table_with_one_save(seminar, methodologist):
    html = client_for(methodologist).get(url(seminar)).content.decode()
    assert html.count("Saglabāt darba kārtību") >= 2  # above and below the table, one form
    assert html.count('name="move"') == 2 * (len(titles(seminar)) + 1)
    assert "Pārvietot „Sedas bibliotēka“ augšup" in html and "Pārvietot „Sedas bibliotēka“ lejup" in html
    assert "<textarea" in html and "Sedas bibliotēka</textarea>" in html  # titles wrap, not cut off
    assert 'name="form-6-DELETE"' in html and 'name="form-7-DELETE"' not in html  # the new row has none
    # The detail page links to it; the per-row save buttons are gone.
    detail = client_for(methodologist).get(f"/n/{seminar.network.slug}/seminars/{seminar.pk}/").content.decode()
    assert "Labot darba kārtību" in detail and 'name="title"' not in detail


def test_saving_a_reordered_agenda(seminar, methodologist):
    data = table(seminar)
    sequence = seminar.sequence
    seda, pause = index_of(seminar, "Sedas bibliotēka"), index_of(seminar, "Pārtraukums")
    data[f"form-{seda}-order"], data[f"form-{pause}-order"] = data[f"form-{pause}-order"], data[f"form-{seda}-order"]
    response = client_for(methodologist).post(url(seminar), data, follow=True)
    assert response.status_code == 200 and "Darba kārtība saglabāta." in response.content.decode()
    assert titles(seminar)[3:6] == ["Valkas pamatskolas bibliotēka", "Sedas bibliotēka", "Pārtraukums"]
    assert list(seminar.agenda_items.order_by("position").values_list("position", flat=True)) == list(range(1, 8))
    moved = AuditEntry.objects.get(action=AuditEntry.Action.AGENDA_ITEM_MOVED)
    assert moved.actor == methodologist and moved.new[4] == "Sedas bibliotēka"
    assert Seminar.objects.get(pk=seminar.pk).sequence == sequence + 1


def test_move_up_without_javascript_shows_the_table_again_unsaved(seminar, methodologist):
    before = snapshot(seminar)
    seda = index_of(seminar, "Sedas bibliotēka")
    client = client_for(methodologist)
    response = client.post(url(seminar), table(seminar) | {"move": f"form-{seda}:up"})
    html = response.content.decode()
    assert response.status_code == 200 and snapshot(seminar) == before
    assert html.index("Sedas bibliotēka</textarea>") < html.index("Pārtraukums</textarea>")
    assert re.search(rf'value="form-{seda}:up"[^>]*autofocus', html)  # the focus stays on the button
    # Saving what the page now shows keeps the new order.
    posted = dict(re.findall(r'name="(form-[^"]+)" value="([^"]*)"', html))
    data = table(seminar) | {k: v for k, v in posted.items() if k.endswith("-order")}
    client.post(url(seminar), data)
    assert titles(seminar)[4] == "Sedas bibliotēka"


def test_adding_a_row(seminar, methodologist):
    data = table(seminar)
    new = len(titles(seminar))
    data |= {f"form-{new}-title": "Kafijas   pauze", f"form-{new}-kind": "break", f"form-{new}-minutes": "20"}
    assert client_for(methodologist).post(url(seminar), data).status_code == 302
    added = seminar.agenda_items.get(title="Kafijas pauze")  # one line, spaces tidied
    assert added.kind == AgendaItem.Kind.BREAK and added.minutes == 20
    assert titles(seminar)[-2:] == ["Kafijas pauze", "Noslēgums un atziņas"]  # before the closing
    assert AuditEntry.objects.filter(action=AuditEntry.Action.AGENDA_ITEM_ADDED, new="Kafijas pauze").exists()


def test_deleting_a_row_and_changing_another(seminar, methodologist):
    data = table(seminar)
    pause, opening = index_of(seminar, "Pārtraukums"), index_of(seminar, "Atklāšana")
    data |= {f"form-{pause}-DELETE": "on", f"form-{opening}-minutes": "15", f"form-{opening}-fixed_start": "10:05"}
    assert client_for(methodologist).post(url(seminar), data).status_code == 302
    assert "Pārtraukums" not in titles(seminar) and len(titles(seminar)) == 6
    opening_item = seminar.agenda_items.get(title="Atklāšana")
    assert opening_item.minutes == 15 and opening_item.fixed_start.strftime("%H:%M") == "10:05"
    assert list(seminar.agenda_items.order_by("position").values_list("position", flat=True)) == list(range(1, 7))
    assert AuditEntry.objects.filter(action=AuditEntry.Action.AGENDA_ITEM_REMOVED, old="Pārtraukums").exists()
    assert AuditEntry.objects.filter(action=AuditEntry.Action.AGENDA_ITEM_CHANGED).count() == 1


def test_saving_the_table_unchanged_changes_nothing(seminar, methodologist):
    before, entries = snapshot(seminar), AuditEntry.objects.count()
    response = client_for(methodologist).post(url(seminar), table(seminar), follow=True)
    assert "Nekas netika mainīts." in response.content.decode()
    assert snapshot(seminar) == before and AuditEntry.objects.count() == entries


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [("title", "   ", "Šis lauks ir nepieciešams."), ("fixed_start", "25:99", "Jāievada derīgs laiks."),
     ("minutes", "0", "lielākai vai vienādai ar 1")],
)  # fmt: skip
def test_a_bad_row_is_shown_at_that_row_and_nothing_changes(seminar, methodologist, field, value, message):
    before, entries = snapshot(seminar), AuditEntry.objects.count()
    sequence = seminar.sequence
    data = table(seminar)
    seda, pause = index_of(seminar, "Sedas bibliotēka"), index_of(seminar, "Pārtraukums")
    data |= {f"form-{seda}-{field}": value, f"form-{pause}-DELETE": "on", "form-0-title": "Sveicieni"}
    response = client_for(methodologist).post(url(seminar), data)
    html = response.content.decode()
    assert response.status_code == 400
    assert "Darba kārtība netika saglabāta" in html
    assert f'<a href="#id_form-{seda}-{field}">{seda + 1}. rinda „Sedas bibliotēka“' in html  # the summary
    assert f'id="id_form-{seda}-{field}-error"' in html and message in html
    assert re.search(rf'name="form-{seda}-{field}"[^>]*aria-invalid="true"', html)  # at the field itself
    assert "Sveicieni</textarea>" in html  # what was typed in the other rows is kept
    assert snapshot(seminar) == before and AuditEntry.objects.count() == entries
    assert Seminar.objects.get(pk=seminar.pk).sequence == sequence


def test_a_table_opened_before_someone_else_changed_the_agenda_is_refused(seminar, methodologist):
    data = table(seminar)
    seminar.agenda_items.filter(title="Pārtraukums").delete()
    before = snapshot(seminar)
    data["form-0-title"] = "Sveicieni"
    response = client_for(methodologist).post(url(seminar), data)
    assert response.status_code == 409 and "Kāds cits pa to laiku mainīja darba kārtību" in response.content.decode()
    assert snapshot(seminar) == before


def test_only_the_networks_methodologist_may_edit_the_agenda(
    seminar, reporter_a, viewer, other_methodologist, methodologist
):
    before = snapshot(seminar)
    data = table(seminar) | {"form-0-title": "Uzlauzts"}
    for person in (reporter_a, viewer, other_methodologist):
        assert client_for(person).get(url(seminar)).status_code == 404
        assert client_for(person).post(url(seminar), data).status_code == 404
    anonymous = client_for(None).post(url(seminar), data)
    assert anonymous.status_code == 302 and "/accounts/login/" in anonymous["Location"]
    assert snapshot(seminar) == before
    assert client_for(methodologist).get(url(seminar)).status_code == 200
