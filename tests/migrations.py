"""Moving the schema back and forth in migration tests (tests that check data survives a migration)."""

from django.db import connection
from django.db.migrations.executor import MigrationExecutor


def migrate(targets):
    """Migrate to `targets` (None: every app's latest); returns the apps of that state."""
    executor = MigrationExecutor(connection)  # a fresh one: it reads what is applied now
    targets = targets or executor.loader.graph.leaf_nodes()
    executor.migrate(targets)
    return executor.loader.project_state(targets).apps


def table_names() -> set[str]:
    """The tables the database holds now."""
    with connection.cursor() as cursor:
        return set(connection.introspection.table_names(cursor))
