"""Store each contract's last day to give notice (current end date less the notice period),
so the ending-soon view and the expiry warnings select on it in SQL."""

import datetime

from django.db import migrations, models


def fill_notice_dates(apps, schema_editor):
    Contract = apps.get_model("contracts", "Contract")
    rows = []
    for contract in Contract.objects.filter(
        current_end_date__isnull=False, notice_period_days__gt=0
    ).only("pk", "current_end_date", "notice_period_days"):
        contract.notice_date = contract.current_end_date - datetime.timedelta(
            days=contract.notice_period_days
        )
        rows.append(contract)
    Contract.objects.bulk_update(rows, ["notice_date"], batch_size=1000)


class Migration(migrations.Migration):
    dependencies = [
        ("contracts", "0001_initial_registers"),
    ]

    operations = [
        migrations.AddField(
            model_name="contract",
            name="notice_date",
            field=models.DateField(
                editable=False,
                help_text="The current end date less the notice period; the 'notice' warning "
                "horizon.",
                null=True,
                verbose_name="last day to give notice",
            ),
        ),
        migrations.RunPython(fill_notice_dates, migrations.RunPython.noop, elidable=True),
    ]
