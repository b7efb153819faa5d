"""Background work of the conversation engines."""

from celery import shared_task

from .engines import preparation


@shared_task(acks_late=True, ignore_result=True)
def prepare_answer(prepared_id: int) -> None:
    """Make the reply of a PreparedAnswer row (prepared early, or a fresh one for a final result)."""
    preparation.make_reply(prepared_id)
