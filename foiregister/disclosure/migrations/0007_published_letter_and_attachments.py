"""Record what a lead published: the response letter and the attachments.

Until now the public PDF was the latest issued response letter, and an attachment was
public once checkable, so a correction or a file added after publication went live with
no check (issue 12 item 2). Existing entries keep the letter issued at or before their
publication and the attachments added before it: what the check saw. A letter or file
that came later waits for a lead to publish it.
"""

import django.db.models.deletion
from django.db import migrations, models


def record_published(apps, schema_editor):
    Entry = apps.get_model("disclosure", "DisclosureLogEntry")
    Attachment = apps.get_model("disclosure", "PublishedAttachment")
    Document = apps.get_model("letters", "LetterDocument")
    for entry in Entry.objects.all():
        document = (
            Document.objects.filter(
                letter__request_id=entry.request_id,
                letter__kind="response",
                letter__status="issued",
                letter__issued_at__lte=entry.published_at,
                variant="public",
            )
            .order_by("-letter__issued_at", "-letter_id")
            .first()
        )
        if document is not None:
            Entry.objects.filter(pk=entry.pk).update(response_document=document)
        Attachment.objects.filter(
            request_id=entry.request_id,
            removed_at__isnull=True,
            added_at__lte=entry.published_at,
        ).update(published_at=entry.published_at)


class Migration(migrations.Migration):
    dependencies = [
        ("disclosure", "0006_private_names"),
        ("letters", "0002_issued_letter_guard"),
    ]

    operations = [
        migrations.AddField(
            model_name="disclosurelogentry",
            name="response_document",
            field=models.ForeignKey(
                blank=True,
                help_text="The anonymised response letter a lead checked and published. A later correction replaces it only when a lead publishes the correction.",
                null=True,
                on_delete=django.db.models.deletion.PROTECT,
                related_name="+",
                to="letters.letterdocument",
            ),
        ),
        migrations.AddField(
            model_name="publishedattachment",
            name="published_at",
            field=models.DateTimeField(
                blank=True,
                help_text="When a lead published it, after the check: with the response, or later.",
                null=True,
            ),
        ),
        migrations.RunPython(record_published, migrations.RunPython.noop),
    ]
