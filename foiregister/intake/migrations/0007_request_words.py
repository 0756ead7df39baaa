# Written by hand on 2026-11-30 from makemigrations' output: the GIN index runs on PostgreSQL
# only (the demo's SQLite matches the words by substring). Requests logged before this
# migration are indexed by `manage.py index_requests`, as their sketches were.

import django.contrib.postgres.indexes
import django.contrib.postgres.search
import django.db.models.deletion
from django.db import migrations, models

from foiregister.kernel.db import AddIndexOnPostgres


class Migration(migrations.Migration):
    dependencies = [
        ("foiregister", "0013_organisation_public_request_form"),
        ("intake", "0006_inbound_message_erased_on"),
    ]

    operations = [
        migrations.CreateModel(
            name="RequestWords",
            fields=[
                (
                    "request",
                    models.OneToOneField(
                        on_delete=django.db.models.deletion.CASCADE,
                        primary_key=True,
                        related_name="+",
                        serialize=False,
                        to="foiregister.request",
                    ),
                ),
                ("received_at", models.DateTimeField()),
                ("terms", models.TextField()),
                (
                    "vector",
                    django.contrib.postgres.search.SearchVectorField(
                        help_text="PostgreSQL only; empty on SQLite, which matches ``terms``.",
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
            options={"verbose_name_plural": "request words"},
        ),
        AddIndexOnPostgres(
            model_name="requestwords",
            index=django.contrib.postgres.indexes.GinIndex(
                fields=["vector"], name="intake_words_gin"
            ),
        ),
        migrations.AddIndex(
            model_name="requestwords",
            index=models.Index(fields=["organisation", "-received_at"], name="intake_words_newest"),
        ),
    ]
