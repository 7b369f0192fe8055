# The review deadline of a call, and the daily run that reminds late reviewers once.

from datetime import datetime, time, timedelta
from zoneinfo import ZoneInfo

from django.conf import settings
from django.db import migrations, models

FUNC = "commissions.tasks.send_review_reminders"


def add_schedule(apps, schema_editor):
    Schedule = apps.get_model("django_q", "Schedule")
    zone = ZoneInfo(settings.TIME_ZONE)
    tomorrow = datetime.now(zone).date() + timedelta(days=1)
    Schedule.objects.get_or_create(
        func=FUNC,
        defaults={
            "name": "Review reminders",
            "schedule_type": "D",
            "repeats": -1,
            "next_run": datetime.combine(tomorrow, time(7, 30), tzinfo=zone),
        },
    )


def remove_schedule(apps, schema_editor):
    apps.get_model("django_q", "Schedule").objects.filter(func=FUNC).delete()


class Migration(migrations.Migration):

    dependencies = [
        ('commissions', '0006_outbox_sending'),
        ("django_q", "0019_alter_task_options_alter_ormq_key_alter_ormq_lock_and_more"),
    ]

    operations = [
        migrations.AddField(
            model_name='call',
            name='review_deadline',
            field=models.DateTimeField(blank=True, help_text='Reviewers score their commissions until then; those who have not finished get one reminder two days before. Empty: no deadline, no reminder.', null=True, verbose_name='deadline for the reviews'),
        ),
        migrations.RunPython(add_schedule, remove_schedule),
    ]
