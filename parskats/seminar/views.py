"""Seminar pages. Thin: access through access.py, changes through services.py."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from parskats.accounts.access import get_network_for_user, manages_region
from parskats.core.downloads import attachment
from parskats.jobs.access import jobs_of_subject
from parskats.stats.aggregate import StatsError

from . import access, services
from .agenda import RIGA, problems, timed
from .agenda_table import formset_for, moved, table
from .content import build_pack
from .deck import build_deck
from .forms import AgendaItemForm, GuestForm, NewItemForm, SeminarForm
from .handout import build_handout
from .ics import seminar_ics
from .invitations import KIND as INVITATIONS_JOB
from .invitations import start_invitations
from .jobs import KIND as PACK_JOB
from .jobs import start_pack
from .models import AgendaItem, Guest, Seminar
from .news import draft_news
from .pack import file_stem
from .participants import participants


def _errors(error: ValidationError) -> str:
    return " ".join(error.messages)


def _agenda_url(request: HttpRequest, seminar: Seminar) -> str:
    return request.build_absolute_uri(reverse("seminar:agenda", args=[seminar.network.slug, seminar.pk]))


@login_required
def seminar_list(request: HttpRequest, network: str) -> HttpResponse:
    net = get_network_for_user(request.user, network)
    seminars = list(access.seminars_for_user(request.user, net).select_related("region"))
    return render(
        request,
        "seminar/list.html",
        {
            "network": net,
            "seminars": seminars,
            "can_edit": access.may_create(request.user, net),
            # Whose seminar it is matters only where regions hold seminars of their own.
            "regional": any(s.region_id is not None for s in seminars),
        },
    )


@login_required
def seminar_new(request: HttpRequest, network: str) -> HttpResponse:
    net = get_network_for_user(request.user, network)
    if not access.may_create(request.user, net):
        raise Http404("No such page.")
    regions = access.seminar_regions(request.user, net)
    whole = manages_region(request.user, net, None)
    form = SeminarForm(request.POST or None, network=net, regions=regions, whole=whole)
    if request.method == "POST" and form.is_valid():
        try:
            seminar = services.create_seminar(request.user, net, **form.cleaned_data)
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(request, _("The seminar is created with a proposed agenda."))
            return redirect("seminar:detail", net.slug, seminar.pk)
    return render(request, "seminar/form.html", {"network": net, "form": form, "seminar": None})


@login_required
def seminar_edit(request: HttpRequest, network: str, pk: int) -> HttpResponse:
    seminar = access.get_seminar_for_user(request.user, network, pk, write=True)
    regions = access.seminar_regions(request.user, seminar.network)
    whole = manages_region(request.user, seminar.network, None)
    form = SeminarForm(request.POST or None, instance=seminar, network=seminar.network, regions=regions, whole=whole)
    if request.method == "POST" and form.is_valid():
        try:
            services.update_seminar(request.user, seminar, **form.cleaned_data)
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(request, _("Saved."))
            return redirect("seminar:detail", network, seminar.pk)
    return render(request, "seminar/form.html", {"network": seminar.network, "form": form, "seminar": seminar})


def _agenda_context(request: HttpRequest, seminar: Seminar) -> dict[str, Any]:
    rows = timed(seminar)
    return {
        "network": seminar.network,
        "seminar": seminar,
        "rows": rows,
        "problems": problems(seminar, rows),
        "start": seminar.starts_at.astimezone(RIGA),
        "end": rows[-1].end if rows else None,
        "can_edit": access.may_change(request.user, seminar),
    }


@login_required
def seminar_detail(request: HttpRequest, network: str, pk: int) -> HttpResponse:
    seminar = access.get_seminar_for_user(request.user, network, pk)
    context = _agenda_context(request, seminar)
    people = participants(seminar)
    context.update(
        {
            "reporters": [p for p in people if not p.is_guest],
            "guests": seminar.guests.all(),
            "guest_form": GuestForm(),
            "agenda_url": _agenda_url(request, seminar),
            "pack_jobs": jobs_of_subject(request.user, seminar.network, PACK_JOB, str(seminar.pk)),
            "invitation_jobs": jobs_of_subject(request.user, seminar.network, INVITATIONS_JOB, str(seminar.pk)),
        }
    )
    return render(request, "seminar/detail.html", context)


@login_required
@require_POST
def pack_job(request: HttpRequest, network: str, pk: int) -> HttpResponse:
    """Slides and handout built in the background (inline under make run); its page shows how far."""
    seminar = access.get_seminar_for_user(request.user, network, pk)
    job = start_pack(request.user, seminar, _base_url(request))
    return redirect("jobs:status", seminar.network.slug, job.pk)


def agenda(request: HttpRequest, network: str, pk: int) -> HttpResponse:
    """The agenda page: public for a public seminar, else for the network's people (login first)."""
    try:
        seminar = access.get_agenda_for_reader(request.user, network, pk)
    except Http404:
        if not request.user.is_authenticated:
            return redirect(f"{reverse('accounts:login')}?next={request.path}")
        raise
    return render(request, "seminar/agenda.html", _agenda_context(request, seminar))


def calendar_file(request: HttpRequest, network: str, pk: int) -> HttpResponse:
    try:
        seminar = access.get_agenda_for_reader(request.user, network, pk)
    except Http404:
        if not request.user.is_authenticated:
            return redirect(f"{reverse('accounts:login')}?next={request.path}")
        raise
    response = HttpResponse(seminar_ics(seminar, _agenda_url(request, seminar)), content_type="text/calendar")
    attachment(response, f"{file_stem(seminar)}.ics")
    return response


def _agenda_response(request: HttpRequest, seminar: Seminar) -> HttpResponse:
    """htmx gets the agenda table back; a plain form post goes back to the page."""
    if request.headers.get("HX-Request"):
        return render(request, "seminar/_agenda.html", {**_agenda_context(request, seminar), "hx_messages": True})
    return redirect("seminar:detail", seminar.network.slug, seminar.pk)


def _item(request: HttpRequest, network: str, pk: int, item_id: int) -> AgendaItem:
    seminar = access.get_seminar_for_user(request.user, network, pk, write=True)
    return get_object_or_404(AgendaItem.objects.select_related("seminar__network"), pk=item_id, seminar=seminar)


def _row_errors(rows: list[Any]) -> list[dict[str, str]]:
    """The error summary: each wrong field, by row number and title, linked to the field."""
    found = []
    for row in rows:
        title = row.item.title if row.item else (row.form["title"].value() or "")
        for name, errors in row.form.errors.items():
            field = row.form[name] if name in row.form.fields else row.form["title"]
            label = field.label if name in row.form.fields else _("Row")
            found.append(
                {
                    "href": f"#{field.auto_id}",
                    "text": _("Row %(number)s “%(title)s”: %(field)s — %(errors)s")
                    % {"number": row.number, "title": title, "field": label, "errors": " ".join(errors)},
                }
            )
    return found


@login_required
def agenda_edit(request: HttpRequest, network: str, pk: int) -> HttpResponse:
    """The agenda as one table with one save; moving a row up or down shows it again unsaved."""
    seminar = access.get_seminar_for_user(request.user, network, pk, write=True)
    status, focus, refused = 200, "", ""
    if request.method != "POST":
        formset = formset_for(seminar)
    elif request.POST.get("move"):
        data, focus = moved(formset_for(seminar, request.POST), request.POST["move"])
        formset = formset_for(seminar, data)
        focus = f"{focus}:{request.POST['move'].rpartition(':')[2]}" if focus else ""
    else:
        formset = formset_for(seminar, request.POST)
        if formset.is_valid():
            try:
                changed = services.save_agenda(request.user, seminar, formset.rows(), formset.removed())
            except ValidationError as error:
                refused, status = _errors(error), 409
            else:
                messages.success(request, _("The agenda is saved.") if changed else _("Nothing was changed."))
                return redirect("seminar:agenda_edit", seminar.network.slug, seminar.pk)
        else:
            status = 400
    rows, found = table(seminar, formset)
    context = {
        "network": seminar.network,
        "seminar": seminar,
        "formset": formset,
        "rows": rows,
        "problems": found,
        "row_errors": _row_errors(rows) if formset.is_bound else [],
        "form_errors": list(formset.non_form_errors()) if status == 400 else [],
        "refused": refused,
        "focus": focus,
        "start": seminar.starts_at.astimezone(RIGA),
        "moved_text": _("“%(title)s” is now item %(position)s. The times are counted again when you save."),
    }
    return render(request, "seminar/agenda_edit.html", context, status=status)


@login_required
@require_POST
def item_move(request: HttpRequest, network: str, pk: int, item_id: int) -> HttpResponse:
    item = _item(request, network, pk, item_id)
    offset = {"up": -1, "down": 1}.get(request.POST.get("direction", ""))
    if offset is None:
        messages.error(request, _("Move an item up or down."))
    else:
        services.move_item(request.user, item, offset)
    return _agenda_response(request, item.seminar)


@login_required
@require_POST
def item_edit(request: HttpRequest, network: str, pk: int, item_id: int) -> HttpResponse:
    item = _item(request, network, pk, item_id)
    form = AgendaItemForm(request.POST)
    if form.is_valid():
        services.update_item(request.user, item, **form.cleaned_data)
    else:
        messages.error(
            request,
            _("“%(title)s” was not changed: %(errors)s")
            % {
                "title": item.title,
                "errors": " ".join(
                    f"{form.fields[f].label}: {' '.join(str(m) for m in e)}" for f, e in form.errors.items()
                ),
            },
        )
    return _agenda_response(request, item.seminar)


@login_required
@require_POST
def item_remove(request: HttpRequest, network: str, pk: int, item_id: int) -> HttpResponse:
    item = _item(request, network, pk, item_id)
    seminar = item.seminar
    services.remove_item(request.user, item)
    return _agenda_response(request, seminar)


@login_required
@require_POST
def item_add(request: HttpRequest, network: str, pk: int) -> HttpResponse:
    seminar = access.get_seminar_for_user(request.user, network, pk, write=True)
    form = NewItemForm(request.POST)
    if form.is_valid():
        services.add_item(request.user, seminar, **form.cleaned_data)
        messages.success(request, _("Added before the closing."))
    else:
        messages.error(request, _("Nothing was added: give a kind, a title and the minutes (1–480)."))
    return redirect("seminar:detail", network, seminar.pk)


@login_required
@require_POST
def agenda_propose(request: HttpRequest, network: str, pk: int) -> HttpResponse:
    seminar = access.get_seminar_for_user(request.user, network, pk, write=True)
    if request.POST.get("confirm") != "yes":
        messages.error(request, _("Tick the box to confirm that the current agenda is replaced."))
    else:
        services.propose_agenda(request.user, seminar)
        messages.success(request, _("The agenda was proposed again from the data."))
    return redirect("seminar:detail", network, seminar.pk)


@login_required
@require_POST
def guest_add(request: HttpRequest, network: str, pk: int) -> HttpResponse:
    seminar = access.get_seminar_for_user(request.user, network, pk, write=True)
    form = GuestForm(request.POST)
    if form.is_valid():
        try:
            services.add_guest(request.user, seminar, **form.cleaned_data)
        except ValidationError as error:
            messages.error(request, _errors(error))
        else:
            messages.success(request, _("The guest is added, with a slot for their remarks."))
    else:
        messages.error(
            request,
            _("The guest was not added: %(errors)s")
            % {
                "errors": " ".join(
                    f"{form.fields[f].label}: {' '.join(str(m) for m in e)}" for f, e in form.errors.items()
                )
            },
        )
    return redirect("seminar:detail", network, seminar.pk)


@login_required
@require_POST
def guest_remove(request: HttpRequest, network: str, pk: int, guest_id: int) -> HttpResponse:
    seminar = access.get_seminar_for_user(request.user, network, pk, write=True)
    guest = get_object_or_404(Guest, pk=guest_id, seminar=seminar)
    services.remove_guest(request.user, guest)
    messages.success(request, _("The guest and their contact details are removed."))
    return redirect("seminar:detail", network, seminar.pk)


@login_required
@require_POST
def invite(request: HttpRequest, network: str, pk: int) -> HttpResponse:
    """The invitations go out in a background job (inline under make run); its page shows how many
    of how many were sent and can cancel it. What cannot be sent is refused here, before queueing."""
    seminar = access.get_seminar_for_user(request.user, network, pk, write=True)
    try:
        job = start_invitations(request.user, seminar, _agenda_url(request, seminar))
    except ValidationError as error:
        messages.error(request, _("No invitations were sent: %(reason)s") % {"reason": _errors(error)})
        return redirect("seminar:detail", network, seminar.pk)
    return redirect("jobs:status", seminar.network.slug, job.pk)


def _base_url(request: HttpRequest) -> str:
    return request.build_absolute_uri("/")


def _no_figures(request: HttpRequest, seminar: Seminar, error: StatsError) -> HttpResponse:
    """The network's figures cannot be added up (no reports, no boundaries): say why on the seminar page."""
    messages.error(request, _("The slides cannot be made: %(reason)s") % {"reason": error})
    return redirect("seminar:detail", seminar.network.slug, seminar.pk)


@login_required
def deck(request: HttpRequest, network: str, pk: int) -> HttpResponse:
    seminar = access.get_seminar_for_user(request.user, network, pk)
    try:
        data = build_deck(build_pack(seminar, _base_url(request)))
    except StatsError as error:
        return _no_figures(request, seminar, error)
    response = HttpResponse(
        data, content_type="application/vnd.openxmlformats-officedocument.presentationml.presentation"
    )
    attachment(response, f"{file_stem(seminar)}.pptx")
    return response


@login_required
def handout(request: HttpRequest, network: str, pk: int) -> HttpResponse:
    seminar = access.get_seminar_for_user(request.user, network, pk)
    try:
        data = build_handout(build_pack(seminar, _base_url(request)))
    except StatsError as error:
        return _no_figures(request, seminar, error)
    response = HttpResponse(data, content_type="application/pdf")
    attachment(response, f"{file_stem(seminar)}.pdf")
    return response


@login_required
@require_POST
def write_news(request: HttpRequest, network: str, pk: int) -> HttpResponse:
    seminar = access.get_seminar_for_user(request.user, network, pk, write=True)
    try:
        article = draft_news(request.user, seminar)
    except ValidationError as error:
        messages.error(request, _errors(error))
        return redirect("seminar:detail", network, seminar.pk)
    messages.success(request, _("A draft article is ready; edit it and publish it."))
    return redirect("news:edit", article.pk)
