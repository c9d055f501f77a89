"""Backup and restore of the whole database as loaded by the run (the demo, and the US network with
three years when its files are there), next to a baseline in the same run: one digest pass over
every table (what restore's own check reads anyway). Time untraced; peak memory of Python objects
with tracemalloc in a second backup run; restore timed untraced, then again traced for its peak
memory (that time includes tracemalloc's cost).
"""

from __future__ import annotations

import os
import tempfile
import time
import tracemalloc
from pathlib import Path


def run() -> None:
    from django.core.management import call_command

    from parskats.site.backup import backup, restore, table_digests

    start = time.perf_counter()
    digests = table_digests()
    baseline_s = time.perf_counter() - start
    rows = sum(table["rows"] for table in digests.values())
    with tempfile.TemporaryDirectory() as folder:
        archive = Path(folder) / "bench.tar.gz"
        start = time.perf_counter()
        backup(archive)
        backup_s = time.perf_counter() - start
        size_mb = archive.stat().st_size / 2**20
        tracemalloc.start()
        backup(Path(folder) / "traced.tar.gz")
        backup_peak = tracemalloc.get_traced_memory()[1] / 2**20
        tracemalloc.stop()
        with open(os.devnull, "w") as sink:
            call_command("flush", interactive=False, verbosity=0, stdout=sink)
        start = time.perf_counter()
        restore(archive)
        untraced_s = time.perf_counter() - start
        with open(os.devnull, "w") as sink:
            call_command("flush", interactive=False, verbosity=0, stdout=sink)
        tracemalloc.start()
        start = time.perf_counter()
        restore(archive)
        restore_s = time.perf_counter() - start
        restore_peak = tracemalloc.get_traced_memory()[1] / 2**20
        tracemalloc.stop()
    assert table_digests() == digests
    print(f"\nBackup and restore of the whole database: {rows:,} rows, {len(digests)} tables, {size_mb:.1f} MB archive")
    print(f"{'case':<44} {'s':>8} {'/ baseline':>11} {'peak MB (Python)':>17}")
    lines = [
        ("baseline: one digest pass over every table", baseline_s, None),
        ("backup (streamed to a temporary file)", backup_s, backup_peak),
        ("restore (batched raw inserts)", untraced_s, None),
        ("restore again, traced (its peak memory)", restore_s, restore_peak),
    ]
    for name, seconds, peak in lines:
        shown = f"{peak:17.0f}" if peak is not None else ""
        print(f"{name:<44} {seconds:8.1f} {seconds / baseline_s:10.1f}x {shown:>17}")
