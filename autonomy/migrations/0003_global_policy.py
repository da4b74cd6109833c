from django.db import migrations


def create_global_policy(apps, schema_editor):
    policy_model = apps.get_model("autonomy", "AutonomyPolicy")
    if not policy_model.objects.filter(brand__isnull=True).exists():
        policy_model.objects.create(brand=None, level="off")


class Migration(migrations.Migration):
    dependencies = [("autonomy", "0002_action_target_and_kill_events")]

    operations = [migrations.RunPython(create_global_policy, migrations.RunPython.noop)]
