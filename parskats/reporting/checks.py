"""Run a report's checks (catalogue.CheckRule, data in catalogue/data/*-checks.toml).

run_checks(report) evaluates every rule on the report's form for every field it applies to and
returns the failures, each with its explanation if the reporter wrote one. The review screen uses
the same function.
"""

from __future__ import annotations

import statistics
from dataclasses import dataclass
from decimal import Decimal
from functools import lru_cache

from django.db.models import Count, Q, Sum

from parskats.catalogue.expressions import Expression, ExpressionError, Missing, compile_expression
from parskats.catalogue.formparts import IndicatorInfo, expand
from parskats.catalogue.models import CheckRule, Indicator
from parskats.catalogue.peers import NO_POPULATION, Fences, fences, outlier_settings, size_class
from parskats.network.models import PopulationServed

from .figures import Figure, figures, previous_figures
from .models import Activity, Explanation, Report, Value

MIN_PEERS = 3


@dataclass
class CheckResult:
    code: str
    severity: str
    field: str
    message: str
    label: str = ""  # the field's name, for summaries
    explanation: Explanation | None = None

    @property
    def is_error(self) -> bool:
        return self.severity == CheckRule.Severity.ERROR

    @property
    def needs_explanation(self) -> bool:
        return not self.is_error and self.explanation is None

    @property
    def key(self) -> str:
        return f"{self.code}:{self.field}"


@lru_cache(maxsize=4096)
def compiled_check(text: str) -> Expression | None:
    try:
        return compile_expression(text)
    except ExpressionError:  # the loader refuses these; a rule edited by hand in the admin is skipped
        return None


class ReportEnvironment:
    """What a check expression may read about one report; every lookup is lazy and cached."""

    def __init__(self, report: Report, values: dict[str, Figure], previous: dict[str, Figure] | None = None) -> None:
        self.report = report
        self.values = values
        self._previous = previous
        self._peers: dict[str, Decimal | None] = {}
        self._fences: dict[str, Fences | None] = {}
        self._classes: dict[int, str] | None = None
        self._activities: dict[str, Decimal] | None = None

    def value(self, name: str) -> Decimal:
        if name.startswith("activities."):
            return self.activities()[name]
        value = self.values.get(name)
        if value is None or value.numeric is None:
            raise Missing(name)
        return value.numeric

    def present(self, name: str) -> bool:
        return name in self.values

    def previous(self, name: str) -> Decimal:
        if self._previous is None:
            self._previous = previous_figures(self.report)
        value = self._previous.get(name)
        if value is None or value.numeric is None:
            raise Missing(name)
        return value.numeric

    def prefetch_peers(self, names: set[str]) -> None:
        """Read the peer values of every indicator the checks compare with peers, in one query.

        The peers are the other libraries of the same type and size class (catalogue/data/peers.toml)
        that reported the indicator; of the same type only when the class has too few of them."""
        names = names - set(self._peers)
        if not names:
            return
        everyone: dict[str, list[Decimal]] = {name: [] for name in names}
        alike: dict[str, list[Decimal]] = {name: [] for name in names}
        classes = self._size_classes()
        own = classes.get(self.report.unit_id, NO_POPULATION)
        rows = (
            Value.objects.filter(
                report__period_id=self.report.period_id,
                report__unit__library_type=self.report.unit.library_type,
                indicator__code__in=names,
                code=Value.Code.NUMBER,
            )
            .exclude(report_id=self.report.pk)
            .values_list("indicator__code", "report__unit_id", "number")
        )
        for code, unit_id, number in rows:
            if number is not None:
                everyone[code].append(number)
                if classes.get(unit_id, NO_POPULATION) == own:
                    alike[code].append(number)
        enough = outlier_settings().min_peers
        for name in names:
            found = alike[name] if len(alike[name]) >= enough else everyone[name]
            self._peers[name] = statistics.median(found) if len(found) >= MIN_PEERS else None
            self._fences[name] = fences(found)

    def _size_classes(self) -> dict[int, str]:
        """Library id → size class of the libraries of the period: by the population the report
        gives, else the population register's."""
        if self._classes is None:
            period = self.report.period
            persons: dict[int, Decimal | int] = dict(
                PopulationServed.objects.filter(unit__network_id=period.network_id, year=period.year).values_list(
                    "unit_id", "persons"
                )
            )
            given = Value.objects.filter(
                Q(indicator__concept="population") | Q(indicator__code="population"),
                report__period_id=self.report.period_id,
                code=Value.Code.NUMBER,
            ).values_list("report__unit_id", "number")
            persons.update({unit_id: number for unit_id, number in given if number is not None})
            self._classes = {unit_id: size_class(number) for unit_id, number in persons.items()}
        return self._classes

    def peer_median(self, name: str) -> Decimal:
        """The median of the same indicator in the other reports of the period from its peers (at
        least MIN_PEERS of them)."""
        if name not in self._peers:
            self.prefetch_peers({name})
        median = self._peers[name]
        if median is None:
            raise Missing(name)
        return median

    def peer_fence(self, name: str, high: bool) -> Decimal:
        """The lower or upper robust fence of the peers' values (median and MAD, or quartiles)."""
        if name not in self._peers:
            self.prefetch_peers({name})
        found = self._fences[name]
        if found is None:
            raise Missing(name)
        return found.high if high else found.low

    def activities(self) -> dict[str, Decimal]:
        if self._activities is None:
            totals = Activity.objects.filter(report=self.report).aggregate(
                count=Count("id"),
                attendance=Sum("attendance"),
                in_person=Count("id", filter=Q(mode__in=[Activity.Mode.IN_PERSON, Activity.Mode.HYBRID])),
                virtual=Count("id", filter=Q(mode=Activity.Mode.VIRTUAL)),
            )
            self._activities = {f"activities.{k}": Decimal(v or 0) for k, v in totals.items()}
        return self._activities


def form_indicators(report: Report) -> list[Indicator]:
    """The indicators on this report's form (its year and library type), in form order; each knows
    its total's code as `parent_code` (no extra query)."""
    year, kind = report.period.year, report.unit.library_type
    every = list(Indicator.objects.filter(survey_id=report.period.survey_id).select_related("section"))
    codes = {i.pk: i.code for i in every}
    for indicator in every:
        indicator.parent_code = codes.get(indicator.parent_id or 0, "")
    return [i for i in every if i.on_form(year, kind)]


def parent_code(indicator: Indicator) -> str:
    known: str | None = getattr(indicator, "parent_code", None)
    if known is not None:
        return str(known)
    return indicator.parent.code if indicator.parent else ""


def run_checks(
    report: Report,
    indicators: list[Indicator] | None = None,
    values: dict[str, Figure] | None = None,
    previous: dict[str, Figure] | None = None,
) -> list[CheckResult]:
    """Every failed check of the report, in form order, with its explanation (if any). The form
    passes the indicators and values (by code) it has already read."""
    indicators = indicators if indicators is not None else form_indicators(report)
    infos = {i.code: IndicatorInfo(i.code, parent_code(i)) for i in indicators}
    order = {code: index for index, code in enumerate(infos)}
    labels = {i.code: i.name for i in indicators}
    if values is None:
        values = figures(report=report)
    env = ReportEnvironment(report, values, previous)
    year, kind = report.period.year, report.unit.library_type
    planned: list[tuple[CheckRule, str, Expression]] = []
    for rule in CheckRule.objects.filter(survey_id=report.period.survey_id):
        if not rule.on_form(year, kind):
            continue
        for field, text in expand(rule.fields, rule.expression, infos):
            expression = compiled_check(text)
            if field in infos and expression is not None:
                planned.append((rule, field, expression))
    env.prefetch_peers({name for _rule, _field, expression in planned for name in expression.peer_names})
    results: list[CheckResult] = []
    for rule, field, expression in planned:
        try:
            holds = expression.evaluate(env)
        except Missing:
            continue
        if not holds:
            results.append(CheckResult(rule.code, rule.severity, field, rule.message, labels[field]))
    if results:
        explanations = {(e.check_code, e.indicator_code): e for e in Explanation.objects.filter(report=report)}
        for result in results:
            result.explanation = explanations.get((result.code, result.field))
    results.sort(key=lambda r: (order.get(r.field, 0), r.severity != CheckRule.Severity.ERROR))
    return results


def by_field(results: list[CheckResult]) -> dict[str, list[CheckResult]]:
    out: dict[str, list[CheckResult]] = {}
    for result in results:
        out.setdefault(result.field, []).append(result)
    return out


def blocking(results: list[CheckResult]) -> list[CheckResult]:
    """What stops submission: errors, and warnings nobody has explained."""
    return [r for r in results if r.is_error or r.needs_explanation]
