from __future__ import annotations

import time
from pathlib import Path
from typing import Any

from django.core.management.base import CommandError, CommandParser
from django.utils.translation import gettext as _

from parskats.core.commands import LanguageCommand
from parskats.pls.importer import ImportFailed
from parskats.pls.layout import LayoutError, read_layout
from parskats.pls.reconcile import reconcile, summary_lines


class Command(LanguageCommand):
    help = (
        "Recompute every state total of an imported PLS fiscal year with the aggregation core and compare it with "
        "the official state summary file in DIR. Exit status 1 when any difference is unexplained."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("directory", type=Path, help="folder with the year's CSV files, e.g. FY2017")
        parser.add_argument("--year", type=int, help="fiscal year, when the folder name does not say it")
        parser.add_argument("--layout", type=Path, help="a column map (TOML) instead of layouts/fyYYYY.toml")

    def handle(self, *args: Any, **options: Any) -> None:
        began = time.perf_counter()
        try:
            layout = read_layout(options["layout"]) if options["layout"] else None
            result = reconcile(options["directory"], options["year"], layout)
        except LayoutError as exc:
            raise CommandError(str(exc)) from None
        except ImportFailed as exc:
            for problem in exc.problems:
                self.stderr.write(problem)
            raise CommandError(_("Cannot reconcile: problem(s) listed above.")) from None
        for line in summary_lines(result):
            self.stdout.write(line)
        seconds = f"{time.perf_counter() - began:.1f}"
        if result.unexplained:
            message = _("%(count)s unexplained differences (%(seconds)s s).")
            self.stderr.write(message % {"count": len(result.unexplained), "seconds": seconds})
            raise SystemExit(1)
        self.stdout.write(self.style.SUCCESS(_("No unexplained difference (%(seconds)s s).") % {"seconds": seconds}))
