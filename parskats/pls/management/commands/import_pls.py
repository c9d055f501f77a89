from __future__ import annotations

from pathlib import Path
from typing import Any, TextIO, cast

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils.translation import gettext as _

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
            message = _("Nothing was imported: %(count)s problem(s), listed above.")
            raise CommandError(message % {"count": len(exc.problems)}) from None
        for item in result.files:
            message = _("%(file)s: %(kind)s file, %(encoding)s, %(count)s records")
            self.stdout.write(
                message
                % {"file": item.path.name, "kind": item.kind, "encoding": item.encoding, "count": len(item.records)}
            )
        for warning in result.warnings:
            self.stdout.write(self.style.WARNING(warning))
        counted = {"units": _("network units"), "links": _("links"), "reports": _("reports"), "values": _("values")}
        for name, label in counted.items():
            c = getattr(result, name)
            message = _(
                "%(name)s: %(created)s created, %(updated)s updated, %(deleted)s deleted, %(unchanged)s unchanged"
            )
            self.stdout.write(message % {"name": label, **vars(c)})
        if result.changed:
            verdict = _("PLS FY%(year)s imported in %(seconds)s s.")
        else:
            verdict = _("PLS FY%(year)s already up to date, nothing changed (%(seconds)s s).")
        self.stdout.write(self.style.SUCCESS(verdict % {"year": result.year, "seconds": f"{result.seconds:.1f}"}))
