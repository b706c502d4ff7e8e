"""Race tests: run tasks in threads released at the same instant, each on its
own database connection (as separate requests or workers would be)."""

import threading
from collections.abc import Callable

from django.db import connection


def run_concurrently(tasks: list[Callable[[], object]]) -> list:
    """Run every task in its own thread, all released together by a barrier;
    the results in the order the tasks were given."""
    barrier, results = threading.Barrier(len(tasks)), [None] * len(tasks)

    def run(index, task):
        try:
            barrier.wait()
            results[index] = task()
        finally:
            connection.close()

    threads = [threading.Thread(target=run, args=item) for item in enumerate(tasks)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return results
