from pathlib import Path

from django.core.management.base import CommandParser

from parskats.core.commands import LanguageCommand
from parskats.site.backup import backup


class Command(LanguageCommand):
    help = "Export the whole database and uploaded files to a portable archive (.tar.gz)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("archive", type=Path, help="where to write the archive, e.g. backups/parskats.tar.gz")
        parser.add_argument("--database", default="default")

    def handle(self, *args: object, archive: Path, database: str, **options: object) -> None:
        manifest = backup(archive, using=database)
        rows = sum(table["rows"] for table in manifest["tables"].values())
        self.stdout.write(f"Backed up {rows} rows in {len(manifest['tables'])} tables to {archive}.")
