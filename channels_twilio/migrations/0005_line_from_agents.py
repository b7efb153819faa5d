"""The agent's Twilio line (ChannelAttachment) moves here from agents, with its rows.

Here the model enters the state on its existing table (agents_channelattachment); sessions_app
0008 points Session.attachment at it, agents 0007 drops the old model from the state, and 0006
renames the table: a rename, so no row is copied or lost. Its content type moves too, so
permissions granted on it and admin history keep pointing at it.
"""

import django.db.models.deletion
from django.db import migrations, models

import flametree_portal.encrypted_fields


def move_content_type(apps, schema_editor):
    content_types = apps.get_model("contenttypes", "ContentType").objects.using(schema_editor.connection.alias)
    if not content_types.filter(app_label="channels_twilio", model="channelattachment").exists():
        content_types.filter(app_label="agents", model="channelattachment").update(app_label="channels_twilio")


def move_content_type_back(apps, schema_editor):
    content_types = apps.get_model("contenttypes", "ContentType").objects.using(schema_editor.connection.alias)
    if not content_types.filter(app_label="agents", model="channelattachment").exists():
        content_types.filter(app_label="channels_twilio", model="channelattachment").update(app_label="agents")


class Migration(migrations.Migration):

    dependencies = [
        ("agents", "0006_error_line"),
        ("channels_twilio", "0004_connection_demo"),
        ("contenttypes", "0002_remove_content_type_name"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.CreateModel(
                    name="ChannelAttachment",
                    fields=[
                        (
                            "id",
                            models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID"),
                        ),
                        ("channel_kind", models.CharField(default="twilio", editable=False, max_length=20)),
                        (
                            "inbound",
                            models.BooleanField(
                                default=False,
                                help_text="Answer incoming calls to this number. Off: outbound calls only.",
                                verbose_name="Inbound",
                            ),
                        ),
                        ("snapshot", models.JSONField(blank=True, editable=False, null=True)),
                        (
                            "snapshot_auth_token",
                            flametree_portal.encrypted_fields.EncryptedTextField(blank=True, editable=False),
                        ),
                        ("snapshot_taken_at", models.DateTimeField(blank=True, editable=False, null=True)),
                        (
                            "line_state",
                            models.CharField(
                                choices=[
                                    ("offline", "Offline"),
                                    ("registering", "Registering"),
                                    ("live", "Live"),
                                    ("error", "Error"),
                                    ("demo", "Demo line"),
                                ],
                                default="offline",
                                editable=False,
                                max_length=12,
                            ),
                        ),
                        ("last_error", models.TextField(blank=True, editable=False)),
                        ("webhook_url", models.URLField(blank=True, editable=False)),
                        ("registered_at", models.DateTimeField(blank=True, editable=False, null=True)),
                        ("registration_claimed_at", models.DateTimeField(blank=True, editable=False, null=True)),
                        (
                            "agent",
                            models.ForeignKey(
                                on_delete=django.db.models.deletion.CASCADE,
                                related_name="attachments",
                                to="agents.agent",
                            ),
                        ),
                        (
                            "connection",
                            models.ForeignKey(
                                on_delete=django.db.models.deletion.CASCADE,
                                related_name="attachments",
                                to="channels_twilio.twilioconnection",
                            ),
                        ),
                        (
                            "snapshot_connection",
                            models.ForeignKey(
                                blank=True,
                                editable=False,
                                null=True,
                                on_delete=django.db.models.deletion.SET_NULL,
                                related_name="running_lines",
                                to="channels_twilio.twilioconnection",
                            ),
                        ),
                    ],
                    options={
                        "verbose_name": "communication channel",
                        "verbose_name_plural": "Communication channels",
                        "db_table": "agents_channelattachment",
                        "constraints": [
                            models.UniqueConstraint(fields=("agent", "connection"), name="attachment_once_per_agent"),
                            models.UniqueConstraint(
                                condition=models.Q(("inbound", True)),
                                fields=("connection",),
                                name="one_inbound_agent_per_connection",
                            ),
                        ],
                    },
                ),
            ],
            database_operations=[],
        ),
        migrations.RunPython(move_content_type, move_content_type_back),
    ]
