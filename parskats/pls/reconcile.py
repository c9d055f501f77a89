"""Give the official state totals back: every state total of a fiscal year recomputed from the
imported library systems by the aggregation core (parskats.stats), compared with the state summary
file of the same year, each difference classed as exact, rounding, documented (reconcile.toml) or
unexplained."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path

from django.utils.translation import gettext as _

from parskats.catalogue.models import Survey
from parskats.network.models import Network
from parskats.reporting.models import Value
from parskats.stats.aggregate import OFF_MAP, Scope, Table, aggregate

from . import official as official_totals
from .importer import NETWORK_SLUG, ImportFailed, read_year
from .layout import SURVEY_CODE, Layout, LayoutError, ReconcileRules, layout_for_year, missing_codes, reconcile_rules

EXACT, ROUNDING, DOCUMENTED, UNEXPLAINED = "exact", "rounding", "documented", "unexplained"
OUTCOMES = (EXACT, ROUNDING, DOCUMENTED, UNEXPLAINED)


@dataclass
class Difference:
    state: str
    element: str
    ours: Decimal | None
    official: Decimal | None
    outcome: str
    reason: str = ""


@dataclass
class Reconciliation:
    year: int
    layout: Layout
    elements: list[str]  # compared, in state-file order
    not_in_ae: list[str]  # in the state file but with no value in the imported AE data
    outcomes: dict[str, Counter[str]] = field(default_factory=dict)  # element → outcome → states
    differences: list[Difference] = field(default_factory=list)  # everything but exact
    quarantined: Counter[str] = field(default_factory=Counter)  # state → AE rows left out by a quarantine

    @property
    def unexplained(self) -> list[Difference]:
        return [d for d in self.differences if d.outcome == UNEXPLAINED]


def state_totals(network: Network, survey: Survey, year: int) -> Table:
    """The one aggregation core, grouped by state (the county level of the us-pls network)."""
    return aggregate(network, survey, year, Scope(group_by="county", approved_only=True))


def _suppressed_counts(table: Table, year: int, elements: set[str]) -> Counter[tuple[str, str]]:
    """(state, element) → values whose original code marks them suppressed (surveys/us-pls.toml, [missing.codes])."""
    sources = [code.source for code in missing_codes().values() if code.suppressed]
    counts: Counter[tuple[str, str]] = Counter()
    rows = Value.objects.filter(
        report__period__network=table.network,
        report__period__survey=table.survey,
        report__period__year=year,
        indicator__code__in=elements,
        source_code__in=sources,
    ).values_list("report__unit_id", "indicator__code")
    for unit_id, code in rows:
        counts[(table.group_of.get(unit_id, OFF_MAP), code)] += 1
    return counts


def _ceilings(table: Table, year: int, elements: set[str], rules: ReconcileRules) -> dict[str, Decimal]:
    """element → the most a suppressed value may add, per staff FTE: the `quantile` of value per FTE
    over the libraries that reported both (the documented cause is libraries of `units` FTE or fewer,
    so a state's shortfall can be no larger than what such libraries can spend)."""
    if not elements:
        return {}
    per_unit: dict[int, dict[str, Decimal]] = {}
    for unit_id, code, number in Value.objects.filter(
        report__period__network=table.network,
        report__period__survey=table.survey,
        report__period__year=year,
        indicator__code__in=[*elements, rules.ceiling_per],
        code="num",
    ).values_list("report__unit_id", "indicator__code", "number"):
        if number is not None:
            per_unit.setdefault(unit_id, {})[code] = number
    ceilings = {}
    for element in elements:
        ratios = sorted(
            values[element] / values[rules.ceiling_per]
            for values in per_unit.values()
            if element in values and values.get(rules.ceiling_per, 0) > 0
        )
        if ratios:
            ceilings[element] = ratios[min(len(ratios) - 1, int(len(ratios) * rules.ceiling_quantile))]
    return ceilings


def _suppressed_bounds(
    table: Table, year: int, elements: set[str], rules: ReconcileRules
) -> dict[tuple[str, str], Decimal]:
    """(state, element) → the most the state's suppressed values of the element can add up to."""
    ceilings = _ceilings(table, year, elements, rules)
    sources = [code.source for code in missing_codes().values() if code.suppressed]
    staff: dict[int, Decimal] = {
        unit_id: number
        for unit_id, number in Value.objects.filter(
            report__period__network=table.network,
            report__period__survey=table.survey,
            report__period__year=year,
            indicator__code=rules.ceiling_per,
            code="num",
        ).values_list("report__unit_id", "number")
        if number is not None
    }
    bounds: dict[tuple[str, str], Decimal] = {}
    for unit_id, code in Value.objects.filter(
        report__period__network=table.network,
        report__period__survey=table.survey,
        report__period__year=year,
        indicator__code__in=elements,
        source_code__in=sources,
    ).values_list("report__unit_id", "indicator__code"):
        fte = min(staff.get(unit_id) or rules.ceiling_units, rules.ceiling_units)
        key = (table.group_of.get(unit_id, OFF_MAP), code)
        bounds[key] = bounds.get(key, Decimal(0)) + fte * ceilings.get(code, Decimal(0))
    return bounds


def _quarantine(network: Network, layout: Layout) -> tuple[Counter[str], dict[tuple[str, str], Decimal | None]]:
    """Per state, the AE rows an import left in quarantine, and per (state, element) what their cells
    add up to (None: a cell that cannot be read, so the shortfall cannot be bounded)."""
    from .models import QuarantinedRow

    column_of = {code: column for column, code in layout.files["ae"].elements.items()}
    counts: Counter[str] = Counter()
    sums: dict[tuple[str, str], Decimal | None] = {}
    for state, cells in QuarantinedRow.objects.filter(network=network, year=layout.fiscal_year, kind="ae").values_list(
        "state", "cells"
    ):
        counts[state] += 1
        for code, column in column_of.items():
            raw = str(cells.get(column, "")).strip()
            key = (state, code)
            try:
                number = Decimal(raw) if raw else Decimal(0)
            except ArithmeticError:
                number = Decimal(-1)
            if number < 0 or not number.is_finite():  # unreadable, or a code: the value is not known
                sums[key] = None
            elif sums.get(key, Decimal(0)) is not None:
                sums[key] = sums.get(key, Decimal(0)) + number  # type: ignore[operator]
    return counts, sums


def reconcile(directory: Path | None, year: int | None = None, layout: Layout | None = None) -> Reconciliation:
    """Compare the state totals recomputed from the imported systems with the official ones: those of
    the state summary file in `directory` if it has one, else those stored by an earlier import."""
    summary = None
    if directory is not None:
        layout, parsed = read_year(directory, year, layout, kinds=("state",))
        summary = parsed.get("state")
    elif layout is None:
        if year is None:
            raise ImportFailed([_("Say which fiscal year to reconcile.")])
        try:
            layout = layout_for_year(year)
        except LayoutError as exc:
            raise ImportFailed([str(exc)]) from None
    assert layout is not None
    network = Network.objects.filter(slug=NETWORK_SLUG).first()
    survey = Survey.objects.filter(code=SURVEY_CODE).first()
    if network is None or survey is None or not network.periods.filter(survey=survey, year=layout.fiscal_year):
        message = _("FY%(year)s is not imported yet: run import_pls %(folder)s first.")
        raise ImportFailed([message % {"year": layout.fiscal_year, "folder": directory or f"FY{layout.fiscal_year}"}])
    if summary is not None:
        official_states = {r.identity["state"]: {c: cell[1] for c, cell in r.values.items()} for r in summary.records}
        in_state_file = [code for column, code in layout.files["state"].elements.items() if column in summary.header]
    else:
        official_states = official_totals.stored_by_state(network, layout.fiscal_year)
        if not official_states:
            where = directory.name if directory is not None else f"FY{layout.fiscal_year}"
            message = _(
                "%(folder)s: no state summary file to reconcile with, and no official totals stored for FY%(year)s."
            )
            raise ImportFailed([message % {"folder": where, "year": layout.fiscal_year}])
        present = {code for totals in official_states.values() for code in totals}
        in_state_file = [code for code in layout.files["state"].elements.values() if code in present]
    rules = reconcile_rules()
    table = state_totals(network, survey, layout.fiscal_year)
    ae_elements = set(layout.files["ae"].elements.values())
    imported = set(
        Value.objects.filter(report__period__network=network, report__period__survey=survey)
        .filter(report__period__year=layout.fiscal_year)
        .values_list("indicator__code", flat=True)
        .distinct()
    )
    elements = [code for code in in_state_file if code in imported and code in ae_elements]
    result = Reconciliation(
        year=layout.fiscal_year,
        layout=layout,
        elements=elements,
        not_in_ae=[code for code in in_state_file if code not in elements],
    )
    suppressed = _suppressed_counts(table, layout.fiscal_year, set(rules.suppressed) & set(elements))
    bounds = _suppressed_bounds(table, layout.fiscal_year, set(rules.suppressed) & set(elements), rules)
    result.quarantined, quarantined_sums = _quarantine(network, layout)
    rows = {row.key: row for row in table.rows}
    for code in elements:
        outcomes: Counter[str] = Counter()
        for state in sorted(set(official_states) | set(rows)):
            official_record = official_states.get(state)
            official = official_record.get(code) if official_record else None
            row = rows.get(state)
            cell = row.cell(code) if row else None
            ours = cell.value if cell else None
            outcome, reason = EXACT, ""
            if official_record is None and row is not None and row.reports == 0:
                continue  # systems open in the span of imported years but absent from this year's files
            if official_record is None:
                outcome, reason = UNEXPLAINED, _("not in the state summary file")
            elif ours != official:
                if ours is None or official is None:
                    outcome, reason = UNEXPLAINED, _("a total on one side only")
                else:
                    difference = abs(ours - official)
                    rounded = (cell.reported if code in rules.prorated else cell.estimated) if cell else 0
                    tolerance = max(rules.rounding_minimum, rules.rounding_per_value * rounded)
                    hidden = suppressed[(state, code)]
                    if difference <= tolerance:
                        outcome = ROUNDING
                        prorated = code in rules.prorated
                        reason = _("prorated and rounded per library") if prorated else _("rounded imputations")
                    elif code in rules.suppressed and hidden and ours < official:
                        bound = bounds.get((state, code), Decimal(0))
                        values = {"count": hidden, "bound": f"{bound:.0f}"}
                        if difference <= bound + tolerance:
                            outcome = DOCUMENTED
                            reason = _("%(count)s suppressed small-library values (at most %(bound)s)") % values
                        else:
                            outcome = UNEXPLAINED
                            reason = (
                                _("%(count)s suppressed small-library values explain at most %(bound)s of it") % values
                            )
                    elif result.quarantined[state] and ours < official:
                        held = quarantined_sums.get((state, code), Decimal(0))
                        count = result.quarantined[state]
                        if held is None:
                            outcome = UNEXPLAINED
                            reason = _("%(count)s rows in quarantine, their value cannot be read") % {"count": count}
                        elif difference <= held + tolerance:
                            outcome = DOCUMENTED
                            values = {"count": count, "bound": f"{held:.0f}"}
                            reason = _("%(count)s rows in quarantine (at most %(bound)s)") % values
                        else:
                            outcome = UNEXPLAINED
                            values = {"count": count, "bound": f"{held:.0f}"}
                            reason = _("%(count)s rows in quarantine explain at most %(bound)s of it") % values
                    else:
                        outcome = UNEXPLAINED
            outcomes[outcome] += 1
            if outcome != EXACT:
                result.differences.append(Difference(state, code, ours, official, outcome, reason))
        result.outcomes[code] = outcomes
    return result


def summary_lines(result: Reconciliation, limit: int = 50) -> list[str]:
    headings = [_("exact"), _("rounding"), _("documented reason"), _("unexplained")]
    widths = [max(len(heading), 6) for heading in headings]
    width = max([len(code) for code in result.elements] + [len(_("element")), len(_("all"))])

    def line(label: str, counts: list[object]) -> str:
        return f"{label:<{width}} " + " ".join(f"{count:>{w}}" for count, w in zip(counts, widths, strict=True))

    lines = [
        _("PLS FY%(year)s: %(count)s elements × states, recomputed by the aggregation core")
        % {"year": result.year, "count": len(result.elements)},
        line(_("element"), list(headings)),
    ]
    totals: Counter[str] = Counter()
    for code in result.elements:
        outcomes = result.outcomes[code]
        totals.update(outcomes)
        lines.append(line(code, [outcomes[outcome] for outcome in OUTCOMES]))
    lines.append(line(_("all"), [totals[outcome] for outcome in OUTCOMES]))
    if result.quarantined:
        message = _("Rows left in quarantine by the import, per state: %(states)s.")
        states = ", ".join(f"{state} {count}" for state, count in sorted(result.quarantined.items()))
        lines.append(message % {"states": states})
    if result.not_in_ae:
        message = _("Not compared (in the state summary, not in the imported AE data): %(elements)s.")
        lines.append(message % {"elements": ", ".join(result.not_in_ae)})
    for difference in result.unexplained[:limit]:
        message = _("UNEXPLAINED %(state)s %(element)s: ours %(ours)s, official %(official)s%(reason)s")
        lines.append(
            message
            % {
                "state": difference.state,
                "element": difference.element,
                "ours": difference.ours,
                "official": difference.official,
                "reason": f" ({difference.reason})" if difference.reason else "",
            }
        )
    if len(result.unexplained) > limit:
        lines.append(_("… and %(count)s more unexplained differences.") % {"count": len(result.unexplained) - limit})
    return lines
