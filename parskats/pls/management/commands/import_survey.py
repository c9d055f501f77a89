from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import CommandParser
from django.utils.translation import gettext as _

from parskats.core.commands import LanguageCommand
from parskats.pls import change
from parskats.pls.importer import ImportResult
from parskats.pls.management.commands.import_pls import _share, refused
from parskats.pls.neutral import ImportFailed, import_survey


class Command(LanguageCommand):
    help = (
        "Import one reporting year of a national library survey described by a configuration (TOML; see the "
        "README, 'Another country's survey'). All or nothing; the change is shown first; importing again "
        "changes nothing."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("config", type=Path, help="the survey's configuration (TOML)")
        parser.add_argument("files", type=Path, nargs="+", help="the year's CSV files (which is which: by header)")
        parser.add_argument("--year", type=int, required=True, help="the reporting year, as the configuration names it")
        parser.add_argument("--dry-run", action="store_true", help="show what the import would change; write nothing")
        parser.add_argument("--confirm-removals", action="store_true", help="apply a change above --max-change")
        parser.add_argument("--confirm-columns", action="store_true", help="apply despite a suspect column")
        parser.add_argument("--quarantine", action="store_true", help="import the good rows, keep the bad ones aside")
        parser.add_argument("--max-change", type=_share, default=None, help="share that needs confirmation (2%%)")

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            result = import_survey(
                options["config"],
                options["files"],
                year=options["year"],
                dry_run=options["dry_run"],
                confirm_removals=options["confirm_removals"],
                confirm_columns=options["confirm_columns"],
                quarantine=options["quarantine"],
                max_change=options["max_change"],
            )
        except ImportFailed as exc:
            refused(self, exc)
        for warning in result.warnings:
            self.stdout.write(self.style.WARNING(warning))
        for row in result.rejected:
            for problem in row.problems:
                self.stdout.write(self.style.WARNING(_("quarantined: %(problem)s") % {"problem": problem}))
        self._plan(result)
        if not result.applied:
            message = _("Dry run: nothing was written (%(seconds)s s).")
            self.stdout.write(self.style.SUCCESS(message % {"seconds": f"{result.seconds:.1f}"}))
            return
        counted = {"units": _("network units"), "reports": _("reports"), "values": _("values")}
        for name, label in counted.items():
            message = _(
                "%(name)s: %(created)s created, %(updated)s updated, %(deleted)s deleted, %(unchanged)s unchanged"
            )
            self.stdout.write(message % {"name": label, **vars(getattr(result, name))})
        verdict = _("%(network)s %(year)s imported in %(seconds)s s.")
        values = {"network": result.network.slug, "year": result.year, "seconds": f"{result.seconds:.1f}"}
        self.stdout.write(self.style.SUCCESS(verdict % values))

    def _plan(self, result: ImportResult) -> None:
        if result.plan is not None:
            for line in change.lines(result.plan):
                self.stdout.write(line)
