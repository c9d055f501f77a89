from __future__ import annotations

from typing import Any

from django.core.management.base import CommandError, CommandParser
from django.utils.translation import gettext as _

from parskats.core.commands import LanguageCommand
from parskats.pls.importer import NETWORK_SLUG, remove_year


class Command(LanguageCommand):
    help = (
        "Remove every report, value and network link of one fiscal year of the US PLS network (or of the "
        "network given), in bulk. Without --confirm it only says what would be removed."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("year", type=int, help="fiscal year, e.g. 2017")
        parser.add_argument("--confirm", action="store_true", help="remove them (otherwise: a dry run)")
        parser.add_argument(
            "--network", default=NETWORK_SLUG, help=f"the network's short name (default {NETWORK_SLUG})"
        )

    def handle(self, *args: Any, **options: Any) -> None:
        removal = remove_year(options["year"], dry_run=not options["confirm"], network_slug=options["network"])
        if not removal.reports and not removal.links:
            raise CommandError(_("FY%(year)s has no imported data.") % {"year": options["year"]})
        message = _("FY%(year)s: %(reports)s reports, %(values)s values and %(links)s links")
        text = message % vars(removal)
        if options["confirm"]:
            self.stdout.write(
                self.style.SUCCESS(
                    _("Removed: %(what)s (%(seconds)s s).") % {"what": text, "seconds": f"{removal.seconds:.1f}"}
                )
            )
        else:
            self.stdout.write(_("Would remove: %(what)s. Run again with --confirm to remove them.") % {"what": text})
