"""Who may see and change seminars. Methodologists change them; everyone with a role in the
network reads them; the agenda page of a public seminar is open to anyone."""

from __future__ import annotations

from django.db.models import QuerySet
from django.http import Http404

from parskats.accounts.access import AnyUser, get_network_for_user, is_network_admin
from parskats.network.models import Network

from .models import Seminar


def seminars_for_user(user: AnyUser, network: Network) -> QuerySet[Seminar]:
    return Seminar.objects.filter(network=network)


def get_seminar_for_user(user: AnyUser, network_slug: str, seminar_id: int, write: bool = False) -> Seminar:
    """A seminar of a network the user belongs to; write=True only for the network's methodologist.
    Anything else is a 404."""
    network = get_network_for_user(user, network_slug)
    if write and not is_network_admin(user, network):
        raise Http404("No such seminar.")
    try:
        return Seminar.objects.select_related("network").get(pk=seminar_id, network=network)
    except Seminar.DoesNotExist:
        raise Http404("No such seminar.") from None


def get_agenda_for_reader(user: AnyUser, network_slug: str, seminar_id: int) -> Seminar:
    """The agenda page: public seminars for anyone, the others for the network's people only."""
    seminar = Seminar.objects.select_related("network").filter(pk=seminar_id, network__slug=network_slug).first()
    if seminar is not None and seminar.visibility == Seminar.Visibility.PUBLIC:
        return seminar
    return get_seminar_for_user(user, network_slug, seminar_id)
