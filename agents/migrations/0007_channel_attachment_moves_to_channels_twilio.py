"""ChannelAttachment moves to channels_twilio (the agent's Twilio line): here it only leaves the state.

The table and its rows stay; channels_twilio 0005 takes the model over and its 0006 renames the
table.
"""

from django.db import migrations


class Migration(migrations.Migration):

    dependencies = [
        ("agents", "0006_error_line"),
        ("channels_twilio", "0005_line_from_agents"),
        ("sessions_app", "0008_attachment_points_at_channels_twilio"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[migrations.DeleteModel(name="ChannelAttachment")],
            database_operations=[],
        ),
    ]
