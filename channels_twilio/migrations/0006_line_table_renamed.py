"""The agent's Twilio line gets channels_twilio's table name: agents_channelattachment is renamed.

A rename: rows, indexes, constraints (attachment_once_per_agent,
one_inbound_agent_per_connection) and the foreign keys pointing at it (Session.attachment) go
with the table.
"""

from django.db import migrations


class Migration(migrations.Migration):

    dependencies = [
        ("agents", "0007_channel_attachment_moves_to_channels_twilio"),
        ("channels_twilio", "0005_line_from_agents"),
        ("sessions_app", "0008_attachment_points_at_channels_twilio"),
    ]

    operations = [
        migrations.AlterModelTable(name="channelattachment", table=None),
    ]
