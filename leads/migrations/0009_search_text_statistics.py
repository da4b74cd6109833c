"""search_text's statistics from 1,000 values instead of 300 (leads 0007), PostgreSQL only.

The planner chooses between two plans for a Lead Gen search: walking the rank index in the
list's order until 50 leads match (best when many match: "Company 42", 2 % of the leads,
1.1 ms at 100,000 leads), or the trigram index and a sort (best when few do: 6.2 ms for the same
search). It chooses by its estimate of how many leads match. With 300 values that estimate for
"Company 42" moved between 1,000 and 3,700 from one ANALYZE to the next and the plan flipped with
it; with 1,000 values it is 2,202 every time (the truth is 2,220). (The plan can still go either
way, the two costs being close at this selectivity: docs/PERFORMANCE.md, "The search's plan".) The price: about 0.06 ms more
planning per search (the pattern is matched against every histogram value), against 5 ms when
the plan flips the wrong way."""

from django.db import migrations


def _statistics(target: int):
    def run(apps, schema_editor):
        if schema_editor.connection.vendor == "postgresql":
            schema_editor.execute(
                f"ALTER TABLE leads_lead ALTER COLUMN search_text SET STATISTICS {target}"
            )
    return run


class Migration(migrations.Migration):

    dependencies = [
        ("leads", "0008_leadgen_names_stamp"),
    ]

    operations = [migrations.RunPython(_statistics(1000), _statistics(300))]
