"""The unique index of prepared answers on (session, turn, digest of the text heard).

A migration of its own: on PostgreSQL, adding a constraint in the transaction that just
updated the table's rows would fail with "pending trigger events".
"""

from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("sessions_app", "0004_caller_ids_and_heard_digest"),
    ]

    operations = [
        migrations.AddConstraint(
            model_name="preparedanswer",
            constraint=models.UniqueConstraint(
                fields=("session", "turn", "heard_digest"), name="prepared_once_per_digest"
            ),
        ),
    ]
