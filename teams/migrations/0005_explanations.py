from django.db import migrations


def explanations_as_data(apps, schema_editor):
    """Old team proposals: their sentences become codes and numbers; unreadable ones stay text."""
    from mias.i18n import convert_legacy_results

    convert_legacy_results(
        apps.get_model("teams", "AllocationRun"),
        keys=["summary", "reason", "supervisor_reason"],
        maps=["explanations", "supervisor_explanations"],
    )


class Migration(migrations.Migration):
    dependencies = [('teams', '0004_hardening')]

    operations = [migrations.RunPython(explanations_as_data, migrations.RunPython.noop)]
