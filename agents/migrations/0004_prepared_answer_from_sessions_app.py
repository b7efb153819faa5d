"""PreparedAnswer moves here from sessions_app, with its rows.

The model enters the state on its existing table (sessions_app_preparedanswer), then the table
is renamed to agents_preparedanswer: a rename, so no row is copied or lost, and its indexes,
constraints and id sequence go with it.
"""

import django.db.models.deletion
from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ("agents", "0003_agent_spoken_lines"),
        ("sessions_app", "0007_prepared_answer_moves_to_agents"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.CreateModel(
                    name="PreparedAnswer",
                    fields=[
                        (
                            "id",
                            models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID"),
                        ),
                        ("turn", models.PositiveIntegerField()),
                        ("heard", models.TextField(help_text="Normalised text the reply was prepared for.")),
                        ("heard_digest", models.CharField(editable=False, max_length=64)),
                        ("reply", models.TextField(blank=True)),
                        ("ends_call", models.BooleanField(default=False)),
                        ("ready", models.BooleanField(default=False)),
                        ("created_at", models.DateTimeField(auto_now_add=True)),
                        ("matched_at", models.DateTimeField(blank=True, null=True)),
                        (
                            "session",
                            models.ForeignKey(
                                on_delete=django.db.models.deletion.CASCADE,
                                related_name="prepared_answers",
                                to="sessions_app.session",
                            ),
                        ),
                    ],
                    options={
                        "db_table": "sessions_app_preparedanswer",
                        "indexes": [models.Index(fields=["session", "turn"], name="prepared_session_turn")],
                        "constraints": [
                            models.UniqueConstraint(
                                fields=("session", "turn", "heard_digest"), name="prepared_once_per_digest"
                            )
                        ],
                    },
                ),
            ],
            database_operations=[],
        ),
        migrations.AlterModelTable(name="preparedanswer", table=None),
    ]
