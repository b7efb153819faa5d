"""Runs the same action from many threads at once, for tests of limits under a burst."""

import threading
from collections.abc import Callable

from django.db import connection


def run_at_once(count: int, action: Callable[[int], object], timeout: float = 60) -> list:
    """Call `action(n)` for n in range(count), all released together; returns the results.

    Each thread closes its own database connection; any exception fails the caller's test.
    """
    start = threading.Barrier(count)
    results, errors = [], []

    def run(n: int) -> None:
        try:
            start.wait()
            results.append(action(n))
        except Exception as exc:
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=run, args=(n,)) for n in range(count)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=timeout)
    assert not errors, errors
    return results
