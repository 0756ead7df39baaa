"""A change's own number (its OCDS release id) and the contract's signature date.

Existing changes are numbered in the order the export numbered them until now (effective
date, then id), so every release id already published keeps its meaning; from here on a
change gets the next number when it is recorded, whatever its date. See docs/ocds.md.
"""

from django.db import migrations, models


def number_existing_changes(apps, schema_editor):
    ContractChange = apps.get_model("contracts", "ContractChange")
    last_contract, n = None, 0
    for change in ContractChange.objects.order_by("contract_id", "effective_on", "id"):
        if change.contract_id != last_contract:
            last_contract, n = change.contract_id, 0
        n += 1
        change.sequence = n
        change.save(update_fields=["sequence"])


class Migration(migrations.Migration):
    dependencies = [("contracts", "0004_contract_source")]

    operations = [
        migrations.AddField(
            model_name="contract",
            name="date_signed",
            field=models.DateField(
                blank=True,
                help_text="When the contract was awarded or signed; dates its OCDS award release.",
                null=True,
            ),
        ),
        migrations.AddField(
            model_name="contractchange",
            name="sequence",
            field=models.PositiveIntegerField(editable=False, null=True),
        ),
        migrations.RunPython(number_existing_changes, migrations.RunPython.noop),
        migrations.AlterField(
            model_name="contractchange",
            name="sequence",
            field=models.PositiveIntegerField(
                editable=False,
                help_text="1 for the contract's first recorded change, 2 for the next, whatever "
                "their dates: names its OCDS release for good, so a back-dated change renumbers "
                "nothing.",
            ),
        ),
        migrations.AddConstraint(
            model_name="contractchange",
            constraint=models.UniqueConstraint(
                fields=("contract", "sequence"), name="contract_change_unique_sequence"
            ),
        ),
    ]
