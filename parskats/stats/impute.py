"""The methodologist's imputation of a year: run (estimates for every number a library owes and did
not report, by the methods of data/imputation.toml) and undo, each one action with its audit record.

The estimates are stored apart from reported values (ImputedValue), so a reported value is never
changed by them and a report that arrives later simply wins (aggregate.py counts an estimate only
where the library's own number is missing). Figures "with imputed values" are asked for with
`Scope(imputed=True)`; every other figure is of reported values only.
"""

from __future__ import annotations

from collections import Counter
from decimal import Decimal

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.db.models import Count, QuerySet
from django.http import Http404
from django.utils import timezone
from django.utils.translation import gettext as _

from parskats.accounts import access
from parskats.accounts.access import AnyUser
from parskats.accounts.models import User
from parskats.audit.models import AuditEntry, record
from parskats.catalogue.models import Indicator
from parskats.catalogue.peers import peer_key
from parskats.network.models import Network
from parskats.reporting.models import ReportingPeriod, Value

from .aggregate import Scope, Table, aggregate, survey_years
from .cache import data_changed
from .imputation import Estimate, Settings, estimate, settings
from .models import ImputationRun, ImputedValue

AUDIT_TARGET = "imputation"
BY_LIBRARY = Scope(group_by="library", approved_only=True)


class ImputationRefused(Exception):
    pass


def runs_for_admin(user: AnyUser, network: Network) -> QuerySet[ImputationRun]:
    """The network's imputation runs, for its methodologist only (its other members get a 403)."""
    if not access.is_network_admin(user, network):
        raise PermissionDenied
    return (
        ImputationRun.objects.filter(period__network=network)
        .select_related("period", "created_by", "undone_by")
        .annotate(count=Count("values"))
    )


def get_run_for_admin(user: AnyUser, network: Network, run_id: int) -> ImputationRun:
    run = runs_for_admin(user, network).filter(pk=run_id).first()
    if run is None:
        raise Http404("No such imputation run.")
    return run


def _numbers(table: Table | None, code: str) -> dict[int, Decimal]:
    if table is None:
        return {}
    return {
        pk: value.number
        for pk, found in table.values.items()
        if (value := found.get(code)) and value.number is not None
    }


def estimates(table: Table, previous: Table | None, rules: Settings) -> list[tuple[int, Indicator, Estimate]]:
    """(library, indicator, estimate) for every summed number a library of the year owes and has not
    given (no value, or "unknown"), where a method applies; "not applicable" is an answer."""
    population = table.population
    persons: dict[int, Decimal] = {}
    if population is not None:
        persons = {**_numbers(previous, population.code), **_numbers(table, population.code)}
    peer_of = {pk: peer_key(unit.library_type, persons.get(pk)) for pk, unit in table.units.items()}
    out: list[tuple[int, Indicator, Estimate]] = []
    for indicator in table.indicators:
        methods = rules.methods_for(indicator.code, indicator.concept)
        if indicator.aggregation != Indicator.Aggregation.SUM or not methods:
            continue
        targets = [
            pk
            for pk, unit in table.units.items()
            if indicator.on_form(table.year, unit.library_type)
            and ((found := table.values.get(pk, {}).get(indicator.code)) is None or found.code == Value.Code.UNKNOWN)
        ]
        if not targets:
            continue
        decimals = 0 if indicator.value_type == Indicator.ValueType.INTEGER else 2
        guesses = estimate(
            targets,
            methods,
            _numbers(table, indicator.code),
            _numbers(previous, indicator.code),
            peer_of,
            persons,
            rules.min_peers,
            decimals,
        )
        out.extend((pk, indicator, guess) for pk, guess in guesses.items())
    return out


def _person(actor: AnyUser) -> User | None:
    return actor if isinstance(actor, User) else None


def _undo(actor: AnyUser, run: ImputationRun, note: str) -> None:
    run.undone_at = timezone.now()
    run.undone_by = _person(actor)
    run.save(update_fields=["undone_at", "undone_by"])
    record(
        actor=actor,
        channel=AuditEntry.Channel.FORM,
        action=AuditEntry.Action.IMPUTATION_UNDONE,
        network=run.period.network,
        target=AUDIT_TARGET,
        old={"run": run.pk, "year": run.period.year, "values": run.values.count()},
        note=note,
    )


@transaction.atomic
def run_imputation(actor: AnyUser, network: Network, year: int) -> ImputationRun:
    """Impute the year's missing numbers; a run already in force for the year is superseded."""
    if not access.is_network_admin(actor, network):
        raise PermissionDenied
    period = (
        ReportingPeriod.objects.select_for_update()
        .filter(network=network, year=year)
        .select_related("survey", "network")
        .order_by("survey__pk")
        .first()
    )
    if period is None:
        raise ImputationRefused(_("No reporting period for %(year)s.") % {"year": year})
    for active in ImputationRun.objects.select_for_update().filter(period=period, undone_at__isnull=True):
        _undo(actor, active, "superseded by a new imputation run")
    rules = settings()
    table = aggregate(network, period.survey, year, BY_LIBRARY)
    years = survey_years(network, period.survey)
    previous = aggregate(network, period.survey, year - 1, BY_LIBRARY) if year - 1 in years else None
    found = estimates(table, previous, rules)
    run = ImputationRun.objects.create(
        period=period,
        methods=rules.as_dict(),
        created_by=_person(actor),
    )
    ImputedValue.objects.bulk_create(
        [
            ImputedValue(
                run=run, unit_id=pk, indicator=indicator, number=guess.number, method=guess.method, inputs=guess.inputs
            )
            for pk, indicator, guess in found
        ],
        batch_size=2000,
    )
    by_method = Counter(guess.method for _pk, _indicator, guess in found)
    record(
        actor=actor,
        channel=AuditEntry.Channel.FORM,
        action=AuditEntry.Action.IMPUTATION_RUN,
        network=network,
        target=AUDIT_TARGET,
        new={"run": run.pk, "year": year, "values": len(found), "methods": dict(sorted(by_method.items()))},
        note="missing values imputed",
    )
    data_changed(network.pk)
    return run


def preliminary_run(network: Network, year: int) -> ImputationRun | None:
    """The run whose estimates the public figures of an open year show as preliminary, if any."""
    return ImputationRun.objects.filter(
        period__network=network,
        period__year=year,
        period__status=ReportingPeriod.Status.OPEN,
        undone_at__isnull=True,
        published_at__isnull=False,
    ).first()


@transaction.atomic
def publish_preliminary(actor: AnyUser, run: ImputationRun) -> None:
    """Publish the run's estimates as preliminary figures of a year still being collected."""
    locked = ImputationRun.objects.select_for_update().select_related("period__network").get(pk=run.pk)
    if not access.is_network_admin(actor, locked.period.network):
        raise PermissionDenied
    if locked.undone_at is not None:
        raise ImputationRefused(_("An undone imputation cannot be published."))
    if locked.period.status != ReportingPeriod.Status.OPEN:
        raise ImputationRefused(_("Only the figures of a year still being collected are published as preliminary."))
    if locked.published_at is not None:
        return
    locked.published_at = timezone.now()
    locked.published_by = _person(actor)
    locked.save(update_fields=["published_at", "published_by"])
    record(
        actor=actor,
        channel=AuditEntry.Channel.FORM,
        action=AuditEntry.Action.PRELIMINARY_PUBLISHED,
        network=locked.period.network,
        target=AUDIT_TARGET,
        new={"run": locked.pk, "year": locked.period.year},
        note="preliminary figures published",
    )
    data_changed(locked.period.network_id)


@transaction.atomic
def undo_imputation(actor: AnyUser, run: ImputationRun) -> bool:
    """Take the run's estimates out of every figure (they stay on record); False if already undone."""
    locked = ImputationRun.objects.select_for_update().select_related("period__network").get(pk=run.pk)
    if not access.is_network_admin(actor, locked.period.network):
        raise PermissionDenied
    if locked.undone_at is not None:
        return False
    _undo(actor, locked, "imputation undone")
    data_changed(locked.period.network_id)
    return True
