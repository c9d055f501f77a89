from parskats.core.commands import LanguageCommand
from parskats.site.demo import DEMO_PASSWORD, load_demo


class Command(LanguageCommand):
    help = "Load the demo network (Valka region, 2019–2022; fictional figures). Safe to run again."

    def handle(self, *args: object, **options: object) -> None:
        accounts = load_demo()
        self.stdout.write("Demo network loaded (every figure and person in it is invented).")
        self.stdout.write(f"Demo logins (password for all: {DEMO_PASSWORD}):")
        for account in accounts:
            self.stdout.write(f"  {account.email:<28} {account.description}")
        self.stdout.write("  <library-code>@example.org  the reporter of each other library")
