"""Data protection from the command line: export, erase, purge after the retention period.

manage.py contact_data export <email> [--output file.json]
manage.py contact_data erase <email> [--yes]
manage.py contact_data purge [--dry-run]
"""

import json

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError
from django.core.validators import validate_email

from commissions.privacy import contacts as privacy


def _address(value):
    value = privacy.normalise(value)
    try:
        validate_email(value)
    except ValidationError as exc:
        raise CommandError("Not an e-mail address.") from exc
    return value


class Command(BaseCommand):
    help = "Export or erase what is stored about a contact person; purge expired calls."

    def add_arguments(self, parser):
        actions = parser.add_subparsers(dest="action", required=True)
        export = actions.add_parser("export", help="Everything stored about an address, as JSON.")
        export.add_argument("email")
        export.add_argument("--output", help="Write the JSON to this file instead of stdout.")
        erase = actions.add_parser(
            "erase", help="Anonymise the contact's commissions (without --yes: only show)."
        )
        erase.add_argument("email")
        erase.add_argument("--yes", action="store_true", help="Really erase.")
        purge = actions.add_parser(
            "purge", help="Anonymise the contacts of every call whose retention period is over."
        )
        purge.add_argument("--dry-run", action="store_true", help="Count, change nothing.")

    def handle(self, *args, action, **options):
        getattr(self, f"_{action}")(**options)

    def _export(self, email, output=None, **options):
        data = privacy.contact_data(_address(email))
        text = json.dumps(data, ensure_ascii=False, indent=2)
        if not output:
            self.stdout.write(text)
            return
        with open(output, "w", encoding="utf-8") as handle:
            handle.write(text + "\n")
        self.stdout.write(f"{output}: {json.dumps(privacy.summary(data))}")

    def _erase(self, email, yes=False, **options):
        email = _address(email)
        if not yes:
            counts = privacy.summary(privacy.contact_data(email))
            self.stdout.write(
                f"Would erase: {json.dumps(counts)}. Nothing changed; run again with --yes."
            )
            return
        self.stdout.write(json.dumps(privacy.erase_contact(email)))

    def _purge(self, dry_run=False, **options):
        self.stdout.write(json.dumps(privacy.purge_expired(dry_run=dry_run)))
