"""Many simultaneous saves of one report on PostgreSQL: no acknowledged change is lost or silently
overwritten, and every refused save is reported as a conflict (reporting.entry.save_value)."""

from __future__ import annotations

import threading
from collections.abc import Callable

import pytest
from django.db import connection, connections

from parskats.audit.models import AuditEntry
from parskats.catalogue.models import Indicator
from parskats.reporting.entry import VersionConflict, save_value
from parskats.reporting.models import Report, Value

from .factories import report_with

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(connection.vendor != "postgresql", reason="concurrency is proven on PostgreSQL"),
]


def in_parallel(count: int, work: Callable[[int], object]) -> tuple[list[object], list[BaseException]]:
    """Run work(0..count-1) in threads released at the same instant; each thread its own connection."""
    barrier = threading.Barrier(count)
    results: list[object] = [None] * count
    failures: list[BaseException] = []

    def run(index: int) -> None:
        try:
            barrier.wait()
            results[index] = work(index)
        except BaseException as exc:
            failures.append(exc)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=run, args=(i,)) for i in range(count)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    return results, failures


def integer_fields(report: Report, count: int) -> list[str]:
    codes = [
        i.code
        for i in Indicator.objects.filter(survey=report.period.survey, value_type=Indicator.ValueType.INTEGER)
        if i.on_form(report.period.year, report.unit.library_type)
    ]
    assert len(codes) >= count
    return codes[:count]


def test_first_saves_of_one_field_from_forms_opened_empty(world, reporter_a):
    """20 people who all opened the empty field save at once: one wins, 19 are told of a conflict."""
    report = report_with(world.library_a, world.periods[2021])
    code = integer_fields(report, 1)[0]

    def save(i: int) -> str:
        try:
            save_value(reporter_a, Report.objects.get(pk=report.pk), code, str(100 + i), base_version=0)
            return f"saved {100 + i}"
        except VersionConflict:
            return "conflict"

    results, failures = in_parallel(20, save)
    assert failures == []
    saved = [r for r in results if r != "conflict"]
    assert len(saved) == 1 and results.count("conflict") == 19
    value = Value.objects.get(report=report, indicator__code=code)
    assert saved == [f"saved {int(value.number)}"]
    assert AuditEntry.objects.filter(report=report, target=code).count() == 1


def test_repeated_saves_of_one_field_lose_no_acknowledged_change(world, reporter_a, methodologist):
    """8 editors each save 5 times, reloading the field after a conflict: every acknowledged save is in
    the audit trail with its own version, and the field holds the last acknowledged one."""
    report = report_with(world.library_a, world.periods[2021])
    code = integer_fields(report, 1)[0]
    people = [reporter_a, methodologist]

    def editor(i: int) -> list[tuple[int, int]]:
        acknowledged = []
        for round_ in range(5):
            number = 1000 * (i + 1) + round_
            while True:
                current = Value.objects.filter(report=report, indicator__code=code).first()
                try:
                    value = save_value(
                        people[i % 2],
                        Report.objects.get(pk=report.pk),
                        code,
                        str(number),
                        current.version if current else 0,
                    )
                except VersionConflict:
                    continue  # the form shows the other value; the person saves again
                assert value is not None
                acknowledged.append((value.version, number))
                break
        return acknowledged

    results, failures = in_parallel(8, editor)
    assert failures == []
    acknowledged = sorted(ack for result in results for ack in result)  # type: ignore[union-attr]
    assert len(acknowledged) == 40
    assert len({version for version, _ in acknowledged}) == 40, "two saves were acknowledged with one version"
    final = Value.objects.get(report=report, indicator__code=code)
    assert (final.version, int(final.number)) == acknowledged[-1]
    trail = AuditEntry.objects.filter(report=report, target=code).order_by("id")
    assert sorted(int(entry.new) for entry in trail) == sorted(number for _, number in acknowledged)


def test_different_fields_saved_at_once_all_land(world, reporter_a):
    report = report_with(world.library_a, world.periods[2021])
    codes = integer_fields(report, 12)

    def save(i: int) -> int:
        value = save_value(reporter_a, Report.objects.get(pk=report.pk), codes[i], str(10 + i), base_version=0)
        assert value is not None
        return value.version

    versions, failures = in_parallel(12, save)
    assert failures == []
    stored = dict(Value.objects.filter(report=report).values_list("indicator__code", "number"))
    assert {code: int(stored[code]) for code in codes} == {code: 10 + i for i, code in enumerate(codes)}
    assert sorted(versions) == list(range(min(versions), min(versions) + 12))  # type: ignore[type-var, call-overload]
    assert Report.objects.get(pk=report.pk).version == max(versions)  # type: ignore[type-var]
