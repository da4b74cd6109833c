"""A trigram index for the Lead Gen search (leads.selectors.lead_search), PostgreSQL only.

The search's expression, UPPER(name || chr(31) || email || chr(31) || company || chr(31) || title),
is indexed with gin_trgm_ops, so `LIKE '%TEXT%'` reads the index instead of every lead (a
sequential scan of 100,000 leads per search and per page count; see docs/PERFORMANCE.md).
pg_trgm is a trusted extension: the database's owner may create it. SQLite has neither, and
searches there as before.
"""

from django.db import migrations

INDEX_SQL = (
    "CREATE INDEX IF NOT EXISTS lead_search_trgm ON leads_lead USING gin "
    '((UPPER("name" || chr(31) || "email" || chr(31) || "company" || chr(31) || "title")) '
    "gin_trgm_ops)"
)


def create_index(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.execute("CREATE EXTENSION IF NOT EXISTS pg_trgm")
    schema_editor.execute(INDEX_SQL)


def drop_index(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute("DROP INDEX IF EXISTS lead_search_trgm")


class Migration(migrations.Migration):
    dependencies = [
        ("leads", "0003_beyond_import_undo"),
    ]

    operations = [
        migrations.RunPython(create_index, drop_index),
    ]
