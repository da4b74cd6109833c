from django.contrib.auth.management import create_permissions
from django.db import migrations

from aicmo_site.roles import sync_roles


def create_roles(apps, schema_editor):
    # Permissions are normally created after all migrations; create them now so the groups
    # hold them from the first migrate.
    for app_config in apps.get_app_configs():
        app_config.models_module = True
        create_permissions(app_config, apps=apps, verbosity=0)
        app_config.models_module = None
    sync_roles(apps.get_model("auth", "Group"), apps.get_model("auth", "Permission"))


def remove_roles(apps, schema_editor):
    apps.get_model("auth", "Group").objects.filter(
        name__in=["Operator", "Approver", "Viewer"]
    ).delete()


class Migration(migrations.Migration):
    dependencies = [
        ("auth", "0012_alter_user_first_name_max_length"),
        ("contenttypes", "0002_remove_content_type_name"),
        ("campaigns", "0001_initial"),
        ("leads", "0001_initial"),
        ("autonomy", "0001_initial"),
        ("kaizen", "0001_initial"),
        ("delivery", "0001_initial"),
        ("diagnostics", "0001_initial"),
    ]

    operations = [migrations.RunPython(create_roles, remove_roles)]
