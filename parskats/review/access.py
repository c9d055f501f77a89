"""Which reports a user may review (the network's methodologist) or read the review of."""

from __future__ import annotations

from django.http import Http404

from parskats.accounts.access import AnyUser, is_network_admin, sees_whole_network
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
    """A report the user may review: only the network's methodologist; 404 for everyone else."""
    if not is_network_admin(user, network):
        raise Http404("No such report.")
    return get_report_in_network(user, network, report_id)


def require_whole_network(user: AnyUser, network: Network) -> None:
    """The board and the network's history are for the methodologist and viewers, not reporters."""
    if not sees_whole_network(user, network):
        raise Http404("No such page.")


def require_admin(user: AnyUser, network: Network) -> None:
    if not is_network_admin(user, network):
        raise Http404("No such page.")
