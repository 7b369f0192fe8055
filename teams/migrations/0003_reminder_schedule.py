"""The daily run of the milestone reminders, as a django-q2 schedule (7:00 local time)."""

from datetime import datetime, time, timedelta
from zoneinfo import ZoneInfo

from django.conf import settings
from django.db import migrations

FUNC = "teams.tasks.send_milestone_reminders"


def add_schedule(apps, schema_editor):
    Schedule = apps.get_model("django_q", "Schedule")
    zone = ZoneInfo(settings.TIME_ZONE)
    tomorrow = datetime.now(zone).date() + timedelta(days=1)
    Schedule.objects.get_or_create(
        func=FUNC,
        defaults={
            "name": "Milestone reminders",
            "schedule_type": "D",
            "repeats": -1,
            "next_run": datetime.combine(tomorrow, time(7), tzinfo=zone),
        },
    )


def remove_schedule(apps, schema_editor):
    apps.get_model("django_q", "Schedule").objects.filter(func=FUNC).delete()


class Migration(migrations.Migration):
    dependencies = [
        ("teams", "0002_following"),
        ("django_q", "0019_alter_task_options_alter_ormq_key_alter_ormq_lock_and_more"),
    ]

    operations = [migrations.RunPython(add_schedule, remove_schedule)]
