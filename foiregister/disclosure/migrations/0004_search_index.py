# Written by hand on 2026-11-23: the GIN index runs on PostgreSQL only (the demo's SQLite
# searches with a substring match), and the fill copies the vectors migration 0002 stored.

import django.contrib.postgres.indexes
import django.contrib.postgres.search
import django.db.models.deletion
from django.db import migrations, models

from foiregister.disclosure.db import AddIndexOnPostgres

# Live entries only: the index holds exactly what the public gate lets through.
FILL = """
INSERT INTO disclosure_searchindexentry
    (entry_id, organisation_id, topic, regime, outcome, published_at, vector)
SELECT id, organisation_id, topic, regime, outcome, published_at, search_vector
FROM disclosure_disclosurelogentry
WHERE withdrawn_at IS NULL
"""


def fill_search_index(apps, schema_editor):
    schema_editor.execute(FILL)


class Migration(migrations.Migration):
    dependencies = [
        ("disclosure", "0003_live_topic_index"),
        ("foiregister", "0002_exemptions"),
    ]

    operations = [
        migrations.CreateModel(
            name="SearchIndexEntry",
            fields=[
                (
                    "entry",
                    models.OneToOneField(
                        on_delete=django.db.models.deletion.CASCADE,
                        primary_key=True,
                        related_name="search_index",
                        serialize=False,
                        to="disclosure.disclosurelogentry",
                    ),
                ),
                ("topic", models.CharField(blank=True, max_length=100)),
                ("regime", models.CharField(max_length=3)),
                ("outcome", models.CharField(blank=True, max_length=12)),
                ("published_at", models.DateTimeField()),
                (
                    "vector",
                    django.contrib.postgres.search.SearchVectorField(
                        help_text="Weighted: title A, summary and questions B, answers C. "
                        "PostgreSQL only; empty on SQLite (the demo run), which matches "
                        "substrings of the entry's text.",
                        null=True,
                    ),
                ),
                (
                    "organisation",
                    models.ForeignKey(
                        db_index=False,
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="+",
                        to="foiregister.organisation",
                    ),
                ),
            ],
            options={
                "verbose_name": "search index entry",
                "verbose_name_plural": "search index entries",
            },
        ),
        migrations.RunPython(fill_search_index, migrations.RunPython.noop),
        AddIndexOnPostgres(
            model_name="searchindexentry",
            index=django.contrib.postgres.indexes.GinIndex(
                fields=["vector"], name="disclosure_search_index_gin"
            ),
        ),
        migrations.AddIndex(
            model_name="searchindexentry",
            index=models.Index(
                fields=["-published_at", "-entry"], name="disclosure_search_newest"
            ),
        ),
    ]
