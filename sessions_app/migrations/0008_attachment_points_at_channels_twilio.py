"""Session.attachment follows ChannelAttachment to channels_twilio: state only.

The table's foreign key constraint stays as it is; channels_twilio 0006 renames the table it
points at, and the database carries the constraint over.
"""

import django.db.models.deletion
from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ("channels_twilio", "0005_line_from_agents"),
        ("sessions_app", "0007_prepared_answer_moves_to_agents"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.AlterField(
                    model_name="session",
                    name="attachment",
                    field=models.ForeignKey(
                        blank=True,
                        null=True,
                        on_delete=django.db.models.deletion.SET_NULL,
                        related_name="sessions",
                        to="channels_twilio.channelattachment",
                    ),
                ),
            ],
            database_operations=[],
        ),
    ]
