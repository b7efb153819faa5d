from django.apps import AppConfig


class AgentsConfig(AppConfig):
    name = "agents"
    verbose_name = "AI Agents"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        # Celery's autodiscovery looks only at agents/tasks.py; workers learn the prepared
        # answers' task here.
        from .prepared_answers import tasks  # noqa: F401
