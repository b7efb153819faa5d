"""The Celery task that makes a prepared answer's reply on a worker."""

from celery import shared_task

from . import preparation


# The name it had in agents/tasks.py: tasks queued before the move, and workers or web
# processes of the previous release during a rolling deploy, keep meeting the same task.
@shared_task(name="agents.tasks.prepare_answer", acks_late=True, ignore_result=True)
def prepare_answer(prepared_id: int) -> None:
    """Make the reply of a PreparedAnswer row (prepared early, or a fresh one for a final result)."""
    preparation.make_reply(prepared_id)
