"""The share of values each check flags, so that the false-flag rate is visible and tunable:

- on the demo: every check of every report (every year), as the report form runs it, and beside
  the peer-group check the former rule (more than five times the peers' median, or a fifth);
- on the US survey (FY2017, parse only): the robust peer-group rule (median ± k × MAD within the
  library's size class, and at least 50 from the median) against "five times the median of every
  library", and the quartile fences, for the elements that match the demo's checked ones.

    python -m bench.outliers          # a throw-away database with the demo; PLS_DATA as bench.pls
"""

from __future__ import annotations

import statistics
import sys
from collections import Counter
from decimal import Decimal

FORMER = "{field} <= 5 * peer_median({field}) and {field} >= peer_median({field}) / 5"
MIN_DIFFERENCE = 50  # as the demo's peer-group check says in its expression
US_ELEMENTS = ("totcir", "visits", "regbor", "totpro", "kidcircl", "referenc")


def demo_shares() -> list[tuple[str, int, int]]:
    """(check, values checked, flagged) over every report of the demo."""
    from parskats.catalogue.expressions import Missing
    from parskats.catalogue.formparts import IndicatorInfo, expand
    from parskats.catalogue.models import CheckRule
    from parskats.reporting.checks import ReportEnvironment, _compiled, form_indicators, parent_code
    from parskats.reporting.figures import figures
    from parskats.reporting.models import Report

    checked: Counter[str] = Counter()
    flagged: Counter[str] = Counter()
    for report in Report.objects.select_related("period", "unit"):
        indicators = form_indicators(report)
        infos = {i.code: IndicatorInfo(i.code, parent_code(i)) for i in indicators}
        env = ReportEnvironment(report, figures(report=report))
        year, kind = report.period.year, report.unit.library_type
        for rule in CheckRule.objects.filter(survey_id=report.period.survey_id):
            if not rule.on_form(year, kind):
                continue
            texts = [(rule.code, rule.expression)]
            if rule.code == "peer-group":
                texts.append(("peer-group, former: 5× median", FORMER))
            for code, expression in texts:
                for field, text in expand(rule.fields, expression, infos):
                    compiled = _compiled(text)
                    if field not in infos or compiled is None:
                        continue
                    try:
                        holds = compiled.evaluate(env)
                    except Missing:
                        continue
                    checked[code] += 1
                    flagged[code] += not holds
    return [(code, checked[code], flagged[code]) for code in sorted(checked)]


def us_shares() -> list[tuple[str, str, int, int]] | None:
    """(element, rule, values checked, flagged) on the US survey's FY2017 libraries."""
    from bench.imputation import POPULATION, _numbers
    from bench.pls import data_dir
    from parskats.catalogue.peers import Outliers, fences, outlier_settings, size_class

    directory = data_dir()
    if directory is None or not (directory / "FY2017").is_dir():
        return None
    values, _states, _elements = _numbers(directory / "FY2017")
    rules = outlier_settings()
    quartiles = Outliers("quartiles", Decimal("1.5"), rules.min_peers, rules.scale)
    linear = Outliers(rules.method, rules.k, rules.min_peers, "linear")
    robust = f"{rules.method} k={rules.k} {rules.scale}, class"
    variants = ((robust, rules), (f"{rules.method} k={rules.k} linear, class", linear))
    variants += ((f"quartiles 1.5 IQR {rules.scale}, class", quartiles),)
    classes = {key: size_class(found.get(POPULATION)) for key, found in values.items()}
    out = []
    for element in US_ELEMENTS:
        numbers = {key: found[element] for key, found in values.items() if element in found}
        by_class: dict[str, list[Decimal]] = {}
        for key, number in numbers.items():
            by_class.setdefault(classes[key], []).append(number)
        median_all = Decimal(statistics.median(numbers.values()))
        counts: Counter[str] = Counter()
        for name, settings in variants:
            limits = {group: fences(found, settings) for group, found in by_class.items()}
            for key, number in numbers.items():
                found = limits[classes[key]]
                if found is None:
                    continue
                counts[name + " checked"] += 1
                far = not (found.low <= number <= found.high) and abs(number - found.median) >= MIN_DIFFERENCE
                counts[name] += far
        for number in numbers.values():
            counts["former: 5× median of all"] += not (median_all / 5 <= number <= 5 * median_all)
        counts["former: 5× median of all checked"] = len(numbers)
        for name in (*(variant for variant, _settings in variants), "former: 5× median of all"):
            out.append((element, name, counts[name + " checked"], counts[name]))
    return out


def run() -> None:
    print("\nShare of values flagged per check (demo, every report of every year)")
    print(f"{'check':<34} {'checked':>8} {'flagged':>8} {'share':>7}")
    for code, checked, flagged in demo_shares():
        print(f"{code:<34} {checked:8d} {flagged:8d} {flagged / checked:7.1%}")
    found = us_shares()
    if found is None:
        print("US survey: skipped, no PLS files (set PLS_DATA)")
        return
    print("\nShare of values flagged by the peer-group rule on the US survey, FY2017")
    print(f"{'element':<10} {'rule':<36} {'checked':>8} {'flagged':>8} {'share':>7}")
    for element, name, checked, flagged in found:
        print(f"{element:<10} {name:<36} {checked:8d} {flagged:8d} {flagged / max(checked, 1):7.1%}")


def main() -> int:
    from bench.demo import demo_database

    with demo_database():
        run()
    return 0


if __name__ == "__main__":
    sys.exit(main())
