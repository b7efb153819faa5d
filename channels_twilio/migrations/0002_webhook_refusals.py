import django.db.models.deletion
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("channels_twilio", "0001_initial"),
    ]

    operations = [
        migrations.CreateModel(
            name="WebhookRefusals",
            fields=[
                ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                ("webhook", models.CharField(max_length=40)),
                ("count", models.PositiveBigIntegerField(default=0)),
                ("first_at", models.DateTimeField()),
                ("last_at", models.DateTimeField()),
                ("logged_count", models.PositiveBigIntegerField(default=0)),
                ("logged_at", models.DateTimeField(blank=True, null=True)),
                (
                    "connection",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="refusals",
                        to="channels_twilio.twilioconnection",
                    ),
                ),
            ],
            options={
                "verbose_name": "refused webhook requests",
                "constraints": [
                    models.UniqueConstraint(fields=("connection", "webhook"), name="refusals_once_per_webhook")
                ],
            },
        ),
    ]
