"""The official state totals of a fiscal year (the state summary file) as data: imported on their own
or beside the library files, compared with what is stored before they are written (the same plan and
threshold as the library data), and read back by the reconciliation whenever both exist."""

from __future__ import annotations

from decimal import Decimal

from django.db import connection

from parskats.catalogue.models import Indicator
from parskats.network.models import Network

from .change import Plan
from .models import OfficialTotal
from .reading import ParsedFile

Total = tuple[str, Decimal | None, str]  # (code, number, source_code)


def wanted(state_file: ParsedFile) -> dict[tuple[str, str], Total]:
    return {
        (r.identity["state"], code): (cell[0], cell[1], cell[3])
        for r in state_file.records
        for code, cell in r.values.items()
    }


def _stored(network: Network, year: int) -> dict[tuple[str, str], tuple[int, Total]]:
    return {
        (state, code): (pk, (kind, number, source))
        for pk, state, code, kind, number, source in OfficialTotal.objects.filter(
            network=network, year=year
        ).values_list("pk", "state", "indicator__code", "code", "number", "source_code")
    }


def plan(network: Network | None, year: int, totals: dict[tuple[str, str], Total], into: Plan) -> None:
    """Add the totals' new / changed / removed counts, per state, to the import's plan."""
    stored = _stored(network, year) if network is not None else {}
    into.existing_totals += len(stored)
    for key, total in totals.items():
        found = stored.pop(key, None)
        if found is None:
            into.add(key[0], "totals_new")
        elif found[1] != total:
            into.add(key[0], "totals_changed")
    for state, _code in stored:
        into.add(state, "totals_removed")


def write(network: Network, year: int, totals: dict[tuple[str, str], Total], file_name: str) -> tuple[int, int, int]:
    """Bring the year's official totals to `totals`; returns (created, updated, deleted)."""
    indicator_of = dict(Indicator.objects.filter(survey__code="us-pls").values_list("code", "pk"))
    stored = _stored(network, year)
    new, changed = [], []
    for (state, code), (kind, number, source) in totals.items():
        found = stored.pop((state, code), None)
        if found is None:
            new.append(
                OfficialTotal(
                    network=network,
                    year=year,
                    state=state,
                    indicator_id=indicator_of[code],
                    code=kind,
                    number=number,
                    source_code=source,
                    file_name=file_name[:255],
                )
            )
        elif found[1] != (kind, number, source):
            changed.append(
                OfficialTotal(pk=found[0], code=kind, number=number, source_code=source, file_name=file_name)
            )
    OfficialTotal.objects.bulk_create(new, batch_size=2000)
    OfficialTotal.objects.bulk_update(changed, ["code", "number", "source_code", "file_name"], batch_size=500)
    stale = [pk for pk, _total in stored.values()]
    deleted = OfficialTotal.objects.filter(pk__in=stale)._raw_delete(connection.alias) if stale else 0
    return len(new), len(changed), deleted


def stored_by_state(network: Network, year: int) -> dict[str, dict[str, Decimal | None]]:
    """state → element → official total (None: a missing-value code) for the reconciliation."""
    out: dict[str, dict[str, Decimal | None]] = {}
    for (state, code), (_pk, (_kind, number, _source)) in _stored(network, year).items():
        out.setdefault(state, {})[code] = number
    return out


def years(network: Network) -> list[int]:
    return sorted(set(OfficialTotal.objects.filter(network=network).values_list("year", flat=True)))
