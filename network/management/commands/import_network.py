from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from network.directory import importing

DIRECTORY = settings.BASE_DIR / "fixtures" / "network" / "organisations.json"


class Command(BaseCommand):
    help = "Import a directory of organisations and events (JSON or the Excel template)."

    def add_arguments(self, parser):
        parser.add_argument("path", nargs="?", default=str(DIRECTORY))

    def handle(self, *args, path, **options):
        try:
            with open(path, "rb") as handle:
                content = handle.read()
        except OSError as error:
            raise CommandError(f"cannot read {path}: {error}") from error
        parsed = importing.read(content, path)
        if parsed.errors:
            lines = "\n".join(f"  {where}: {message}" for where, message in parsed.errors)
            raise CommandError(f"nothing imported, the file has errors:\n{lines}")
        report = importing.apply(parsed)
        self.stdout.write(
            "organisations: {created} created, {updated} updated, {unchanged} unchanged; "
            "events: {events}".format(**report)
        )
