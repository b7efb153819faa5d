"""PreparedAnswer moves to agents (agents/prepared_answers/): here it only leaves the state.

The table and its rows stay; agents' migration 0004 takes the model over and renames the table.
"""

from django.db import migrations


class Migration(migrations.Migration):

    dependencies = [
        ("sessions_app", "0006_session_twilio_checked_at"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[migrations.DeleteModel(name="PreparedAnswer")],
            database_operations=[],
        ),
    ]
