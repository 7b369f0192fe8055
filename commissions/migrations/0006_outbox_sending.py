"""The outbox's sending state (claimed before SMTP), the shared cache table of the security
counters (rate limits, login failures) when there is no Redis, and the nightly removal of
expired sessions."""

from datetime import datetime, time, timedelta
from zoneinfo import ZoneInfo

from django.conf import settings
from django.core.management import call_command
from django.db import migrations, models

CLEAR_SESSIONS = "commissions.tasks.clear_expired_sessions"


def create_cache_table(apps, schema_editor):
    # Idempotent: creates the database caches' tables that do not exist yet.
    call_command("createcachetable", database=schema_editor.connection.alias, verbosity=0)


def add_schedule(apps, schema_editor):
    Schedule = apps.get_model("django_q", "Schedule")
    zone = ZoneInfo(settings.TIME_ZONE)
    tomorrow = datetime.now(zone).date() + timedelta(days=1)
    Schedule.objects.get_or_create(
        func=CLEAR_SESSIONS,
        defaults={
            "name": "Expired sessions",
            "schedule_type": "D",
            "repeats": -1,
            "next_run": datetime.combine(tomorrow, time(3, 15), tzinfo=zone),
        },
    )


def remove_schedule(apps, schema_editor):
    apps.get_model("django_q", "Schedule").objects.filter(func=CLEAR_SESSIONS).delete()


class Migration(migrations.Migration):

    dependencies = [
        ('commissions', '0005_hardening'),
        ("django_q", "0019_alter_task_options_alter_ormq_key_alter_ormq_lock_and_more"),
    ]

    operations = [
        migrations.AddField(
            model_name='email',
            name='attempts',
            field=models.PositiveSmallIntegerField(default=0, verbose_name='attempts'),
        ),
        migrations.AddField(
            model_name='email',
            name='claimed_at',
            field=models.DateTimeField(blank=True, null=True, verbose_name='sending since'),
        ),
        migrations.AlterField(
            model_name='email',
            name='status',
            field=models.CharField(choices=[('queued', 'Queued'), ('sending', 'Sending'), ('sent', 'Sent'), ('failed', 'Failed')], default='queued', max_length=8, verbose_name='status'),
        ),
        migrations.RunPython(create_cache_table, migrations.RunPython.noop),
        migrations.RunPython(add_schedule, remove_schedule),
    ]
