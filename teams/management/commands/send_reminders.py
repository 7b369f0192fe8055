"""Send the milestone reminders due today (the daily schedule runs the same)."""

from django.core.management.base import BaseCommand
from django.utils import timezone, translation
from django.utils.formats import date_format

from teams.follow.following import annotate
from teams.follow.reminders import plan_reminders, send_reminders


class Command(BaseCommand):
    help = "Send each person the milestones due soon and the documents overdue (once per step)."

    def add_arguments(self, parser):
        parser.add_argument(
            "--dry-run", action="store_true", help="list what would go out, send nothing"
        )

    def handle(self, *args, dry_run=False, **options):
        translation.activate("fr")
        plan = plan_reminders(timezone.now())
        annotate({p[0] for p in plan})
        for milestone, step, _recipient, address, _language in plan:
            self.stdout.write(
                f"{address}\t{milestone.team.commission.reference}\t{milestone.label}\t"
                f"{date_format(milestone.due_day, 'DATE_FORMAT')}\t{step}"
            )
        if dry_run:
            self.stdout.write(f"{len(plan)} reminder(s) would be sent (dry run: nothing sent).")
            return
        emails = send_reminders(plan=plan)  # what was listed is what goes
        self.stdout.write(f"{emails} e-mail(s) queued.")
