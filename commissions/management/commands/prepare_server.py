"""What the server needs before it starts, in one start of Django: each step alone pays
Django's and Wagtail's start-up (about 2.5 s here), three times over in `bin/serve`."""

from django.core.management import call_command
from django.core.management.base import BaseCommand


class Command(BaseCommand):
    help = (
        "Migrate the database, create the security counters' cache table and collect the "
        "static files: what bin/serve runs before gunicorn and the task queue."
    )

    def handle(self, *args, **options):
        verbosity = options["verbosity"]
        call_command("migrate", interactive=False, verbosity=verbosity)
        call_command("createcachetable", verbosity=verbosity)
        call_command("collectstatic", interactive=False, verbosity=max(0, verbosity - 1))
