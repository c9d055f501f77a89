"""Which reports a user may review (the network's methodologist) or read the review of."""

from __future__ import annotations

from django.http import Http404

from parskats.accounts.access import (
    AnyUser,
    is_network_admin,
    part_roots,
    part_units,
    reads_part,
    reviews_library,
    sees_whole_network,
)
from parskats.accounts.models import Role
from parskats.network.models import Network
from parskats.reporting.access import get_report_for_user
from parskats.reporting.models import Report


def get_report_in_network(user: AnyUser, network: Network, report_id: int) -> Report:
    """A report of this network the user may read (their own library's, or any for admins and viewers)."""
    report = get_report_for_user(user, report_id)
    if report.period.network_id != network.pk:
        raise Http404("No such report.")
    return report


def get_report_for_review(user: AnyUser, network: Network, report_id: int) -> Report:
    """A report the user may review: the methodologist of the network, or of the part of the map
    the library was in that year; 404 for everyone else."""
    report = get_report_in_network(user, network, report_id)
    if not reviews_library(user, network, report.unit_id, report.period.year):
        raise Http404("No such report.")
    return report


def require_whole_network(user: AnyUser, network: Network) -> None:
    """The network's history is for the methodologist and viewers of the whole network."""
    if not sees_whole_network(user, network):
        raise Http404("No such page.")


def require_board(user: AnyUser, network: Network) -> None:
    """The board: the methodologist and viewers, of the whole network or of a part of it (then
    the board shows that part only); not reporters."""
    if not (sees_whole_network(user, network) or reads_part(user, network)):
        raise Http404("No such page.")


def may_approve_many(user: AnyUser, network: Network) -> bool:
    """Bulk approval: the methodologist of the network or of a part (each report is checked again)."""
    return is_network_admin(user, network) or bool(part_roots(user, network, (Role.Kind.ADMIN,)))


def board_part(user: AnyUser, network: Network, year: int) -> set[int] | None:
    """The units a board of `year` shows: None for the whole network, else the user's part then."""
    return None if sees_whole_network(user, network) else part_units(user, network, year)


def require_admin(user: AnyUser, network: Network) -> None:
    if not is_network_admin(user, network):
        raise Http404("No such page.")


def may_accept(user: AnyUser, network: Network) -> bool:
    """National acceptance: the whole network's methodologist, where the network has two levels."""
    from .national import two_level

    return is_network_admin(user, network) and two_level(network)
