# Written by hand on 2026-11-23: the entry's own vector and its GIN index, replaced by the
# search index table (0004). Not yet in any release, so dropped in the same one.

from django.db import migrations

from foiregister.disclosure.db import RemoveIndexOnPostgres


class Migration(migrations.Migration):
    dependencies = [
        ("disclosure", "0004_search_index"),
    ]

    operations = [
        RemoveIndexOnPostgres(
            model_name="disclosurelogentry",
            name="disclosure_search_vector_gin",
        ),
        migrations.RemoveField(
            model_name="disclosurelogentry",
            name="search_vector",
        ),
    ]
