"""A laptop portal without a broker: tasks run in-process, and nothing warns about a missing broker."""

import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent

QUEUE_A_TASK = (
    "from channels_twilio.tasks import hang_up_calls; from flametree_portal.task_queue import enqueue; "
    "from django.conf import settings; print('queued', enqueue(hang_up_calls, []), settings.CELERY_TASK_ALWAYS_EAGER)"
)


def test_queueing_a_task_without_a_broker_runs_it_in_process_without_kombus_hostname_warning():
    env = {k: v for k, v in os.environ.items() if k not in ("CELERY_BROKER_URL", "DJANGO_SETTINGS_MODULE")}
    result = subprocess.run(
        [sys.executable, "manage.py", "shell", "-c", QUEUE_A_TASK],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 0, result.stderr
    assert "queued True True" in result.stdout
    assert "succeeded" in result.stderr  # the task ran here, in-process
    assert "No hostname was supplied" not in result.stderr + result.stdout
