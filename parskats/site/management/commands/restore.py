from pathlib import Path

from django.core.management.base import CommandError, CommandParser

from parskats.core.commands import LanguageCommand
from parskats.site.backup import BackupError, restore


class Command(LanguageCommand):
    help = "Restore an archive made by `backup` into an empty, migrated database (all or nothing)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("archive", type=Path)
        parser.add_argument("--database", default="default")

    def handle(self, *args: object, archive: Path, database: str, **options: object) -> None:
        try:
            manifest = restore(archive, using=database)
        except BackupError as exc:
            raise CommandError(str(exc)) from None
        rows = sum(table["rows"] for table in manifest["tables"].values())
        self.stdout.write(
            f"Restored {rows} rows in {len(manifest['tables'])} tables from {archive}; every table matches."
        )
