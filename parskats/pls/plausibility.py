"""The survey's checks of a new year against the nearest imported year, over the whole file, before
anything is written.

- Per column: this year's column should look most like the same element last year. Correlation of
  log values per library over the libraries in both years: a column that correlates better with
  another element of last year than with its own (visits ↔ circulation swapped) is a suspect.
- Per element: the median change per library; a column whose values moved by a factor above
  RATIO is a suspect (units, shifted columns).
- Per library: values that moved by a factor above JUMP are listed as notes (the survey's own edit
  check); they do not refuse anything.
- Units: a file that lacks many of last year's systems or outlets (cut off at a line break), or
  whose names differ from the stored names for many units (name ↔ city swapped), is a suspect.

Suspects refuse the import unless the person confirms; notes are shown."""

from __future__ import annotations

import math
import operator
import statistics
from dataclasses import dataclass, field
from decimal import Decimal

from django.utils.translation import gettext as _

from parskats.catalogue.models import Survey
from parskats.network.models import Network, OrgUnit
from parskats.reporting.models import ReportingPeriod, Value

from .reading import Cell

MARGIN = 0.01  # another element must correlate better by this much to be a suspect
STRONG = 0.9  # … and strongly: new, noisy elements (Wi-Fi sessions) resemble others only loosely
MIN_PAIRS = 30
SAMPLE = 2000  # libraries compared per column pair: enough for a stable correlation, fast in pure Python
RATIO = 3.0
JUMP = 10.0
JUMP_FLOOR = 100  # small numbers jump by a factor of ten without meaning anything
MISSING_UNITS = Decimal("0.05")  # real years lose well under 1 % of systems and outlets
RENAMED_UNITS = Decimal("0.10")  # real years rename about 1 % of systems
NEAREST = 5  # years further apart than this are not compared


@dataclass
class Findings:
    compared_with: int | None = None
    suspects: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)


def nearest_year(network: Network, survey: Survey, year: int) -> int | None:
    years = set(ReportingPeriod.objects.filter(network=network, survey=survey).values_list("year", flat=True))
    years.discard(year)
    close = [y for y in years if abs(y - year) <= NEAREST]
    if not close:
        return None
    return min(close, key=lambda y: (abs(y - year), -y))


def _previous(network: Network, survey: Survey, year: int) -> dict[str, dict[str, Decimal]]:
    rows: dict[str, dict[str, Decimal]] = {}
    for unit, code, number in Value.objects.filter(
        report__period__network=network, report__period__survey=survey, report__period__year=year, code="num"
    ).values_list("report__unit__code", "indicator__code", "number"):
        if number is not None:
            rows.setdefault(unit, {})[code] = number
    return rows


def _zscores(vectors: list[float | None]) -> list[float] | None:
    present = [v for v in vectors if v is not None]
    if len(present) < MIN_PAIRS:
        return None
    mean = sum(present) / len(present)
    spread = math.sqrt(sum((v - mean) ** 2 for v in present) / len(present))
    if spread == 0:
        return None
    return [0.0 if v is None else (v - mean) / spread for v in vectors]


def _log(number: Decimal | None) -> float | None:
    return math.log1p(float(number)) if number is not None and number >= 0 else None


def check(
    network: Network,
    survey: Survey,
    year: int,
    rows: dict[str, tuple[str, dict[str, Cell]]],
    names: dict[str, str],
    label: str,
) -> Findings:
    """Compare the file's rows (unit code → state, cells) with the nearest imported year of `survey`."""
    findings = Findings()
    other = nearest_year(network, survey, year)
    if other is None:
        return findings
    findings.compared_with = other
    before = _previous(network, survey, other)
    if not before:
        return findings
    common = sorted(set(before) & set(rows))
    missing = len(set(before) - set(rows))
    if before and Decimal(missing) / len(before) > MISSING_UNITS:
        message = _(
            "%(label)s: %(missing)s of the %(count)s units of FY%(other)s are not in this file (%(share)s %%). "
            "A file cut off at a line break looks like this."
        )
        findings.suspects.append(
            message
            % {
                "label": label,
                "missing": missing,
                "count": len(before),
                "other": other,
                "share": f"{100 * missing / len(before):.1f}",
            }
        )
    _names(network, common, names, label, findings)
    if len(common) < MIN_PAIRS:
        return findings
    step = max(1, len(common) // SAMPLE)
    sample = common[::step]
    codes = sorted({code for unit in sample for code in rows[unit][1]})
    last_codes = sorted({code for unit in sample for code in before[unit]})
    now_z = {c: _zscores([_log(_number(rows[u][1].get(c))) for u in sample]) for c in codes}
    then_z = {c: _zscores([_log(before[u].get(c)) for u in sample]) for c in last_codes}
    n = len(sample)
    for code in codes:
        now = now_z[code]
        own = then_z.get(code)
        if now is None or own is None:
            continue
        own_r = sum(map(operator.mul, now, own)) / n
        best_r, best = max(
            (
                (sum(map(operator.mul, now, then)) / n, other_code)
                for other_code, then in then_z.items()
                if then and other_code != code
            ),
            default=(-1.0, ""),
        )
        if best and best_r > own_r + MARGIN and best_r >= STRONG:
            message = _(
                "%(label)s: the column of %(code)s looks like %(other_code)s of FY%(other)s (correlation %(best)s) "
                "more than like %(code)s (%(own)s): are two columns swapped?"
            )
            findings.suspects.append(
                message
                % {
                    "label": label,
                    "code": code,
                    "other_code": best,
                    "other": other,
                    "best": f"{best_r:.2f}",
                    "own": f"{own_r:.2f}",
                }
            )
    _ratios(rows, before, common, other, label, findings)
    return findings


def _number(cell: Cell | None) -> Decimal | None:
    return cell[1] if cell and cell[0] == "num" else None


def _ratios(
    rows: dict[str, tuple[str, dict[str, Cell]]],
    before: dict[str, dict[str, Decimal]],
    common: list[str],
    other: int,
    label: str,
    findings: Findings,
) -> None:
    ratios: dict[str, list[float]] = {}
    jumps: dict[str, list[str]] = {}
    for unit in common:
        for code, cell in rows[unit][1].items():
            now, then = _number(cell), before[unit].get(code)
            if now is None or then is None or now <= 0 or then <= 0:
                continue
            ratio = float(now / then)
            ratios.setdefault(code, []).append(ratio)
            if max(now, then) >= JUMP_FLOOR and (ratio > JUMP or ratio < 1 / JUMP):
                jumps.setdefault(code, []).append(unit)
    for code, values in sorted(ratios.items()):
        if len(values) < MIN_PAIRS:
            continue
        median = statistics.median(values)
        if median > RATIO or median < 1 / RATIO:
            message = _(
                "%(label)s: %(code)s is %(factor)s times its FY%(other)s value in the median library: a column "
                "in other units, or the wrong column?"
            )
            findings.suspects.append(
                message % {"label": label, "code": code, "factor": f"{median:.2f}", "other": other}
            )
    for code, units in sorted(jumps.items()):
        message = _(
            "%(label)s: %(code)s changed more than tenfold since FY%(other)s in %(count)s units (%(examples)s)."
        )
        examples = ", ".join(units[:5]) + (", …" if len(units) > 5 else "")
        findings.notes.append(
            message % {"label": label, "code": code, "other": other, "count": len(units), "examples": examples}
        )


def _names(network: Network, common: list[str], names: dict[str, str], label: str, findings: Findings) -> None:
    stored = dict(OrgUnit.objects.filter(network=network).values_list("code", "name"))
    compared = [code for code in common if code in names and code in stored]
    renamed = [code for code in compared if names[code] != stored[code]]
    if compared and Decimal(len(renamed)) / len(compared) > RENAMED_UNITS:
        message = _(
            "%(label)s: %(count)s of %(whole)s units have another name than the one stored (for example %(code)s: "
            "%(new)s instead of %(old)s). Is the name column swapped with another one?"
        )
        code = renamed[0]
        findings.suspects.append(
            message
            % {
                "label": label,
                "count": len(renamed),
                "whole": len(compared),
                "code": code,
                "new": repr(names[code]),
                "old": repr(stored[code]),
            }
        )
