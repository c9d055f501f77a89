"""What an import would change, computed before anything is written: per state, the reports and
values that are new, changed and removed, and the units renamed. The importer shows it (a dry run
stops here) and refuses to apply a change to more than a set share of a year's data unless the
person confirms it: a file cut off at a line break or with swapped headers looks, to the database,
like a big removal or rewrite of a year, and that is what it is refused as."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from decimal import Decimal

from django.conf import settings
from django.db.models import Max
from django.utils.translation import gettext as _

from parskats.catalogue.models import Indicator, Survey
from parskats.network.models import Membership, Network, OrgUnit
from parskats.reporting.models import Report, ReportingPeriod, Value

from .reading import Cell

DEFAULT_MAX_SHARE = Decimal("0.02")
KEYS = (
    "reports_new",
    "reports_removed",
    "reports_kept",
    "values_new",
    "values_changed",
    "values_removed",
    "values_unchanged",
    "names_changed",
    "totals_new",
    "totals_changed",
    "totals_removed",
)


def max_share() -> Decimal:
    """The share of a year's data an import may remove or change without an explicit confirmation."""
    return Decimal(str(getattr(settings, "PLS_MAX_CHANGE_SHARE", DEFAULT_MAX_SHARE)))


@dataclass
class Wanted:
    """What the files say about one survey of the year: unit code → (state, cells by indicator code)."""

    survey: Survey
    rows: dict[str, tuple[str, dict[str, Cell]]]


@dataclass
class Plan:
    year: int
    states: dict[str, Counter[str]] = field(default_factory=dict)
    existing_reports: int = 0
    existing_values: int = 0
    existing_names: int = 0
    existing_totals: int = 0
    # The survey's own words: its hierarchy level ("state") and the name of its year ("FY2024"). A
    # survey configuration gives them (survey_config.SurveyConfig.region_word, .period_name); the
    # US survey keeps ours.
    region: str = ""
    period: str = ""
    region_names: dict[str, str] = field(default_factory=dict)  # code → name, where the survey has names

    def region_word(self) -> str:
        return self.region or _("state")

    def period_name(self) -> str:
        return self.period or _("FY%(year)s") % {"year": self.year}

    def total(self, key: str) -> int:
        return sum(counts[key] for counts in self.states.values())

    def add(self, state: str, key: str, count: int = 1) -> None:
        self.states.setdefault(state, Counter())[key] += count

    @property
    def changes_anything(self) -> bool:
        return any(self.total(key) for key in KEYS if key not in ("reports_kept", "values_unchanged"))

    def shares(self) -> dict[str, Decimal]:
        """Removed or changed, as a share of what the year holds now (nothing held: nothing at risk)."""

        def share(part: int, whole: int) -> Decimal:
            return Decimal(part) / Decimal(whole) if whole else Decimal(0)

        return {
            "reports": share(self.total("reports_removed"), self.existing_reports),
            "values": share(self.total("values_changed") + self.total("values_removed"), self.existing_values),
            "names": share(self.total("names_changed"), self.existing_names),
            "totals": share(self.total("totals_changed") + self.total("totals_removed"), self.existing_totals),
        }

    def over(self, limit: Decimal) -> list[str]:
        """Messages for every share above `limit`: each one needs an explicit confirmation."""
        shares = self.shares()
        messages = []
        if shares["reports"] > limit:
            message = _(
                "%(period)s: the import would remove %(count)s of %(whole)s reports (%(share)s %%, more than "
                "%(limit)s %%) and their %(values)s values. A file cut short removes data like this."
            )
            messages.append(
                message
                % {
                    "period": self.period_name(),
                    "count": self.total("reports_removed"),
                    "whole": self.existing_reports,
                    "share": _percent(shares["reports"]),
                    "limit": _percent(limit),
                    "values": self.total("values_removed"),
                }
            )
        if shares["values"] > limit:
            message = _(
                "%(period)s: the import would change %(changed)s and remove %(removed)s of %(whole)s values "
                "(%(share)s %%, more than %(limit)s %%). Swapped or shifted columns rewrite data like this."
            )
            messages.append(
                message
                % {
                    "period": self.period_name(),
                    "changed": self.total("values_changed"),
                    "removed": self.total("values_removed"),
                    "whole": self.existing_values,
                    "share": _percent(shares["values"]),
                    "limit": _percent(limit),
                }
            )
        if shares["names"] > limit:
            message = _(
                "%(period)s: the import would rename %(count)s of %(whole)s units (%(share)s %%, more than "
                "%(limit)s %%). A name column swapped with another column renames units like this."
            )
            messages.append(
                message
                % {
                    "period": self.period_name(),
                    "count": self.total("names_changed"),
                    "whole": self.existing_names,
                    "share": _percent(shares["names"]),
                    "limit": _percent(limit),
                }
            )
        if shares["totals"] > limit:
            message = _(
                "%(period)s: the import would change %(changed)s and remove %(removed)s of %(whole)s official state "
                "totals (%(share)s %%, more than %(limit)s %%)."
            )
            messages.append(
                message
                % {
                    "period": self.period_name(),
                    "changed": self.total("totals_changed"),
                    "removed": self.total("totals_removed"),
                    "whole": self.existing_totals,
                    "share": _percent(shares["totals"]),
                    "limit": _percent(limit),
                }
            )
        return messages


def _percent(share: Decimal) -> str:
    return f"{share * 100:.1f}"


def _state_of_units(network: Network, year: int) -> dict[int, str]:
    """unit id → state code for the year's memberships: a system's parent is its state, an outlet's
    parent is its system, whose parent is the state."""
    start = network.year_span(year)[0]
    parent = dict(
        Membership.objects.filter(child__network=network, valid_from=start).values_list("child_id", "parent_id")
    )
    level_code = {
        pk: (level, code)
        for pk, level, code in OrgUnit.objects.filter(network=network).values_list("pk", "level", "code")
    }
    state: dict[int, str] = {}
    for child in parent:
        node: int | None = child
        for _step in range(4):
            if node is None or node not in level_code:
                break
            if level_code[node][0] == OrgUnit.Level.COUNTY:
                state[child] = level_code[node][1]
                break
            node = parent.get(node)
    return state


def compute(network: Network | None, year: int, wanted: list[Wanted], names: dict[str, str]) -> Plan:
    """The plan of an import of `wanted` into `network` (None: the network does not exist yet)."""
    plan = Plan(year=year)
    for item in wanted:
        for state, _cells in item.rows.values():
            plan.states.setdefault(state, Counter())
    if network is None:
        for item in wanted:
            for state, cells in item.rows.values():
                plan.add(state, "reports_new")
                plan.add(state, "values_new", len(cells))
        return plan
    units = {
        pk: (code, name) for pk, code, name in OrgUnit.objects.filter(network=network).values_list("pk", "code", "name")
    }
    state_of = _state_of_units(network, year)
    for item in wanted:
        period = ReportingPeriod.objects.filter(network=network, survey=item.survey, year=year).first()
        existing: dict[str, int] = {}
        if period is not None:
            for pk, unit_id in Report.objects.filter(period=period).values_list("pk", "unit_id"):
                existing[units[unit_id][0]] = pk
        code_of_indicator = dict(Indicator.objects.filter(survey=item.survey).values_list("pk", "code"))
        held: dict[int, dict[str, tuple[str, Decimal | None, str, str]]] = {}
        if period is not None:
            for report_pk, indicator, code, number, flag, source in Value.objects.filter(
                report__period=period
            ).values_list("report_id", "indicator_id", "code", "number", "flag", "source_code"):
                held.setdefault(report_pk, {})[code_of_indicator[indicator]] = (code, number, flag, source)
                plan.existing_values += 1
        plan.existing_reports += len(existing)
        pk_of_code = {code: pk for pk, (code, _name) in units.items()}
        for unit_code, (state, cells) in item.rows.items():
            report = existing.pop(unit_code, None)
            if report is None:
                plan.add(state, "reports_new")
                plan.add(state, "values_new", len(cells))
                continue
            plan.add(state, "reports_kept")
            stored = held.pop(report, {})
            for code, cell in cells.items():
                before = stored.pop(code, None)
                if before is None:
                    plan.add(state, "values_new")
                elif before != cell:
                    plan.add(state, "values_changed")
                else:
                    plan.add(state, "values_unchanged")
            plan.add(state, "values_removed", len(stored))
        for unit_code, stale in existing.items():
            state = state_of.get(pk_of_code[unit_code], "?")
            plan.add(state, "reports_removed")
            plan.add(state, "values_removed", len(held.pop(stale, {})))
    _names(network, year, names, units, state_of, wanted, plan)
    return plan


def _names(
    network: Network,
    year: int,
    names: dict[str, str],
    units: dict[int, tuple[str, str]],
    state_of: dict[int, str],
    wanted: list[Wanted],
    plan: Plan,
) -> None:
    """A unit takes the name of the latest year it is in (as the importer does): count the renames
    this import would make, over the units it names that already exist."""
    latest = dict(
        Membership.objects.filter(child__network=network)
        .values("child_id")
        .annotate(last=Max("valid_from"))
        .values_list("child_id", "last")
    )
    by_code = {code: (pk, name) for pk, (code, name) in units.items()}
    state_by_code = {code: state for item in wanted for code, (state, _cells) in item.rows.items()}
    for code, name in names.items():
        found = by_code.get(code)
        if found is None or code not in state_by_code:
            continue
        pk, stored = found
        last = latest.get(pk)
        if last is not None and network.year_of(last) > year:
            continue
        plan.existing_names += 1
        if stored != name:
            plan.add(state_by_code[code], "names_changed")


def lines(plan: Plan, limit: int = 60) -> list[str]:
    """The plan as text, one line per state (or the survey's level) with any change, then the totals."""
    head = plan.region_word()
    labels = [
        _("reports new"),
        _("removed"),
        _("values new"),
        _("changed"),
        _("removed"),
        _("unchanged"),
        _("renamed"),
    ]
    keys = [k for k in KEYS if k != "reports_kept" and not k.startswith("totals")]
    widths = [max(len(label), 7) for label in labels]
    first = max(6, len(head))

    def row(label: str, counts: list[object]) -> str:
        return f"{label:<{first}} " + " ".join(f"{count:>{w}}" for count, w in zip(counts, widths, strict=True))

    title = _("Change of %(period)s, per %(level)s:") % {"period": plan.period_name(), "level": head}
    out = [title, row(head, list(labels))]
    changed = [s for s in sorted(plan.states) if any(plan.states[s][k] for k in keys if k != "values_unchanged")]
    for state in changed[:limit]:
        out.append(row(state, [plan.states[state][k] for k in keys]))
    if len(changed) > limit:
        out.append(_("… and %(count)s more with changes.") % {"count": len(changed) - limit})
    out.append(row(_("all"), [plan.total(k) for k in keys]))
    if any(plan.total(k) for k in ("totals_new", "totals_changed", "totals_removed")) or plan.existing_totals:
        message = _("Official state totals: %(new)s new, %(changed)s changed, %(removed)s removed.")
        out.append(
            message
            % {
                "new": plan.total("totals_new"),
                "changed": plan.total("totals_changed"),
                "removed": plan.total("totals_removed"),
            }
        )
    return out
