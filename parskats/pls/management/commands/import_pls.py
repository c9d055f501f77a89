from __future__ import annotations

from pathlib import Path
from typing import Any, TextIO, cast

from django.core.management.base import BaseCommand, CommandError, CommandParser

from parskats.pls.importer import ImportFailed, import_year
from parskats.pls.progress import ProgressBar


class Command(BaseCommand):
    help = (
        "Import one fiscal year of the US Public Libraries Survey (AE, outlet and state summary CSV files in DIR) "
        "into the network us-pls. All or nothing; importing again changes nothing."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("directory", type=Path, help="folder with the year's CSV files, e.g. FY2017")
        parser.add_argument("--year", type=int, help="fiscal year, when the folder name does not say it")
        parser.add_argument("--layout", type=Path, help="a column map (TOML) instead of layouts/fyYYYY.toml")

    def handle(self, *args: Any, **options: Any) -> None:
        bar = ProgressBar(cast(TextIO, self.stderr._out))  # the raw stream: the bar redraws with \r
        try:
            result = import_year(
                options["directory"], year=options["year"], layout_path=options["layout"], progress=bar
            )
        except ImportFailed as exc:
            for problem in exc.problems:
                self.stderr.write(problem)
            raise CommandError(f"Nothing was imported: {len(exc.problems)} problem(s), listed above.") from None
        for item in result.files:
            self.stdout.write(f"{item.path.name}: {item.kind} file, {item.encoding}, {len(item.records)} records")
        for warning in result.warnings:
            self.stdout.write(self.style.WARNING(warning))
        for name in ("units", "links", "reports", "values"):
            c = getattr(result, name)
            self.stdout.write(
                f"{name}: {c.created} created, {c.updated} updated, {c.deleted} deleted, {c.unchanged} unchanged"
            )
        verdict = "imported" if result.changed else "already up to date, nothing changed"
        self.stdout.write(self.style.SUCCESS(f"PLS FY{result.year} {verdict} in {result.seconds:.1f} s."))
