"""The Lead Gen ranking index gains the id, the ranking's last tie-break (issue 14).

With (-score, -created_at) alone, a page of the ranked list sorted each run of equal scores and
dates by id, and a deep page (OFFSET 950) read 1,000 full leads. With the id in the index, the
page's ids come from the index alone (leads.selectors.RankedPage) and only its 50 leads are read.
The SQL says IF [NOT] EXISTS so a database that already has the index (added by hand to the
bench database while measuring) migrates cleanly.
"""

from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("leads", "0005_lead_source_index"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            database_operations=[
                migrations.RunSQL(
                    'CREATE INDEX IF NOT EXISTS "lead_rank" ON "leads_lead" '
                    '("score" DESC, "created_at" DESC, "id" DESC)',
                    reverse_sql='DROP INDEX IF EXISTS "lead_rank"',
                ),
                migrations.RunSQL(
                    'DROP INDEX IF EXISTS "lead_score_rank"',
                    reverse_sql='CREATE INDEX IF NOT EXISTS "lead_score_rank" ON "leads_lead" '
                    '("score" DESC, "created_at" DESC)',
                ),
            ],
            state_operations=[
                migrations.AddIndex(
                    model_name="lead",
                    index=models.Index(fields=["-score", "-created_at", "-id"], name="lead_rank"),
                ),
                migrations.RemoveIndex(model_name="lead", name="lead_score_rank"),
            ],
        ),
    ]
