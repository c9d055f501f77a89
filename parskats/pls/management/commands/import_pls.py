from __future__ import annotations

from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import Any, NoReturn, TextIO, cast

from django.core.management.base import CommandError, CommandParser
from django.utils.translation import gettext as _

from parskats.core.commands import LanguageCommand
from parskats.pls import change
from parskats.pls.importer import ConfirmationNeeded, ImportFailed, ImportResult, import_year
from parskats.pls.progress import ProgressBar
from parskats.pls.reconcile import OUTCOMES, reconcile


def _share(text: str) -> Decimal:
    try:
        share = Decimal(text.rstrip("%")) / (100 if text.endswith("%") else 1)
    except InvalidOperation:
        raise ValueError(text) from None
    if not 0 <= share <= 1:
        raise ValueError(text)
    return share


def refused(command: LanguageCommand, exc: ImportFailed) -> NoReturn:
    """An import that wrote nothing: its plan when it needs a confirmation, every problem, and why."""
    if isinstance(exc, ConfirmationNeeded):
        if exc.result.plan is not None:
            for line in change.lines(exc.result.plan):
                command.stdout.write(line)
        for problem in exc.problems:
            command.stderr.write(problem)
        message = _(
            "Nothing was imported: confirm with --confirm-removals and/or --confirm-columns if the change "
            "above is meant."
        )
        raise CommandError(message) from None
    for problem in exc.problems:
        command.stderr.write(problem)
    message = _("Nothing was imported: %(count)s problem(s), listed above.")
    raise CommandError(message % {"count": len(exc.problems)}) from None


class Command(LanguageCommand):
    help = (
        "Import one fiscal year of the US Public Libraries Survey (AE, outlet and state summary CSV files in DIR) "
        "into the network us-pls. All or nothing; importing again changes nothing."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("directory", type=Path, help="folder with the year's CSV files, e.g. FY2017")
        parser.add_argument("--year", type=int, help="fiscal year, when the folder name does not say it")
        parser.add_argument("--layout", type=Path, help="a column map (TOML) instead of layouts/fyYYYY.toml")
        parser.add_argument("--dry-run", action="store_true", help="show what the import would change; write nothing")
        parser.add_argument(
            "--confirm-removals",
            action="store_true",
            help="apply even though more than --max-change of the year's data would be removed or changed",
        )
        parser.add_argument(
            "--confirm-columns",
            action="store_true",
            help="apply even though a column looks like another element of the nearest imported year",
        )
        parser.add_argument(
            "--quarantine",
            action="store_true",
            help="import the good rows, keep the defective ones in quarantine instead of refusing the files",
        )
        parser.add_argument(
            "--max-change",
            type=_share,
            default=None,
            help="share of a year's data that may be removed or changed without confirmation (0.02 or 2%%; "
            "default settings.PLS_MAX_CHANGE_SHARE, 2%%)",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        bar = ProgressBar(cast(TextIO, self.stderr._out))  # the raw stream: the bar redraws with \r
        try:
            result = import_year(
                options["directory"],
                year=options["year"],
                layout_path=options["layout"],
                progress=bar,
                dry_run=options["dry_run"],
                confirm_removals=options["confirm_removals"],
                confirm_columns=options["confirm_columns"],
                quarantine=options["quarantine"],
                max_change=options["max_change"],
            )
        except ImportFailed as exc:
            refused(self, exc)
        for item in result.files:
            message = _("%(file)s: %(kind)s file, %(encoding)s, %(count)s records")
            self.stdout.write(
                message
                % {"file": item.path.name, "kind": item.kind, "encoding": item.encoding, "count": len(item.records)}
            )
        for warning in result.warnings:
            self.stdout.write(self.style.WARNING(warning))
        for row in result.rejected:
            for problem in row.problems:
                self.stdout.write(self.style.WARNING(_("quarantined: %(problem)s") % {"problem": problem}))
        if not result.applied:
            self._plan(result)
            for suspect in result.findings.suspects:
                self.stdout.write(self.style.WARNING(suspect))
            message = _("Dry run: nothing was written (%(seconds)s s).")
            self.stdout.write(self.style.SUCCESS(message % {"seconds": f"{result.seconds:.1f}"}))
            return
        counted = {"units": _("network units"), "links": _("links"), "reports": _("reports"), "values": _("values")}
        for name, label in counted.items():
            c = getattr(result, name)
            message = _(
                "%(name)s: %(created)s created, %(updated)s updated, %(deleted)s deleted, %(unchanged)s unchanged"
            )
            self.stdout.write(message % {"name": label, **vars(c)})
        if result.totals.changed or result.totals.unchanged:
            message = _(
                "official state totals: %(created)s created, %(updated)s updated, %(deleted)s deleted, "
                "%(unchanged)s unchanged"
            )
            self.stdout.write(message % vars(result.totals))
        self._reconcile(result)
        if result.changed:
            verdict = _("PLS FY%(year)s imported in %(seconds)s s.")
        else:
            verdict = _("PLS FY%(year)s already up to date, nothing changed (%(seconds)s s).")
        self.stdout.write(self.style.SUCCESS(verdict % {"year": result.year, "seconds": f"{result.seconds:.1f}"}))

    def _plan(self, result: ImportResult) -> None:
        if result.plan is None:
            return
        for line in change.lines(result.plan):
            self.stdout.write(line)

    def _reconcile(self, result: ImportResult) -> None:
        """Whenever the year has both library systems and official totals, say how they compare."""
        try:
            checked = reconcile(None, result.year)
        except ImportFailed:
            return
        counts = {o: sum(c[o] for c in checked.outcomes.values()) for o in OUTCOMES}
        message = _(
            "Reconciled with the official state totals: %(exact)s exact, %(rounding)s rounding, %(documented)s "
            "documented, %(unexplained)s unexplained (details: reconcile_pls)."
        )
        self.stdout.write(message % counts)
