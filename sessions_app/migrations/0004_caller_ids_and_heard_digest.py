"""Caller and called IDs at Twilio's real sizes; prepared answers keyed by a digest of their text."""

import hashlib

from django.db import migrations, models


def fill_digests(apps, schema_editor):
    PreparedAnswer = apps.get_model("sessions_app", "PreparedAnswer")
    for row in PreparedAnswer.objects.only("pk", "heard").iterator():
        digest = hashlib.sha256(row.heard.encode()).hexdigest()
        PreparedAnswer.objects.filter(pk=row.pk).update(heard_digest=digest)


class Migration(migrations.Migration):
    dependencies = [
        ("sessions_app", "0003_preparedanswer_matched_at"),
    ]

    operations = [
        migrations.AlterField(
            model_name="session",
            name="from_number",
            field=models.CharField(blank=True, max_length=1024, verbose_name="Caller"),
        ),
        migrations.AlterField(
            model_name="session",
            name="to_number",
            field=models.CharField(blank=True, max_length=1024, verbose_name="Called"),
        ),
        migrations.RemoveConstraint(
            model_name="preparedanswer",
            name="prepared_once_per_text",
        ),
        migrations.AddField(
            model_name="preparedanswer",
            name="heard_digest",
            field=models.CharField(default="", editable=False, max_length=64),
            preserve_default=False,
        ),
        migrations.RunPython(fill_digests, migrations.RunPython.noop, elidable=True),
    ]
