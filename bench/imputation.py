"""How well imputation estimates what libraries did not report, measured on the US survey:
per element, a share of the libraries that reported it in FY2017 (5 % and 20 %) is hidden at
random, estimated from the rest (and from FY2016) by each method chain, and compared with the
value they in fact reported. The baseline is carrying last year's value alone.

Printed per element and rate: how many values were hidden, the median absolute percentage error
(MdAPE) of the libraries' estimates, and the median over states of the absolute percentage error of
the state total (reported + estimated against the true total); "none" is the state total of the
reported values only, the error with no imputation at all. A method that cannot estimate a library
(no FY2016 value, no population) leaves it out, which the state-total error shows.

    python -m bench.imputation            # PLS_DATA=/path/to/imls_pls, else ../shared/data/imls_pls
"""

from __future__ import annotations

import os
import random
import statistics
import sys
import time
from collections import defaultdict
from decimal import Decimal
from pathlib import Path

CURRENT, PREVIOUS = "FY2017", "FY2016"
RATES = (0.05, 0.20)
POPULATION = "popu_lsa"
SKIP = {"popu_lsa", "popu_und"}  # the population itself: the size of a library, not imputed
CHAINS = {
    "carry": ("carry_forward",),
    "change": ("peer_change", "peer_median_per_capita"),
    "carry+pc": ("carry_forward", "peer_median_per_capita"),
    "percap": ("peer_median_per_capita",),
    "med-chg": ("peer_median_change", "peer_median_per_capita"),
}
# The same chain with peers of the same state and size class (too few: the whole country).
IN_STATE = {"st-change": ("peer_change", "peer_median_per_capita")}
BASELINE, DEFAULT = "carry", "med-chg"  # the baseline and the default of data/imputation.toml


def _numbers(directory: Path) -> tuple[dict[str, dict[str, Decimal]], dict[str, str], set[str]]:
    """key → element → reported number; key → state; the elements of the file."""
    from parskats.pls.importer import read_year

    _layout, parsed = read_year(directory, kinds=("ae",))
    values: dict[str, dict[str, Decimal]] = {}
    states: dict[str, str] = {}
    elements: set[str] = set()
    for record in parsed["ae"].records:
        key = record.identity["key"]
        states[key] = record.identity["state"]
        values[key] = {
            code: number
            for code, (kind, number, flag, _source) in record.values.items()
            if kind == "num" and number is not None and flag == "reported"
        }
        elements.update(record.values)
    return values, states, elements


def _mdape(pairs: list[tuple[Decimal, Decimal]]) -> float | None:
    errors = [abs(float(guess) - float(true)) / float(true) for guess, true in pairs if true > 0]
    return statistics.median(errors) * 100 if errors else None


def _cell(value: float | None, width: int = 10) -> str:
    return f"{value:{width}.1f}" if value is not None else f"{'—':>{width}}"


def measure(
    directory: Path, seed: int = 2026
) -> dict[tuple[str, float], dict[str, tuple[float | None, float | None, float]]]:
    """(element, rate) → chain → (MdAPE of libraries, median state-total APE, share estimated)."""
    from parskats.catalogue.peers import peer_key
    from parskats.stats.imputation import estimate, settings

    current, states, elements = _numbers(directory / CURRENT)
    previous, _states, _elements = _numbers(directory / PREVIOUS)
    min_peers = settings().min_peers
    population = {key: found[POPULATION] for key, found in current.items() if POPULATION in found}
    peer_of = {key: peer_key("public", population.get(key)) for key in current}
    in_state = {key: f"{states[key]}:{group}" for key, group in peer_of.items()}
    out: Results = {}
    chooser = random.Random(seed)
    for element in sorted(elements - SKIP):
        true = {key: found[element] for key, found in current.items() if element in found}
        before = {key: found[element] for key, found in previous.items() if element in found}
        if len(true) < 100 or len(before) < 100:
            continue
        for rate in RATES:
            hidden = set(chooser.sample(sorted(true), round(len(true) * rate)))
            shown = {key: number for key, number in true.items() if key not in hidden}
            true_total: dict[str, Decimal] = defaultdict(Decimal)
            shown_total: dict[str, Decimal] = defaultdict(Decimal)
            for key, number in true.items():
                true_total[states[key]] += number
                if key not in hidden:
                    shown_total[states[key]] += number
            results: dict[str, tuple[float | None, float | None, float]] = {}
            for name, chain in {**CHAINS, **IN_STATE}.items():
                peers = in_state if name in IN_STATE else peer_of
                guesses = estimate(hidden, chain, shown, before, peers, population, min_peers)
                totals = dict(shown_total)
                for key, guess in guesses.items():
                    totals[states[key]] = totals.get(states[key], Decimal(0)) + guess.number
                results[name] = (
                    _mdape([(guess.number, true[key]) for key, guess in guesses.items()]),
                    _mdape([(totals.get(state, Decimal(0)), total) for state, total in true_total.items()]),
                    len(guesses) / len(hidden) if hidden else 1.0,
                )
            none = _mdape([(shown_total.get(state, Decimal(0)), total) for state, total in true_total.items()])
            results["none"] = (None, none, 0.0)
            out[(element, rate)] = results
    return out


Results = dict[tuple[str, float], dict[str, tuple[float | None, float | None, float]]]


def report(found: Results) -> None:
    names = [*CHAINS, *IN_STATE]
    print(f"\nImputation on the US survey ({CURRENT}, previous year {PREVIOUS}): values hidden at random, estimated")
    print("MdAPE % = median absolute percentage error, of the libraries' estimates and of the state totals")
    chains = {**CHAINS, **IN_STATE}
    print("chains: " + "; ".join(f"{n} = {' → '.join(c)}" for n, c in chains.items()))
    print("st-change: peers of the same state and size class; none: the state total of the reported values only")
    width = 10 * len(names)
    print(f"{'':<15}{'libraries, MdAPE %':^{width}} | {'state totals, MdAPE %':^{width + 10}}")
    head = "".join(f"{n:>10}" for n in names) + " | " + "".join(f"{n:>10}" for n in [*names, "none"])
    print(f"{'element':<10}{'rate':>5}{head}")
    summary: dict[tuple[float, str, int], list[float]] = defaultdict(list)
    wins: dict[tuple[float, str], int] = defaultdict(int)
    for (element, rate), results in found.items():
        libs = "".join(_cell(results[n][0]) for n in names)
        state = "".join(_cell(results[n][1]) for n in [*names, "none"])
        print(f"{element:<10}{rate:5.0%}{libs} | {state}")
        for n in [*names, "none"]:
            for part in (0, 1):
                number = results[n][part]
                if number is not None:
                    summary[(rate, n, part)].append(number)
        best = min((results[n][1] or 0.0) for n in names)
        for n in names:
            wins[(rate, n)] += (results[n][1] or 0.0) <= best + 0.05
    for label, pick in (("median", statistics.median), ("mean", statistics.mean)):
        for rate in RATES:
            libs = "".join(_cell(pick(summary[(rate, n, 0)])) for n in names)
            state = "".join(_cell(pick(summary[(rate, n, 1)])) for n in [*names, "none"])
            print(f"{label + ' ' + format(rate, '.0%'):<15}{libs} | {state}")
    for rate in RATES:
        counted = ", ".join(f"{n} {wins[(rate, n)]}" for n in names)
        print(f"elements with the lowest state-total error (±0.05), {rate:.0%} hidden: {counted} of {len(found) // 2}")
    shares = {n: statistics.mean(r[n][2] for r in found.values()) for n in names}
    print("share of hidden values a chain could estimate: " + ", ".join(f"{n} {s:.1%}" for n, s in shares.items()))


def run() -> None:
    from bench.pls import data_dir

    directory = data_dir()
    if directory is None or not (directory / CURRENT).is_dir() or not (directory / PREVIOUS).is_dir():
        print("\nImputation benchmark skipped: no PLS files (set PLS_DATA)")
        return
    start = time.perf_counter()
    found = measure(directory)
    report(found)
    print(f"({time.perf_counter() - start:.0f} s)")


if __name__ == "__main__":
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "parskats.settings")
    import django

    django.setup()
    run()
    sys.exit(0)
