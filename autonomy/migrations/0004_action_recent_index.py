"""The action log's newest first, whatever their status (issue 14): the Autonomy page's "last
actions" are every status but "proposed", which action_status_recent cannot read in order, so
PostgreSQL sorted the whole log on each view (100,000 actions: 23 ms; with this index 0.03 ms)."""

from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [("autonomy", "0003_global_policy")]

    operations = [
        migrations.AddIndex(
            model_name="agentaction",
            index=models.Index(fields=["-created_at"], name="action_recent"),
        ),
    ]
