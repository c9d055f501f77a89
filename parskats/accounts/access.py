"""Who may see which networks and libraries. Views ask here; they never filter by hand."""

from __future__ import annotations

from django.contrib.auth.models import AnonymousUser
from django.db.models import QuerySet
from django.http import Http404

from parskats.accounts.models import Role, User
from parskats.network.models import Network, OrgUnit

AnyUser = User | AnonymousUser


def networks_for_user(user: AnyUser) -> QuerySet[Network]:
    if not user.is_authenticated:
        return Network.objects.none()
    if user.is_superuser:
        return Network.objects.all()
    return Network.objects.filter(roles__user=user).distinct()


def is_network_admin(user: AnyUser, network: Network) -> bool:
    if not user.is_authenticated:
        return False
    if user.is_superuser:
        return True
    return Role.objects.filter(user=user, network=network, kind=Role.Kind.ADMIN).exists()


def sees_whole_network(user: AnyUser, network: Network) -> bool:
    """Admins and viewers read every library of their network; reporters only their own."""
    if not user.is_authenticated:
        return False
    if user.is_superuser:
        return True
    return Role.objects.filter(user=user, network=network, kind__in=[Role.Kind.ADMIN, Role.Kind.VIEWER]).exists()


def get_network_for_user(user: AnyUser, slug: str) -> Network:
    try:
        return networks_for_user(user).get(slug=slug)
    except Network.DoesNotExist:
        raise Http404("No such network.") from None


def reporter_unit_ids(user: AnyUser, network: Network) -> set[int]:
    if not user.is_authenticated:
        return set()
    return set(
        Role.objects.filter(user=user, network=network, kind=Role.Kind.REPORTER).values_list("unit_id", flat=True)
    )


def libraries_for_user(user: AnyUser, network: Network) -> QuerySet[OrgUnit]:
    """The libraries and branches this user may read in the network."""
    units = OrgUnit.objects.filter(network=network, level__in=[OrgUnit.Level.LIBRARY, OrgUnit.Level.BRANCH])
    if sees_whole_network(user, network):
        return units
    return units.filter(pk__in=reporter_unit_ids(user, network))


def get_library_for_user(user: AnyUser, network: Network, code: str, write: bool = False) -> OrgUnit:
    """A library the user may read (write=False) or report for (write=True); 404 otherwise, so that
    another library's existence is not revealed."""
    if write:
        allowed = reporter_unit_ids(user, network)
        queryset = OrgUnit.objects.filter(network=network)
        if not is_network_admin(user, network):
            queryset = queryset.filter(pk__in=allowed)
    else:
        queryset = libraries_for_user(user, network)
    try:
        return queryset.get(code=code)
    except OrgUnit.DoesNotExist:
        raise Http404("No such library.") from None
