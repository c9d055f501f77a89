"""The figures cache: an aggregation (with its performance measures) kept until the network's data
changes, so a national dashboard is computed once per change, not once per reader.

The tables are kept as they are, in this process (a bounded LRU, `PARSKATS_FIGURES_CACHE_ENTRIES`):
unpickling a national table from a shared cache would cost as much as computing it. A cached
table is shared by the requests that read it and must not be changed. Each year's table is kept
on its own, keyed on the network's `DataVersion` and its year's `PeriodVersion`, both read before
the data: a value or a report moves only its year's counter (the other years' tables stay), every
other change (the map, the register, the catalogue, a period, a bulk import) the network's. Every change that
the figures are computed from moves that counter after it commits (signals for single rows; bulk
imports call `data_changed` themselves), so a reader either sees the new counter and recomputes,
or read the old one first and cached at worst newer data under it: never older data under a new
counter. Moving the counter after the commit, in its own statement, keeps writers from waiting on
each other. Entries also expire (`PARSKATS_FIGURES_CACHE_SECONDS`) in case a process dies between
a commit and its bump.
"""

from __future__ import annotations

import threading
import time
from collections import OrderedDict
from collections.abc import Callable, Sequence

from django.conf import settings
from django.db import transaction
from django.db.models import F, OuterRef, Subquery
from django.db.models.signals import post_delete, post_save, pre_save
from django.utils.translation import get_language

from parskats.catalogue.models import Indicator, Survey
from parskats.core import pagecache
from parskats.network import timeline
from parskats.network.models import Membership, Network, OrgUnit, PopulationServed
from parskats.reporting.models import Narrative, Photo, Report, ReportingPeriod, Value

from .aggregate import COUNTY, Scope, Table, aggregate_years, refresh
from .compare import carry_over
from .models import DataVersion, PeriodChange, PeriodVersion
from .performance import add_measures


class _Store:
    """A bounded least-recently-used map with expiry, safe across a worker's threads."""

    def __init__(self) -> None:
        self._entries: OrderedDict[str, tuple[float, dict[int, Table]]] = OrderedDict()
        self._latest: dict[str, tuple[int, str]] = {}  # base key → (year's counter, key) of the newest
        self._lock = threading.Lock()

    def get(self, key: str) -> dict[int, Table] | None:
        with self._lock:
            found = self._entries.get(key)
            if found is None or found[0] < time.monotonic():
                return None
            self._entries.move_to_end(key)
            return found[1]

    def put(self, key: str, tables: dict[int, Table], base: str = "", counter: int = 0) -> None:
        """Keep `tables` under `key`; with `base` (the key without the year's counter), also as the
        newest of that base, the one a later change of the year can be applied to (`latest`)."""
        limit = settings.FIGURES_CACHE_ENTRIES
        with self._lock:
            self._entries[key] = (time.monotonic() + settings.FIGURES_CACHE_SECONDS, tables)
            self._entries.move_to_end(key)
            while len(self._entries) > limit:
                self._entries.popitem(last=False)
            if base and counter >= self._latest.get(base, (-1, ""))[0]:
                self._latest[base] = (counter, key)
                while len(self._latest) > 4 * limit:
                    self._latest.pop(next(iter(self._latest)))

    def latest(self, base: str) -> tuple[int, dict[int, Table]] | None:
        """The newest tables kept of `base`, with the year's counter they were computed at."""
        with self._lock:
            counter, key = self._latest.get(base, (-1, ""))
        found = self.get(key) if key else None
        return None if found is None else (counter, found)

    def clear(self) -> None:
        with self._lock:
            self._entries.clear()
            self._latest.clear()
        timeline.forget_maps()  # kept under the same counters (a restore brings old counters back)


store = _Store()


def data_version(network_id: int) -> int:
    return DataVersion.objects.filter(network_id=network_id).values_list("counter", flat=True).first() or 0


def map_version(network_id: int) -> int:
    return DataVersion.objects.filter(network_id=network_id).values_list("map_counter", flat=True).first() or 0


def data_changed(
    network_id: int | None = None,
    public: bool = True,
    *,
    units: bool = True,
    period_id: int | None = None,
    library_id: int | None = None,
) -> None:
    """The figures of this network (of every network, with None) are out of date once the current
    transaction commits. `public=False` says the change cannot reach what a reader without a login
    sees (a draft's number): the tables are recomputed for the staff, but the public pages, which
    count approved reports only, stay cached; on deadline day that is nearly every write.
    `units=False` says no unit or link changed, so the network's cached map (timeline) stands: bulk
    writers (imports, demos) leave it True, the signals of single rows say what they changed.
    `period_id` says the change is one year's values or reports only: that year's counter moves,
    and the tables of the network's other years stay. `library_id` says whose values or report they
    are: the year's cached tables then recompute only that library's group."""
    if units:  # its maps are forgotten now and kept again once `_bump` has moved the map counter
        timeline.map_changed(network_id, settle_on_commit=False)
    transaction.on_commit(lambda: _bump(network_id, public, units, period_id, library_id))


KEPT_CHANGES = 1000  # PeriodChange rows kept per year; a table further behind is computed again


def _bump(
    network_id: int | None,
    public: bool = True,
    units: bool = True,
    period_id: int | None = None,
    library_id: int | None = None,
) -> None:
    if public:
        pagecache.bump("figures")
    if period_id is not None and network_id is not None and not units:
        # The counter and the note of whose change it was commit together, so a reader that sees the
        # counter sees the note; the counter's row lock orders the writers of one year.
        with transaction.atomic():
            if not PeriodVersion.objects.filter(period_id=period_id).update(counter=F("counter") + 1):
                PeriodVersion.objects.get_or_create(period_id=period_id, defaults={"counter": 0})
                PeriodVersion.objects.filter(period_id=period_id).update(counter=F("counter") + 1)
            counter = PeriodVersion.objects.filter(period_id=period_id).values_list("counter", flat=True).get()
            PeriodChange.objects.create(period_id=period_id, counter=counter, unit_id=library_id)
            if counter % 100 == 0:
                PeriodChange.objects.filter(period_id=period_id, counter__lte=counter - KEPT_CHANGES).delete()
        return
    moves = {"counter": F("counter") + 1, **({"map_counter": F("map_counter") + 1} if units else {})}
    if network_id is None:
        DataVersion.objects.update(**moves)
        missing = Network.objects.exclude(pk__in=DataVersion.objects.values("network_id")).values_list("pk", flat=True)
        DataVersion.objects.bulk_create(
            [DataVersion(network_id=pk, counter=1, map_counter=1) for pk in missing], ignore_conflicts=True
        )
        return
    if not DataVersion.objects.filter(network_id=network_id).update(**moves):
        DataVersion.objects.get_or_create(network_id=network_id, defaults={"counter": 1, "map_counter": 1})
    if units:
        timeline.map_settled(network_id)


def measured_tables(network: Network, survey: Survey, years: Sequence[int], scope: Scope = COUNTY) -> dict[int, Table]:
    """`aggregate_years` with the performance measures added; each year's table from the cache
    when neither the network's data nor that year's has changed since, the others computed."""
    version = data_version(network.pk)  # the counters before the data (see the module's note)
    counter = PeriodVersion.objects.filter(period_id=OuterRef("pk")).values("counter")[:1]
    periods = ReportingPeriod.objects.filter(network=network, survey=survey, year__in=list(years))
    counters = {year: moved or 0 for year, moved in periods.values_list("year", Subquery(counter))}
    if any(year not in counters for year in years):
        return _measured(aggregate_years(network, survey, years, scope))  # says which year is unknown
    language = get_language() or ""
    # A year's table depends on that year alone: computed beside other years or on its own, it is the
    # same (the years share only the map, and a map with branches counts a year without branch
    # reports as one without them does).
    bases = {year: f"figures:{network.pk}:{version}:{survey.pk}:{year}:{scope.key()}:{language}" for year in years}
    keys = {year: f"{bases[year]}:{counters[year]}" for year in years}
    found: dict[int, Table] = {}
    for year, key in keys.items():
        kept = store.get(key)
        if kept is not None:
            found[year] = kept[year]
    for year in [year for year in years if year not in found]:
        refreshed = _refreshed(network, survey, year, scope, bases[year], counters[year])
        if refreshed is not None:
            store.put(keys[year], {year: refreshed}, bases[year], counters[year])
            found[year] = refreshed
    missing = [year for year in years if year not in found]
    if missing:
        for year, table in _measured(aggregate_years(network, survey, missing, scope)).items():
            store.put(keys[year], {year: table}, bases[year], counters[year])
            found[year] = table
    return {year: found[year] for year in years}


def _refreshed(network: Network, survey: Survey, year: int, scope: Scope, base: str, counter: int) -> Table | None:
    """The year's newest kept table with the groups of the libraries changed since recomputed, or
    None (compute the year in full) when no table is kept, or a move of the counter since says no
    library (or was pruned), or a change is one the groups cannot take (`aggregate.refresh`)."""
    latest = store.latest(base)
    if latest is None or latest[0] >= counter:
        return None
    since, tables = latest
    changes = PeriodChange.objects.filter(
        period__network=network, period__survey=survey, period__year=year, counter__gt=since, counter__lte=counter
    ).values_list("counter", "unit_id")
    moved = dict(changes)
    if len(moved) != counter - since or None in moved.values():
        return None
    kept = tables[year]
    refreshed = refresh(kept, scope, {unit_id for unit_id in moved.values() if unit_id is not None})
    if refreshed is None:
        return None
    table, keys = refreshed
    add_measures(table, keys)
    carry_over(kept, table, keys)
    return table


def _measured(tables: dict[int, Table]) -> dict[int, Table]:
    for table in tables.values():
        add_measures(table)
    return tables


# ---------------------------------------------------------------------------------------------
# What moves the counter. A row whose network cannot be found any more (deleted with its parent)
# moves every network's counter: rare, and never wrong.


def _network_of_period(period_id: int) -> int | None:
    return ReportingPeriod.objects.filter(pk=period_id).values_list("network_id", flat=True).first()


def _report_seen(report_id: int) -> tuple[int | None, bool, int | None, int | None]:
    """The report's network, whether the public pages may show it (approved), its period and its
    library. A report that is gone counts as public: its network is unknown, so every network's
    counters move."""
    found = (
        Report.objects.filter(pk=report_id).values_list("period__network_id", "status", "period_id", "unit_id").first()
    )
    if found is None:
        return None, True, None, None
    return found[0], found[1] == Report.Status.APPROVED, found[2], found[3]


def _unit_network(unit_id: int) -> int | None:
    return OrgUnit.objects.filter(pk=unit_id).values_list("network_id", flat=True).first()


def _value_changed(instance: Value, **kwargs: object) -> None:
    network_id, public, period_id, library_id = _report_seen(instance.report_id)
    data_changed(network_id, public, units=False, period_id=period_id, library_id=library_id)


def _report_was_approved(instance: Report, raw: bool = False, **kwargs: object) -> None:
    """Before a report is saved: was it approved? Leaving "approved" (reopening) takes its numbers
    off the public pages, so that save is public although the report is no longer approved."""
    instance._parskats_was_approved = bool(  # type: ignore[attr-defined]
        not raw and instance.pk and Report.objects.filter(pk=instance.pk, status=Report.Status.APPROVED).exists()
    )


def _report_changed(instance: Report, **kwargs: object) -> None:
    public = instance.status == Report.Status.APPROVED or getattr(instance, "_parskats_was_approved", True)
    data_changed(
        _network_of_period(instance.period_id),
        public,
        units=False,
        period_id=instance.period_id,
        library_id=instance.unit_id,
    )


def _period_changed(instance: ReportingPeriod, **kwargs: object) -> None:
    data_changed(instance.network_id, units=False)


def _unit_changed(instance: OrgUnit, **kwargs: object) -> None:
    data_changed(instance.network_id)


def _link_changed(instance: Membership, **kwargs: object) -> None:
    data_changed(_unit_network(instance.child_id))  # every network's maps when the unit is gone


def _population_changed(instance: PopulationServed, **kwargs: object) -> None:
    data_changed(_unit_network(instance.unit_id), units=False)


def _catalogue_changed(**kwargs: object) -> None:
    data_changed(None, units=False)


def _story_changed(instance: Narrative | Photo, **kwargs: object) -> None:
    # A story or a photo is on the public pages, not in the figures: the tables stay cached. Only an
    # approved report's stories are public (news.stories), so a draft's text leaves the pages alone.
    if _report_seen(instance.report_id)[1]:
        pagecache.changed("figures")


RECEIVERS = (
    (Value, _value_changed),
    (Report, _report_changed),
    (ReportingPeriod, _period_changed),
    (OrgUnit, _unit_changed),
    (Membership, _link_changed),
    (PopulationServed, _population_changed),
    (Indicator, _catalogue_changed),
    (Survey, _catalogue_changed),
    (Narrative, _story_changed),
    (Photo, _story_changed),
)


def _unless_raw(receiver: Callable[..., None]) -> Callable[..., None]:
    """Raw saves (loaddata, restore) copy rows as they were: the restore clears the cache itself."""

    def receive(instance: object, raw: bool = False, **kwargs: object) -> None:
        if not raw:
            receiver(instance=instance)

    return receive


def connect() -> None:
    timeline.key_maps_on(map_version)  # the network maps are kept while this counter stands
    pre_save.connect(_report_was_approved, sender=Report, weak=False, dispatch_uid="figures-Report-pre_save")
    for model, receiver in RECEIVERS:
        for signal in (post_save, post_delete):
            signal.connect(
                _unless_raw(receiver),
                sender=model,
                weak=False,
                dispatch_uid=f"figures-{model.__name__}-{signal is post_save}",
            )
